package command

import (
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/cinnabar-db/cinnabar/store"
)

// Geo commands keep points in a sorted set whose score is a 52-bit geohash: 26 bits of
// longitude over [-180, 180] and 26 of latitude over the Web Mercator range
// [-85.05112878, 85.05112878], interleaved (latitude in the even bits). Searches cover
// the query shape with the geohash cell of a suitable size and its eight neighbours,
// read each cell as one score range of the set and keep the points inside the shape,
// in the same order and with the same arithmetic as Redis, so that results, their order
// without ASC/DESC, ANY's picks and the printed distances and coordinates all match.

const (
	geoLonMin    = -180.0
	geoLonMax    = 180.0
	geoLatMin    = -85.05112878
	geoLatMax    = 85.05112878
	geoStepMax   = 26 // 52 bits
	earthRadiusM = 6372797.560856
	mercatorMax  = 20037726.37
)

// degToRad is computed as C computes M_PI / 180.0 (a rounded pi divided, rounded again),
// not folded exactly from the constant as Go would.
var (
	piDouble = math.Pi
	degToRad = piDouble / 180.0
)

var (
	evGeoRadiusStore = store.Event{Class: store.ClassZSet, Name: "georadiusstore"}
	evGeoSearchStore = store.Event{Class: store.ClassZSet, Name: "geosearchstore"}
	errGeoUnit       = Err("ERR unsupported unit provided. please use M, KM, FT, MI")
	errGeoMember     = Err("ERR could not decode requested zset member")
	errGeoCount      = Err("ERR COUNT must be > 0")
	errGeoAnyCount   = Err("ERR the ANY argument requires COUNT argument")
)

// GeoCommands are the geo family's rows.
var GeoCommands = []*Spec{
	{Name: "geoadd", Arity: -5, Flags: Write | DenyOOM, Cat: CatGeo, Do: cmdGeoAdd},
	{Name: "geopos", Arity: -2, Flags: ReadOnly, Cat: CatGeo, Do: cmdGeoPos},
	{Name: "geodist", Arity: -4, Flags: ReadOnly, Cat: CatGeo, Do: cmdGeoDist},
	{Name: "geohash", Arity: -2, Flags: ReadOnly, Cat: CatGeo, Do: cmdGeoHash},
	{Name: "geosearch", Arity: -7, Flags: ReadOnly, Cat: CatGeo, Do: cmdGeoSearch},
	{Name: "geosearchstore", Arity: -8, Flags: Write | DenyOOM, Cat: CatGeo, Do: cmdGeoSearch},
	{Name: "georadius", Arity: -6, Flags: Write | DenyOOM, Cat: CatGeo, Do: cmdGeoSearch},
	{Name: "georadiusbymember", Arity: -5, Flags: Write | DenyOOM, Cat: CatGeo, Do: cmdGeoSearch},
	{Name: "georadius_ro", Arity: -6, Flags: ReadOnly, Cat: CatGeo, Do: cmdGeoSearch},
	{Name: "georadiusbymember_ro", Arity: -5, Flags: ReadOnly, Cat: CatGeo, Do: cmdGeoSearch},
}

// --- geohash arithmetic ---

type geoRange struct{ min, max float64 }

var (
	geoLonRange = geoRange{geoLonMin, geoLonMax}
	geoLatRange = geoRange{geoLatMin, geoLatMax}
)

type geoHash struct {
	bits uint64
	step uint
}

func (h geoHash) zero() bool { return h.bits == 0 && h.step == 0 }

// spread moves the 32 bits of x to the even bit positions of the result.
func spread(x uint32) uint64 {
	v := uint64(x)
	v = (v | v<<16) & 0x0000FFFF0000FFFF
	v = (v | v<<8) & 0x00FF00FF00FF00FF
	v = (v | v<<4) & 0x0F0F0F0F0F0F0F0F
	v = (v | v<<2) & 0x3333333333333333
	v = (v | v<<1) & 0x5555555555555555
	return v
}

// squash is spread's inverse: it gathers the even bits of v.
func squash(v uint64) uint32 {
	v &= 0x5555555555555555
	v = (v | v>>1) & 0x3333333333333333
	v = (v | v>>2) & 0x0F0F0F0F0F0F0F0F
	v = (v | v>>4) & 0x00FF00FF00FF00FF
	v = (v | v>>8) & 0x0000FFFF0000FFFF
	v = (v | v>>16) & 0x00000000FFFFFFFF
	return uint32(v)
}

