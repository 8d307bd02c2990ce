package keys

// wakePool starts the background generator once rotations are about to need
// generated keys: when fewer PEM keys than the pool size are left. Sets with
// plenty of PEM keys (most tests) never spend CPU on key generation.
func (s *Set) wakePool(pemNext int) {
	if s.poolSize == 0 || len(s.pemKeys)-pemNext >= s.poolSize {
		return
	}
	s.signalPool()
}

// signalPool tells the generator to check the pool again.
func (s *Set) signalPool() {
	select {
	case s.wake <- struct{}{}:
	default: // a signal is already pending
	}
}

// takePooled returns a key from the pool, or nil when it is empty, and lets
// the generator refill it.
func (s *Set) takePooled() *Key {
	select {
	case k := <-s.pool:
		s.signalPool()
		return k
	default:
		return nil
	}
}

// fill keeps the pool full once woken, until Close. It generates only while
// the pool has room (it is the only sender, so a pool with room stays so),
// and sleeps until signalled otherwise. A generation failure is logged and
// stops the generator; rotations then generate keys synchronously.
func (s *Set) fill() {
	defer close(s.done)
	started := false
	for {
		if !started || len(s.pool) == cap(s.pool) {
			select {
			case <-s.stop:
				return
			case <-s.wake:
				started = true
				continue
			}
		}
		select {
		case <-s.stop:
			return
		default:
		}
		k, err := s.nextPoolKey()
		if err != nil {
			s.log.Error("background key generation failed; rotations will generate keys synchronously", "err", err)
			return
		}
		if k == nil { // closed while waiting for the initial race
			return
		}
		s.pool <- k // never blocks: only this goroutine sends and the pool had room
	}
}

// nextPoolKey takes a key left by the initial race, or generates one. While
// a racer still runs it waits for that key rather than generate another
// beside it: at start-up both processors would otherwise be busy with key
// generation just when the first requests arrive. It returns nil, nil when
// the set is closed while waiting.
func (s *Set) nextPoolKey() (*Key, error) {
	if s.spare != nil {
		select {
		case k, ok := <-s.spare:
			if ok {
				s.poolGenerations.Add(1) // generated in the background too, by the initial race
				return k, nil
			}
			s.spare = nil // every racer is done
		case <-s.stop:
			return nil, nil
		}
	}
	priv, err := s.generate(s.bits)
	if err != nil {
		return nil, err
	}
	s.poolGenerations.Add(1)
	return newKey(priv)
}
