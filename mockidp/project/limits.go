package project

// Bounds on what a project holds (README, "Limits"). Each refusal names its
// limit.
const (
	// MaxClients and MaxAccessKeys bound the clients and access keys, from
	// the project file and added at run time together.
	MaxClients    = 1000
	MaxAccessKeys = 1000
	// MaxClaimsBytes bounds the custom claims of one client or access key,
	// encoded as JSON.
	MaxClaimsBytes = 16 << 10
	// MaxUsers bounds the users, from the project file and added at run
	// time (control plane, management API) together: twice the 10,000 that
	// the memory benchmark holds under 64 MB with 100,000 sessions.
	MaxUsers = 20000
	// MaxProjectFileBytes bounds a project file.
	MaxProjectFileBytes = 1 << 20
	// MaxRedirectURIBytes bounds a redirect URI, registered or presented.
	MaxRedirectURIBytes = 2048
)

// truncate shortens s to n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
