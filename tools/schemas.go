package tools

import (
	_ "embed"
	"encoding/json"
	"sync"
)

// schemasJSON holds every tool's input and output schema, keyed
// "<tool>.input" and "<tool>.output", as Schema and OutputSchema make them
// from the Go types. Reflecting them costs a few milliseconds and some
// 15,000 allocations, on the path to the first answer of every process;
// reading them is a fraction of that. `UPDATE_SCHEMAS=1 go test ./schemas`
// writes the file, and TestPregeneratedSchemasMatchTheTypes fails when it is
// out of date.
//
//go:embed schemas.json
var schemasJSON []byte

// SchemasFile is schemasJSON's path relative to the module root, for the
// generator.
const SchemasFile = "tools/schemas.json"

var schemaTable = sync.OnceValue(func() map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(schemasJSON, &m); err != nil {
		return nil // reflect instead; the test reports it
	}
	return m
})

// pregenerated is the schema stored under key, or reflect's when there is
// none (a tool added before the file was regenerated).
func pregenerated(key string, reflect func() json.RawMessage) json.RawMessage {
	if s, ok := schemaTable()[key]; ok {
		return s
	}
	return reflect()
}

// GenerateSchemas reflects every schema of tools into the form
// schemas.json stores.
func GenerateSchemas(all []Tool) ([]byte, error) {
	m := map[string]json.RawMessage{}
	for _, t := range all {
		m[t.Name+".input"] = Schema(t.Input)
		m[t.Name+".output"] = OutputSchema(t.Output)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
