// Command admin is the admin Lambda function: see app.AdminFunction for its
// routes' handler and the settings it needs.
package main

import "trustcenter/shared/app"

func main() { app.Lambda(app.AdminFunction) }
