// Command public is the Lambda function of the trust page and its
// machine-readable companions. It reads the table and nothing else.
package main

import (
	"trustcenter/shared/aws/lambdaapp"
	"trustcenter/shared/web"
)

func main() {
	lambdaapp.Lambda(lambdaapp.Function{Web: web.Public})
}
