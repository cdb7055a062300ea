package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scrapemcp/scrapemcp/client"
)

var unknownField = regexp.MustCompile(`unknown field "([^"]+)"`)

// bind decodes the call's arguments into v strictly: unknown arguments and
// wrong types are reported as fix_request naming the argument, so a model
// that misspells "max_length" learns that instead of silently getting the
// default.
func bind(provider string, req mcp.CallToolRequest, v any) *client.Error {
	raw := req.GetRawArguments()
	if raw == nil {
		raw = map[string]any{}
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return invalid(provider, "", "arguments are not valid JSON: %v", err)
	}
	if bytes.Equal(data, []byte("null")) {
		data = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				return invalid(provider, "", "arguments must be a JSON object, got %s", te.Value)
			}
			return invalid(provider, field, "argument %q must be %s, got %s", field, jsonKind(te.Type.Kind().String()), te.Value)
		case unknownField.MatchString(err.Error()):
			name := unknownField.FindStringSubmatch(err.Error())[1]
			return invalid(provider, name, "unknown argument %q; see the tool's input schema for the accepted arguments", name)
		default:
			return invalid(provider, "", "arguments could not be read: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "int", "int64", "int32", "uint", "uint64":
		return "an integer"
	case "float64", "float32":
		return "a number"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return goKind
}
