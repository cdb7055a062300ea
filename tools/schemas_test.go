package tools

import (
	"bytes"
	"testing"
)

// The schemas a process serves are read from schemas.json, not reflected:
// they must be what reflecting the Go types gives.
func TestPregeneratedSchemasMatchTheTypes(t *testing.T) {
	all := Inventory(&Deps{})
	want, err := GenerateSchemas(all)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, schemasJSON) {
		t.Fatalf("%s is out of date with the Go types: run UPDATE_SCHEMAS=1 go test ./schemas and commit the result", SchemasFile)
	}
	for _, tool := range all {
		if !bytes.Equal(tool.Def.RawInputSchema, Schema(tool.Input)) || !bytes.Equal(tool.Def.RawOutputSchema, OutputSchema(tool.Output)) {
			t.Errorf("%s: the served schema is not the reflected one", tool.Name)
		}
	}
}
