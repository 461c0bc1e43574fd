# The two commands a newcomer needs: `make run` and `make test`.
# Everything else is for deploying and measuring.

FUNCTIONS := public access download admin connect keyring scheduler
# The trust page's content, shipped with every function by `make build`.
CONTENT   ?= site/content/example.yaml
GO        ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.6.1
CDK       := tools/node_modules/.bin/cdk
# Deployment settings, passed to the CDK app as context (README, "Deploy to
# AWS", has the table). Single quotes keep a display name's spaces and <>.
CDK_CONTEXT = -c assets=build -c 'mailFrom=$(MAIL_FROM)' -c 'staff=$(STAFF)' -c 'alarmEmail=$(ALARM_EMAIL)' \
  $(if $(AUTO_APPROVE),-c 'autoApprove=$(AUTO_APPROVE)') \
  $(if $(MAIL_REPLY_TO),-c 'mailReplyTo=$(MAIL_REPLY_TO)') $(if $(LAPSE_WARNING_DAYS),-c 'lapseWarningDays=$(LAPSE_WARNING_DAYS)') \
  $(if $(DOMAIN_NAME),-c 'domainName=$(DOMAIN_NAME)') $(if $(CERTIFICATE_ARN),-c 'certificateArn=$(CERTIFICATE_ARN)') \
  $(if $(BASE_URL),-c 'baseUrl=$(BASE_URL)') $(if $(LOG_RETENTION_DAYS),-c 'logRetentionDays=$(LOG_RETENTION_DAYS)') \
  $(if $(RESERVED_CONCURRENCY),-c 'reservedConcurrency=$(RESERVED_CONCURRENCY)') \
  $(if $(SLACK_CHANNEL),-c 'slackChannel=$(SLACK_CHANNEL)') $(if $(SLACK_USERS),-c 'slackUsers=$(SLACK_USERS)') \
  $(if $(REMIND_AFTER),-c 'remindAfter=$(REMIND_AFTER)') $(if $(OIDC_ISSUER),-c 'oidcIssuer=$(OIDC_ISSUER)') \
  $(if $(OIDC_CLIENT_ID),-c 'oidcClientId=$(OIDC_CLIENT_ID)') $(if $(OIDC_GROUP_ROLES),-c 'oidcGroupRoles=$(OIDC_GROUP_ROLES)')
# APPROVE=never deploys without asking (CI); the default asks before any
# change that widens security (IAM, security groups).
APPROVE   ?= broadening

.PHONY: run kb-import test test-deps cdk-deps deploy-settings vet templ build sizes bench synth deploy clean

## run: the whole trust center at http://localhost:8080 on the embedded engines (./data)
run:
	$(GO) run ./functions/local

## test: every test (installs Chromium, fonts, poppler-utils, qpdf, Ghostscript and the npm tools when missing)
test: test-deps vet
	$(GO) test -count=1 -timeout 30m ./...

