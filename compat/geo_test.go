package compat

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

const geoScript = `
	GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
	GEOADD Sicily 12.758489 38.788135 edge1 17.241510 38.788135 edge2
	GEOADD Sicily 13.361389 38.115556 Palermo
	GEOADD Sicily CH 13.361390 38.115556 Palermo
	GEOADD Sicily NX 1 1 Palermo 2 2 nxnew
	GEOADD Sicily XX 3 3 xxnew 13.361389 38.115556 Palermo
	GEOADD Sicily XX CH 13.361389 38.115556 Palermo
	GEOADD Sicily NX XX 1 1 a
	GEOADD Sicily GT 1 1 a
	GEOADD Sicily 1 2
	GEOADD Sicily 1 2 a 3
	GEOADD Sicily 200 100 x
	GEOADD Sicily 180.000001 0 x
	GEOADD Sicily 0 85.05112879 x
	GEOADD Sicily 0 -85.05112879 x
	GEOADD Sicily -180 -85.05112878 corner1 180 85.05112878 corner2
	GEOADD Sicily 0 0 origin
	GEOADD Sicily x 1 a
	GEOADD Sicily 1 x a
	GEOADD Sicily inf 1 a
	GEOADD Sicily 1 nan a
	GEOADD Sicily 1 1 ok 200 0 bad
	EXISTS ok
	GEOADD Sicily ch xx nx 1 1 a
	GEOADD Sicily ch
	GEOADD newgeo XX 1 1 a
	EXISTS newgeo
	SET str x
	GEOADD str 1 1 a
	ZRANGE Sicily 0 -1 WITHSCORES
	GEOPOS Sicily Palermo Catania nope corner1 corner2 origin edge1
	GEOPOS Sicily
	GEOPOS nokey a b
	GEOPOS str a
	GEOHASH Sicily Palermo Catania nope corner1 corner2 origin
	GEOHASH Sicily
	GEOHASH nokey a
	GEOHASH str a
	GEODIST Sicily Palermo Catania
	GEODIST Sicily Palermo Catania m
	GEODIST Sicily Palermo Catania KM
	GEODIST Sicily Palermo Catania mi
	GEODIST Sicily Palermo Catania ft
	GEODIST Sicily Palermo Palermo
	GEODIST Sicily corner1 corner2 km
	GEODIST Sicily Palermo nope
	GEODIST Sicily Palermo Catania foo
	GEODIST Sicily Palermo Catania km x
	GEODIST nokey a b
	GEODIST nokey a b foo
	GEODIST str a b

	GEORADIUS Sicily 15 37 200 km
	GEORADIUS Sicily 15 37 200 km WITHDIST
	GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH
	GEORADIUS Sicily 15 37 200 km WITHCOORD ASC
	GEORADIUS Sicily 15 37 200 km DESC WITHDIST
	GEORADIUS Sicily 15 37 200 km COUNT 1
	GEORADIUS Sicily 15 37 200 km COUNT 1 DESC
	GEORADIUS Sicily 15 37 200 km COUNT 5 ANY
	GEORADIUS Sicily 15 37 200 km COUNT 1 ANY
	GEORADIUS Sicily 15 37 200 km COUNT 1 ANY ASC
	GEORADIUS Sicily 15 37 200000 m WITHDIST
	GEORADIUS Sicily 15 37 124.274 mi WITHDIST
	GEORADIUS Sicily 15 37 656168 ft WITHDIST
	GEORADIUS Sicily 15 37 0 km
	GEORADIUS Sicily 13.361389 38.115556 0 km
	GEORADIUS Sicily 15 37 5000 km WITHDIST
	GEORADIUS Sicily 15 37 20000 km WITHDIST
	GEORADIUS Sicily 0 0 1 m WITHDIST
	GEORADIUS Sicily 179.9 85 500 km WITHDIST
	GEORADIUS Sicily -179.9 -85 500 km WITHDIST
	GEORADIUS Sicily 15 37 -1 km
	GEORADIUS Sicily 15 37 x km
	GEORADIUS Sicily x 37 1 km
	GEORADIUS Sicily 15 x 1 km
	GEORADIUS Sicily 15 100 1 km
	GEORADIUS Sicily 15 37 1 foo
	GEORADIUS Sicily 15 37 1 km COUNT 0
	GEORADIUS Sicily 15 37 1 km COUNT -1
	GEORADIUS Sicily 15 37 1 km COUNT x
	GEORADIUS Sicily 15 37 1 km COUNT
	GEORADIUS Sicily 15 37 1 km ANY
	GEORADIUS Sicily 15 37 1 km FOO
	GEORADIUS Sicily 15 37 1 km STORE d WITHDIST
	GEORADIUS Sicily 15 37 1 km STORE
	GEORADIUS Sicily 15 37 1 km FROMMEMBER Palermo
	GEORADIUS nokey 15 37 1 km
	GEORADIUS nokey x 37 1 km
	GEORADIUS str 15 37 1 km
	GEORADIUS Sicily 15 37 200 km STORE dst
	ZRANGE dst 0 -1 WITHSCORES
	GEORADIUS Sicily 15 37 200 km STOREDIST dst
	ZRANGE dst 0 -1 WITHSCORES
	GEORADIUS Sicily 15 37 200 km STOREDIST dst COUNT 1
	ZRANGE dst 0 -1 WITHSCORES
	GEORADIUS Sicily 15 37 200 km STORE dst STOREDIST dst2
	ZRANGE dst2 0 -1 WITHSCORES
	GEORADIUS Sicily 15 37 1 m STORE dst
	EXISTS dst
	SET dst x
	GEORADIUS nokey 15 37 1 km STORE dst
	EXISTS dst
	GEORADIUS_RO Sicily 15 37 200 km WITHDIST ASC
	GEORADIUS_RO Sicily 15 37 200 km STORE dst
	GEORADIUS_RO nokey 15 37 1 km

	GEORADIUSBYMEMBER Sicily Palermo 200 km WITHDIST
	GEORADIUSBYMEMBER Sicily Palermo 200 km WITHDIST WITHCOORD DESC
	GEORADIUSBYMEMBER Sicily Palermo 200 km COUNT 1 ANY
	GEORADIUSBYMEMBER Sicily Palermo 200 km STORE dst
	ZRANGE dst 0 -1 WITHSCORES
	GEORADIUSBYMEMBER Sicily nope 200 km
	GEORADIUSBYMEMBER Sicily Palermo x km
	GEORADIUSBYMEMBER Sicily Palermo 1 foo
	GEORADIUSBYMEMBER nokey x x x
	GEORADIUSBYMEMBER nokey x x x STORE dst
	GEORADIUSBYMEMBER nokey x x x FOO
	GEORADIUSBYMEMBER str a 1 km
	GEORADIUSBYMEMBER_RO Sicily Palermo 200 km ASC WITHHASH
	GEORADIUSBYMEMBER_RO Sicily Palermo 200 km STORE dst

	GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC
	GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km
	GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km WITHDIST WITHCOORD WITHHASH
	GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST
	GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km
	GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 100 km WITHDIST
	GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 100 400 km WITHDIST
	GEOSEARCH Sicily FROMLONLAT 15 -37 BYBOX 400 400 km WITHDIST
	GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 0 0 km
	GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 1 1 m
	GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 1 ANY
	GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 1 DESC
	GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1 km FROMMEMBER Palermo
	GEOSEARCH Sicily FROMLONLAT 15 37 FROMLONLAT 15 37 BYRADIUS 1 km
	GEOSEARCH Sicily FROMMEMBER Palermo FROMLONLAT 15 37 BYRADIUS 1 km
	GEOSEARCH Sicily FROMLONLAT 15 37 FROMMEMBER Palermo BYRADIUS 1 km
	GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km BYBOX 1 1 km
	GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 km BYRADIUS 1 km
	GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km BYRADIUS 2 km
	GEOSEARCH Sicily BYRADIUS 1 km ASC WITHDIST
	GEOSEARCH Sicily FROMLONLAT 15 37 ASC WITHDIST
	GEOSEARCH Sicily FROMMEMBER nope BYRADIUS 1 km
	GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 -1 km
	GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX -1 1 km
	GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX x 1 km
	GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 x km
	GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 foo
	GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS -1 km
	GEOSEARCH Sicily FROMLONLAT 200 37 BYRADIUS 1 km
	GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km STORE d
	GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km STOREDIST
	GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km ANY
	GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km COUNT 0
	GEOSEARCH nokey FROMLONLAT 15 37 BYRADIUS 1 km
	GEOSEARCH nokey FROMMEMBER x BYRADIUS 1 km
	GEOSEARCH nokey FROMMEMBER x BYBOX 1 1 km FOO
	GEOSEARCH nokey BYRADIUS 1 km ASC ASC
	GEOSEARCH str FROMLONLAT 15 37 BYRADIUS 1 km
	GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km
	ZRANGE dst 0 -1 WITHSCORES
	GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST
	ZRANGE dst 0 -1 WITHSCORES
	GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km COUNT 1 DESC STOREDIST
	ZRANGE dst 0 -1 WITHSCORES
	GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST
	GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE x
	GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 1 m
	EXISTS dst
	GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYRADIUS 1 m
	GEOSEARCHSTORE dst str FROMLONLAT 15 37 BYRADIUS 1 m
	GEOSEARCHSTORE Sicily Sicily FROMMEMBER Palermo BYRADIUS 1 km
	ZRANGE Sicily 0 -1 WITHSCORES

	# Members added with ZADD and odd scores
	ZADD zg 0 zero 4503599627370495 max52 3471579339700058 sicily
	GEOPOS zg zero max52 sicily
	GEOHASH zg zero max52 sicily
	GEODIST zg zero max52

	# arity
	GEOADD k 1 2
	GEOPOS
	GEODIST k a
	GEOHASH
	GEORADIUS k 1 2 3
	GEORADIUSBYMEMBER k a 1
	GEOSEARCH k FROMLONLAT 1 2 BYRADIUS 1
	GEOSEARCHSTORE d k FROMLONLAT 1 2 BYRADIUS 1
`

