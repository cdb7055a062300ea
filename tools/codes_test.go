package tools

import (
	"testing"

	"github.com/scrapemcp/scrapemcp/client"
	"github.com/scrapemcp/scrapemcp/errmap"
)

// errmap imports nothing, so it spells the client's codes again; this keeps
// the two spellings from drifting apart.
func TestClientAndErrmapCodesAgree(t *testing.T) {
	pairs := [][2]string{
		{client.CodeJobFailed, errmap.CodeJobFailed},
		{client.CodeJobTimeout, errmap.CodeJobTimeout},
		{client.CodeUnsupported, errmap.CodeUnsupported},
		{client.CodeInvalidArgument, errmap.CodeInvalidArgument},
		{client.CodeNetwork, errmap.CodeNetwork},
		{client.CodeMaybeStarted, errmap.CodeMaybeStarted},
		{client.CodeBadResponse, errmap.CodeBadResponse},
		{client.CodeRateLimitedLocally, errmap.CodeRateLimitedLocally},
		{client.CodeNotFound, errmap.CodeNotFound},
		{client.CodeInvalidURL, errmap.CodeInvalidURL},
		{client.CodeDNS, errmap.CodeDNS},
		{client.CodeTLS, errmap.CodeTLS},
		{client.CodeTimeout, errmap.CodeTimeout},
		{client.CodeHTTPStatus, errmap.CodeHTTPStatus},
		{client.CodeSSRFBlocked, errmap.CodeSSRFBlocked},
		{client.CodeTooLarge, errmap.CodeTooLarge},
		{client.CodeUnsupportedContent, errmap.CodeUnsupportedContent},
		{client.CodeRobotsDisallowed, errmap.CodeRobotsDisallowed},
		{client.CodeTooManyRedirects, errmap.CodeTooManyRedirects},
		{client.CodeConnection, errmap.CodeConnection},
		{client.CodeBrowserUnavailable, errmap.CodeBrowserUnavailable},
		{CodeSchemaMismatch, errmap.CodeSchemaMismatch},
		{client.CodeUnsupportedEncoding, errmap.CodeUnsupportedEncoding},
		{client.CodePageTooComplex, errmap.CodePageTooComplex},
		{client.CodeRedirectRefused, errmap.CodeRedirectRefused},
		{client.CodeServerBusy, errmap.CodeServerBusy},
		{client.CodeShuttingDown, errmap.CodeShuttingDown},
	}
	for _, p := range pairs {
		if p[0] != p[1] {
			t.Errorf("client says %q, errmap says %q", p[0], p[1])
		}
	}
}
