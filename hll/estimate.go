package hll

import "math"

// histogram counts registers by value.
type histogram [regMask + 1]int

// estimate is Ertl's improved raw estimator over the register histogram, as Redis
// computes it. Every intermediate product is converted to float64 explicitly: Go may
// otherwise fuse x*y+z into one rounding, and C's doubles round each step.
func (h *histogram) estimate() uint64 {
	m := float64(Registers)
	z := float64(m * tau(float64(m-float64(h[q+1]))/m))
	for j := q; j >= 1; j-- {
		z += float64(h[j])
		z *= 0.5
	}
	z += float64(m * sigma(float64(h[0])/m))
	e := float64(float64(float64(alphaInf*m)*m) / z)
	return uint64(math.Round(e))
}

// alphaInf is 1/(2 ln 2), the estimator's bias constant for infinitely many registers.
var alphaInf = 0.721347520444481703680

// sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1), summed until it stops changing.
func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		prev := z
		z += float64(x * y)
		y += y
		if z == prev {
			return z
		}
	}
}

// tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3, summed until it stops changing.
func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		prev := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if z == prev {
			return z / 3
		}
	}
}
