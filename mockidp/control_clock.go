package mockidp

import (
	"math"
	"net/http"
	"time"
)

func (s *Server) clockState() ClockState {
	now, frozen, offset := s.clock.State()
	return ClockState{Now: now.UTC(), Unix: now.Unix(), Frozen: frozen, OffsetSeconds: offset.Seconds()}
}

// SetClock moves the mock's clock to t (frozen there when freeze is true);
// t must be within MaxClockOffset (200 years) of real time.
func (s *Server) SetClock(t time.Time, freeze bool) error { return s.clock.Set(t, freeze) }

// clockError is a refused clock move as a 400 naming the request field.
func clockError(field string, err error) error {
	if err == nil {
		return nil
	}
	return mockBadRequest("%s: %v", field, err)
}

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
			at = req.Now.Time(at)
		}
		if err := clockError("now", s.clock.Set(at, req.Frozen)); err != nil {
			return 0, err
		}
	}
	return writeJSON(w, http.StatusOK, s.clockState()), nil
}

// maxClockAdvance bounds one step of POST /_mock/clock/advance; the clock
// itself stays within MaxClockOffset of real time.
const maxClockAdvance = 100 * 365 * 24 * time.Hour

func (s *Server) ctlAdvance(w http.ResponseWriter, r *http.Request) (int, error) {
	var req struct {
		Seconds *float64  `json:"seconds"`
		By      *Duration `json:"by"`
	}
	if err := s.decodeBody(w, r, &req, false); err != nil {
		return 0, err
	}
	var d time.Duration
	field := "by"
	switch {
	case req.Seconds != nil && req.By != nil:
		return 0, mockBadRequest("give seconds or by, not both")
	case req.Seconds != nil:
		field = "seconds"
		// Checked as a float: converting an out-of-range float to a
		// Duration gives an arbitrary value.
		if sec := *req.Seconds; !(math.Abs(sec) <= maxClockAdvance.Seconds()) {
			return 0, mockBadRequest("seconds must be between -%.0f and %.0f (100 years; the clock stays within 200 years of real time)", maxClockAdvance.Seconds(), maxClockAdvance.Seconds())
		}
		d = time.Duration(*req.Seconds * float64(time.Second))
	case req.By != nil:
		d = time.Duration(*req.By)
		if d > maxClockAdvance || d < -maxClockAdvance {
			return 0, mockBadRequest("by must be between -%s and %s (100 years; the clock stays within 200 years of real time)", maxClockAdvance, maxClockAdvance)
		}
	default:
		return 0, mockBadRequest("seconds (a number) or by (a duration like \"90s\") is required")
	}
	if err := clockError(field, s.clock.Advance(d)); err != nil {
		return 0, err
	}
	return writeJSON(w, http.StatusOK, s.clockState()), nil
}
