# The two commands a newcomer needs: `make run` and `make test`.
# Everything else is for deploying and measuring.

FUNCTIONS := public access download admin
GO        ?= go
APT_PKGS  := chromium poppler-utils qpdf

.PHONY: run test test-deps vet build sizes bench synth deploy clean

## run: the whole trust center at http://localhost:8080 on the embedded engines (./data)
run:
	$(GO) run ./functions/local

## test: every test (installs Chromium, poppler-utils, qpdf and the npm tools when missing)
test: test-deps vet
	$(GO) test -count=1 ./...

## test-deps: what the tests need beyond Go: Debian packages and node_modules
test-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v qpdf >/dev/null 2>&1 || missing="$$missing qpdf"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@[ -f node_modules/amplify-dynamodb-simulator/emulator/DynamoDBLocal.jar ] && [ -f node_modules/axe-core/axe.min.js ] && [ -x node_modules/.bin/cdk ] \
	  || npm ci --no-audit --no-fund

vet:
	@unformatted=$$(gofmt -l functions infra shared site); [ -z "$$unformatted" ] || { echo "gofmt needed: $$unformatted"; exit 1; }
	$(GO) vet ./...

## build: one arm64 `bootstrap` per Lambda function under build/<name>/
build:
	@for f in $(FUNCTIONS); do \
	  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags "-s -w" \
	    -o build/$$f/bootstrap ./functions/$$f || exit 1; \
	done

## sizes: the size of each function's bootstrap
sizes: build
	@for f in $(FUNCTIONS); do printf "%-10s %s bytes\n" $$f $$(stat -c %s build/$$f/bootstrap); done

## bench: speed and memory figures (see README)
bench: test-deps
	$(GO) test -run '^$$' -bench . -benchmem ./shared/web ./shared/boltstore
	$(GO) run ./functions/bench

## synth: the CloudFormation template, checked by cdk-nag, into cdk.out/
synth: build test-deps
	npx cdk synth --quiet -c assets=build

## deploy: synth, then deploy the stack to the account in your AWS credentials
deploy: build test-deps
	npx cdk deploy -c assets=build

clean:
	rm -rf build cdk.out artifacts
