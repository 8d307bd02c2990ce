package mockidp_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

// verifyRS256 checks token's RS256 signature with pub and returns its claims.
func verifyRS256(token string, pub *rsa.PublicKey) (map[string]any, error) {
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, err
	}
	payload, err := jws.Verify(pub)
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	return claims, dec.Decode(&claims)
}

var _ = Describe("Minting tokens", Label("offline", "mint", "security"), func() {
	var (
		m   *mockidptest.Mock
		now time.Time
	)

	BeforeEach(func() {
		m = startMock(mockidp.Config{})
		now = m.Now().Truncate(time.Second)
		m.Clock().Set(now, true)
	})

	mint := func(body string) mockidp.MintResponse {
		GinkgoHelper()
		r := call(m, http.MethodPost, "/_mock/tokens", body)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
		var resp mockidp.MintResponse
		Expect(json.Unmarshal(r.Body, &resp)).To(Succeed())
		return resp
	}
	current := func() *rsa.PublicKey { return &m.Keys().Current().Private.PublicKey }

	It("mints a client's token like the token endpoint, over HTTP", func() {
		resp := mint(`{"client_id":"reader-client"}`)
		Expect(resp.Kid).To(Equal(m.Keys().Current().ID))
		Expect(resp.Header).To(Equal(map[string]any{"alg": "RS256", "kid": resp.Kid, "typ": "JWT"}))
		claims := verifiedClaims(m, resp.Token)
		Expect(claims).To(HaveKeyWithValue("iss", m.Issuer()))
		Expect(claims).To(HaveKeyWithValue("sub", "reader-client"))
		Expect(claims).To(HaveKeyWithValue("roles", []any{"viewer"}))
		Expect(claims).To(HaveKeyWithValue("scope", "openid profile email"))
		Expect(unix(claims, "iat")).To(Equal(now.Unix()))
	})

	It("mints from raw claims, removes a claim given as null, and takes times as offsets, unix seconds or RFC 3339", func() {
		resp := mint(`{"claims":{"sub":"robot","custom":{"a":1},"token_type":null},"scope":"x y","iat":"-1m","nbf":` +
			jsonNumber(now.Unix()+5) + `,"exp":"` + now.Add(time.Hour).UTC().Format(time.RFC3339) + `"}`)
		claims := verifiedClaims(m, resp.Token)
		Expect(claims).To(HaveKeyWithValue("sub", "robot"))
		Expect(claims).To(HaveKeyWithValue("scope", "x y"))
		Expect(claims).To(HaveKey("custom"))
		Expect(claims).NotTo(HaveKey("token_type"))
		Expect(unix(claims, "iat")).To(Equal(now.Unix() - 60))
		Expect(unix(claims, "nbf")).To(Equal(now.Unix() + 5))
		Expect(unix(claims, "exp")).To(Equal(now.Add(time.Hour).Unix()))
		Expect(claims).To(HaveKeyWithValue("aud", []any{pid}))
	})

	It("signs with a chosen published key", func() {
		old := m.Keys().Current().ID
		Expect(m.RotateKeys(1)).To(Succeed())
		resp := mint(`{"client_id":"admin-client","kid":"` + old + `"}`)
		Expect(resp.Kid).To(Equal(old))
		Expect(verifiedClaims(m, resp.Token)).To(HaveKeyWithValue("sub", "admin-client"))
	})

	It("overrides the issuer", func() {
		Expect(verifiedClaims(m, mint(`{"iss":"https://custom.example.com"}`).Token)).To(HaveKeyWithValue("iss", "https://custom.example.com"))
	})

	DescribeTable("refuses bad mint requests",
		func(body string, status int, code string) {
			expectDescopeError(call(m, http.MethodPost, "/_mock/tokens", body), status, code)
		},
		Entry("unknown preset", `{"preset":"nope"}`, 400, mockidp.CodeMockBadRequest),
		Entry("unpublished kid", `{"kid":"SKnope"}`, 400, mockidp.CodeMockBadRequest),
		Entry("unknown client", `{"client_id":"ghost"}`, 404, mockidp.CodeMockNotFound),
		Entry("bad time", `{"exp":"tomorrow"}`, 400, mockidp.CodeMockBadRequest),
		Entry("fractional unix time", `{"exp":1.5}`, 400, mockidp.CodeMockBadRequest),
		Entry("bad offset", `{"exp":"+5 minutes"}`, 400, mockidp.CodeMockBadRequest),
		Entry("unknown field", `{"client":"admin-client"}`, 400, mockidp.CodeMockBadRequest),
		Entry("malformed JSON", `{`, 400, mockidp.CodeMockBadRequest),
	)

	Describe("presets", func() {
		preset := func(name string) (mockidp.MintResponse, map[string]any, map[string]any) {
			GinkgoHelper()
			resp := mint(`{"client_id":"admin-client","preset":"` + name + `"}`)
			h, c, err := decodeSegments(resp.Token)
			Expect(err).NotTo(HaveOccurred())
			return resp, h, c
		}

		It("covers every preset the package lists", func() {
			Expect(mockidp.Presets).To(HaveLen(10))
		})

		It("expired: exp an hour ago, validly signed", func() {
			resp, _, _ := preset(mockidp.PresetExpired)
			claims, err := verifyRS256(resp.Token, current())
			Expect(err).NotTo(HaveOccurred())
			Expect(unix(claims, "exp")).To(Equal(now.Add(-time.Hour).Unix()))
			Expect(unix(claims, "exp") - unix(claims, "iat")).To(Equal(int64(600)))
		})

		It("not_yet_valid: nbf an hour ahead, validly signed", func() {
			resp, _, _ := preset(mockidp.PresetNotYetValid)
			claims, err := verifyRS256(resp.Token, current())
			Expect(err).NotTo(HaveOccurred())
			Expect(unix(claims, "nbf")).To(Equal(now.Add(time.Hour).Unix()))
			Expect(unix(claims, "exp")).To(BeNumerically(">", now.Unix()))
		})

		It("wrong_issuer: another iss, validly signed", func() {
			resp, _, _ := preset(mockidp.PresetWrongIssuer)
			claims, err := verifyRS256(resp.Token, current())
			Expect(err).NotTo(HaveOccurred())
			Expect(claims["iss"]).NotTo(Equal(m.Issuer()))
			Expect(claims["iss"]).To(HavePrefix("https://"))
		})

		It("wrong_audience: another aud, validly signed", func() {
			resp, _, _ := preset(mockidp.PresetWrongAudience)
			claims, err := verifyRS256(resp.Token, current())
			Expect(err).NotTo(HaveOccurred())
			Expect(claims["aud"]).To(Equal([]any{"wrong-audience"}))
		})

		It("unpublished_key: an SK kid outside the key set, signed by that key", func() {
			resp, h, _ := preset(mockidp.PresetUnpublishedKey)
			Expect(h["kid"]).To(MatchRegexp(`^SK[A-Za-z0-9]{27}$`))
			Expect(publishedKids(m)).NotTo(ContainElement(h["kid"]))
			unpub := m.Keys().Unpublished()
			Expect(unpub.ID).To(Equal(h["kid"]))
			_, err := verifyRS256(resp.Token, &unpub.Private.PublicKey)
			Expect(err).NotTo(HaveOccurred())
			_, err = verifyRS256(resp.Token, current())
			Expect(err).To(HaveOccurred())
		})

		It("unknown_kid: a kid nobody has, signed by the current key", func() {
			resp, h, _ := preset(mockidp.PresetUnknownKid)
			Expect(h["kid"]).NotTo(Equal(m.Keys().Current().ID))
			Expect(publishedKids(m)).NotTo(ContainElement(h["kid"]))
			_, err := verifyRS256(resp.Token, current())
			Expect(err).NotTo(HaveOccurred())
		})

		It("bad_signature: the current kid with a signature that does not verify", func() {
			resp, h, claims := preset(mockidp.PresetBadSignature)
			Expect(h["kid"]).To(Equal(m.Keys().Current().ID))
			Expect(claims).To(HaveKeyWithValue("sub", "admin-client"))
			_, err := verifyRS256(resp.Token, current())
			Expect(err).To(HaveOccurred())
		})

		It("alg_none: alg none and an empty signature", func() {
			resp, h, claims := preset(mockidp.PresetAlgNone)
			Expect(h["alg"]).To(Equal("none"))
			Expect(resp.Token).To(HaveSuffix("."))
			Expect(claims).To(HaveKeyWithValue("sub", "admin-client"))
			_, err := jose.ParseSignedCompact(resp.Token, []jose.SignatureAlgorithm{jose.RS256})
			Expect(err).To(HaveOccurred())
		})

		It("hs256_public_key: HS256 keyed with the PEM of the current public key", func() {
			resp, h, _ := preset(mockidp.PresetHS256PublicKey)
			Expect(h["alg"]).To(Equal("HS256"))
			Expect(h["kid"]).To(Equal(m.Keys().Current().ID))
			der, err := x509.MarshalPKIXPublicKey(current())
			Expect(err).NotTo(HaveOccurred())
			secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
			jws, err := jose.ParseSignedCompact(resp.Token, []jose.SignatureAlgorithm{jose.HS256})
			Expect(err).NotTo(HaveOccurred())
			_, err = jws.Verify(secret)
			Expect(err).NotTo(HaveOccurred(), "the HMAC must verify with the public key's PEM")
		})

		It("missing_exp: no exp claim, validly signed", func() {
			resp, _, _ := preset(mockidp.PresetMissingExp)
			claims, err := verifyRS256(resp.Token, current())
			Expect(err).NotTo(HaveOccurred())
			Expect(claims).NotTo(HaveKey("exp"))
			Expect(claims).To(HaveKey("iat"))
		})
	})
})

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
