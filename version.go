package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// version may be set at build time with -ldflags "-X main.version=v1.2.3"
// (release builds do); it then wins over what the build info says.
var version = ""

// buildVersion is what scrapemcp calls itself: in version, --version, the
// MCP serverInfo and the User-Agent.
type buildVersion struct {
	Version  string // v1.2.3, a pseudo-version, or "devel"
	Revision string // VCS commit, when the build recorded one
	Modified bool   // the checkout had uncommitted changes
	Go       string
}

// current is read once at start.
var current = versionFrom(version, debug.ReadBuildInfo)

// versionFrom resolves the version: -ldflags first, then the main module's
// version (go install …@v1.2.3 gives v1.2.3; go build in a checkout gives a
// pseudo-version with +dirty when modified), then "devel" (go run, tests).
func versionFrom(ldflags string, read func() (*debug.BuildInfo, bool)) buildVersion {
	v := buildVersion{Version: strings.TrimSpace(ldflags), Go: runtime.Version()}
	bi, ok := read()
	if ok && bi != nil {
		if bi.GoVersion != "" {
			v.Go = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
		if v.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version
		}
	}
	if v.Version == "" {
		v.Version = "devel"
		if v.Revision != "" {
			v.Version += "-" + short(v.Revision)
			if v.Modified {
				v.Version += "+dirty"
			}
		}
	}
	return v
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// String is the long form printed by version.
func (v buildVersion) String() string {
	s := "scrapemcp " + v.Version
	var extra []string
	if v.Revision != "" && !strings.Contains(v.Version, short(v.Revision)) {
		r := "commit " + short(v.Revision)
		if v.Modified {
			r += ", modified"
		}
		extra = append(extra, r)
	}
	extra = append(extra, v.Go, runtime.GOOS+"/"+runtime.GOARCH)
	return s + " (" + strings.Join(extra, ", ") + ")"
}

func (v buildVersion) userAgent() string {
	return fmt.Sprintf("scrapemcp/%s (+https://github.com/scrapemcp/scrapemcp)", v.Version)
}
