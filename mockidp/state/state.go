package state

import (
	"context"
	"errors"
	"hash/maphash"
	"slices"
	"sync"
	"time"

	"github.com/descope-harness/harness/mockidp/project"
)

// Config configures a State.
type Config struct {
	// Project (required) - the configuration Reset restores: clients,
	// access keys and the directory. Never modified.
	Project *project.Project
	// Now (required) - the mock's clock: expiries, sweeps and the users'
	// created and modified times.
	Now func() time.Time
}

// State is the mock's run-time state and the one owner of every operation
// on it (see the package doc). A State is safe for concurrent use.
type State struct {
	project *project.Project
	now     func() time.Time

	clients     clientStore
	managedKeys accessKeyStore
	permissions permissionStore
	users       directory
	codes       codeStore
	sessions    sessionStore
	authCodes   authCodeStore
	families    tokenLedger
	logins      loginQueue
	outbox      outbox
	flows       flowStore
	page        loginPageCache
}

// New returns a State holding cfg.Project's clients, access keys and
// directory.
func New(cfg Config) *State {
	st := &State{project: cfg.Project, now: cfg.Now}
	st.Reset()
	return st
}

// lockAll takes every store's lock in the package's lock order.
func (st *State) lockAll() {
	st.clients.mu.Lock()
	st.managedKeys.mu.Lock()
	st.permissions.mu.Lock()
	st.users.mu.Lock()
	st.codes.mu.Lock()
	st.sessions.mu.Lock()
	st.authCodes.mu.Lock()
	st.families.mu.Lock()
	st.logins.mu.Lock()
	st.outbox.mu.Lock()
	st.flows.mu.Lock()
}

func (st *State) unlockAll() {
	st.flows.mu.Unlock()
	st.outbox.mu.Unlock()
	st.logins.mu.Unlock()
	st.families.mu.Unlock()
	st.authCodes.mu.Unlock()
	st.sessions.mu.Unlock()
	st.codes.mu.Unlock()
	st.users.mu.Unlock()
	st.permissions.mu.Unlock()
	st.managedKeys.mu.Unlock()
	st.clients.mu.Unlock()
}

// Reset returns every store to the project's configuration, in one step:
// the project file's clients, access keys, roles, tenants and users; no
// sessions, codes, links, authorization codes, refresh-token families,
// revoked access tokens, queued logins, outbox messages, flow executions
// or access keys created by the management API; the permissions the project's roles name. Outbox message
// IDs keep increasing, and a user deleted before the reset may get its ID
// back.
func (st *State) Reset() {
	now := st.now()
	st.lockAll()
	defer st.unlockAll()
	st.clients.resetLocked(st.project)
	st.managedKeys.resetLocked()
	st.permissions.resetLocked(st.project.Roles)
	st.users.resetLocked(st.project.Directory, now.Unix())
	st.codes.resetLocked()
	st.sessions.resetLocked()
	st.authCodes.resetLocked()
	st.families.resetLocked()
	st.logins.resetLocked()
	st.outbox.resetLocked()
	st.flows.resetLocked()
}

// ---- Users ----

// LookupUser finds a user by login ID, else by user ID.
func (st *State) LookupUser(loginOrUserID string) (User, bool) { return st.users.lookup(loginOrUserID) }

// UserByLoginID finds a user by login ID only.
func (st *State) UserByLoginID(loginID string) (User, bool) { return st.users.byLoginID(loginID) }

// UserByID finds a user by user ID only.
func (st *State) UserByID(id string) (User, bool) { return st.users.byUserID(id) }

// Users lists the users, sorted by user ID.
func (st *State) Users() []User { return st.users.list(false) }

// PutUser validates u (deriving its ID from its first login ID when it has
// none) and adds it; with replace a user of the same ID is replaced, else
// that is ErrUserExists. It returns the stored user and whether one was
// replaced. Failures: ErrUserExists, ErrLoginIDTaken, ErrTestUserLimit,
// ErrUserTooLarge, ErrUserLimit, ErrUsersFull, or a *project.ConfigError.
func (st *State) PutUser(u User, replace bool) (User, bool, error) {
	return st.users.put(u, replace, st.now().Unix())
}

// FirstLogin reports whether this is the user's first session, and
// remembers that it logged in.
func (st *State) FirstLogin(userID string) bool { return st.users.firstLogin(userID) }

// Tenant returns a tenant by ID.
func (st *State) Tenant(id string) (Tenant, bool) { return st.users.tenant(id) }

// Roles returns the role definitions, project-level first, by name.
func (st *State) Roles() []Role { return st.users.rolesList() }

// PutRole adds or replaces a role (by tenant and name).
func (st *State) PutRole(r Role) (replaced bool, err error) { return st.users.putRole(r) }

