package mockidp

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/descope-harness/harness/mockidp/state"
)

// Every full store is a 409 M000409 naming its limit, on the Descope and
// OAuth surfaces and on the control plane alike.
func TestStateLimitsAre409NamingTheLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err      error
		wantName string
	}{
		{state.ErrFlowExecutionBytes, "MaxFlowExecutionBytes"},
		{state.ErrFlowExecutionsFull, strconv.Itoa(MaxFlowExecutions)},
		{state.ErrSessionLimit, "MaxSessions"},
		{state.ErrAuthCodesFull, "MaxAuthorizationCodes"},
		{state.ErrRefreshFull, "MaxRefreshFamilies"},
		{state.ErrFamilyFull, "MaxFamilyTokens"},
		{state.ErrRevokedFull, "MaxRevokedAccessTokens"},
		{state.ErrLoginsFull, "MaxQueuedLogins"},
		{state.ErrTooManyPending, strconv.Itoa(MaxPendingCodes)},
		{state.ErrPendingBytes, "MaxPendingCodeBytes"},
		{state.ErrOutboxFull, "MaxOutboxMessages"},
		{state.ErrUserLimit, "MaxUsers"},
		{state.ErrClientLimit, strconv.Itoa(MaxClients)},
		{state.ErrAccessKeyLimit, strconv.Itoa(MaxAccessKeys)},
		{fmt.Errorf("%w: the users would take over %d bytes (MaxDirectoryBytes)", state.ErrUsersFull, MaxDirectoryBytes), "MaxDirectoryBytes"},
		{fmt.Errorf("%w: the mock holds at most %d roles (MaxRoles)", state.ErrDefsFull, MaxRoles), "MaxRoles"},
	}
	for _, tt := range tests {
		for name, mapErr := range map[string]func(error) error{"stateError": stateError, "controlError": controlError} {
			var e *Error
			if !errors.As(mapErr(tt.err), &e) || e.Status != http.StatusConflict || e.Code != CodeMockLimit || !strings.Contains(e.Message, tt.wantName) {
				t.Errorf("%s(%v) = %v, want a 409 %s naming %s", name, tt.err, mapErr(tt.err), CodeMockLimit, tt.wantName)
			}
		}
	}
}
