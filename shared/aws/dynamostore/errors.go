package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"trustcenter/shared/trust"
)

// errConflict is what a failed write condition means to the domain: someone
// else changed the request, or the token was already used.
func errConflict(cause error) error {
	return &trust.Error{Code: trust.EConflict, Message: "This was changed or used in the meantime. Reload and try again.", Err: cause}
}

// Codes DynamoDB uses for "too busy, try again", and for a missing table,
// which in a deployed stack means the table is not there yet (or any more):
// an outage, not a bug in the caller's input.
var transientCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"RequestLimitExceeded":                   true,
	"TransactionConflictException":           true,
	"TransactionInProgressException":         true,
	"InternalServerError":                    true,
	"ServiceUnavailable":                     true,
	"ResourceNotFoundException":              true,
	"LimitExceededException":                 true,
}

// Cancellation reason codes of a TransactionCanceledException that mean the
// same as transientCodes.
var transientReasons = map[string]bool{
	"TransactionConflict":           true,
	"ProvisionedThroughputExceeded": true,
	"ThrottlingError":               true,
}

// mapErr turns an SDK error into a domain error. Anything not recognised
// stays an internal error: it is a bug (a malformed request) rather than
// something the user could fix or wait out.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	err = fmt.Errorf("dynamodb %s: %w", op, err)

	if reasons, ok := cancelReasons(err); ok {
		switch {
		case slices.Contains(reasons, "ConditionalCheckFailed"):
			return errConflict(err)
		case slices.ContainsFunc(reasons, func(code string) bool { return transientReasons[code] }):
			return trust.Unavailable(err)
		}
		return err
	}
	var condFailed *types.ConditionalCheckFailedException
	if errors.As(err, &condFailed) {
		return errConflict(err)
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && transientCodes[apiErr.ErrorCode()] {
		return trust.Unavailable(err)
	}
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) && respErr.HTTPStatusCode() >= 500 {
		return trust.Unavailable(err)
	}
	if transport(err) {
		return trust.Unavailable(err)
	}
	return err
}

// cancelReasons returns the reason codes of a cancelled transaction, one per
// action ("None" for those that were fine), and whether err is one at all.
func cancelReasons(err error) ([]string, bool) {
	var canceled *types.TransactionCanceledException
	if !errors.As(err, &canceled) {
		return nil, false
	}
	codes := make([]string, len(canceled.CancellationReasons))
	for i, r := range canceled.CancellationReasons {
		codes[i] = aws.ToString(r.Code)
	}
	return codes, true
}

// transport reports whether err is a failure to reach DynamoDB or to hear
// back in time, as opposed to an answer from it.
func transport(err error) bool {
	var sendErr *smithyhttp.RequestSendError
	var timeoutErr *awshttp.ResponseTimeoutError
	var netErr net.Error
	return errors.As(err, &sendErr) ||
		errors.As(err, &timeoutErr) ||
		errors.As(err, &netErr) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}
