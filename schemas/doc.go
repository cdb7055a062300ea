// Package schemas holds the JSON Schemas of every tool's input and output,
// generated from the Go types in package tools and checked in, so that a
// change to what agents see shows up as a reviewable diff.
//
// Regenerate after changing a tool's types or description:
//
//	UPDATE_SCHEMAS=1 go test ./schemas
package schemas
