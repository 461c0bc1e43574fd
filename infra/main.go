// Command infra is the CDK app that deploys the trust center. Run it through
// the CDK CLI from the module root (cdk.json says "go run ./infra"), with the
// settings as context values (Settings lists them; the README has the table):
//
//	cdk synth -c mailFrom='Example Trust Center <trust@example.com>' -c staff=alice@example.com -c alarmEmail=ops@example.com
//
// `make synth` and `make deploy` pass them from make variables.
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
	get := func(key string) string {
		v := app.Node().TryGetContext(jsii.String(key))
		if v == nil {
			return ""
		}
		return strings.TrimSpace(fmt.Sprint(v))
	}
	// The CLI resolves the account and region from the caller's credentials
	// and profile; the region is required, the account is not (synth works
	// without credentials).
	props, err := PropsFromContext(get, os.Getenv("CDK_DEFAULT_ACCOUNT"), os.Getenv("CDK_DEFAULT_REGION"))
	if err != nil {
		return nil, err
	}
	if props.AssetsDir, err = filepath.Abs(props.AssetsDir); err != nil {
		return nil, err
	}
	if err := CheckAssets(props.AssetsDir); err != nil {
		return nil, err
	}
	return props, nil
}

// CheckAssets reports a missing bootstrap or content file before CDK's
// asset staging fails with a less helpful message.
func CheckAssets(dir string) error {
	var missing []string
	for _, name := range AssetNames {
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
