package client

import "testing"

// assertAnakinGuidance checks errmap's advice for e once errmap.Explain exists.
func assertAnakinGuidance(t *testing.T, e *Error) { t.Helper() }
