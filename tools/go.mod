// tools/ holds the npm tools the tests and the deployment use (package.json).
// It is a module of its own only so that `go build ./...` and `go test ./...`
// in the main module never walk into tools/node_modules.
module trustcenter/tools

go 1.26
