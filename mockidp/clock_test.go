package mockidp_test

import (
	"encoding/json"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/descope-harness/harness/mockidp"
	"github.com/descope-harness/harness/mockidp/mockidptest"
)

var _ = Describe("Clock", Label("offline", "expiry"), func() {
	var (
		m     *mockidptest.Mock
		start time.Time
	)

	BeforeEach(func() {
		m = startMock(mockidp.Config{})
		// Near the mock's own now: a far jump would trigger years of
		// scheduled rotations.
		start = m.Now().Add(time.Hour).Truncate(time.Second)
	})

	clock := func(r reply) mockidp.ClockState {
		GinkgoHelper()
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Body)
		var st mockidp.ClockState
		Expect(json.Unmarshal(r.Body, &st)).To(Succeed())
		return st
	}
	issuedAt := func() int64 {
		GinkgoHelper()
		return unix(verifiedClaims(m, requestToken(m, "/oauth2/v1/token", "admin-client", "admin-secret", nil).AccessToken), "iat")
	}

	It("reads the running clock", func() {
		st := clock(call(m, http.MethodGet, "/_mock/clock", ""))
		Expect(st.Frozen).To(BeFalse())
		Expect(st.OffsetSeconds).To(BeZero())
		Expect(st.Unix).To(Equal(st.Now.Unix()))
	})

	It("sets and freezes the clock over HTTP, driving iat and exp", func() {
		st := clock(call(m, http.MethodPut, "/_mock/clock", `{"now":"`+start.UTC().Format(time.RFC3339)+`","frozen":true}`))
		Expect(st.Frozen).To(BeTrue())
		Expect(st.Unix).To(Equal(start.Unix()))
		Expect(st.OffsetSeconds).To(BeNumerically("~", 3600, 2))
		Expect(issuedAt()).To(Equal(start.Unix()))
	})

	It("sets the clock from unix seconds and from an offset", func() {
		Expect(clock(call(m, http.MethodPut, "/_mock/clock", `{"now":`+jsonNumber(start.Unix())+`,"frozen":true}`)).Unix).To(Equal(start.Unix()))
		Expect(clock(call(m, http.MethodPut, "/_mock/clock", `{"now":"+30s","frozen":true}`)).Unix).To(Equal(start.Unix() + 30))
	})

	It("advances by seconds or by a duration", func() {
		m.Clock().Set(start, true)
		Expect(clock(call(m, http.MethodPost, "/_mock/clock/advance", `{"seconds":90}`)).Unix).To(Equal(start.Unix() + 90))
		Expect(clock(call(m, http.MethodPost, "/_mock/clock/advance", `{"by":"1h"}`)).Unix).To(Equal(start.Unix() + 90 + 3600))
		Expect(issuedAt()).To(Equal(start.Unix() + 3690))
	})

	It("drives iat and exp from the Go API", func() {
		m.Clock().Set(start, true)
		Expect(issuedAt()).To(Equal(start.Unix()))
		m.Advance(10 * time.Minute)
		claims := verifiedClaims(m, m.Token("admin-client"))
		Expect(unix(claims, "iat")).To(Equal(start.Add(10 * time.Minute).Unix()))
		Expect(unix(claims, "exp")).To(Equal(start.Add(20 * time.Minute).Unix()))
	})

	It("keeps running from a set time when not frozen", func() {
		m.Clock().Set(start, false)
		now, frozen, _ := m.Clock().State()
		Expect(frozen).To(BeFalse())
		Expect(now).To(BeTemporally(">=", start))
		Expect(now).To(BeTemporally("<", start.Add(time.Minute)))
	})

	It("rotates keys on schedule as the clock advances", Label("rotation"), func() {
		m.Clock().Set(m.Now(), true)
		first := m.Keys().Current().ID
		m.Advance(24*time.Hour - time.Second)
		Expect(keysState(m).Current).To(Equal(first))
		clock(call(m, http.MethodPost, "/_mock/clock/advance", `{"seconds":1}`))
		st := keysState(m)
		Expect(st.Current).NotTo(Equal(first))
		Expect(st.Published).To(Equal([]string{st.Current, first}))
		Expect(st.Rotations).To(Equal(uint64(1)))
		header, _, err := decodeSegments(m.Token("admin-client"))
		Expect(err).NotTo(HaveOccurred())
		Expect(header["kid"]).To(Equal(st.Current))

		By("performing every rotation that is due at once")
		m.Advance(48 * time.Hour)
		Expect(keysState(m).Published).To(HaveLen(4))
	})

	DescribeTable("refuses bad clock requests",
		func(method, path, body string) {
			expectDescopeError(call(m, method, path, body), http.StatusBadRequest, mockidp.CodeMockBadRequest)
		},
		Entry("advance with nothing", http.MethodPost, "/_mock/clock/advance", `{}`),
		Entry("advance with both", http.MethodPost, "/_mock/clock/advance", `{"seconds":1,"by":"1s"}`),
		Entry("advance by a bad duration", http.MethodPost, "/_mock/clock/advance", `{"by":"soon"}`),
		Entry("set to bad text", http.MethodPut, "/_mock/clock", `{"now":"yesterday"}`),
		Entry("set without a body", http.MethodPut, "/_mock/clock", ``),
	)
})
