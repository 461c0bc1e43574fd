# The two commands a newcomer needs: `make run` and `make test`.
# Everything else is for deploying and measuring.

FUNCTIONS := public access download admin
# The trust page's content, shipped with every function by `make build`.
CONTENT   ?= site/content/example.yaml
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

## build: one arm64 `bootstrap` per Lambda function under build/<name>/, with the
## checked content file (CONTENT=path, default the example company) beside it
build:
	@mkdir -p build
	$(GO) run ./functions/local compile $(CONTENT) build/content.json
	@for f in $(FUNCTIONS); do \
	  rm -rf build/$$f; \
	  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags "-s -w" -o build/$$f/bootstrap ./functions/$$f || exit 1; \
	  cp build/content.json build/$$f/content.json; \
	done

## sizes: each function's arm64 bootstrap, and compressed (deflate, as in the zip Lambda receives)
sizes: build
	@printf "| function | bootstrap | compressed | goal: at most 15 MB |\n|---|---|---|---|\n"
	@for f in $(FUNCTIONS); do \
	  raw=$$(stat -c %s build/$$f/bootstrap); gz=$$(gzip -9 -c build/$$f/bootstrap | wc -c); \
	  awk -v f=$$f -v r=$$raw -v g=$$gz 'BEGIN { printf "| %s | %.2f MB | %.1f MB | %s |\n", f, r/1e6, g/1e6, r <= 15e6 ? "met" : "NOT met" }'; done

## bench: speed, size and memory figures as a table (the README quotes them)
bench: test-deps
	@{ $(GO) test -run '^$$' -bench 'TrustPage' -benchmem -benchtime 2s ./shared/local/localapp; \
	   $(GO) test -run '^$$' -bench 'Throughput' -benchtime 3x ./shared/local/localapp; \
	   $(GO) test -run '^$$' -bench . -benchmem -benchtime 1s ./shared/local/boltstore; \
	   $(GO) test -run '^$$' -bench 'ColdStart' -benchtime 5x ./functions; \
	   $(GO) test -run '^$$' -bench 'WarmRequest' -benchtime 2s ./functions; } | awk '\
	  /^Benchmark/ { name=$$1; sub(/-[0-9]+$$/, "", name); row=""; \
	    for (i = 3; i < NF; i += 2) row = row sprintf(" %s %s ·", $$i, $$(i+1)); \
	    sub(/ ·$$/, "", row); printf "| %-32s |%s |\n", name, row; next } \
	  /^(FAIL|panic)/ { print; failed=1 } END { exit failed }' \
	  | { printf "| %-32s | %s |\n|---|---|\n" benchmark figures; cat; }
	@$(MAKE) --no-print-directory sizes

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
