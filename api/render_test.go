package api

import (
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestWriteJSON: the body is encoding/json's, with the headers every API
// response carries; a body encoding/json refuses becomes the contract's 500.
func TestWriteJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		body       any
		wantStatus int
		wantBody   string
	}{
		{"struct", http.StatusOK, healthResponse{Status: "healthy", Provider: "descope"}, http.StatusOK, `{"status":"healthy","provider":"descope"}`},
		{"escapes as encoding/json", http.StatusOK, detailBody{Detail: "<&>\u2028"}, http.StatusOK, `{"detail":"\u003c\u0026\u003e\u2028"}`},
		{"null name", http.StatusOK, meResponse{Authenticated: true, AuthenticationType: "Bearer", ClaimsCount: 3}, http.StatusOK,
			`{"authenticated":true,"authentication_type":"Bearer","name":null,"claims_count":3}`},
		{"status kept", http.StatusNotFound, detailBody{Detail: "Not Found"}, http.StatusNotFound, `{"detail":"Not Found"}`},
		{"unencodable", http.StatusOK, map[string]float64{"x": math.NaN()}, http.StatusInternalServerError, `{"detail":"Internal server error"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			writeJSON(w, tt.status, tt.body)
			if w.Code != tt.wantStatus {
				t.Errorf("status: got %d, want %d", w.Code, tt.wantStatus)
			}
			if got := w.Body.String(); got != tt.wantBody {
				t.Errorf("body: got %s, want %s", got, tt.wantBody)
			}
			for name, want := range map[string]string{
				"Content-Type": "application/json", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
				"Content-Length": strconv.Itoa(len(tt.wantBody)),
			} {
				if got := w.Header().Values(name); len(got) != 1 || got[0] != want {
					t.Errorf("%s: got %q, want [%s]", name, got, want)
				}
			}
		})
	}
}
