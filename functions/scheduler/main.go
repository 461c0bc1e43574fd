// Command scheduler is the Lambda function that delivers the outbox: woken
// by the table's stream when mail is queued, by a five-minute schedule for
// what is left, and by SES bounce and complaint notifications.
package main

import (
	"trustcenter/shared/aws/scheduler"
	"trustcenter/shared/aws/sesmail"
)

func main() {
	scheduler.Lambda(sesmail.FromConfig)
}