// geoEncode computes the step-bit-per-axis geohash of a point within the given ranges.
func geoEncode(lonR, latR geoRange, lon, lat float64, step uint) (geoHash, bool) {
	if lon > geoLonMax || lon < geoLonMin || lat > geoLatMax || lat < geoLatMin {
		return geoHash{}, false
	}
	if lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max {
		return geoHash{step: step}, false
	}
	latOff := (lat - latR.min) / (latR.max - latR.min) * float64(uint64(1)<<step)
	lonOff := (lon - lonR.min) / (lonR.max - lonR.min) * float64(uint64(1)<<step)
	return geoHash{bits: spread(uint32(latOff)) | spread(uint32(lonOff))<<1, step: step}, true
}

// geoArea is the cell a geohash stands for.
type geoArea struct{ lon, lat geoRange }

func geoDecode(lonR, latR geoRange, h geoHash) geoArea {
	ilat, ilon := float64(squash(h.bits)), float64(squash(h.bits>>1))
	cells := float64(uint64(1) << h.step)
	latScale, lonScale := latR.max-latR.min, lonR.max-lonR.min
	return geoArea{
		lat: geoRange{latR.min + ilat/cells*latScale, latR.min + (ilat+1)/cells*latScale},
		lon: geoRange{lonR.min + ilon/cells*lonScale, lonR.min + (ilon+1)/cells*lonScale},
	}
}

// geoScoreToLonLat decodes a stored score to the centre of its 52-bit cell.
func geoScoreToLonLat(score float64) (lon, lat float64) {
	a := geoDecode(geoLonRange, geoLatRange, geoHash{bits: uint64(score), step: geoStepMax})
	lon = min(max((a.lon.min+a.lon.max)/2, geoLonMin), geoLonMax)
	lat = min(max((a.lat.min+a.lat.max)/2, geoLatMin), geoLatMax)
	return lon, lat
}

// geoMove shifts a geohash by d cells along longitude (x) or latitude (y), wrapping.
func geoMove(h geoHash, dx, dy int) geoHash {
	const odd, even = 0xaaaaaaaaaaaaaaaa, 0x5555555555555555
	shift := 64 - 2*h.step
	if dx != 0 {
		h.bits = geoMoveAxis(h.bits&odd, uint64(even)>>shift, uint64(odd)>>shift, dx) | h.bits&even
	}
	if dy != 0 {
		h.bits = h.bits&odd | geoMoveAxis(h.bits&even, uint64(odd)>>shift, uint64(even)>>shift, dy)
	}
	return h
}

// geoMoveAxis adds or subtracts one cell on the axis whose bits are v (the other axis's
// positions, fill, are set so the carry or borrow crosses them) and keeps that axis's bits.
func geoMoveAxis(v, fill, keep uint64, d int) uint64 {
	if d > 0 {
		v += fill + 1
	} else {
		v |= fill
		v -= fill + 1
	}
	return v & keep
}

// geoDistance is the haversine distance in meters between two points, computed as Redis
// computes it. Redis's libm (glibc) rounds sin, cos and asin almost always correctly while
// Go's math package may be an ulp off, which shows in full-precision output (STOREDIST)
// and where a distance sits on a boundary; geoDistanceExact settles those cases.
func geoDistance(lon1, lat1, lon2, lat2 float64) float64 {
	return geoHaversine(lon1, lat1, lon2, lat2, math.Sin, math.Cos, math.Asin)
}

func geoDistanceExact(lon1, lat1, lon2, lat2 float64) float64 {
	return geoHaversine(lon1, lat1, lon2, lat2, exactSin, exactCos, exactAsin)
}

func geoHaversine(lon1, lat1, lon2, lat2 float64, sin, cos, asin func(float64) float64) float64 {
	lon1r, lon2r := lon1*degToRad, lon2*degToRad
	v := sin((lon2r - lon1r) / 2)
	if v == 0 {
		return geoLatDistance(lat1, lat2)
	}
	lat1r, lat2r := lat1*degToRad, lat2*degToRad
	u := sin((lat2r - lat1r) / 2)
	// The conversions keep each operation rounded on its own, as C does (no fused ops).
	a := float64(u*u) + float64(float64(float64(cos(lat1r)*cos(lat2r))*v)*v)
	return 2.0 * earthRadiusM * asin(math.Sqrt(a))
}

