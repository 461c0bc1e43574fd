# The two commands a newcomer needs: `make run` and `make test`.
# Everything else is for deploying and measuring.

FUNCTIONS := public access download admin
GO        ?= go
CDK       := tools/node_modules/.bin/cdk
# Deployment settings, passed to the CDK app as context.
CDK_CONTEXT = -c assets=build $(if $(MAIL_FROM),-c mailFrom=$(MAIL_FROM)) $(if $(STAFF),-c staff=$(STAFF)) \
  $(if $(DOMAIN_NAME),-c domainName=$(DOMAIN_NAME) -c certificateArn=$(CERTIFICATE_ARN)) $(if $(BASE_URL),-c baseUrl=$(BASE_URL))

.PHONY: run test test-deps vet build sizes bench synth deploy clean

## run: the whole trust center at http://localhost:8080 on the embedded engines (./data)
run:
	$(GO) run ./functions/local

## test: every test (installs Chromium, fonts, poppler-utils, qpdf and the npm tools when missing)
test: test-deps vet
	$(GO) test -count=1 ./...

## test-deps: what the tests need beyond Go: Debian packages and node_modules
test-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v qpdf >/dev/null 2>&1 || missing="$$missing qpdf"; \
	[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing="$$missing fonts-wqy-zenhei"; \
	command -v java >/dev/null 2>&1 || missing="$$missing openjdk-17-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@[ -f tools/node_modules/amplify-dynamodb-simulator/emulator/DynamoDBLocal.jar ] && [ -f tools/node_modules/axe-core/axe.min.js ] \
	  && [ -x $(CDK) ] || npm ci --prefix tools --no-audit --no-fund

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
	$(CDK) synth --quiet $(CDK_CONTEXT)

## deploy: synth, then deploy stack TrustCenter to the account of your AWS credentials
##   make deploy MAIL_FROM=trust@yourcompany.com STAFF=alice@yourcompany.com,bob@yourcompany.com:approver
deploy: build test-deps
	@[ -n "$(MAIL_FROM)" ] && [ -n "$(STAFF)" ] || { echo "make deploy needs MAIL_FROM=<SES sender> STAFF=<staff emails>"; exit 2; }
	$(CDK) deploy TrustCenter --require-approval broadening $(CDK_CONTEXT)

clean:
	rm -rf build cdk.out artifacts
