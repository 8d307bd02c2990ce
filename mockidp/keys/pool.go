package keys

// wakePool starts the background generator once rotations are about to need
// generated keys: when fewer PEM keys than the pool size are left. Sets with
// plenty of PEM keys (most tests) never spend CPU on key generation.
func (s *Set) wakePool(pemNext int) {
	if s.poolSize == 0 || len(s.pemKeys)-pemNext >= s.poolSize {
		return
	}
	select {
	case s.wake <- struct{}{}:
	default: // already woken
	}
}

// fill keeps the pool full once woken, until Close. A generation failure is
// logged and stops the generator; rotations then fall back to generating
// synchronously.
func (s *Set) fill() {
	defer close(s.done)
	select {
	case <-s.stop:
		return
	case <-s.wake:
	}
	for {
		select {
		case <-s.stop:
			return
		default:
		}
		priv, err := s.generate(s.bits)
		if err == nil {
			var k *Key
			if k, err = newKey(priv); err == nil {
				s.poolGenerations.Add(1)
				select {
				case s.pool <- k:
					continue
				case <-s.stop:
					return
				}
			}
		}
		s.log.Error("background key generation failed; rotations will generate keys synchronously", "err", err)
		return
	}
}
