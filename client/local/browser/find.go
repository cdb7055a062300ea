package browser

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// ErrOff is returned by Find when the browser was switched off (--browser off).
var ErrOff = errors.New("the headless browser is switched off (--browser off)")

// NotFoundError says no Chromium or Chrome was found, and how to get one.
type NotFoundError struct {
	Spec  string   // what --browser asked for
	Tried []string // the names and paths looked at
}

func (e *NotFoundError) Error() string {
	if e.Spec != "" && e.Spec != "auto" {
		return fmt.Sprintf("no browser at %s (--browser): it does not exist or is not executable. %s", e.Spec, InstallHint(runtime.GOOS))
	}
	return fmt.Sprintf("no Chromium or Chrome was found on PATH or in the usual install locations. %s", InstallHint(runtime.GOOS))
}

// InstallHint names the command that installs a browser on goos.
func InstallHint(goos string) string {
	switch goos {
	case "darwin":
		return "Install one with `brew install --cask chromium` (or Google Chrome), then restart scrapemcp; or pass --browser /path/to/chrome."
	case "windows":
		return "Install one with `winget install Google.Chrome`, then restart scrapemcp; or pass --browser C:\\path\\to\\chrome.exe."
	default:
		return "Install one with `sudo apt-get install -y chromium` (Debian, Ubuntu), `sudo dnf install chromium` (Fedora) or `sudo pacman -S chromium` (Arch), then restart scrapemcp; or pass --browser /path/to/chrome."
	}
}

// candidates are the names looked up on PATH, then the absolute paths, in
// order, for goos. Chromium comes before Chrome: it is what Linux
// distributions package.
func candidates(goos string) []string {
	switch goos {
	case "darwin":
		return []string{
			"chromium", "google-chrome",
			"/Applications/Chromium.app/Contents/MacOS/Chromium",
			"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
			"/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
		}
	case "windows":
		return []string{
			"chrome", "msedge",
			filepath.Join(os.Getenv("ProgramFiles"), `Google\Chrome\Application\chrome.exe`),
			filepath.Join(os.Getenv("ProgramFiles(x86)"), `Google\Chrome\Application\chrome.exe`),
			filepath.Join(os.Getenv("LOCALAPPDATA"), `Google\Chrome\Application\chrome.exe`),
			filepath.Join(os.Getenv("ProgramFiles(x86)"), `Microsoft\Edge\Application\msedge.exe`),
		}
	default:
		return []string{
			"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
			"headless_shell", "headless-shell", "microsoft-edge",
			"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium",
			"/snap/bin/chromium", "/usr/bin/google-chrome", "/opt/google/chrome/chrome",
		}
	}
}

// Find resolves --browser: "auto" (or "") looks on PATH and in the usual
// install locations, "off" returns ErrOff, anything else is a path or a
// program name that must exist and be executable.
func Find(spec string) (string, error) {
	spec = strings.TrimSpace(spec)
	switch strings.ToLower(spec) {
	case "off", "none", "false":
		return "", ErrOff
	case "", "auto":
		tried := candidates(runtime.GOOS)
		for _, c := range tried {
			if p, err := exec.LookPath(c); err == nil {
				return p, nil
			}
		}
		return "", &NotFoundError{Spec: "auto", Tried: tried}
	}
	p, err := exec.LookPath(spec)
	if err != nil {
		return "", &NotFoundError{Spec: spec, Tried: []string{spec}}
	}
	return p, nil
}
