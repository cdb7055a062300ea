package tools

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/scrapemcp/scrapemcp/client"
)

// Documented limits, checked before any API call so no credits are spent on
// a request the API would reject.
const (
	maxURLLength    = 8192 // AlterLab's documented URL limit; Anakin's is not stated
	maxBatchURLs    = 10
	maxCrawlDepth   = 5
	maxCrawlPages   = 1000
	maxPromptBytes  = 8 << 10  // Anakin: prompt ≤ 8 KB
	maxSchemaBytes  = 50 << 10 // Anakin: schema ≤ 50 KB (AlterLab allows 64 KB; the lower bound serves both)
	maxSearchLimit  = 20
	maxMapLimit     = 5000
	maxMaxLength    = 1_000_000
	minMaxLength    = 100
	maxTimeoutS     = 300
	maxWaitS        = 600
	maxQueryLength  = 500
	maxCountryChars = 2
)

// checkURL validates an absolute http(s) URL argument.
func checkURL(provider, field, raw string) *client.Error {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return invalid(provider, field, "%s is required: an absolute http(s) URL such as https://example.com/page", field)
	case len(raw) > maxURLLength:
		return invalid(provider, field, "%s is %d characters long; the limit is %d", field, len(raw), maxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return invalid(provider, field, "%s is not a valid URL: %v", field, strings.TrimPrefix(err.Error(), "parse "))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		if u.Scheme == "" {
			return invalid(provider, field, "%s %q has no scheme; use an absolute URL starting with https:// or http://", field, clip(raw, 200))
		}
		return invalid(provider, field, "%s uses the %q scheme; only http and https URLs can be fetched", field, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return invalid(provider, field, "%s %q has no host", field, clip(raw, 200))
	}
	return nil
}

// checkMaxLength validates max_length/start_index and applies the default.
func checkMaxLength(provider string, maxLength, start, def int) (int, *client.Error) {
	if start < 0 {
		return 0, invalid(provider, "start_index", "start_index must be 0 or more, got %d", start)
	}
	if maxLength == 0 {
		return def, nil
	}
	if maxLength < minMaxLength || maxLength > maxMaxLength {
		return 0, invalid(provider, "max_length", "max_length must be between %d and %d characters, got %d", minMaxLength, maxMaxLength, maxLength)
	}
	return maxLength, nil
}

// checkExtraction validates a json_schema/prompt pair.
func checkExtraction(provider string, schema map[string]any, prompt string) (json.RawMessage, *client.Error) {
	if len(prompt) > maxPromptBytes {
		return nil, invalid(provider, "prompt", "prompt is %d bytes; the limit is %d (8 KB)", len(prompt), maxPromptBytes)
	}
	if schema == nil {
		return nil, nil
	}
	raw, err := json.Marshal(schema)
	if err != nil {
		return nil, invalid(provider, "json_schema", "json_schema could not be encoded: %v", err)
	}
	if len(raw) > maxSchemaBytes {
		return nil, invalid(provider, "json_schema", "json_schema is %d bytes; the limit is %d (50 KB)", len(raw), maxSchemaBytes)
	}
	if err := compileSchema(raw); err != nil {
		return nil, invalid(provider, "json_schema", "json_schema is not a valid JSON Schema: %v", err)
	}
	return raw, nil
}

// checkTimeout validates a call's timeout in seconds (0: the default).
func checkTimeout(provider string, seconds int) *client.Error {
	if seconds < 0 || seconds > maxTimeoutS {
		return invalid(provider, "timeout", "timeout must be between 1 and %d seconds, got %d", maxTimeoutS, seconds)
	}
	return nil
}

func checkCountry(provider, c string) *client.Error {
	if c == "" {
		return nil
	}
	if len(c) != maxCountryChars || strings.Trim(strings.ToLower(c), "abcdefghijklmnopqrstuvwxyz") != "" {
		return invalid(provider, "country", "country must be a two-letter ISO 3166-1 code such as \"us\" or \"de\", got %q", clip(c, 20))
	}
	return nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:byteOffset(s, n)] + "…"
}
