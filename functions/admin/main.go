// Command admin is the Lambda function of the sales console: staff sign-in,
// the request queue, approve/deny/revoke and report uploads.
package main

import (
	"trustcenter/shared/aws/lambdaapp"
	"trustcenter/shared/aws/s3blob"
	"trustcenter/shared/aws/secretkeys"
	"trustcenter/shared/stamp"
	"trustcenter/shared/web"
)

func main() {
	lambdaapp.Lambda(lambdaapp.Function{Web: web.Admin, Blobs: s3blob.FromConfig, Links: s3blob.LinksFromConfig, Uploads: s3blob.UploadsFromConfig, Inspect: stamp.Inspector{}, Keys: secretkeys.FromConfig, Staff: true, Stamper: stamp.Engine{}})
}