// RemoveRole deletes a role (ErrRoleNotFound); users keep the name, which
// then grants nothing.
func (st *State) RemoveRole(tenantID, name string) error { return st.users.removeRole(tenantID, name) }

// Authorization computes u's grants from the current role definitions.
func (st *State) Authorization(u User) Authorization { return st.users.authorization(u) }

// SearchUsers returns copies of the users match accepts, in no particular
// order, looking only at the candidates the most selective condition of f
// gives through the directory's indexes (users_search.go); with a nil f it
// looks at every user (the reference the indexed search is tested
// against). match runs under the directory's read lock.
func (st *State) SearchUsers(f *UserFilter, match func(*User) bool) []*User {
	return st.users.search(f, match)
}

// ---- Pending codes and links, and the outbox ----

// AddCode stores a pending code (its kind, user, login ID, method, expiry,
// custom claims and size set) under a new secret and returns it with its
// Secret and, for an enchanted link, PendingRef. A code of a user
// (UserID set) who no longer exists is ErrUserNotFound; a full store
// ErrTooManyPending or ErrPendingBytes.
func (st *State) AddCode(c PendingCode) (PendingCode, error) {
	now := st.now().Unix()
	st.users.mu.RLock()
	defer st.users.mu.RUnlock()
	if c.UserID != "" && st.users.byID[c.UserID] == nil {
		return PendingCode{}, ErrUserNotFound
	}
	st.codes.mu.Lock()
	defer st.codes.mu.Unlock()
	stored, err := st.codes.addLocked(c, now)
	if err != nil {
		return PendingCode{}, err
	}
	return *stored, nil
}

// SendCode is AddCode plus the message that "sends" the code to the
// outbox, in one step: msg gets the OTP code (Code) or, for a link, the
// token (Token) and linkFor(token) (Link). When the outbox is full
// (ErrOutboxFull) no code is kept.
func (st *State) SendCode(c PendingCode, msg OutboxMessage, linkFor func(token string) string) (OutboxMessage, PendingCode, error) {
	now := st.now()
	st.users.mu.RLock()
	defer st.users.mu.RUnlock()
	if c.UserID != "" && st.users.byID[c.UserID] == nil {
		return OutboxMessage{}, PendingCode{}, ErrUserNotFound
	}
	st.codes.mu.Lock()
	defer st.codes.mu.Unlock()
	stored, err := st.codes.addLocked(c, now.Unix())
	if err != nil {
		return OutboxMessage{}, PendingCode{}, err
	}
	if stored.Kind == CodeOTP {
		msg.Code = stored.Secret
	} else {
		msg.Token, msg.Link = stored.Secret, linkFor(stored.Secret)
	}
	st.outbox.mu.Lock()
	defer st.outbox.mu.Unlock()
	sent, err := st.outbox.addLocked(msg, stored.UserID, stored.Expires, now)
	if err != nil {
		st.codes.forgetLocked(stored)
		return OutboxMessage{}, PendingCode{}, err
	}
	return sent, *stored, nil
}

// TakeOTP checks an OTP code and uses it up; a wrong code counts an
// attempt. Failures: ErrCodeUnknown, ErrCodeExpired, ErrCodeWrong,
// ErrCodeAttempts.
func (st *State) TakeOTP(method, loginID, code string) (PendingCode, error) {
	return st.codes.takeOTP(method, loginID, code, st.now().Unix())
}

// TakeLink uses up a link token of a kind. An enchanted link stays pending
// (verified) until its pending reference is polled (TakePending).
func (st *State) TakeLink(kind CodeKind, token string) (PendingCode, error) {
	return st.codes.takeLink(kind, token, st.now().Unix())
}

// TakePending returns the enchanted link of a pending reference once it is
// verified (ErrCodePending before), using the reference up.
func (st *State) TakePending(ref string) (PendingCode, error) {
	return st.codes.takePending(ref, st.now().Unix())
}

// Outbox returns the messages, oldest first, only those of loginID when it
// is not "", only those with an ID above after.
func (st *State) Outbox(loginID string, after int64) []OutboxMessage {
	return st.outbox.list(loginID, after)
}

// ClearOutbox empties the outbox; message IDs keep increasing.
func (st *State) ClearOutbox() { st.outbox.clear() }

// WaitOutbox returns the first message of loginID ("" for any) and kind
// ("" for any) whose ID is above after, waiting for one until ctx ends.
func (st *State) WaitOutbox(ctx context.Context, loginID, kind string, after int64) (OutboxMessage, error) {
	return st.outbox.wait(ctx, loginID, kind, after)
}

// ---- Descope sessions ----

