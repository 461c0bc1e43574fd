// Command access is the access Lambda function: see app.AccessFunction for its
// routes' handler and the settings it needs.
package main

import "trustcenter/shared/app"

func main() { app.Lambda(app.AccessFunction) }
