package mockidp_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/descope-harness/harness/mockidp"
)

func (s sessionServer) keyStatus(id string) string {
	s.t.Helper()
	var out struct{ Key struct{ Status string } }
	s.ok(s.do("GET", "/v1/mgmt/accesskey?id="+id, mgmt(), ""), &out)
	return out.Key.Status
}

// The batches change every key named as the single calls do, all or
// nothing: one unknown ID changes none.
func TestAccessKeyBatches(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	a, b, c := s.createKey(`{"name":"a"}`), s.createKey(`{"name":"b"}`), s.createKey(`{"name":"c"}`)
	ids := `"` + a.Key.ID + `","` + b.Key.ID + `"`
	e := s.refused(s.do("POST", "/v1/mgmt/accesskey/deactivate/batch", mgmt(), `{"ids":[`+ids+`,"K-none"]}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)
	if !strings.Contains(e.Message, "ids[2]") {
		t.Errorf("the refusal says %q, want it to name ids[2]", e.Message)
	}
	if s.keyStatus(a.Key.ID) != "active" {
		t.Fatal("a refused batch deactivated a key")
	}
	s.ok(s.do("POST", "/v1/mgmt/accesskey/deactivate/batch", mgmt(), `{"ids":[`+ids+`,"`+a.Key.ID+`"]}`), nil)
	for _, k := range []createdKey{a, b} {
		if st := s.keyStatus(k.Key.ID); st != "inactive" {
			t.Errorf("%s after deactivate/batch: %s", k.Key.Name, st)
		}
		s.refused(s.do("POST", "/v1/auth/accesskey/exchange", "Bearer "+mockidp.DefaultProjectID+":"+k.Cleartext, ""), http.StatusUnauthorized, mockidp.CodeBadClient)
	}
	if cl, _ := s.exchangeKey(c.Cleartext, ""); cl == nil {
		t.Error("the key the batch did not name is refused")
	}
	s.ok(s.do("POST", "/v1/mgmt/accesskey/activate/batch", mgmt(), `{"ids":[`+ids+`]}`), nil)
	if cl, _ := s.exchangeKey(a.Cleartext, ""); cl == nil {
		t.Error("an activated key's exchange is refused")
	}
	s.refused(s.do("POST", "/v1/mgmt/accesskey/delete/batch", mgmt(), `{"ids":[`+ids+`,"K-none"]}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)
	s.ok(s.do("POST", "/v1/mgmt/accesskey/delete/batch", mgmt(), `{"ids":[`+ids+`,"`+b.Key.ID+`"]}`), nil)
	for _, k := range []createdKey{a, b} {
		s.refused(s.do("GET", "/v1/mgmt/accesskey?id="+k.Key.ID, mgmt(), ""), http.StatusBadRequest, mockidp.CodeInvalidArgument)
		s.refused(s.do("POST", "/v1/auth/accesskey/exchange", "Bearer "+mockidp.DefaultProjectID+":"+k.Cleartext, ""), http.StatusUnauthorized, mockidp.CodeBadClient)
	}
	if s.keyStatus(c.Key.ID) != "active" {
		t.Error("the key the batches did not name changed")
	}
}

// Rotation answers a new cleartext once, keeps the key's ID and grants,
// and the old secret stops exchanging at once; an inactive or expired key
// does not rotate.
func TestAccessKeyRotate(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	k := s.createKey(`{"name":"rot","roleNames":["viewer"],"customClaims":{"customer":"c9"}}`)
	old, _ := s.exchangeKey(k.Cleartext, "")
	if old == nil {
		t.Fatal("the new key's exchange is refused")
	}
	var rot createdKey
	rec := s.do("POST", "/v1/mgmt/accesskey/rotate", mgmt(), `{"id":"`+k.Key.ID+`"}`)
	s.ok(rec, &rot)
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store on the answer holding the secret", rec.Header().Get("Cache-Control"))
	}
	if rot.Cleartext == "" || rot.Cleartext == k.Cleartext || rot.Key.ID != k.Key.ID || rot.Key.Name != "rot" || rot.Key.Status != "active" {
		t.Fatalf("rotate answered %+v", rot)
	}
	s.refused(s.do("POST", "/v1/auth/accesskey/exchange", "Bearer "+mockidp.DefaultProjectID+":"+k.Cleartext, ""), http.StatusUnauthorized, mockidp.CodeBadClient)
	c, _ := s.exchangeKey(rot.Cleartext, "")
	if c == nil || c["sub"] != k.Key.ID || c["customer"] != "c9" || strs(c["roles"])[0] != "viewer" {
		t.Fatalf("the new secret's claims: %v", c)
	}
	var loaded createdKey
	s.ok(s.do("GET", "/v1/mgmt/accesskey?id="+k.Key.ID, mgmt(), ""), &loaded)
	if loaded.Cleartext != "" || strings.Contains(rec.Body.String(), k.Cleartext) {
		t.Error("the old or new cleartext is answered again")
	}

	s.ok(s.do("POST", "/v1/mgmt/accesskey/deactivate", mgmt(), `{"id":"`+k.Key.ID+`"}`), nil)
	e := s.refused(s.do("POST", "/v1/mgmt/accesskey/rotate", mgmt(), `{"id":"`+k.Key.ID+`"}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)
	if !strings.Contains(e.Message, "deactivated") {
		t.Errorf("rotating an inactive key: %q", e.Message)
	}
	short := s.createKey(`{"name":"short","expireTime":` + itoa(s.Now().Unix()+60) + `}`)
	if err := s.Advance(61e9); err != nil {
		t.Fatal(err)
	}
	e = s.refused(s.do("POST", "/v1/mgmt/accesskey/rotate", mgmt(), `{"id":"`+short.Key.ID+`"}`), http.StatusBadRequest, mockidp.CodeInvalidArgument)
	if !strings.Contains(e.Message, "expired") {
		t.Errorf("rotating an expired key: %q", e.Message)
	}
	for _, tc := range []struct{ name, body, code, says string }{
		{"no id", `{}`, mockidp.CodeMissingArgument, "id"},
		{"unknown id", `{"id":"K-none"}`, mockidp.CodeInvalidArgument, "K-none"},
		{"unknown field", `{"id":"K","secret":"x"}`, mockidp.CodeBadRequest, "secret"},
	} {
		rec := s.do("POST", "/v1/mgmt/accesskey/rotate", mgmt(), tc.body)
		t.Run(tc.name, func(t *testing.T) {
			if e := (sessionServer{t, s.Server}).refused(rec, http.StatusBadRequest, tc.code); !strings.Contains(e.Message, tc.says) {
				t.Errorf("the refusal says %q, want it to name %s", e.Message, tc.says)
			}
		})
	}
}

func TestAccessKeyBatchBadInput(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	many := `{"ids":[` + strings.TrimSuffix(strings.Repeat(`"K",`, mockidp.MaxBatchItems+1), ",") + `]}`
	for _, tc := range []struct {
		name, path, body string
		code, says       string
	}{
		{"no ids", "/v1/mgmt/accesskey/activate/batch", `{"ids":[]}`, mockidp.CodeMissingArgument, "ids"},
		{"too many", "/v1/mgmt/accesskey/deactivate/batch", many, mockidp.CodeInvalidArgument, "MaxBatchItems"},
		{"unknown field", "/v1/mgmt/accesskey/delete/batch", `{"ids":["K"],"force":true}`, mockidp.CodeBadRequest, "force"},
		{"wrong type", "/v1/mgmt/accesskey/delete/batch", `{"ids":"K"}`, mockidp.CodeBadRequest, "ids"},
		{"a key the management API did not create", "/v1/mgmt/accesskey/deactivate/batch", `{"ids":["K2MockAccessKey00000000000001"]}`, mockidp.CodeInvalidArgument, "ids[0]"},
	} {
		rec := s.do("POST", tc.path, mgmt(), tc.body)
		t.Run(tc.name, func(t *testing.T) {
			if e := (sessionServer{t, s.Server}).refused(rec, http.StatusBadRequest, tc.code); !strings.Contains(e.Message, tc.says) {
				t.Errorf("the refusal says %q, want it to name %s", e.Message, tc.says)
			}
		})
	}
	s.refused(s.do("POST", "/v1/mgmt/accesskey/rotate", "Bearer "+mockidp.DefaultProjectID, `{"id":"K"}`), http.StatusUnauthorized, mockidp.CodeBadClient)
}

// Rotations, batches and exchanges race under -race; a rotated key's
// secrets: exactly the last answered one exchanges.
func TestAccessKeyRotateRace(t *testing.T) {
	t.Parallel()
	s := newSessionServer(t, nil)
	k := s.createKey(`{"name":"racer"}`)
	var mu sync.Mutex
	secrets := []string{k.Cleartext}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 30 {
				switch (g + i) % 3 {
				case 0:
					var rot createdKey
					rec := s.do("POST", "/v1/mgmt/accesskey/rotate", mgmt(), `{"id":"`+k.Key.ID+`"}`)
					if rec.Code == http.StatusOK {
						s.ok(rec, &rot)
						mu.Lock()
						secrets = append(secrets, rot.Cleartext)
						mu.Unlock()
					} else if rec.Code != http.StatusBadRequest {
						t.Errorf("rotate: %d %s", rec.Code, rec.Body.Bytes())
					}
				case 1:
					path := "/v1/mgmt/accesskey/deactivate/batch"
					if i%2 == 0 {
						path = "/v1/mgmt/accesskey/activate/batch"
					}
					if rec := s.do("POST", path, mgmt(), `{"ids":["`+k.Key.ID+`"]}`); rec.Code != http.StatusOK {
						t.Errorf("%s: %d %s", path, rec.Code, rec.Body.Bytes())
					}
				default:
					mu.Lock()
					sec := secrets[len(secrets)-1]
					mu.Unlock()
					if rec := s.do("POST", "/v1/auth/accesskey/exchange", "Bearer "+mockidp.DefaultProjectID+":"+sec, ""); rec.Code != http.StatusOK && rec.Code != http.StatusUnauthorized {
						t.Errorf("exchange: %d %s", rec.Code, rec.Body.Bytes())
					}
				}
			}
		})
	}
	wg.Wait()
	s.ok(s.do("POST", "/v1/mgmt/accesskey/activate/batch", mgmt(), `{"ids":["`+k.Key.ID+`"]}`), nil)
	var last createdKey
	s.ok(s.do("POST", "/v1/mgmt/accesskey/rotate", mgmt(), `{"id":"`+k.Key.ID+`"}`), &last)
	for _, sec := range secrets {
		s.refused(s.do("POST", "/v1/auth/accesskey/exchange", "Bearer "+mockidp.DefaultProjectID+":"+sec, ""), http.StatusUnauthorized, mockidp.CodeBadClient)
	}
	if c, _ := s.exchangeKey(last.Cleartext, ""); c == nil {
		t.Error("the last secret does not exchange")
	}
}