// nearTie reports whether a value computed with an error of a few ulps might print
// differently at four decimals, or compare differently with limit.
func nearTie(v float64) bool {
	x := v * 1e4
	f := x - math.Floor(x)
	return math.Abs(f-0.5) < 1e-6
}

func nearLimit(d, limit float64) bool { return math.Abs(d-limit) <= 1e-9*math.Max(limit, 1) }

const bigPrec = 160

func bigF(x float64) *big.Float { return new(big.Float).SetPrec(bigPrec).SetFloat64(x) }

// bigSinCos computes sin and cos of x to bigPrec bits by their Taylor series (|x| <= 4).
func bigSinCos(x *big.Float) (*big.Float, *big.Float) {
	x2 := new(big.Float).SetPrec(bigPrec).Mul(x, x)
	s, c := new(big.Float).SetPrec(bigPrec).Set(x), bigF(1)
	ts, tc := new(big.Float).SetPrec(bigPrec).Set(x), bigF(1)
	eps := new(big.Float).SetMantExp(bigF(1), -bigPrec-8)
	abs := new(big.Float).SetPrec(bigPrec)
	for k := 1; k < 200; k++ {
		tc.Mul(tc, x2).Quo(tc, bigF(float64((2*k-1)*(2*k)))).Neg(tc)
		ts.Mul(ts, x2).Quo(ts, bigF(float64((2*k)*(2*k+1)))).Neg(ts)
		c.Add(c, tc)
		s.Add(s, ts)
		if abs.Abs(tc).Cmp(eps) < 0 && abs.Abs(ts).Cmp(eps) < 0 {
			break
		}
	}
	return s, c
}

func exactSin(x float64) float64 {
	if math.Abs(x) > 4 {
		return math.Sin(x)
	}
	s, _ := bigSinCos(bigF(x))
	f, _ := s.Float64()
	return f
}

func exactCos(x float64) float64 {
	if math.Abs(x) > 4 {
		return math.Cos(x)
	}
	_, c := bigSinCos(bigF(x))
	f, _ := c.Float64()
	return f
}

// exactAsin refines Go's asin by Newton's method on sin in high precision.
func exactAsin(y float64) float64 {
	t0 := math.Asin(y)
	if !(math.Abs(y) < 0.999999) {
		return t0
	}
	t, yb := bigF(t0), bigF(y)
	for range 3 {
		s, c := bigSinCos(t)
		t.Sub(t, s.Sub(s, yb).Quo(s, c))
	}
	f, _ := t.Float64()
	return f
}

func geoLatDistance(lat1, lat2 float64) float64 {
	return earthRadiusM * math.Abs(lat2*degToRad-lat1*degToRad)
}

// --- shapes ---

type geoShape struct {
	lon, lat      float64
	box           bool
	radius        float64 // in the unit
	width, height float64 // in the unit
	conv          float64 // meters per unit
}

// contains reports whether the point is inside the shape and its distance in meters.
func (s *geoShape) contains(lon, lat float64) (float64, bool) {
	if !s.box {
		r := s.radius * s.conv
		d := geoDistance(s.lon, s.lat, lon, lat)
		if nearLimit(d, r) {
			d = geoDistanceExact(s.lon, s.lat, lon, lat)
		}
		return d, d <= r
	}
	w, h := s.width*s.conv, s.height*s.conv
	if geoLatDistance(lat, s.lat) > h/2 {
		return 0, false
	}
	dx := geoDistance(lon, lat, s.lon, lat)
	if nearLimit(dx, w/2) {
		dx = geoDistanceExact(lon, lat, s.lon, lat)
	}
	if dx > w/2 {
		return 0, false
	}
	return geoDistance(s.lon, s.lat, lon, lat), true
}

