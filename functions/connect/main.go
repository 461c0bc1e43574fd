// Command connect is the Lambda function of the staff's outside services:
// Slack's interactions (Approve and Deny from a channel) and single sign-on
// with the company's identity provider. Its clients are kept out of admin.
package main

import (
	"trustcenter/shared/aws/lambdaapp"
	"trustcenter/shared/aws/secretkeys"
	"trustcenter/shared/web"
)

func main() {
	lambdaapp.Lambda(lambdaapp.Function{Web: web.Connect, Keys: secretkeys.FromConfig, Staff: true, Services: secretkeys.LoadServices})
}
