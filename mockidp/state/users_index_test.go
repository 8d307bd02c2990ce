package state

import (
	"errors"
	"testing"
)

// A stored user's index keys come from its own copy of what it holds: a
// caller changing the custom-attribute list it stored, or a ModifyUser
// change editing its copy's list in place, leaves the stored user (and so
// the keys it is listed under) as it was.
func TestUserIndexesIgnoreCallersCopies(t *testing.T) {
	t.Parallel()
	st := newTestState(t, newTestClock())
	tags := []any{"a", "b"}
	if _, _, err := st.PutUser(User{LoginIDs: []string{"x@example.com"}, CustomAttributes: map[string]any{"tags": tags}}, false); err != nil {
		t.Fatal(err)
	}
	tags[0] = "changed by the caller"
	if err := st.CheckUserIndexes(); err != nil {
		t.Fatalf("after the caller changed its list: %v", err)
	}
	if _, err := st.ModifyUser("x@example.com", func(u *User) error {
		u.CustomAttributes["tags"].([]any)[1] = "edited in place"
		return errors.New("refused") // the change is not stored
	}); err == nil {
		t.Fatal("ModifyUser stored a refused change")
	}
	if err := st.CheckUserIndexes(); err != nil {
		t.Fatalf("after a refused change edited its copy: %v", err)
	}
	if _, err := st.RemoveUser("x@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := st.CheckUserIndexes(); err != nil {
		t.Fatalf("after the removal: %v", err)
	}
}