// bounds returns the shape's bounding box: min lon, min lat, max lon, max lat.
func (s *geoShape) bounds() (float64, float64, float64, float64) {
	height, width := s.conv*s.radius, s.conv*s.radius
	if s.box {
		height, width = s.conv*s.height/2, s.conv*s.width/2
	}
	latDelta := height / earthRadiusM / degToRad
	lonTop := width / earthRadiusM / math.Cos((s.lat+latDelta)*degToRad) / degToRad
	lonBottom := width / earthRadiusM / math.Cos((s.lat-latDelta)*degToRad) / degToRad
	lonDelta := lonTop
	if s.lat < 0 {
		lonDelta = lonBottom
	}
	return s.lon - lonDelta, s.lat - latDelta, s.lon + lonDelta, s.lat + latDelta
}

func geoStepsForRadius(meters, lat float64) uint {
	if meters == 0 {
		return geoStepMax
	}
	step := 1
	for meters < mercatorMax {
		meters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint(min(max(step, 1), geoStepMax))
}

// areas returns the cells to search: the centre cell and its neighbours in Redis's order
// (centre, N, S, E, W, NE, NW, SE, SW), with zero hashes for the ones not needed.
func (s *geoShape) areas() [9]geoHash {
	minLon, minLat, maxLon, maxLat := s.bounds()
	radius := s.radius
	if s.box {
		radius = math.Sqrt((s.width/2)*(s.width/2) + (s.height/2)*(s.height/2))
	}
	radius *= s.conv
	steps := geoStepsForRadius(radius, s.lat)
	cells := func(steps uint) (geoHash, [9]geoHash, geoArea) {
		h, _ := geoEncode(geoLonRange, geoLatRange, s.lon, s.lat, steps)
		n := [9]geoHash{h, geoMove(h, 0, 1), geoMove(h, 0, -1), geoMove(h, 1, 0), geoMove(h, -1, 0),
			geoMove(h, 1, 1), geoMove(h, -1, 1), geoMove(h, 1, -1), geoMove(h, -1, -1)}
		return h, n, geoDecode(geoLonRange, geoLatRange, h)
	}
	_, n, area := cells(steps)
	// Near a cell's edge the chosen step may be too coarse for the neighbours to cover
	// the bounding box: then use cells twice as large.
	north := geoDecode(geoLonRange, geoLatRange, n[1])
	south := geoDecode(geoLonRange, geoLatRange, n[2])
	east := geoDecode(geoLonRange, geoLatRange, n[3])
	west := geoDecode(geoLonRange, geoLatRange, n[4])
	if steps > 1 && (north.lat.max < maxLat || south.lat.min > minLat || east.lon.max < maxLon || west.lon.min > minLon) {
		steps--
		_, n, area = cells(steps)
	}
	if steps >= 2 {
		if area.lat.min < minLat {
			n[2], n[8], n[7] = geoHash{}, geoHash{}, geoHash{} // south, SW, SE
		}
		if area.lat.max > maxLat {
			n[1], n[5], n[6] = geoHash{}, geoHash{}, geoHash{} // north, NE, NW
		}
		if area.lon.min < minLon {
			n[4], n[8], n[6] = geoHash{}, geoHash{}, geoHash{} // west, SW, NW
		}
		if area.lon.max > maxLon {
			n[3], n[7], n[5] = geoHash{}, geoHash{}, geoHash{} // east, SE, NE
		}
	}
	return n
}

// geoPoint is a search result.
type geoPoint struct {
	member   string
	score    float64
	dist     float64 // meters, as geoDistance computes it
	lon, lat float64
}

// exactDist is the point's distance from the shape's centre in the unit, as Redis
// computes it to the last bit.
func (s *geoShape) exactDist(p geoPoint) float64 {
	return geoDistanceExact(s.lon, s.lat, p.lon, p.lat) / s.conv
}

// replyDist is the point's distance in the unit, exact where printing could tell.
func (s *geoShape) replyDist(p geoPoint) float64 {
	if d := p.dist / s.conv; !nearTie(d) {
		return d
	}
	return s.exactDist(p)
}

// search returns the points of z inside the shape, stopping after limit (0: all).
func (s *geoShape) search(z *store.ZSet, limit int) []geoPoint {
	var out []geoPoint
	n := s.areas()
	last := 0
	for i, h := range n {
		if h.zero() {
			continue
		}
		// With huge radii neighbouring cells can coincide: skip a repeat of the cell
		// just searched (Redis never compares with the centre cell here).
		if last != 0 && h == n[last] {
			continue
		}
		if limit > 0 && len(out) >= limit {
			break
		}
		shift := 52 - 2*h.step
		lo, hi := z.ScoreRange(store.ScoreRange{
			Min: float64(h.bits << shift), Max: float64((h.bits + 1) << shift), MaxEx: true,
		})
		z.Range(lo, hi, false, func(m []byte, score float64) bool {
			lon, lat := geoScoreToLonLat(score)
			if d, ok := s.contains(lon, lat); ok {
				out = append(out, geoPoint{string(m), score, d, lon, lat})
			}
			return limit == 0 || len(out) < limit
		})
		last = i
	}
	return out
}

// --- argument parsing ---

// geoLonLat parses a longitude,latitude pair at args i, i+1.
func geoLonLat(c *Ctx, i int) (float64, float64, error) {
	lon, ok1 := ParseFloat(c.Args[i])
	lat, ok2 := ParseFloat(c.Args[i+1])
	if !ok1 || !ok2 {
		return 0, 0, ErrNotFloat
	}
	if lon < geoLonMin || lon > geoLonMax || lat < geoLatMin || lat > geoLatMax {
		return 0, 0, Errorf("ERR invalid longitude,latitude pair %s,%s", cFixed6(lon), cFixed6(lat))
	}
	return lon, lat, nil
}

// cFixed6 formats v as C's "%f" does.
func cFixed6(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'f', 6, 64)
}

