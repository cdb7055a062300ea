package tools

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// noRemote refuses $ref to anything outside the schema itself: an
// agent-supplied schema must not make the server fetch URLs.
type noRemote struct{}

func (noRemote) Load(url string) (any, error) {
	return nil, fmt.Errorf("remote $ref %q is not allowed", url)
}

func compile(raw []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noRemote{})
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("mem://schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("mem://schema.json")
}

func compileSchema(raw []byte) error {
	_, err := compile(raw)
	return shortSchemaError(err)
}

// validateJSON checks doc against schema; the error names the first problem.
func validateJSON(schema, doc []byte) error {
	s, err := compile(schema)
	if err != nil {
		return shortSchemaError(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return shortSchemaError(s.Validate(inst))
}

// shortSchemaError keeps the first line: the library's messages nest every
// cause, which is noise for an agent.
func shortSchemaError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if i := bytes.IndexByte([]byte(msg), '\n'); i > 0 {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) && len(ve.Causes) > 0 {
			leaf := ve
			for len(leaf.Causes) > 0 {
				leaf = leaf.Causes[0]
			}
			return fmt.Errorf("%s", leaf.Error())
		}
		msg = msg[:i]
	}
	return errors.New(msg)
}
