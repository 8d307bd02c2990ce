package loadgen

import (
	"fmt"
	"sort"
)

// scenarios is every scenario, in the order -list shows them: the mock's
// rows, then the API's.
var scenarios = []Scenario{
	{
		Name:        "token",
		Description: "POST /oauth2/v1/token (client credentials, a distinct audience per request so every token is signed) vs RSA-2048 signatures on all cores",
		MinRatio:    0.85,
		Prepare:     prepareToken(true),
	},
	{
		Name:        "token-repeat",
		Description: "POST /oauth2/v1/token with identical requests (the mock reuses a signature within the same second) vs RSA-2048 signatures on all cores",
		MinRatio:    2,
		Prepare:     prepareToken(false),
	},
	{
		Name:        "jwks",
		Description: "GET /v2/keys/{pid} vs a bare net/http handler serving the same bytes",
		MinRatio:    0.9,
		Prepare:     prepareGet("jwks", func(env Env) string { return env.MockURL + "/v2/keys/" + env.ProjectID }),
	},
	{
		Name:        "discovery",
		Description: "GET /{pid}/.well-known/openid-configuration vs a bare net/http handler serving the same bytes",
		MinRatio:    0.9,
		Prepare: prepareGet("discovery", func(env Env) string {
			return env.MockURL + "/" + env.ProjectID + "/.well-known/openid-configuration"
		}),
	},
	{
		Name:        "api-me",
		Description: "GET /api/me on an in-process API (validator + middleware + router) with one valid token repeated vs a bare net/http handler returning the same JSON",
		MinRatio:    0.85,
		Prepare:     prepareAPIMe,
	},
	{
		Name: "api-me-child",
		Description: "GET /api/me on bin/api (child process) with one valid token repeated vs a bare net/http handler (child process) returning the same JSON, " +
			"per server cpu-second (issue 13's row: >= 0.6)",
		MinRatio: 0.6,
		PerCPU:   true,
		Prepare:  prepareAPIMeChild,
	},
	{
		Name: "api-me-distinct",
		Description: fmt.Sprintf("GET /api/me on bin/api (child) with a new valid token every request (%d pre-minted, round-robin, VERIFIED_CACHE_SIZE=%d: every request misses) "+
			"per API cpu-second vs RS256 verifications per cpu-second on one goroutine", DistinctPoolSize, DistinctCacheSize),
		MinRatio: 0.8,
		PerCPU:   true,
		Prepare:  prepareAPIMeDistinct,
	},
	{
		Name:        "api-invalid-garbage",
		Description: "GET /api/me on bin/api (child) with garbage bearer tokens (401) vs the bare handler returning /api/me's JSON; key-set fetches counted by the mock",
		MinRatio:    0.8,
		Prepare:     prepareAPIInvalid(garbageTokens),
	},
	{
		Name: "api-invalid-kid",
		Description: "GET /api/me on bin/api (child) with well-formed RS256 tokens signed by a key the mock never published, unknown kids (401) " +
			"vs the bare handler returning /api/me's JSON; key-set fetches counted by the mock against the refetch cooldown",
		MinRatio: 0.8,
		Prepare:  prepareAPIInvalid(unknownKidTokens),
	},
}

// Lookup returns the scenario named name.
func Lookup(name string) (Scenario, bool) {
	for _, s := range scenarios {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// Names lists the scenarios' names, sorted.
func Names() []string {
	out := make([]string, 0, len(scenarios))
	for _, s := range scenarios {
		out = append(out, s.Name)
	}
	sort.Strings(out)
	return out
}
