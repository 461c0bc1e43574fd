// Command public is the Lambda function of the trust page and its
// machine-readable companions. It reads the table and nothing else.
package main

import (
	"trustcenter/shared/app"
	"trustcenter/shared/web"
)

func main() {
	app.Lambda(app.Function{Name: "public", Handler: web.Public})
}