## test-deps: what the tests need beyond Go: Debian packages, node_modules, cfn-lint and moto (pip)
test-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v qpdf >/dev/null 2>&1 || missing="$$missing qpdf"; \
	command -v gs >/dev/null 2>&1 || missing="$$missing ghostscript"; \
	[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing="$$missing fonts-wqy-zenhei"; \
	command -v java >/dev/null 2>&1 || missing="$$missing openjdk-17-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@[ -f tools/node_modules/amplify-dynamodb-simulator/emulator/DynamoDBLocal.jar ] && [ -f tools/node_modules/axe-core/axe.min.js ] \
	  && [ -x $(CDK) ] || npm ci --prefix tools --no-audit --no-fund
	@command -v cfn-lint >/dev/null 2>&1 || python3 -m cfnlint --version >/dev/null 2>&1 || \
	  python3 -m pip install --user --quiet cfn-lint 2>/dev/null || python3 -m pip install --user --quiet --break-system-packages cfn-lint
	@command -v moto_server >/dev/null 2>&1 || python3 -m pip install --user --quiet "moto[server]" 2>/dev/null || \
	  python3 -m pip install --user --quiet --break-system-packages "moto[server]"

## kb-import: a questionnaire's answers (CSV: question,answer,category; header optional) as the
## content file's knowledge section, on stdout: make kb-import CSV=answers.csv >> content.yaml
## (into a file that has no knowledge section yet; otherwise add the entries under it)
kb-import:
	@test -n "$(CSV)" || { echo "usage: make kb-import CSV=answers.csv" >&2; exit 2; }
	@$(GO) run ./functions/local kb-import $(CSV)

## templ: regenerate site/pages/*_templ.go from the .templ files (commit both;
## a test fails when they differ)
templ:
	$(GO) run github.com/a-h/templ/cmd/templ@v0.3.1100 generate -path site/pages

## vet: gofmt, go vet and staticcheck (a pinned version, fetched by the Go toolchain)
vet:
	@unformatted=$$(gofmt -l functions infra shared site); [ -z "$$unformatted" ] || { echo "gofmt needed: $$unformatted"; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

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
	   $(GO) test -run '^$$' -bench 'Download' -benchmem -benchtime 5x ./shared/local/localapp; \
	   $(GO) test -run '^$$' -bench . -benchmem -benchtime 1s ./shared/local/boltstore; \
	   $(GO) test -run '^$$' -bench 'QueuePage' -benchmem -benchtime 20x ./shared/aws/dynamostore; \
	   $(GO) test -run '^$$' -bench 'Stamp' -benchmem -benchtime 3x ./shared/stamp; \
	   $(GO) test -run '^$$' -bench 'ColdStart' -benchtime 5x ./functions; \
	   $(GO) test -run '^$$' -bench 'WarmRequest' -benchtime 2s ./functions; } | awk '\
	  /^Benchmark/ { name=$$1; sub(/-[0-9]+$$/, "", name); row=""; \
	    for (i = 3; i < NF; i += 2) row = row sprintf(" %s %s ·", $$i, $$(i+1)); \
	    sub(/ ·$$/, "", row); printf "| %-32s |%s |\n", name, row; next } \
	  /^(FAIL|panic)/ { print; failed=1 } END { exit failed }' \
	  | { printf "| %-32s | %s |\n|---|---|\n" benchmark figures; cat; }
	@$(MAKE) --no-print-directory sizes

## cdk-deps: what synth and deploy need beyond Go: Node and the CDK CLI
cdk-deps:
	@command -v node >/dev/null 2>&1 || { echo "synth and deploy need Node.js 20 or later (https://nodejs.org)"; exit 2; }
	@[ -x $(CDK) ] || npm ci --prefix tools --no-audit --no-fund

## deploy-settings: the settings synth and deploy cannot do without, checked before anything is built
deploy-settings:
	@missing=""; \
	[ -n "$(MAIL_FROM)" ] || missing="$$missing MAIL_FROM"; \
	[ -n "$(STAFF)" ] || missing="$$missing STAFF"; \
	[ -n "$(ALARM_EMAIL)" ] || missing="$$missing ALARM_EMAIL"; \
	if [ -n "$(DOMAIN_NAME)$(CERTIFICATE_ARN)" ] && { [ -z "$(DOMAIN_NAME)" ] || [ -z "$(CERTIFICATE_ARN)" ]; }; then \
	  missing="$$missing DOMAIN_NAME+CERTIFICATE_ARN(both)"; fi; \
	case "$(APPROVE)" in never|broadening|any-change) ;; *) missing="$$missing APPROVE(never|broadening|any-change)";; esac; \
	[ -z "$$missing" ] || { echo "missing or bad settings:$$missing"; \
	  echo "  e.g. make deploy MAIL_FROM='Example Trust Center <trust@example.com>' STAFF=alice@example.com:admin ALARM_EMAIL=ops@example.com"; exit 2; }

## synth: the CloudFormation templates, checked by cdk-nag, into cdk.out/
synth: deploy-settings
	@$(MAKE) --no-print-directory cdk-deps build
	$(CDK) synth --quiet $(CDK_CONTEXT)

## deploy: build, synth, then deploy TrustCenter (and TrustCenterEdge, the us-east-1 WAF, when the
## region is another) to the account and region of your AWS credentials. APPROVE=never: no prompt.
##   make deploy MAIL_FROM='Example Trust Center <trust@example.com>' STAFF=alice@example.com:admin ALARM_EMAIL=ops@example.com
deploy: deploy-settings
	@$(MAKE) --no-print-directory cdk-deps build
	$(CDK) deploy --all --require-approval $(APPROVE) $(CDK_CONTEXT)

clean:
	rm -rf build cdk.out artifacts
