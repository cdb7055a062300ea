package schemas

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scrapemcp/scrapemcp/tools"
)

func inventory() []tools.Tool { return tools.Inventory(&tools.Deps{}) }

// indent gives a stable, diff-friendly form.
func indent(t *testing.T, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		t.Fatalf("indent: %v", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	if os.Getenv("UPDATE_SCHEMAS") != "" {
		if err := os.WriteFile(name, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%s is missing: run UPDATE_SCHEMAS=1 go test ./schemas and commit the result", name)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s is out of date with the Go types in package tools: run UPDATE_SCHEMAS=1 go test ./schemas and commit the result", name)
	}
}

func TestSchemasMatchGoTypes(t *testing.T) {
	for _, tool := range inventory() {
		golden(t, tool.Name+".input.json", indent(t, tools.Schema(tool.Input)))
		golden(t, tool.Name+".output.json", indent(t, tools.OutputSchema(tool.Output)))
	}
}

// The server reads its schemas from the table package tools embeds
// (reflecting them at start-up costs milliseconds): it is regenerated with
// the files here.
func TestEmbeddedSchemaTable(t *testing.T) {
	got, err := tools.GenerateSchemas(inventory())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("..", tools.SchemasFile), got)
}

// The tool definitions as tools/list shows them — descriptions and
// annotations included — are an API too.
func TestToolListingIsSnapshotted(t *testing.T) {
	var defs []json.RawMessage
	for _, tool := range inventory() {
		b, err := json.Marshal(tool.Def)
		if err != nil {
			t.Fatalf("%s: tools/list would fail: %v", tool.Name, err)
		}
		defs = append(defs, b)
	}
	all, _ := json.Marshal(defs)
	golden(t, "tools.json", indent(t, all))
}

func TestNoStaleSchemaFiles(t *testing.T) {
	want := map[string]bool{"tools.json": true}
	for _, tool := range inventory() {
		want[tool.Name+".input.json"], want[tool.Name+".output.json"] = true, true
	}
	files, _ := filepath.Glob("*.json")
	for _, f := range files {
		if !want[f] {
			t.Errorf("%s belongs to no tool; delete it", f)
		}
	}
}

// Hosts differ in the JSON Schema they accept: Claude Code and others fail
// on $ref, Gemini/OpenAPI-dialect hosts reject type arrays and $schema.
func TestSchemasArePortable(t *testing.T) {
	for _, tool := range inventory() {
		for kind, raw := range map[string][]byte{"input": tools.Schema(tool.Input), "output": tools.OutputSchema(tool.Output)} {
			raw := string(raw)
			for _, banned := range []string{`"$ref"`, `"$defs"`, `"$schema"`, `"oneOf"`, `"anyOf"`, `"allOf"`, `"type":[`} {
				if strings.Contains(raw, banned) {
					t.Errorf("%s %s schema contains %s", tool.Name, kind, banned)
				}
			}
			var root map[string]any
			if err := json.Unmarshal([]byte(raw), &root); err != nil {
				t.Fatal(err)
			}
			if root["type"] != "object" {
				t.Errorf("%s %s schema root type = %v, want object", tool.Name, kind, root["type"])
			}
		}
	}
}

func TestEveryToolIsDescribedAndAnnotated(t *testing.T) {
	for _, tool := range inventory() {
		d := tool.Def
		if d.Description == "" || d.Title == "" || d.Annotations.Title == "" {
			t.Errorf("%s: needs description, title and annotations.title", tool.Name)
		}
		a := d.Annotations
		if a.ReadOnlyHint == nil || a.DestructiveHint == nil || a.IdempotentHint == nil || a.OpenWorldHint == nil {
			t.Errorf("%s: all four annotation hints must be set explicitly", tool.Name)
		}
		if *a.ReadOnlyHint == tool.Mutating {
			t.Errorf("%s: readOnlyHint=%v disagrees with Mutating=%v", tool.Name, *a.ReadOnlyHint, tool.Mutating)
		}
		var in map[string]any
		_ = json.Unmarshal(tools.Schema(tool.Input), &in)
		props, _ := in["properties"].(map[string]any)
		for name, p := range props {
			if pm, _ := p.(map[string]any); pm["description"] == nil {
				t.Errorf("%s: argument %s has no description", tool.Name, name)
			}
		}
	}
}

// Clients validate error results against the output schema too, so every
// output schema must accept {"error":…, "guidance":…} alone.
func TestOutputSchemasAcceptErrorResults(t *testing.T) {
	for _, tool := range inventory() {
		var s map[string]any
		if err := json.Unmarshal(tools.OutputSchema(tool.Output), &s); err != nil {
			t.Fatal(err)
		}
		props, _ := s["properties"].(map[string]any)
		if props["error"] == nil || props["guidance"] == nil || s["required"] != nil {
			t.Errorf("%s: output schema would reject an error result (properties error/guidance, no required)", tool.Name)
		}
	}
}
