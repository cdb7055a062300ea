package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestURLFileIsWrittenWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fake.url")
	if err := writeAtomically(path, "http://127.0.0.1:1/v1\n"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "http://127.0.0.1:1/v1\n" {
		t.Fatalf("%q %v", b, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}