// AddSession remembers a new refresh token by its jti (NewSessionID);
// s.Size must be set (SessionSize). A user who no longer exists is
// ErrUserNotFound; a full store ErrSessionLimit.
func (st *State) AddSession(jti string, s Session) error {
	now := st.now().Unix()
	st.users.mu.RLock()
	defer st.users.mu.RUnlock()
	if st.users.byID[s.UserID] == nil {
		return ErrUserNotFound
	}
	st.sessions.mu.Lock()
	defer st.sessions.mu.Unlock()
	return st.sessions.addLocked(jti, &s, now)
}

// Session returns the session of a refresh token's jti.
func (st *State) Session(jti string) (Session, bool) { return st.sessions.get(jti) }

// EndSession moves a live session to to (RefreshRotated, RefreshLoggedOut)
// and reports whether it was live: of two refreshes racing with one
// rotating token, one wins.
func (st *State) EndSession(jti string, to RefreshState) bool { return st.sessions.transition(jti, to) }

// SessionCounts reports the live sessions and all remembered ones.
func (st *State) SessionCounts() (live, total int) { return st.sessions.counts() }

// ---- Authorization codes and refresh-token families ----

// IssueCode stores a grant under a new random authorization code. A grant
// of a user who no longer exists is ErrUserNotFound; a full store
// ErrAuthCodesFull.
func (st *State) IssueCode(g Grant) (string, error) {
	now := st.now()
	st.users.mu.RLock()
	defer st.users.mu.RUnlock()
	if st.users.byID[g.UserID] == nil {
		return "", ErrUserNotFound
	}
	st.authCodes.mu.Lock()
	defer st.authCodes.mu.Unlock()
	return st.authCodes.issueLocked(g, now)
}

// RedeemCode exchanges an authorization code, in one step: it checks the
// code against the exchanging client, redirect URI and verifier, starts
// its refresh-token family and marks it used, and returns the grant, the
// family and the user. A reused code revokes the family its first exchange
// started (ErrAuthCodeReused; RFC 6749 §4.1.2), but only when its own
// client presents it (another client's is ErrAuthCodeClient). A disabled
// user's code is used up and issues nothing (ErrAuthCodeDisabled). A code
// presented with the wrong binding, or whose family finds the store full
// (ErrRefreshFull), stays usable by its rightful client.
func (st *State) RedeemCode(code, clientID, redirectURI, verifier string) (Grant, string, User, error) {
	now := st.now()
	st.users.mu.RLock()
	defer st.users.mu.RUnlock()
	st.authCodes.mu.Lock()
	defer st.authCodes.mu.Unlock()
	st.families.mu.Lock()
	defer st.families.mu.Unlock()
	e, err := st.authCodes.checkLocked(code, clientID, redirectURI, verifier, now)
	if errors.Is(err, ErrAuthCodeReused) {
		st.families.revokeFamilyLocked(e.family)
	}
	if err != nil {
		return Grant{}, "", User{}, err
	}
	u := st.users.byID[e.grant.UserID]
	if u == nil {
		return Grant{}, "", User{}, ErrAuthCodeUser // removing a user drops its codes: not reached
	}
	if u.Disabled {
		st.authCodes.useLocked(e, "") // used up, with no family to revoke
		return Grant{}, "", User{}, ErrAuthCodeDisabled
	}
	family, err := st.families.newFamilyLocked(e.grant, now)
	if err != nil {
		return Grant{}, "", User{}, err
	}
	st.authCodes.useLocked(e, family)
	return e.grant, family, *u, nil
}

// UseRefresh looks an OAuth refresh token up for a refresh by clientID and
// returns its family, grant and user. Reusing a rotated-away token revokes
// its family (ErrRefreshRotated). With rotate the token stops being current
// in the same step: of two refreshes racing with one token, one wins and
// the other is a reuse. The winner records its new tokens with
// RecordTokens.
func (st *State) UseRefresh(refresh, clientID string, rotate bool) (string, Grant, User, error) {
	now := st.now()
	st.users.mu.RLock()
	defer st.users.mu.RUnlock()
	st.families.mu.Lock()
	defer st.families.mu.Unlock()
	family, g, err := st.families.useLocked(refresh, clientID, rotate, now)
	if err != nil {
		return "", Grant{}, User{}, err
	}
	u := st.users.byID[g.UserID]
	if u == nil {
		return "", Grant{}, User{}, ErrRefreshUser // removing a user revokes its families: not reached
	}
	if u.Disabled {
		return "", Grant{}, User{}, ErrRefreshDisabled // disabling revoked the families: not reached
	}
	return family, g, *u, nil
}