func TestGeoDifferential(t *testing.T) { zDiffScript(t, 2, geoScript) }

func TestGeoDifferentialRESP3(t *testing.T) { zDiffScript(t, 3, geoScript) }

// TestGeoRandomDifferential adds random points around a few centres and runs random
// searches, comparing the results, their order (also without ASC/DESC, which follows
// the geohash cells' scan), ANY's picks and the printed numbers.
func TestGeoRandomDifferential(t *testing.T) {
	d := newZDiffer(t, 2)
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(uint64(seed), 0))
	centres := [][2]float64{{13.36, 38.11}, {-73.98, 40.75}, {179.5, -16.5}, {0.01, 0.01}, {25, 78}}
	coord := func(c [2]float64, spread float64) (string, string) {
		lon := c[0] + (r.Float64()*2-1)*spread
		lat := c[1] + (r.Float64()*2-1)*spread/2
		lon = min(max(lon, -180), 180)
		lat = min(max(lat, -85), 85)
		return strconv.FormatFloat(lon, 'f', 6, 64), strconv.FormatFloat(lat, 'f', 6, 64)
	}
	for i := 0; i < 400; i++ {
		c := centres[r.IntN(len(centres))]
		lon, lat := coord(c, []float64{0.01, 0.5, 3}[r.IntN(3)])
		d.step(t, []string{"GEOADD", "g", lon, lat, fmt.Sprintf("p%d", i)}, zExact, "add")
	}
	units := []string{"m", "km", "mi", "ft"}
	for i := 0; i < 600; i++ {
		c := centres[r.IntN(len(centres))]
		lon, lat := coord(c, 1)
		unit := units[r.IntN(len(units))]
		perUnit := map[string]float64{"m": 1, "km": 1000, "mi": 1609.34, "ft": 0.3048}[unit]
		dist := strconv.FormatFloat((r.Float64()*300000+10)/perUnit, 'f', 3, 64)
		var args []string
		switch r.IntN(4) {
		case 0:
			args = []string{"GEORADIUS", "g", lon, lat, dist, unit}
		case 1:
			args = []string{"GEORADIUSBYMEMBER", "g", fmt.Sprintf("p%d", r.IntN(400)), dist, unit}
		case 2:
			args = []string{"GEOSEARCH", "g", "FROMLONLAT", lon, lat, "BYRADIUS", dist, unit}
		default:
			h := strconv.FormatFloat((r.Float64()*300000+10)/perUnit, 'f', 3, 64)
			args = []string{"GEOSEARCH", "g", "FROMMEMBER", fmt.Sprintf("p%d", r.IntN(400)), "BYBOX", dist, h, unit}
		}
		if r.IntN(2) == 0 {
			args = append(args, "WITHDIST")
		}
		if r.IntN(3) == 0 {
			args = append(args, "WITHCOORD")
		}
		if r.IntN(4) == 0 {
			args = append(args, "WITHHASH")
		}
		switch r.IntN(4) {
		case 0:
			args = append(args, "ASC")
		case 1:
			args = append(args, "DESC")
		}
		if r.IntN(3) == 0 {
			args = append(args, "COUNT", strconv.Itoa(1+r.IntN(5)))
			if r.IntN(2) == 0 {
				args = append(args, "ANY")
			}
		}
		d.step(t, args, zExact, fmt.Sprintf("step %d: %s (seed %d)", i, strings.Join(args, " "), seed))
	}
	for i := 0; i < 100; i++ {
		a, b := fmt.Sprintf("p%d", r.IntN(400)), fmt.Sprintf("p%d", r.IntN(400))
		d.step(t, []string{"GEODIST", "g", a, b, units[r.IntN(4)]}, zExact, "geodist")
		d.step(t, []string{"GEOPOS", "g", a, b}, zExact, "geopos")
		d.step(t, []string{"GEOHASH", "g", a, b}, zExact, "geohash")
	}
}

func TestGeoGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		require.Equal(t, int64(2), rdb.GeoAdd(ctx, "Sicily",
			&redis.GeoLocation{Name: "Palermo", Longitude: 13.361389, Latitude: 38.115556},
			&redis.GeoLocation{Name: "Catania", Longitude: 15.087269, Latitude: 37.502669}).Val())
		pos := rdb.GeoPos(ctx, "Sicily", "Palermo", "nope").Val()
		require.Len(t, pos, 2)
		require.InDelta(t, 13.361389, pos[0].Longitude, 1e-5)
		require.InDelta(t, 38.115556, pos[0].Latitude, 1e-5)
		require.Nil(t, pos[1])
		require.Equal(t, 166.2742, rdb.GeoDist(ctx, "Sicily", "Palermo", "Catania", "km").Val())
		require.Equal(t, []string{"sqc8b49rny0", "sqdtr74hyu0"}, rdb.GeoHash(ctx, "Sicily", "Palermo", "Catania").Val())

		locs, err := rdb.GeoRadius(ctx, "Sicily", 15, 37, &redis.GeoRadiusQuery{
			Radius: 200, Unit: "km", WithDist: true, WithCoord: true, WithGeoHash: true, Sort: "ASC"}).Result()
		require.NoError(t, err)
		require.Len(t, locs, 2)
		require.Equal(t, "Catania", locs[0].Name)
		require.Equal(t, 56.4413, locs[0].Dist)
		require.Equal(t, int64(3479447370796909), locs[0].GeoHash)
		require.InDelta(t, 15.087269, locs[0].Longitude, 1e-5)
		require.Equal(t, "Palermo", locs[1].Name)
		require.Equal(t, 190.4424, locs[1].Dist)

		byMember, err := rdb.GeoRadiusByMember(ctx, "Sicily", "Palermo", &redis.GeoRadiusQuery{Radius: 100, Unit: "km"}).Result()
		require.NoError(t, err)
		require.Equal(t, []redis.GeoLocation{{Name: "Palermo"}}, byMember)
		require.Equal(t, int64(2), rdb.GeoRadiusStore(ctx, "Sicily", 15, 37, &redis.GeoRadiusQuery{Radius: 200, Unit: "km", Store: "dst"}).Val())
		require.Equal(t, int64(2), rdb.ZCard(ctx, "dst").Val())

		names, err := rdb.GeoSearch(ctx, "Sicily", &redis.GeoSearchQuery{
			Longitude: 15, Latitude: 37, BoxWidth: 400, BoxHeight: 400, BoxUnit: "km", Sort: "DESC"}).Result()
		require.NoError(t, err)
		require.Equal(t, []string{"Palermo", "Catania"}, names)
		withDist, err := rdb.GeoSearchLocation(ctx, "Sicily", &redis.GeoSearchLocationQuery{
			GeoSearchQuery: redis.GeoSearchQuery{Member: "Palermo", Radius: 200, RadiusUnit: "km", Count: 1, Sort: "DESC"},
			WithDist:       true}).Result()
		require.NoError(t, err)
		require.Equal(t, []redis.GeoLocation{{Name: "Catania", Dist: 166.2742}}, withDist)
		require.Equal(t, int64(2), rdb.GeoSearchStore(ctx, "Sicily", "dist", &redis.GeoSearchStoreQuery{
			GeoSearchQuery: redis.GeoSearchQuery{Longitude: 15, Latitude: 37, Radius: 200, RadiusUnit: "km"},
			StoreDist:      true}).Val())
		require.Equal(t, []redis.Z{{Score: 56.4413, Member: "Catania"}, {Score: 190.4424, Member: "Palermo"}},
			roundScores(rdb.ZRangeWithScores(ctx, "dist", 0, -1).Val()))
		require.Error(t, rdb.GeoAdd(ctx, "Sicily", &redis.GeoLocation{Name: "x", Longitude: 200, Latitude: 100}).Err())
	})
}

func roundScores(zs []redis.Z) []redis.Z {
	for i := range zs {
		zs[i].Score, _ = strconv.ParseFloat(strconv.FormatFloat(zs[i].Score, 'f', 4, 64), 64)
	}
	return zs
}
