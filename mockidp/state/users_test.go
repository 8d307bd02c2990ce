package state

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// The directory is bounded in bytes as a whole (MaxDirectoryBytes), not
// only per user: users of nearly MaxUserBytes each fill it long before
// MaxUsers, the next one is refused with ErrUsersFull (a limit: 409), and
// removing or shrinking a user makes room again.
func TestDirectoryTotalBytesLimit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("long (fills the directory to its byte limit): make test-long runs it")
	}
	st := newTestState(t, newTestClock())
	padding := strings.Repeat("x", MaxUserBytes-512) // with the rest of the user, just under MaxUserBytes as JSON
	user := func(i int) User {
		login := "big-" + strconv.Itoa(i) + "@example.com"
		return User{LoginIDs: []string{login}, Email: login, CustomAttributes: map[string]any{"padding": padding}}
	}
	added := 0
	var err error
	for i := range MaxDirectoryBytes/(MaxUserBytes-512) + 2 {
		if _, _, err = st.PutUser(user(i), false); err != nil {
			break
		}
		added++
	}
	if !errors.Is(err, ErrUsersFull) || !errors.Is(err, ErrLimit) {
		t.Fatalf("after %d users of ~%d bytes: %v, want ErrUsersFull (an ErrLimit)", added, MaxUserBytes, err)
	}
	if !strings.Contains(err.Error(), "MaxDirectoryBytes") {
		t.Errorf("the refusal %q does not name MaxDirectoryBytes", err)
	}
	st.users.mu.RLock()
	held := st.users.bytes
	st.users.mu.RUnlock()
	if held > MaxDirectoryBytes || held < MaxDirectoryBytes-2*MaxUserBytes {
		t.Errorf("the directory holds %d bytes when full, want within two users of %d", held, MaxDirectoryBytes)
	}
	// Each user's search index entries count too (users_index.go): a few
	// KB for these users' text fields.
	if added >= 20_000 || added < MaxDirectoryBytes/(MaxUserBytes+4<<10) {
		t.Errorf("%d users fit, want about %d (the byte limit, not MaxUsers)", added, MaxDirectoryBytes/(MaxUserBytes+4<<10))
	}
	// Shrinking a user makes room for another.
	small := user(0)
	small.CustomAttributes = nil
	if _, _, err := st.PutUser(small, true); err != nil {
		t.Fatalf("replacing a user by a smaller one: %v", err)
	}
	if _, _, err := st.PutUser(user(added), false); err != nil {
		t.Fatalf("a user after another shrank: %v, want room", err)
	}
	if _, _, err := st.PutUser(user(added+1), false); !errors.Is(err, ErrUsersFull) {
		t.Fatalf("the next one: %v, want ErrUsersFull", err)
	}
	// Removing a user makes room, and its bytes are given back exactly.
	if _, err := st.RemoveUser(user(1).LoginIDs[0]); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.PutUser(user(added+1), false); err != nil {
		t.Fatalf("a user after a removal: %v, want room", err)
	}
}

// A user's password is not in its JSON but counts against
// MaxDirectoryBytes all the same: setting one adds its bytes, changing it
// adds the difference, and removing the user gives them back.
func TestPasswordCountsInDirectoryBytes(t *testing.T) {
	t.Parallel()
	st := newTestState(t, newTestClock())
	held := func() int {
		st.users.mu.RLock()
		defer st.users.mu.RUnlock()
		return st.users.bytes
	}
	empty := held()
	u, _, err := st.PutUser(User{LoginIDs: []string{"pw@example.com"}, Email: "pw@example.com"}, false)
	if err != nil {
		t.Fatal(err)
	}
	without := held()
	long := strings.Repeat("p", 256)
	if _, err := st.ModifyUser(u.ID, func(u *User) error { u.Password = long; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := held() - without; got != len(long) {
		t.Errorf("a %d-byte password added %d bytes to the directory, want %d", len(long), got, len(long))
	}
	if _, err := st.ModifyUser(u.ID, func(u *User) error { u.Password = "12345678"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := held() - without; got != 8 {
		t.Errorf("an 8-byte password in its place: %d bytes beyond the user without one, want 8", got)
	}
	if _, err := st.RemoveUser(u.ID); err != nil {
		t.Fatal(err)
	}
	if got := held(); got != empty {
		t.Errorf("after the user's removal the directory holds %d bytes, want %d as before it", got, empty)
	}
}
