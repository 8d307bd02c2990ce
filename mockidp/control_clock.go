package mockidp

import (
	"math"
	"net/http"
	"time"
)

// ClockState is the mock's clock (wire type of /_mock/clock).
type ClockState struct {
	Now           time.Time `json:"now"`
	Unix          int64     `json:"unix"`
	Frozen        bool      `json:"frozen"`
	OffsetSeconds float64   `json:"offset_seconds"`
}

func (s *Server) clockState() ClockState {
	now, frozen, offset := s.clock.State()
	return ClockState{Now: now.UTC(), Unix: now.Unix(), Frozen: frozen, OffsetSeconds: offset.Seconds()}
}

// SetClock moves the mock's clock to t (frozen there when freeze is true).
func (s *Server) SetClock(t time.Time, freeze bool) { s.clock.Set(t, freeze) }

func (s *Server) ctlClock(w http.ResponseWriter, r *http.Request) (int, error) {
	if r.Method == http.MethodPut {
		var req struct {
			Now    *TimeSpec `json:"now"`
			Frozen bool      `json:"frozen"`
		}
		if err := s.decodeBody(w, r, &req, false); err != nil {
			return 0, err
		}
		at := s.clock.Now()
		if req.Now != nil {
			at = time.Unix(req.Now.resolve(at), 0)
			if req.Now.At != nil {
				at = *req.Now.At
			}
		}
		s.clock.Set(at, req.Frozen)
	}
	return writeJSON(w, http.StatusOK, s.clockState()), nil
}

// Limits of POST /_mock/clock/advance: one step, and the clock's distance
// from real time (time.Duration overflows at about 292 years).
const (
	maxClockAdvance = 100 * 365 * 24 * time.Hour
	maxClockOffset  = 200 * 365 * 24 * time.Hour
)

func (s *Server) ctlAdvance(w http.ResponseWriter, r *http.Request) (int, error) {
	var req struct {
		Seconds *float64  `json:"seconds"`
		By      *Duration `json:"by"`
	}
	if err := s.decodeBody(w, r, &req, false); err != nil {
		return 0, err
	}
	var d time.Duration
	switch {
	case req.Seconds != nil && req.By != nil:
		return 0, mockBadRequest("give seconds or by, not both")
	case req.Seconds != nil:
		// Checked as a float: converting an out-of-range float to a
		// Duration gives an arbitrary value.
		if sec := *req.Seconds; !(math.Abs(sec) <= maxClockAdvance.Seconds()) {
			return 0, mockBadRequest("seconds must be between -%.0f and %.0f (100 years)", maxClockAdvance.Seconds(), maxClockAdvance.Seconds())
		}
		d = time.Duration(*req.Seconds * float64(time.Second))
	case req.By != nil:
		d = time.Duration(*req.By)
		if d > maxClockAdvance || d < -maxClockAdvance {
			return 0, mockBadRequest("by must be between -%s and %s (100 years)", maxClockAdvance, maxClockAdvance)
		}
	default:
		return 0, mockBadRequest("seconds (a number) or by (a duration like \"90s\") is required")
	}
	// The clock's offset from real time is a Duration too: keep the sum far
	// from overflowing, which would wrap the clock centuries backwards.
	if _, _, off := s.clock.State(); (d > 0 && off > maxClockOffset-d) || (d < 0 && off < -maxClockOffset-d) {
		return 0, mockBadRequest("advancing by %s would move the clock more than 200 years from real time", d)
	}
	s.clock.Advance(d)
	return writeJSON(w, http.StatusOK, s.clockState()), nil
}
