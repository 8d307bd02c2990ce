package state

import "errors"

// errUserChanged: the user changed between a ModifyUser's read and its write.
var errUserChanged = errors.New("user changed meanwhile")

// ModifyUser applies change to a copy of the user named by loginOrUserID (a
// login ID, else a user ID) and stores it, as one read-modify-write: when
// another write changed or removed the user meanwhile, change runs again on
// what is stored then, so two concurrent changes both land and a removed
// user is not brought back. change runs under no lock (it may read the
// State) and must not change the user ID. Disabling the user ends what it
// holds (EndSessions) in the same step as storing it. Failures:
// ErrUserNotFound, change's error, or PutUser's.
func (st *State) ModifyUser(loginOrUserID string, change func(*User) error) (User, error) {
	for {
		st.users.mu.RLock()
		read := st.users.findLocked(loginOrUserID)
		var u User
		if read != nil {
			u = cloneUser(*read) // stored users are never changed in place
		}
		st.users.mu.RUnlock()
		if read == nil {
			return User{}, ErrUserNotFound
		}
		if err := change(&u); err != nil {
			return User{}, err
		}
		u.ID = read.ID
		stored, err := st.replaceUser(read, u, u.Disabled && !read.Disabled)
		if errors.Is(err, errUserChanged) {
			continue
		}
		return stored, err
	}
}

// replaceUser stores u in place of read, unless the stored user is no
// longer read (errUserChanged); with disabling it also ends what the user
// holds, in the same step.
func (st *State) replaceUser(read *User, u User, disabling bool) (User, error) {
	u = cloneUser(u)
	size, err := userBytes(&u)
	if err != nil {
		return User{}, err
	}
	now := st.now().Unix()
	st.users.mu.Lock()
	defer st.users.mu.Unlock()
	if disabling {
		st.sessions.mu.Lock()
		defer st.sessions.mu.Unlock()
		st.authCodes.mu.Lock()
		defer st.authCodes.mu.Unlock()
		st.families.mu.Lock()
		defer st.families.mu.Unlock()
	}
	if st.users.byID[read.ID] != read {
		return User{}, errUserChanged
	}
	stored, _, err := st.users.putLocked(u, size, true, now)
	if err != nil {
		return User{}, err
	}
	if disabling {
		st.endSessionsLocked(map[string]bool{stored.ID: true})
	}
	return stored, nil
}
