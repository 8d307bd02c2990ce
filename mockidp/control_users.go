package mockidp

import (
	"net/http"
)

// ctlUsers serves GET /_mock/users ({"users":[…]}) and POST /_mock/users
// (a User in the project file's shape, JSON: added 201, or replacing the
// user of its ID 200; the stored user is returned with its derived ID).
func (s *Server) ctlUsers(w http.ResponseWriter, r *http.Request) (int, error) {
	if r.Method == http.MethodGet {
		return writeJSON(w, http.StatusOK, map[string]any{"users": s.Users()}), nil
	}
	var u User
	if err := s.decodeBody(w, r, &u, false); err != nil {
		return 0, err
	}
	stored, replaced, err := s.state.PutUser(u, true)
	if err != nil {
		return 0, controlError(err)
	}
	return writeJSON(w, createdOrReplaced(replaced), stored), nil
}

// ctlUser serves GET and DELETE /_mock/users/{id} (a login ID or user ID);
// deleting ends the user's sessions.
func (s *Server) ctlUser(w http.ResponseWriter, r *http.Request) (int, error) {
	id := r.PathValue("id")
	if r.Method == http.MethodDelete {
		if err := s.RemoveUser(id); err != nil {
			return 0, err
		}
		return noContent(w)
	}
	u, ok := s.LookupUser(id)
	if !ok {
		return 0, mockNotFound("user %q not found", truncate(id, 64))
	}
	return writeJSON(w, http.StatusOK, u), nil
}

// Roles lists the role definitions, project-level first, by name.
func (s *Server) Roles() []Role { return s.state.Roles() }

// PutRole adds a role or replaces the one of its tenant and name; sessions
// issued afterwards carry its permissions.
func (s *Server) PutRole(role Role) error {
	_, err := s.state.PutRole(role)
	if err != nil {
		return controlError(err)
	}
	return nil
}

// RemoveRole deletes a role (tenantID "" for a project-level one); users
// keep its name, which then grants no permission.
func (s *Server) RemoveRole(tenantID, name string) error {
	if err := s.state.RemoveRole(tenantID, name); err != nil {
		return mockNotFound("role %q not found", truncate(name, 64))
	}
	return nil
}

// ctlRoles serves GET /_mock/roles ({"roles":[…]}) and POST /_mock/roles
// (a Role: added 201, or replaced 200).
func (s *Server) ctlRoles(w http.ResponseWriter, r *http.Request) (int, error) {
	if r.Method == http.MethodGet {
		return writeJSON(w, http.StatusOK, map[string]any{"roles": s.Roles()}), nil
	}
	var role Role
	if err := s.decodeBody(w, r, &role, false); err != nil {
		return 0, err
	}
	replaced, err := s.state.PutRole(role)
	if err != nil {
		return 0, controlError(err)
	}
	return writeJSON(w, createdOrReplaced(replaced), role), nil
}

// ctlRole serves DELETE /_mock/roles/{name}[?tenant_id=T…].
func (s *Server) ctlRole(w http.ResponseWriter, r *http.Request) (int, error) {
	if err := s.RemoveRole(r.URL.Query().Get("tenant_id"), r.PathValue("name")); err != nil {
		return 0, err
	}
	return noContent(w)
}
