package hll

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// SelfTest checks the implementation as PFSELFTEST does: dense registers read back what
// was written, an HLL built through the sparse encoding (with promotion) equals one
// built dense from the start, and estimates stay within five standard errors.
func SelfTest() error {
	r := rand.New(rand.NewPCG(rand.Uint64(), 0))
	regs := make([]byte, denseBytes)
	var want [Registers]uint8
	for round := 0; round < 64; round++ {
		for i := range want {
			v := uint8(r.IntN(regMask + 1))
			want[i] = v
			setDense(regs, i, v)
		}
		for i, v := range want {
			if got := denseGet(regs, i); got != v {
				return fmt.Errorf("register error at %d: %d, want %d", i, got, v)
			}
		}
	}

	sparse := New()
	dense, _ := ToDense(New())
	stdErr := 1.04 / math.Sqrt(Registers)
	checkpoint := 10
	var buf []byte
	for n := 1; n <= 100000; n++ {
		buf = strconv.AppendUint(buf[:0], r.Uint64(), 36)
		var err error
		if sparse, _, err = Add(sparse, buf, DefaultSparseMaxBytes); err != nil {
			return fmt.Errorf("sparse add: %v", err)
		}
		dense, _, _ = Add(dense, buf, DefaultSparseMaxBytes)
		if n != checkpoint {
			continue
		}
		checkpoint *= 10
		cs, err := Count(sparse)
		if err != nil {
			return fmt.Errorf("sparse count: %v", err)
		}
		cd, _ := Count(dense)
		if cs != cd {
			return fmt.Errorf("sparse and dense representations differ: %d, %d at %d", cs, cd, n)
		}
		relErr := math.Abs(float64(cd)-float64(n)) / float64(n)
		// Small cardinalities are nearly exact; allow one unit of slack there.
		if relErr > 5*stdErr && math.Abs(float64(cd)-float64(n)) > 1 {
			return fmt.Errorf("too big error: card %d, true %d, error %f", cd, n, relErr)
		}
	}
	return nil
}
