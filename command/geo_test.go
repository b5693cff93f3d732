package command

import (
	"math"
	"testing"
)

// The replies below were recorded from Redis 7.0.15.
func TestGeoScenarios(t *testing.T) {
	runScenarios(t, []scenario{
		{"add, pos, dist, hash", [][]string{
			{"GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania", ":2\r\n"},
			{"GEOADD", "Sicily", "CH", "13.361390", "38.115556", "Palermo", ":0\r\n"},
			{"GEOADD", "Sicily", "NX", "XX", "1", "1", "a", "-ERR syntax error\r\n"},
			{"GEOADD", "Sicily", "1", "2", "a", "3", "-ERR syntax error\r\n"},
			{"GEOADD", "Sicily", "200", "100", "x", "-ERR invalid longitude,latitude pair 200.000000,100.000000\r\n"},
			{"GEOADD", "Sicily", "x", "1", "a", "-ERR value is not a valid float\r\n"},
			{"GEOPOS", "Sicily", "Palermo", "nope", "*2\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*-1\r\n"},
			{"GEOPOS", "nokey", "a", "*1\r\n*-1\r\n"},
			{"GEODIST", "Sicily", "Palermo", "Catania", "$11\r\n166274.1516\r\n"},
			{"GEODIST", "Sicily", "Palermo", "Catania", "km", "$8\r\n166.2742\r\n"},
			{"GEODIST", "Sicily", "Palermo", "Catania", "mi", "$8\r\n103.3182\r\n"},
			{"GEODIST", "Sicily", "Palermo", "nope", "$-1\r\n"},
			{"GEODIST", "Sicily", "Palermo", "Catania", "foo", "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n"},
			{"GEOHASH", "Sicily", "Palermo", "Catania", "nope", "*3\r\n$11\r\nsqc8b49rny0\r\n$11\r\nsqdtr74hyu0\r\n$-1\r\n"},
			{"ZSCORE", "Sicily", "Catania", "$16\r\n3479447370796909\r\n"},
		}},
		{"searches", [][]string{
			{"GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania", "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "edge2", ":4\r\n"},
			{"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH", "*2\r\n*4\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n:3479099956230698\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n"},
			{"GEORADIUS", "Sicily", "15", "37", "200", "km", "ASC", "*2\r\n$7\r\nCatania\r\n$7\r\nPalermo\r\n"},
			{"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "DESC", "WITHDIST", "*1\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n"},
			{"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst", ":2\r\n"},
			{"GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "dst", ":2\r\n"},
			{"ZRANGE", "dst", "0", "-1", "WITHSCORES", "*4\r\n$7\r\nCatania\r\n$18\r\n56.441257870158204\r\n$7\r\nPalermo\r\n$18\r\n190.44242984775784\r\n"},
			{"GEORADIUS", "Sicily", "15", "37", "1", "km", "ANY", "-ERR the ANY argument requires COUNT argument\r\n"},
			{"GEORADIUS", "Sicily", "15", "37", "1", "km", "COUNT", "0", "-ERR COUNT must be > 0\r\n"},
			{"GEORADIUS", "Sicily", "15", "37", "-1", "km", "-ERR radius cannot be negative\r\n"},
			{"GEORADIUS_RO", "Sicily", "15", "37", "1", "km", "STORE", "dst", "-ERR syntax error\r\n"},
			{"GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "WITHDIST", "ASC", "*3\r\n*2\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n*2\r\n$5\r\nedge1\r\n$7\r\n91.4007\r\n*2\r\n$7\r\nCatania\r\n$8\r\n166.2742\r\n"},
			{"GEORADIUSBYMEMBER", "Sicily", "nope", "200", "km", "-ERR could not decode requested zset member\r\n"},
			{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC", "WITHDIST", "*4\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n*2\r\n$5\r\nedge2\r\n$8\r\n279.7403\r\n*2\r\n$5\r\nedge1\r\n$8\r\n279.7405\r\n"},
			{"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "300", "km", "DESC", "COUNT", "2", "*2\r\n$7\r\nCatania\r\n$5\r\nedge1\r\n"},
			{"GEOSEARCH", "Sicily", "BYRADIUS", "1", "km", "ASC", "WITHDIST", "-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH\r\n"},
			{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "ASC", "WITHDIST", "-ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH\r\n"},
			{"GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST", ":2\r\n"},
			{"ZRANGE", "dst", "0", "-1", "WITHSCORES", "*4\r\n$7\r\nCatania\r\n$18\r\n56.441257870158204\r\n$7\r\nPalermo\r\n$18\r\n190.44242984775784\r\n"},
			{"GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST", "-ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n"},
			{"GEOSEARCH", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "*0\r\n"},
		}},
	})
}

func TestGeoRESP3(t *testing.T) {
	ks := newKS()
	run(t, ks, "GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania")
	for _, c := range [][]string{
		{"GEOPOS", "Sicily", "Palermo", "nope", "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n"},
		{"GEODIST", "Sicily", "Palermo", "Catania", "km", "$8\r\n166.2742\r\n"},
		{"GEOHASH", "Sicily", "Palermo", "nope", "*2\r\n$11\r\nsqc8b49rny0\r\n_\r\n"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH",
			"*2\r\n*4\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n:3479099956230698\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n" +
				"*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n"},
	} {
		if got := run3(t, ks, c[:len(c)-1]...); got != c[len(c)-1] {
			t.Errorf("%q = %q, want %q", c[:len(c)-1], got, c[len(c)-1])
		}
	}
}

// TestGeoHashArithmetic checks the geohash helpers against values Redis computes.
func TestGeoHashArithmetic(t *testing.T) {
	h, ok := geoEncode(geoLonRange, geoLatRange, 13.361389, 38.115556, geoStepMax)
	if !ok || h.bits != 3479099956230698 {
		t.Fatalf("encode Palermo = %d %v", h.bits, ok)
	}
	lon, lat := geoScoreToLonLat(float64(h.bits))
	if lon != 13.361389338970184 || lat != 38.1155563954963 {
		t.Fatalf("decode = %.17g %.17g", lon, lat)
	}
	if spread(0xFFFFFFFF) != 0x5555555555555555 || squash(0x5555555555555555) != 0xFFFFFFFF || squash(spread(0x12345678)) != 0x12345678 {
		t.Fatal("spread/squash")
	}
	// Moving east then west, or north then south, returns to the same cell.
	c, _ := geoEncode(geoLonRange, geoLatRange, 10, 10, 8)
	if geoMove(geoMove(c, 1, 0), -1, 0) != c || geoMove(geoMove(c, 0, 1), 0, -1) != c {
		t.Fatal("geoMove is not reversible")
	}
	if d := geoDistanceExact(15, 37, lon, lat) / 1000; d != 190.44242984775784 {
		t.Fatalf("exact distance %.17g", d)
	}
	for _, x := range []float64{0, 1e-300, 0.1, 0.5, 1, 1.5, 3.1, -2} {
		if s, c := exactSin(x), exactCos(x); math.Abs(s-math.Sin(x)) > 1e-15 || math.Abs(c-math.Cos(x)) > 1e-15 {
			t.Fatalf("exactSin/Cos(%v) = %v %v", x, s, c)
		}
		if y := math.Sin(x) / 4; math.Abs(exactAsin(y)-math.Asin(y)) > 1e-15 {
			t.Fatalf("exactAsin(%v)", y)
		}
	}
}