func geoUnit(b []byte) (float64, error) {
	switch strings.ToLower(string(b)) {
	case "m":
		return 1, nil
	case "km":
		return 1000, nil
	case "ft":
		return 0.3048, nil
	case "mi":
		return 1609.34, nil
	}
	return 0, errGeoUnit
}

func geoLength(b []byte, what string) (float64, error) {
	v, ok := ParseFloat(b)
	if !ok {
		return 0, Err("ERR need numeric " + what)
	}
	return v, nil
}

// geoMemberLonLat finds a member's position.
func geoMemberLonLat(z *store.ZSet, member []byte) (float64, float64, bool) {
	score, ok := z.Score(member)
	if !ok {
		return 0, 0, false
	}
	lon, lat := geoScoreToLonLat(score)
	return lon, lat, true
}

// --- replies ---

// geoCoord writes a coordinate as Redis prints them: 17 decimals, trailing zeros
// dropped; a bulk string in RESP2, a double in RESP3.
func geoCoord(c *Ctx, v float64) {
	b := strconv.AppendFloat(nil, v, 'f', 17, 64)
	if i := slices.Index(b, '.'); i >= 0 {
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
	}
	if string(b) == "-0" {
		b = b[1:]
	}
	if c.W.Proto == 3 {
		c.W.Raw(append(append([]byte{','}, b...), '\r', '\n'))
		return
	}
	c.W.Bulk(b)
}

// geoDist writes a distance with four decimals, always as a bulk string.
func geoDist(c *Ctx, d float64) { c.W.Bulk(strconv.AppendFloat(nil, d, 'f', 4, 64)) }

// --- commands ---

// GEOADD key [NX|XX] [CH] longitude latitude member [...]: a ZADD of geohash scores.
func cmdGeoAdd(c *Ctx) error {
	f, i := parseZAddFlags(c, true)
	rest := c.Args[i:]
	if len(rest)%3 != 0 || f.nx && f.xx || len(rest) == 0 {
		return ErrSyntax
	}
	scores := make([]float64, len(rest)/3)
	pairs := make([][]byte, 2*len(scores))
	for j := range scores {
		lon, lat, err := geoLonLat(c, i+3*j)
		if err != nil {
			return err
		}
		h, _ := geoEncode(geoLonRange, geoLatRange, lon, lat, geoStepMax)
		scores[j] = float64(h.bits)
		pairs[2*j+1] = rest[3*j+2]
	}
	return zadd(c, f, scores, pairs)
}

func cmdGeoPos(c *Ctx) error {
	z, err := readZSet(c, c.Args[1])
	if err != nil {
		return err
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		if z == nil {
			c.W.NullArray()
			continue
		}
		lon, lat, ok := geoMemberLonLat(z, m)
		if !ok {
			c.W.NullArray()
			continue
		}
		c.W.Array(2)
		geoCoord(c, lon)
		geoCoord(c, lat)
	}
	return nil
}

