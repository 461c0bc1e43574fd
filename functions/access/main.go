// Command access is the Lambda function of the request form, email
// confirmation and the requester's access page.
package main

import (
	"trustcenter/shared/aws/lambdaapp"
	"trustcenter/shared/aws/secretkeys"
	"trustcenter/shared/web"
)

func main() {
	lambdaapp.Lambda(lambdaapp.Function{Web: web.Access, Keys: secretkeys.FromConfig, Staff: true, Announce: true})
}
