package harness

import (
	"github.com/descope-harness/harness/mockidp"
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
