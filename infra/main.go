// Command infra is the CDK app that deploys the trust center. Run it through
// the CDK CLI from the module root (cdk.json says "go run ./infra"):
//
//	npx cdk synth -c assets=build -c mailFrom=trust@example.com
//
// Context values: assets (directory holding <function>/bootstrap, default
// "build"), mailFrom (SES sender identity), staff (comma-separated staff
// e-mails), domainName + certificateArn (custom domain, both or neither) and
// baseUrl (public origin, when it differs from the domain or API endpoint).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// StackName is the CloudFormation stack the app deploys.
const StackName = "TrustCenter"

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	props, err := propsFromContext(app)
	if err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		os.Exit(1)
	}
	NewTrustCenterStack(app, StackName, props)
	AddNagChecks(app)
	app.Synth(nil)
}

// AddNagChecks runs cdk-nag's AWS Solutions rules over everything under
// scope at synthesis; a finding without a suppression is an error that fails
// `cdk synth` and `cdk deploy`.
func AddNagChecks(scope constructs.IConstruct) {
	awscdk.Aspects_Of(scope).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}

func propsFromContext(app awscdk.App) (*TrustCenterStackProps, error) {
	get := func(key, def string) string {
		v := app.Node().TryGetContext(jsii.String(key))
		if v == nil {
			return def
		}
		s := strings.TrimSpace(fmt.Sprint(v))
		if s == "" {
			return def
		}
		return s
	}

	assets, err := filepath.Abs(get("assets", "build"))
	if err != nil {
		return nil, err
	}
	if err := CheckAssets(assets); err != nil {
		return nil, err
	}
	var staff []string
	for _, s := range strings.Split(get("staff", ""), ",") {
		if s = strings.TrimSpace(s); s != "" {
			staff = append(staff, s)
		}
	}
	props := &TrustCenterStackProps{
		StackProps: awscdk.StackProps{
			Description: jsii.String("Trust center: SOC reports, NDA-gated access requests, signed download links"),
		},
		AssetsDir:      assets,
		MailFrom:       get("mailFrom", DefaultMailFrom),
		Staff:          staff,
		DomainName:     get("domainName", ""),
		CertificateArn: get("certificateArn", ""),
		BaseURL:        get("baseUrl", ""),
	}
	if err := props.Validate(); err != nil {
		return nil, fmt.Errorf("context %w", err)
	}
	// Pin the environment only when the CLI resolved one, so that synth works
	// without credentials and deploy targets the caller's account and region.
	account, region := os.Getenv("CDK_DEFAULT_ACCOUNT"), os.Getenv("CDK_DEFAULT_REGION")
	if account != "" && region != "" {
		props.Env = &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)}
	}
	return props, nil
}

// CheckAssets reports a missing bootstrap or content file before CDK's
// asset staging fails with a less helpful message.
func CheckAssets(dir string) error {
	var missing []string
	for _, name := range FunctionNames {
		for _, file := range []string{"bootstrap", ContentFile} {
			p := filepath.Join(dir, name, file)
			if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
				missing = append(missing, p)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing function files (run make build first, or pass -c assets=DIR): %s", strings.Join(missing, ", "))
	}
	return nil
}
