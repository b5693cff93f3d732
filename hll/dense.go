package hll

// Dense registers: register i occupies bits 6i..6i+5 of the register bytes, least
// significant bit first, so it starts in byte 6i/8 at bit 6i%8 and spills into the next
// byte when that bit is above 2.

func denseGet(regs []byte, i int) uint8 {
	bit := i * regBits
	b, fb := bit>>3, uint(bit&7)
	v := regs[b] >> fb
	if fb > 8-regBits {
		v |= regs[b+1] << (8 - fb)
	}
	return v & regMask
}

// denseSet raises register i to v if it is lower and reports whether it did.
func denseSet(regs []byte, i int, v uint8) bool {
	if denseGet(regs, i) >= v {
		return false
	}
	setDense(regs, i, v)
	return true
}

// setDense writes register i unconditionally.
func setDense(regs []byte, i int, v uint8) {
	bit := i * regBits
	b, fb := bit>>3, uint(bit&7)
	regs[b] = regs[b]&^(regMask<<fb) | v<<fb
	if fb > 8-regBits {
		regs[b+1] = regs[b+1]&^(regMask>>(8-fb)) | v>>(8-fb)
	}
}

// denseHisto counts the registers by value, four registers (three bytes) at a time,
// into four histograms so that increments of one counter do not wait on each other.
func denseHisto(b []byte, h *histogram) {
	regs := (*[denseBytes]byte)(b)
	var h1, h2, h3 histogram
	for g := 0; g < denseBytes; g += 3 {
		x0, x1, x2 := regs[g], regs[g+1], regs[g+2]
		h[x0&regMask]++
		h1[(x0>>6|x1<<2)&regMask]++
		h2[(x1>>4|x2<<4)&regMask]++
		h3[x2>>2]++
	}
	for v := range h {
		h[v] += h1[v] + h2[v] + h3[v]
	}
}
