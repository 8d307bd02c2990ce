package keys_test

import (
	"fmt"

	"github.com/descope-harness/harness/fixtures"
	"github.com/descope-harness/harness/mockidp/keys"
)

func ExampleSet() {
	set, err := keys.New(keys.Config{PEM: fixtures.KeyPEMs(), Keep: 2})
	if err != nil {
		panic(err)
	}
	defer set.Close()

	first := set.Current().ID
	_ = set.Rotate(3) // the initial key is now 3 rotations old: it leaves the set
	_, published := set.Lookup(first)
	snap := set.Snapshot()
	fmt.Println(len(snap.Kids), published, snap.Current == set.Current().ID)
	// Output: 3 false true
}
