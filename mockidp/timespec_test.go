package mockidp_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/descope-harness/harness/mockidp"
)

// TestTimeSpecRoundTrip: what a Go client encodes, the control plane decodes
// to the same instant.
func TestTimeSpecRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	unix := int64(1_700_000_000)
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name     string
		spec     *mockidp.TimeSpec
		wantJSON string
		wantUnix int64
	}{
		{"unix seconds", &mockidp.TimeSpec{Unix: &unix}, `1700000000`, unix},
		{"positive offset", mockidp.Offset(90 * time.Second), `"+1m30s"`, now.Add(90 * time.Second).Unix()},
		{"negative offset", mockidp.Offset(-time.Hour), `"-1h0m0s"`, now.Add(-time.Hour).Unix()},
		{"instant", &mockidp.TimeSpec{At: &at}, `"2030-01-02T03:04:05Z"`, at.Unix()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.wantJSON {
				t.Errorf("got %s, want %s", b, tt.wantJSON)
			}
			var back mockidp.TimeSpec
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if got := mockidp.ResolveTimeSpec(&back, now); got != tt.wantUnix {
				t.Errorf("decoded to %d, want %d", got, tt.wantUnix)
			}
		})
	}
}
