// Command download is the download Lambda function: see app.DownloadFunction for its
// routes' handler and the settings it needs.
package main

import "trustcenter/shared/app"

func main() { app.Lambda(app.DownloadFunction) }