func cmdGeoDist(c *Ctx) error {
	conv := 1.0
	if len(c.Args) > 5 {
		return ErrSyntax
	}
	if len(c.Args) == 5 {
		var err error
		if conv, err = geoUnit(c.Args[4]); err != nil {
			return err
		}
	}
	z, err := readZSet(c, c.Args[1])
	if err != nil {
		return err
	}
	if z == nil {
		c.W.Null()
		return nil
	}
	lon1, lat1, ok1 := geoMemberLonLat(z, c.Args[2])
	lon2, lat2, ok2 := geoMemberLonLat(z, c.Args[3])
	if !ok1 || !ok2 {
		c.W.Null()
		return nil
	}
	d := geoDistance(lon1, lat1, lon2, lat2) / conv
	if nearTie(d) {
		d = geoDistanceExact(lon1, lat1, lon2, lat2) / conv
	}
	geoDist(c, d)
	return nil
}

func cmdGeoHash(c *Ctx) error {
	const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"
	z, err := readZSet(c, c.Args[1])
	if err != nil {
		return err
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		var lon, lat float64
		ok := z != nil
		if ok {
			lon, lat, ok = geoMemberLonLat(z, m)
		}
		if !ok {
			c.W.Null()
			continue
		}
		// Re-encode over the standard latitude range [-90, 90] for a standard geohash;
		// 52 bits make ten characters, the eleventh is always '0'.
		h, _ := geoEncode(geoLonRange, geoRange{-90, 90}, lon, lat, geoStepMax)
		var buf [11]byte
		for i := range 10 {
			buf[i] = alphabet[(h.bits>>(52-(i+1)*5))&0x1f]
		}
		buf[10] = '0'
		c.W.Bulk(buf[:])
	}
	return nil
}

