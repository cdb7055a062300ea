package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v4"
)

const registrySchemaURL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"

func registrySchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/registry/server.schema.2025-12-11.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(registrySchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(registrySchemaURL)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readJSON(t *testing.T, b []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// server.json is what the MCP Registry lists; it must pass the registry's
// published schema and the registry's rules for oci packages.
func TestServerJSON(t *testing.T) {
	b, err := os.ReadFile("server.json")
	if err != nil {
		t.Fatal(err)
	}
	schema := registrySchema(t)
	if err := schema.Validate(readJSON(t, b)); err != nil {
		t.Fatalf("server.json does not validate against the registry schema: %v", err)
	}
	// The schema is live: a broken document fails.
	if err := schema.Validate(readJSON(t, []byte(`{"name":"scrapemcp","description":"x","version":"1"}`))); err == nil {
		t.Error("a name without a namespace passed the schema")
	}

	var s struct {
		Schema      string `json:"$schema"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Version     string `json:"version"`
		Packages    []struct {
			RegistryType, Identifier, Version, RegistryBaseURL string
			Transport                                          struct{ Type, URL string }
			PackageArguments                                   []struct{ Value string }
			EnvironmentVariables                               []struct {
				Name       string
				IsRequired bool
			}
		}
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.Schema != registrySchemaURL {
		t.Errorf("$schema %q, want the vendored %q", s.Schema, registrySchemaURL)
	}
	// io.github.<owner>/<name> must match the repository the module names.
	if want := "io.github." + strings.TrimPrefix(modulePath(t), "github.com/"); s.Name != want {
		t.Errorf("name %q, want %q (from go.mod)", s.Name, want)
	}
	if v := changelogVersion(t); s.Version != v {
		t.Errorf("server.json version %q, CHANGELOG's newest %q", s.Version, v)
	}
	kinds := map[string]bool{}
	for _, p := range s.Packages {
		kinds[p.Transport.Type] = true
		if p.RegistryType != "oci" {
			t.Errorf("package %s: want oci", p.Identifier)
			continue
		}
		// oci: the tag is the version; version and registryBaseUrl are refused.
		if !strings.HasSuffix(p.Identifier, ":"+s.Version) || p.Version != "" || p.RegistryBaseURL != "" {
			t.Errorf("oci package %q (version %q, base %q): tag must be the server version %s, no version or registryBaseUrl", p.Identifier, p.Version, p.RegistryBaseURL, s.Version)
		}
		switch p.Transport.Type {
		case "stdio":
			if p.Transport.URL != "" || len(p.PackageArguments) != 1 || p.PackageArguments[0].Value != "stdio" {
				t.Errorf("stdio package: %+v", p)
			}
		case "streamable-http":
			required := false
			for _, e := range p.EnvironmentVariables {
				required = required || (e.Name == "SCRAPEMCP_AUTH_TOKEN" && e.IsRequired)
			}
			if !required {
				t.Error("the HTTP package must require SCRAPEMCP_AUTH_TOKEN: the image listens on 0.0.0.0")
			}
		}
	}
	if !kinds["stdio"] || !kinds["streamable-http"] {
		t.Errorf("transports %v, want stdio and streamable-http", kinds)
	}
	for _, df := range []string{"Dockerfile", "Dockerfile.release"} {
		d := parseDockerfile(t, df)
		if d.label["io.modelcontextprotocol.server.name"] != s.Name {
			t.Errorf("%s: LABEL io.modelcontextprotocol.server.name=%q, want %q (the registry checks it)", df, d.label["io.modelcontextprotocol.server.name"], s.Name)
		}
	}
}

func modulePath(t *testing.T) string {
	b, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^module\s+(\S+)`).FindSubmatch(b)
	if m == nil {
		t.Fatal("go.mod has no module line")
	}
	return string(m[1])
}

func changelogVersion(t *testing.T) string {
	b, err := os.ReadFile("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+)\]`).FindSubmatch(b)
	if m == nil {
		t.Fatal("CHANGELOG.md has no ## [x.y.z] section")
	}
	return string(m[1])
}

type dockerStage struct {
	from            string
	user            string
	entrypoint, cmd []string
	label           map[string]string
	runs            []string
}

// parseDockerfile reads the instructions this repository uses and returns
// the final stage (the image that ships).
func parseDockerfile(t *testing.T, path string) dockerStage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stages []dockerStage
	var logical string
	sc := bufio.NewScanner(f)
	flush := func(line string) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			return
		}
		inst, args, _ := strings.Cut(line, " ")
		inst, args = strings.ToUpper(inst), strings.TrimSpace(args)
		if inst == "FROM" {
			stages = append(stages, dockerStage{from: strings.Fields(args)[0], label: map[string]string{}})
			return
		}
		if len(stages) == 0 {
			if inst != "ARG" {
				t.Fatalf("%s: %s before FROM", path, inst)
			}
			return
		}
		st := &stages[len(stages)-1]
		switch inst {
		case "USER":
			st.user = args
		case "ENTRYPOINT", "CMD":
			var v []string
			if err := json.Unmarshal([]byte(args), &v); err != nil {
				t.Errorf("%s: %s %s is not the exec (JSON) form: %v", path, inst, args, err)
			}
			if inst == "CMD" {
				st.cmd = v
			} else {
				st.entrypoint = v
			}
		case "LABEL":
			for _, m := range regexp.MustCompile(`([\w.-]+)="([^"]*)"`).FindAllStringSubmatch(args, -1) {
				st.label[m[1]] = m[2]
			}
		case "RUN":
			st.runs = append(st.runs, args)
		}
	}
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			logical += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		flush(logical + line)
		logical = ""
	}
	flush(logical)
	if len(stages) == 0 {
		t.Fatalf("%s: no FROM", path)
	}
	return stages[len(stages)-1]
}