// PeekRefresh returns the grant and user of a live OAuth refresh token of
// clientID without spending it: for calls that read with a refresh token
// (the Descope surface's me) rather than refresh. It refuses what UseRefresh
// refuses, and changes nothing.
func (st *State) PeekRefresh(refresh, clientID string) (Grant, User, error) {
	now := st.now()
	st.users.mu.RLock()
	defer st.users.mu.RUnlock()
	st.families.mu.Lock()
	defer st.families.mu.Unlock()
	g, err := st.families.peekLocked(refresh, clientID, now)
	if err != nil {
		return Grant{}, User{}, err
	}
	u := st.users.byID[g.UserID]
	switch {
	case u == nil:
		return Grant{}, User{}, ErrRefreshUser
	case u.Disabled:
		return Grant{}, User{}, ErrRefreshDisabled
	}
	return g, *u, nil
}

// RecordTokens records the tokens a family was just issued; refresh
// becomes its current refresh token ("" keeps the current one: no
// rotation). A family forgotten meanwhile records nothing.
func (st *State) RecordTokens(family, refresh string, refreshExpires time.Time, access string, accessExpires time.Time) {
	st.families.issued(family, refresh, refreshExpires, access, accessExpires)
}

// RevokeToken revokes what token is (RFC 7009): a refresh token's family,
// or one access token (accessClient is its client, from its claims; ""
// when it is none of the mock's access tokens). It reports whether it knew
// the token. clientID, when not "", must own the token (ErrRefreshClient).
// A full list of revoked access tokens is ErrRevokedFull.
func (st *State) RevokeToken(token string, accessExpires time.Time, accessClient, clientID string) (known bool, err error) {
	return st.families.revokeToken(token, accessExpires, accessClient, clientID, st.now())
}

// AccessRevoked reports whether an access token was revoked.
func (st *State) AccessRevoked(token string) bool { return st.families.accessRevoked(token) }

// CodeStats reports the authorization codes held and the bytes they take.
func (st *State) CodeStats() (count, bytes int) { return st.authCodes.stats() }

// FamilyStats reports the refresh-token families held, the live ones among
// them, the bytes they take and the access tokens revoked alone.
func (st *State) FamilyStats() (families, live, bytes, revoked int) {
	return st.families.stats(st.now())
}

// ---- The login queue ----

// QueueLogin queues l as the next login; l.User is a login ID or user ID,
// stored as the user ID. ErrUserNotFound when there is no such user,
// ErrLoginsFull at MaxQueuedLogins.
func (st *State) QueueLogin(l QueuedLogin) error {
	st.users.mu.RLock()
	defer st.users.mu.RUnlock()
	u := st.users.findLocked(l.User)
	if u == nil {
		return ErrUserNotFound
	}
	l.User = u.ID
	l.AMR = slices.Clone(l.AMR)
	st.logins.mu.Lock()
	defer st.logins.mu.Unlock()
	return st.logins.pushLocked(l)
}

// NextLogin takes the next queued login and its user.
func (st *State) NextLogin() (QueuedLogin, User, bool) {
	st.users.mu.RLock()
	defer st.users.mu.RUnlock()
	st.logins.mu.Lock()
	defer st.logins.mu.Unlock()
	for {
		l, ok := st.logins.popLocked()
		if !ok {
			return QueuedLogin{}, User{}, false
		}
		if u := st.users.byID[l.User]; u != nil {
			return l, *u, true
		} // removing a user drops its queued logins: not reached
	}
}

// Logins lists the queued logins, next first.
func (st *State) Logins() []QueuedLogin { return st.logins.list() }

// ClearLogins empties the login queue.
func (st *State) ClearLogins() {
	st.logins.mu.Lock()
	st.logins.resetLocked()
	st.logins.mu.Unlock()
}

// ---- The login page ----

// loginPageCache keeps the rendered login page for the user list it was
// rendered from, known by its fingerprint. Its lock is taken before the
// directory's.
type loginPageCache struct {
	mu          sync.Mutex
	fingerprint uint64
	body        []byte
}

// pageSeed seeds the login page's user-list fingerprints.
var pageSeed = maphash.MakeSeed()

// pageFingerprint sums a hash of each user's ID, name and first login ID
// (what the page shows): order-free, so it reads the directory in place
// under its read lock without copying or sorting users.
func (d *directory) pageFingerprint() uint64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	sum := uint64(len(d.byID))
	for _, u := range d.byID {
		var h maphash.Hash
		h.SetSeed(pageSeed)
		h.WriteString(u.ID)
		h.WriteByte(0)
		h.WriteString(u.Name)
		h.WriteByte(0)
		if len(u.LoginIDs) > 0 {
			h.WriteString(u.LoginIDs[0])
		}
		sum += h.Sum64()
	}
	return sum
}

// LoginPage returns the login page render makes of the users (sorted by
// user ID), rendering it again only when the users it shows changed.
func (st *State) LoginPage(render func([]User) []byte) []byte {
	fp := st.users.pageFingerprint()
	c := &st.page
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.body == nil || c.fingerprint != fp {
		c.fingerprint, c.body = fp, render(st.Users())
	}
	return c.body
}
