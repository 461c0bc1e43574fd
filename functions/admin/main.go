// Command admin is the Lambda function of the sales console: staff sign-in,
// the request queue, approve/deny/revoke and report uploads.
package main

import (
	"trustcenter/shared/app"
	"trustcenter/shared/s3blob"
	"trustcenter/shared/secretkeys"
	"trustcenter/shared/sesmail"
	"trustcenter/shared/web"
)

func main() {
	app.Lambda(app.Function{Name: "admin", Handler: web.Admin, Blobs: s3blob.FromConfig, Mail: sesmail.FromConfig, Keys: secretkeys.FromConfig})
}
