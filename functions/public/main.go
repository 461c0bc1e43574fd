// Command public is the public Lambda function: see app.PublicFunction for its
// routes' handler and the settings it needs.
package main

import "trustcenter/shared/app"

func main() { app.Lambda(app.PublicFunction) }