// cmdGeoSearch serves GEORADIUS, GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH
// and GEOSEARCHSTORE.
func cmdGeoSearch(c *Ctx) error {
	name := c.Spec.Name
	search := strings.HasPrefix(name, "geosearch")
	byMember := strings.HasPrefix(name, "georadiusbymember")
	noStore := strings.HasSuffix(name, "_ro")
	src := 1
	var storeKey []byte
	if name == "geosearchstore" {
		src, storeKey = 2, c.Args[1]
	}
	z, err := readZSet(c, c.Args[src])
	if err != nil {
		return err
	}
	var s geoShape
	base := src + 1
	switch {
	case search:
	case byMember:
		base = 5
		if z != nil {
			var ok bool
			if s.lon, s.lat, ok = geoMemberLonLat(z, c.Args[2]); !ok {
				return errGeoMember
			}
			if s.radius, s.conv, err = geoRadiusArgs(c, 3); err != nil {
				return err
			}
		}
	default:
		base = 6
		if s.lon, s.lat, err = geoLonLat(c, 2); err != nil {
			return err
		}
		if s.radius, s.conv, err = geoRadiusArgs(c, 4); err != nil {
			return err
		}
	}

	var (
		withDist, withHash, withCoord, any, storeDist bool
		fromMember, fromLonLat, byRadius, byBox       bool
		sortDir                                       int // 0 none, 1 asc, -1 desc
		count                                         int64
	)
	for i := base; i < len(c.Args); i++ {
		left := len(c.Args) - i - 1
		switch {
		case c.Is(i, "withdist"):
			withDist = true
		case c.Is(i, "withhash"):
			withHash = true
		case c.Is(i, "withcoord"):
			withCoord = true
		case c.Is(i, "any"):
			any = true
		case c.Is(i, "asc"):
			sortDir = 1
		case c.Is(i, "desc"):
			sortDir = -1
		case c.Is(i, "count") && left >= 1:
			if count, err = c.Int(i + 1); err != nil {
				return err
			}
			if count <= 0 {
				return errGeoCount
			}
			i++
		case (c.Is(i, "store") || c.Is(i, "storedist")) && left >= 1 && !noStore && !search:
			storeKey, storeDist = c.Args[i+1], c.Is(i, "storedist")
			i++
		case c.Is(i, "storedist") && name == "geosearchstore":
			storeDist = true
		case c.Is(i, "frommember") && left >= 1 && search && !fromLonLat:
			fromMember = true
			if z != nil {
				var ok bool
				if s.lon, s.lat, ok = geoMemberLonLat(z, c.Args[i+1]); !ok {
					return errGeoMember
				}
			}
			i++
		case c.Is(i, "fromlonlat") && left >= 2 && search && !fromMember:
			if s.lon, s.lat, err = geoLonLat(c, i+1); err != nil {
				return err
			}
			fromLonLat = true
			i += 2
		case c.Is(i, "byradius") && left >= 2 && search && !byBox:
			if s.radius, s.conv, err = geoRadiusArgs(c, i+1); err != nil {
				return err
			}
			s.box, byRadius = false, true
			i += 2
		case c.Is(i, "bybox") && left >= 3 && search && !byRadius:
			if s.width, err = geoLength(c.Args[i+1], "width"); err != nil {
				return err
			}
			if s.height, err = geoLength(c.Args[i+2], "height"); err != nil {
				return err
			}
			if s.width < 0 || s.height < 0 {
				return Err("ERR height or width cannot be negative")
			}
			if s.conv, err = geoUnit(c.Args[i+3]); err != nil {
				return err
			}
			s.box, byBox = true, true
			i += 3
		default:
			return ErrSyntax
		}
	}
	if storeKey != nil && (withDist || withHash || withCoord) {
		what := "STORE option in GEORADIUS"
		if name == "geosearchstore" {
			what = "GEOSEARCHSTORE"
		}
		return Errorf("ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options", what)
	}
	if search && !fromMember && !fromLonLat {
		return Errorf("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s", c.Arg(0))
	}
	if search && !byRadius && !byBox {
		return Errorf("ERR exactly one of BYRADIUS and BYBOX can be specified for %s", c.Arg(0))
	}
	if any && count == 0 {
		return errGeoAnyCount
	}
	if z == nil {
		if storeKey != nil {
			c.DB.Delete(storeKey, store.EvDel)
			c.W.Int(0)
		} else {
			c.W.Array(0)
		}
		return nil
	}
	if count != 0 && sortDir == 0 && !any {
		sortDir = 1
	}

	limit := 0
	if any {
		limit = int(min(count, math.MaxInt32))
	}
	points := s.search(z, limit)
	n := len(points)
	if count != 0 && int64(n) > count {
		n = int(count)
	}
	if sortDir != 0 {
		slices.SortStableFunc(points, func(a, b geoPoint) int {
			d := 0
			switch {
			case a.dist < b.dist:
				d = -1
			case a.dist > b.dist:
				d = 1
			}
			return d * sortDir
		})
	}
	points = points[:n]

	if storeKey != nil {
		pairs := make([]store.ZPair, n)
		for i, p := range points {
			score := p.score
			if storeDist {
				score = s.exactDist(p)
			}
			pairs[i] = store.ZPair{Member: p.member, Score: score}
		}
		ev := evGeoRadiusStore
		if search {
			ev = evGeoSearchStore
		}
		zStore(c, storeKey, pairs, ev, int64(n))
		return nil
	}
	opts := 0
	for _, on := range []bool{withDist, withHash, withCoord} {
		if on {
			opts++
		}
	}
	c.W.Array(n)
	for _, p := range points {
		if opts > 0 {
			c.W.Array(opts + 1)
		}
		c.W.BulkString(p.member)
		if withDist {
			geoDist(c, s.replyDist(p))
		}
		if withHash {
			c.W.Int(int64(p.score))
		}
		if withCoord {
			c.W.Array(2)
			geoCoord(c, p.lon)
			geoCoord(c, p.lat)
		}
	}
	return nil
}

// geoRadiusArgs parses "radius unit" at args i, i+1.
func geoRadiusArgs(c *Ctx, i int) (radius, conv float64, err error) {
	if radius, err = geoLength(c.Args[i], "radius"); err != nil {
		return 0, 0, err
	}
	if radius < 0 {
		return 0, 0, Err("ERR radius cannot be negative")
	}
	conv, err = geoUnit(c.Args[i+1])
	return radius, conv, err
}
