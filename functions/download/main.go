// Command download is the Lambda function that serves report files: public
// documents, and granted downloads after re-checking the grant, each a copy
// stamped for its recipient (made on first download, kept in the bucket). It is the
// only function besides admin that may read the reports bucket.
package main

import (
	"trustcenter/shared/aws/lambdaapp"
	"trustcenter/shared/aws/s3blob"
	"trustcenter/shared/aws/secretkeys"
	"trustcenter/shared/ndapdf"
	"trustcenter/shared/stamp"
	"trustcenter/shared/web"
)

func main() {
	lambdaapp.Lambda(lambdaapp.Function{Web: web.Download, Blobs: s3blob.FromConfig, Links: s3blob.LinksFromConfig, Keys: secretkeys.FromConfig, Stamper: stamp.Engine{}, SignedNDA: ndapdf.Engine{}})
}