// The shipped image runs as non-root, starts scrapemcp, and its default
// command refuses to serve 0.0.0.0 without a token.
func TestDockerfiles(t *testing.T) {
	for _, path := range []string{"Dockerfile", "Dockerfile.release"} {
		st := parseDockerfile(t, path)
		user, _, _ := strings.Cut(st.user, ":")
		if user == "" || user == "root" || user == "0" {
			t.Errorf("%s: final stage runs as %q; want a non-root USER", path, st.user)
		}
		if !strings.Contains(st.from, "distroless/static") && st.from != "scratch" {
			t.Errorf("%s: final stage FROM %s, want distroless static or scratch", path, st.from)
		}
		if len(st.runs) != 0 {
			t.Errorf("%s: the final stage has no shell to RUN %q", path, st.runs)
		}
		if strings.Join(st.entrypoint, " ") != "scrapemcp" || strings.Join(st.cmd, " ") != "http --addr 0.0.0.0:8080" {
			t.Errorf("%s: ENTRYPOINT %q CMD %q", path, st.entrypoint, st.cmd)
		}
		var out, errb bytes.Buffer
		code := run(st.cmd, getenv(nil), strings.NewReader(""), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), "SCRAPEMCP_AUTH_TOKEN") {
			t.Errorf("%s: CMD without a token: code=%d stderr=%q", path, code, errb.String())
		}
	}
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "CGO_ENABLED=0 go build") {
		t.Error("Dockerfile: the binary must be static (CGO_ENABLED=0) for distroless/static")
	}
}

// .goreleaser.yaml passes `goreleaser check` (v2.15); CI has no goreleaser,
// so this holds the parts other files depend on: every platform, a static
// binary, the version stamped, and the image server.json names, built from
// Dockerfile.release with the registry's label.
func TestGoreleaserConfig(t *testing.T) {
	b, err := os.ReadFile(".goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Version int `yaml:"version"`
		Builds  []struct {
			Env, Goos, Goarch, Ldflags []string
		} `yaml:"builds"`
		Archives []struct {
			Formats         []string `yaml:"formats"`
			FormatOverrides []struct {
				Goos    string   `yaml:"goos"`
				Formats []string `yaml:"formats"`
			} `yaml:"format_overrides"`
			Files []string `yaml:"files"`
		} `yaml:"archives"`
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
		} `yaml:"checksum"`
		Dockers []struct {
			Dockerfile string            `yaml:"dockerfile"`
			Images     []string          `yaml:"images"`
			Tags       []string          `yaml:"tags"`
			Platforms  []string          `yaml:"platforms"`
			Labels     map[string]string `yaml:"labels"`
		} `yaml:"dockers_v2"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if c.Version != 2 || len(c.Builds) != 1 || len(c.Archives) != 1 || len(c.Dockers) != 1 || c.Checksum.NameTemplate == "" {
		t.Fatalf("unexpected shape: %+v", c)
	}
	bld := c.Builds[0]
	if strings.Join(bld.Goos, ",") != "linux,darwin,windows" || strings.Join(bld.Goarch, ",") != "amd64,arm64" {
		t.Errorf("platforms %v × %v", bld.Goos, bld.Goarch)
	}
	if !slices.Contains(bld.Env, "CGO_ENABLED=0") || !strings.Contains(strings.Join(bld.Ldflags, " "), "-X main.version=") {
		t.Errorf("build env %v ldflags %v", bld.Env, bld.Ldflags)
	}
	for _, f := range c.Archives[0].Files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("archive file %s: %v", f, err)
		}
	}
	d := c.Dockers[0]
	if _, err := os.Stat(d.Dockerfile); err != nil {
		t.Error(err)
	}
	var s struct {
		Name     string `json:"name"`
		Packages []struct {
			Identifier string `json:"identifier"`
		} `json:"packages"`
	}
	sb, _ := os.ReadFile("server.json")
	if err := json.Unmarshal(sb, &s); err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Packages {
		image, _, _ := strings.Cut(p.Identifier, ":")
		if !slices.Contains(d.Images, image) {
			t.Errorf("server.json names image %s; goreleaser builds %v", image, d.Images)
		}
	}
	if !slices.Contains(d.Tags, "{{ .Version }}") || strings.Join(d.Platforms, ",") != "linux/amd64,linux/arm64" {
		t.Errorf("image tags %v platforms %v", d.Tags, d.Platforms)
	}
	if d.Labels["io.modelcontextprotocol.server.name"] != s.Name {
		t.Errorf("image label %q, server.json name %q", d.Labels["io.modelcontextprotocol.server.name"], s.Name)
	}
}
