package issue

import (
	"testing"
	"time"
)

// The session JWT and refresh JWT claims: drn, exp, rexp and jti; a
// custom claim may not replace a reserved one; an already expired token
// (a preset) was issued one lifetime before its expiry.
func TestSessionClaims(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	p := Session{Issuer: "http://mock/P1", ProjectID: "P1", Now: now, Authz: Claims{"sub": "U1", "roles": []string{"admin"}},
		AMR: []string{"email"}, Custom: map[string]any{"plan": "pro", "sub": "forged", "drn": "DS"}}
	rc := p.RefreshClaims(now.Unix()+3600, 24*time.Hour, "J1")
	if rc["drn"] != "DSR" || rc["jti"] != "J1" || rc["exp"] != now.Unix()+3600 || rc["iat"] != now.Unix() || rc["sub"] != "U1" || rc["plan"] != "pro" {
		t.Errorf("refresh claims %v", rc)
	}
	sc := p.SessionClaims(now.Unix()+600, now.Unix()+3600, 10*time.Minute)
	if sc["drn"] != "DS" || sc["rexp"] != time.Unix(now.Unix()+3600, 0).UTC().Format(time.RFC3339) || sc["sub"] != "U1" || sc["iss"] != "http://mock/P1" {
		t.Errorf("session claims %v", sc)
	}
	if _, ok := sc["jti"]; ok {
		t.Errorf("the session JWT carries a jti: %v", sc)
	}
	expired := p.SessionClaims(now.Unix()-60, now.Unix()+3600, 10*time.Minute)
	if expired["iat"] != now.Unix()-60-600 {
		t.Errorf("an expired session JWT's iat %v, want one lifetime before its exp", expired["iat"])
	}
	if p.Authz["drn"] != nil || len(p.Authz) != 2 {
		t.Errorf("the caller's authorization claims were changed: %v", p.Authz)
	}
}
