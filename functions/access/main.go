// Command access is the Lambda function of the request form, email
// confirmation and the requester's access page.
package main

import (
	"trustcenter/shared/app"
	"trustcenter/shared/secretkeys"
	"trustcenter/shared/sesmail"
	"trustcenter/shared/web"
)

func main() {
	app.Lambda(app.Function{Name: "access", Handler: web.Access, Mail: sesmail.FromConfig, Keys: secretkeys.FromConfig})
}
