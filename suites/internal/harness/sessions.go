package harness

import (
	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL is meant to be dot-imported

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockclient"
)

// FixtureManagementKey is the secret of the default project's management
// key (fixtures/project.yaml management_keys), which management calls send
// as Bearer {projectId}:{key}.
var FixtureManagementKey = mockidp.DefaultProject().ManagementKeys[0].Secret

// Fixture users of the default project.
const (
	UserAlice = "U2MockUserAlice0000000000001"
	UserAdmin = "U2MockUserAdmin0000000000002"
	// UserMulti belongs to Acme (tenant-admin) and Globex (viewer), with no project roles.
	UserMulti = "U2MockUserMulti0000000000003"
	UserTest  = "U2MockUserTest00000000000004"
)

// Fixture roles a user can hold in a tenant: tenant-admin (Acme's own role:
// users.create, users.delete, data.read) and viewer (the project role:
// data.read only).
const (
	RoleTenantAdmin = "tenant-admin"
	RoleViewer      = "viewer"
)

// ProjectWith is the default project changed by edit, for Options.Project.
func ProjectWith(edit func(p *mockidp.Project)) *mockidp.Project {
	p := mockidp.DefaultProject()
	edit(p)
	return p
}

// Descope error codes the session specs expect (mockidp/error_codes.go).
const (
	ErrorCodeInvalidToken = mockidp.CodeInvalidToken
	ErrorCodeLoggedOut    = mockidp.CodeLoggedOut
	ErrorCodeWrongCode    = mockidp.CodeWrongOTP
)

// Session presets of MintSession.
const (
	PresetExpiredSession = mockclient.PresetExpiredSession
	PresetExpiredRefresh = mockclient.PresetExpiredRefresh
	PresetLoggedOut      = mockclient.PresetLoggedOut
	PresetWrongProject   = mockclient.PresetWrongProject
)

// MintSession mints a session and refresh JWT for user (login ID or user
// ID) over the control plane, with a preset ("" for a login's pair).
func (e *Env) MintSession(user, preset string) Session {
	GinkgoHelper()
	ctx, cancel := ctx10s()
	defer cancel()
	resp, err := e.Mock.MintSession(ctx, mockclient.SessionMintRequest{User: user, Preset: preset})
	expectOK(err, "minting a session pair ("+preset+")")
	return Session{SessionJwt: resp.SessionJWT, RefreshJwt: resp.RefreshJWT}
}
