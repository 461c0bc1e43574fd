package main

import (
	"path/filepath"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"trustcenter/shared/aws/secretkeys"
)

// FnKeyring is the custom resource's function (functions/keyring): not a
// web function, so it is not in FunctionNames.
const FnKeyring = "keyring"

// AssetNames are the folders under the assets dir the stack deploys.
var AssetNames = append(slices.Clone(DeployedFunctions), FnKeyring)

// newSigningKeyring is the custom resource that gives the signing-keys
// secret its first keyring (secretkeys.Ensure) inside the deployment, so
// no key is ever made on, or copied through, a developer's machine. The
// secret starts with CloudFormation's generated password as a placeholder,
// which Ensure replaces; every later deploy finds a keyring and leaves it.
//
// A direct custom resource, answered by the function itself
// (aws-lambda-go/cfn), rather than the Provider framework: one function and
// one role, instead of a framework function in Node.js with managed
// policies for cdk-nag to flag.
//
// Its Ref is the secret's ARN: the functions take their TRUST_KEYS_SECRET
// from it, which makes CloudFormation create them after the keyring is in.
func newSigningKeyring(stack awscdk.Stack, secret awssecretsmanager.Secret, logGroup awslogs.LogGroup, assetsDir string) awscdk.CustomResource {
	statements := []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("Logs"),
			Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
			Resources: &[]*string{logGroup.LogGroupArn()},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("SigningKeys"),
			Actions:   jsii.Strings("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"),
			Resources: &[]*string{secret.SecretArn()},
		}),
	}
	role := awsiam.NewRole(stack, jsii.String("KeyringRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Trust center keyring resource: writes the first signing keyring"),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"LeastPrivilege": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements}),
		},
	})
	fn := awslambda.NewFunction(stack, jsii.String("KeyringFunction"), &awslambda.FunctionProps{
		Description:  jsii.String("Trust center: gives the signing-keys secret a keyring on the first deploy"),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(assetsDir, FnKeyring)), nil),
		MemorySize:   jsii.Number(128),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(30)),
		Role:         role,
		LogGroup:     logGroup,
	})
	// As for the other functions: the Role GetAtt already orders them.
	fn.Node().DefaultChild().(awscdk.CfnResource).AddDeletionOverride(jsii.String("DependsOn"))
	return awscdk.NewCustomResource(stack, jsii.String("SigningKeyring"), &awscdk.CustomResourceProps{
		ServiceToken: fn.FunctionArn(),
		ResourceType: jsii.String(secretkeys.ResourceType),
		Properties:   &map[string]any{"SecretId": secret.SecretArn()},
		// A function that dies before answering would otherwise hold the
		// deploy for CloudFormation's default of an hour.
		ServiceTimeout: awscdk.Duration_Minutes(jsii.Number(5)),
	})
}
