package client

import (
	"strings"
	"testing"
)

func TestCheckActionsRefusesBeforeAnythingRuns(t *testing.T) {
	many := make([]Action, MaxActions+1)
	for i := range many {
		many[i] = Action{Type: ActionWait, Milliseconds: 1}
	}
	tests := []struct {
		name    string
		actions []Action
		field   string // "" = accepted
		says    string
	}{
		{"all six types", []Action{
			{Type: ActionWait, Milliseconds: 500}, {Type: ActionWaitFor, Selector: "#list"}, {Type: ActionClick, Selector: "button.more"},
			{Type: ActionScroll, Direction: "down"}, {Type: ActionWrite, Text: "query"}, {Type: ActionPress, Key: "Enter"},
		}, "", ""},
		{"too many", many, "actions", "at most 15"},
		{"no type", []Action{{}}, "actions[0].type", "is required"},
		{"unknown type", []Action{{Type: "hover", Selector: "a"}}, "actions[0].type", `"hover" is not an action`},
		{"wait without ms", []Action{{Type: ActionWait}}, "actions[0].milliseconds", "is required"},
		{"click without selector", []Action{{Type: ActionClick}}, "actions[0].selector", "is required"},
		{"field that does not apply", []Action{{Type: ActionClick, Selector: "a", Text: "x"}}, "actions[0].text", "does not apply"},
		{"bad direction", []Action{{Type: ActionScroll, Direction: "left"}}, "actions[0].direction", "up or down"},
		{"unknown key", []Action{{Type: ActionPress, Key: "Hyper"}}, "actions[0].key", "not a key"},
		{"one wait too long", []Action{{Type: ActionWait, Milliseconds: 16000}}, "actions[0].milliseconds", "at most 15000"},
		{"waits over 30 s together", []Action{{Type: ActionWait, Milliseconds: 15000}, {Type: ActionWait, Milliseconds: 10000}, {Type: ActionWaitFor, Selector: "x"}}, "actions[2].milliseconds", "30000 ms"},
		{"long selector", []Action{{Type: ActionClick, Selector: strings.Repeat("a", MaxActionSelector+1)}}, "actions[0].selector", "limit is 500"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckActions("local", tc.actions)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || err.Field != tc.field || err.Code != CodeInvalidArgument || !strings.Contains(err.Message, tc.says) {
				t.Fatalf("err = %+v, want field %s saying %q", err, tc.field, tc.says)
			}
		})
	}
}
