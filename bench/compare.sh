#!/usr/bin/env bash
# bench/compare.sh: Cinnabar and a reference redis-server side by side under the same
# redis-benchmark workloads, plus a memory-per-key measurement. See bench/README.md.
#
# Both servers are started here, on free loopback ports, pinned to one CPU; the client
# (redis-benchmark, the loader) is pinned to another. Runs alternate between the servers
# (ABBA order per round) and the table reports per workload the median rps of each and
# the ratio Cinnabar/Redis. Nothing else is touched: no other redis instance is used.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$ROOT
ROUNDS=5
TESTS=set,get,incr,lpush,rpop,sadd,hset,spop,zadd,lrange_100,mset
ROWS=""            # custom rows (see row_def); none by default
PIPELINES="1 16"
CLIENTS=50
DATASIZE=64
TARGET_SECS=2      # wall time of one run against the slower server
REQUESTS=""        # fixed -n; empty means calibrate per workload
MEM=1
THROUGHPUT=1
MEM_KEYS=1000000
MEM_SIZE=100
MEM_SETTLE=2s
SERVER_CPU=0
CLIENT_CPU=1
RUN_TIMEOUT=60     # hard limit on one redis-benchmark run, seconds
OUT=""

# The suites: the workloads each open issue asks for. The rows are defined further down
# (row_def and what follows it).
COLLECTIONS_TESTS=lpush,lpop,lrange_100,sadd,spop,hset,zadd
COLLECTIONS_ROWS=zrange,zrank
SCRIPTING_ROWS=evalsha,multi,publish_1,publish_100
STREAMS_ROWS=xadd,xreadgroup,pfadd,pfcount
ALL_ROWS=$COLLECTIONS_ROWS,$SCRIPTING_ROWS,$STREAMS_ROWS

usage() {
	cat <<EOF
usage: bench/compare.sh [options]

  --quick             smoke test: 1 round, set,get,lpush,mset, short runs, 100k keys
  --rounds N          runs per server and workload (default $ROUNDS)
  --suite NAME        collections | scripting | streams | all: the workloads of one
                      issue (redis-benchmark -t tests plus custom rows), no memory run;
                      --tests / --rows given after it change its lists
  --tests LIST        redis-benchmark -t list (default $TESTS)
  --rows LIST         custom rows (default none): $ALL_ROWS
  --pipelines "P..."  pipeline depths (default "$PIPELINES")
  --clients N         -c (default $CLIENTS)    --datasize N   -d (default $DATASIZE)
  --target-secs S     seconds one run should take on the slower server (default $TARGET_SECS)
  --requests N        fixed -n instead of calibrating
  --no-mem            skip the memory measurement    --mem-only   only the memory one
  --mem-keys N        keys loaded for the memory measurement (default $MEM_KEYS)
  --mem-settle D      wait before the second memory reading (default $MEM_SETTLE; Go
                      forces a GC every 2 min, so 130s shows the collected state)
  --src DIR           Cinnabar source tree to build (default $ROOT)
  --out FILE          also write the markdown report to FILE
  --server-cpu N / --client-cpu N   CPUs to pin to (default $SERVER_CPU / $CLIENT_CPU)

Environment: GOGC and GOMEMLIMIT are passed to Cinnabar unchanged and reported.
EOF
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) ROUNDS=1 TESTS=set,get,lpush,mset TARGET_SECS=0.5 MEM_KEYS=100000 ;;
	--rounds) ROUNDS=$2; shift ;;
	--suite)
		case $2 in
		collections) TESTS=$COLLECTIONS_TESTS ROWS=$COLLECTIONS_ROWS ;;
		scripting) TESTS="" ROWS=$SCRIPTING_ROWS ;;
		streams) TESTS="" ROWS=$STREAMS_ROWS ;;
		all) TESTS=$COLLECTIONS_TESTS ROWS=$ALL_ROWS ;;
		*) echo "compare.sh: unknown suite $2" >&2; usage >&2; exit 2 ;;
		esac
		MEM=0
		shift
		;;
	--tests) TESTS=$2; shift ;;
	--rows) ROWS=$2; shift ;;
	--pipelines) PIPELINES=$2; shift ;;
	--clients) CLIENTS=$2; shift ;;
	--datasize) DATASIZE=$2; shift ;;
	--target-secs) TARGET_SECS=$2; shift ;;
	--requests) REQUESTS=$2; shift ;;
	--no-mem) MEM=0 ;;
	--mem-only) THROUGHPUT=0 ;;
	--mem-keys) MEM_KEYS=$2; shift ;;
	--mem-settle) MEM_SETTLE=$2; shift ;;
	--src) SRC=$(cd "$2" && pwd); shift ;;
	--out) OUT=$2; shift ;;
	--server-cpu) SERVER_CPU=$2; shift ;;
	--client-cpu) CLIENT_CPU=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "compare.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

for tool in go redis-server redis-benchmark taskset timeout; do
	command -v "$tool" >/dev/null || { echo "compare.sh: $tool not found on PATH" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/cinnabar-bench.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

log "building Cinnabar from $SRC and the loader"
(cd "$SRC" && go build -o "$WORK/cinnabar" ./cmd/server)
(cd "$ROOT" && go build -o "$WORK/loader" ./bench/loader)
LOADER=$WORK/loader

# start_server NAME: starts a fresh instance pinned to SERVER_CPU and sets
# ${NAME}_PORT and ${NAME}_PID. NAME is redis or cinnabar.
start_server() {
	local name=$1 port pid
	port=$("$LOADER" freeport)
	[ -n "$port" ] || { echo "compare.sh: no free port" >&2; exit 1; }
	case $name in
	redis)
		taskset -c "$SERVER_CPU" redis-server --port "$port" --bind 127.0.0.1 --save "" \
			--appendonly no --daemonize no --logfile "$WORK/redis-$port.log" &
		;;
	cinnabar)
		taskset -c "$SERVER_CPU" "$WORK/cinnabar" --port "$port" --bind 127.0.0.1 --save "" \
			--appendonly no >"$WORK/cinnabar-$port.log" 2>&1 &
		;;
	esac
	pid=$!
	PIDS+=("$pid")
	if ! "$LOADER" wait -addr "127.0.0.1:$port" -timeout 15s; then
		echo "compare.sh: $name did not start; its log:" >&2
		cat "$WORK/$name-$port.log" >&2 || true
		exit 1
	fi
	printf -v "${name}_PORT" %s "$port"
	printf -v "${name}_PID" %s "$pid"
}

# stop_server NAME
stop_server() {
	local pidvar=${1}_PID
	local pid=${!pidvar}
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	local kept=()
	for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
	PIDS=("${kept[@]}")
}

port_of() { local v=${1}_PORT; echo "${!v}"; }

alive() { local v=${1}_PID; kill -0 "${!v}" 2>/dev/null; }

rcmd() { # rcmd NAME CMD ARG...: one command; stdout is the reply
	local name=$1; shift
	"$LOADER" do -addr "127.0.0.1:$(port_of "$name")" -timeout 10s "$@"
}

# probe TEST: the commands that show a server implements a workload's command.
probe_cmds() {
	case $1 in
	set) echo "SET probe:s v" ;;
	get) echo "SET probe:s v;GET probe:s" ;;
	incr) echo "INCR probe:n" ;;
	lpush) echo "LPUSH probe:l v" ;;
	rpop) echo "LPUSH probe:l v;RPOP probe:l" ;;
	lpop) echo "LPUSH probe:l v;LPOP probe:l" ;;
	sadd) echo "SADD probe:set m" ;;
	spop) echo "SADD probe:set m;SPOP probe:set" ;;
	hset) echo "HSET probe:h f v" ;;
	zadd) echo "ZADD probe:z 1 m" ;;
	lrange_100) echo "LPUSH probe:l v;LRANGE probe:l 0 99" ;;
	mset) echo "MSET probe:a 1 probe:b 2" ;;
	*) echo "PING" ;;
	esac
}

# probe NAME TEST: succeeds when every probe command of TEST gets a non-error reply;
# otherwise prints the error. A custom row is probed with its prefill and one request.
probe() {
	local name=$1 test=$2 cmd reply
	if is_row "$test"; then
		probe_row "$name" "$test"
		return
	fi
	local IFS=';'
	for cmd in $(probe_cmds "$test"); do
		IFS=' ' read -r -a words <<<"$cmd"
		if ! reply=$(rcmd "$name" "${words[@]}" 2>&1); then
			echo "$reply" | head -1
			return 1
		fi
	done
	rcmd "$name" FLUSHALL >/dev/null
}

# units: workloads that run in one redis-benchmark invocation because later ones use
# the data of earlier ones (GET reads SET's key, RPOP and LPOP pop LPUSH's list, SPOP
# pops SADD's set). Each run starts from FLUSHALL. A test already measured in an earlier
# unit (LPUSH when both pops are selected) only feeds a later one and is not recorded
# twice. Every custom row is a unit of its own, after these.
UNITS="set,get incr lpush,rpop lpush,lpop sadd,spop hset zadd lrange_100 mset"

selected() { [[ ",$TESTS,$ROWS," == *",$1,"* ]]; }

is_row() { [[ ",$ALL_ROWS," == *",$1,"* ]]; }

# unit_tests UNIT: the tests of UNIT that are selected and available on both servers.
unit_tests() {
	local t out=""
	for t in ${1//,/ }; do
		selected "$t" && [[ ",$AVAILABLE" == *",$t,"* ]] && out+="$t,"
	done
	echo "${out%,}"
}

# The sliding-window limiter as it is commonly written: drop the entries that left the
# window, count, admit and record. The limit (ARGV[2] = 1000 per 1000 ms per key, over
# 1000 keys) is above any key's rate here, so every call runs all four commands and
# the work per call does not depend on how fast the server is.
RATE_LIMIT_LUA=$(cat "$ROOT/bench/ratelimit.lua") # the Go benchmarks run the same file
RATE_LIMIT_SHA=$(printf %s "$RATE_LIMIT_LUA" | sha1sum | cut -d' ' -f1)

# row_label ROW: the name of a custom row in the table.
row_label() {
	case $1 in
	zrange) echo "zrange 0 9 (zset of 1000)" ;;
	zrank) echo "zrank (zset of 1000)" ;;
	evalsha) echo "evalsha sliding-window limiter" ;;
	multi) echo "multi incr expire exec (tx/s)" ;;
	publish_1) echo "publish, 1 subscriber" ;;
	publish_100) echo "publish, 100 subscribers" ;;
	xadd) echo "xadd" ;;
	xreadgroup) echo "xreadgroup+xack (entries/s)" ;;
	pfadd) echo "pfadd" ;;
	pfcount) echo "pfcount (10k elements)" ;;
	*) echo "$1" ;;
	esac
}

# row_bench ROW: "RANGE CMD ARG..." for a row redis-benchmark runs (RANGE is its -r, the
# range of __rand_int__); nothing for a bench/loader row.
row_bench() {
	case $1 in
	zrange) echo "1 ZRANGE bench:z 0 9" ;;
	zrank) echo "1000 ZRANK bench:z member:__rand_int__" ;;
	evalsha) echo "1000 EVALSHA $RATE_LIMIT_SHA 1 rl:__rand_int__ 1000 1000 __rand_int__" ;;
	xadd) echo "1000000 XADD bench:stream * field __rand_int__" ;;
	pfadd) echo "1000000 PFADD bench:hll el:__rand_int__" ;;
	pfcount) echo "1 PFCOUNT bench:hll" ;;
	esac
}

# row_loader ROW: the bench/loader run flags of a row redis-benchmark cannot express.
row_loader() {
	case $1 in
	multi) echo "-workload multi -r 1000" ;;
	publish_1) echo "-workload pubsub -subscribers 1 -d $DATASIZE" ;;
	publish_100) echo "-workload pubsub -subscribers 100 -d $DATASIZE" ;;
	xreadgroup) echo "-workload xreadgroup -count 10 -key bench:stream -group bench" ;;
	esac
}

# row_prep NAME ROW N: what ROW needs in server NAME's flushed keyspace before a run of
# N requests.
row_prep() {
	local s=$1 row=$2 n=$3
	case $row in
	zrange | zrank) fill "$s" 1000 ZADD bench:z __i__ member:__i__ ;;
	pfadd | pfcount) fill "$s" 10000 PFADD bench:hll el:__i__ ;;
	evalsha) [ "$(rcmd "$s" SCRIPT LOAD "$RATE_LIMIT_LUA" | tail -1)" = "$RATE_LIMIT_SHA" ] ;;
	xreadgroup)
		fill "$s" "$n" XADD bench:stream '*' field __i__ &&
			rcmd "$s" XGROUP CREATE bench:stream bench 0 >/dev/null
		;;
	esac
}

# fill NAME N CMD ARG...: bench/loader fill (N pipelined copies, __i__ numbered).
fill() {
	local s=$1 n=$2
	shift 2
	taskset -c "$CLIENT_CPU" "$LOADER" fill -addr "127.0.0.1:$(port_of "$s")" -n "$n" -timeout 120s "$@" >/dev/null
}

# probe_row NAME ROW: ROW's prefill and one request, checked for error replies (which
# redis-benchmark would count as answers).
probe_row() {
	local s=$1 row=$2 reply words
	rcmd "$s" FLUSHALL >/dev/null
	if ! reply=$(row_prep "$s" "$row" 100 2>&1); then
		echo "prefill failed: $(echo "$reply" | head -1)"
		return 1
	fi
	if words=$(row_bench "$row") && [ -n "$words" ]; then
		read -r -a words <<<"$words"
		words=("${words[@]:1}")
		reply=$(rcmd "$s" "${words[@]//__rand_int__/000000000001}" 2>&1) ||
			{ echo "$reply" | head -1; return 1; }
	else
		read -r -a words <<<"$(row_loader "$row")"
		reply=$(timeout 30 "$LOADER" run -addr "127.0.0.1:$(port_of "$s")" "${words[@]}" -c 2 -n 100 2>&1) ||
			{ echo "$reply" | grep -v '^loader: [a-z]*: [0-9]' | head -1; return 1; }
	fi
	rcmd "$s" FLUSHALL >/dev/null
}

# csv_to_rows: redis-benchmark --csv on stdin -> "test rps" lines; the LRANGE prefill
# row is reported as "prefill".
csv_to_rows() {
	awk -F'","' 'NR > 1 {
		t = $1; gsub(/"/, "", t); r = $2; gsub(/"/, "", r)
		if (t ~ /needed to benchmark/) name = "prefill"
		else { split(t, w, " "); name = tolower(w[1]) }
		print name, r
	}'
}

# client_run NAME P UNIT N: one run of the client, redis-benchmark or bench/loader, pinned
# to CLIENT_CPU; prints "test rps" lines (a row's own name for a custom row).
client_run() {
	local s=$1 p=$2 unit=$3 n=$4 words
	local port
	port=$(port_of "$s")
	if ! is_row "$unit"; then
		timeout "$RUN_TIMEOUT" taskset -c "$CLIENT_CPU" redis-benchmark -h 127.0.0.1 -p "$port" \
			-t "$unit" -n "$n" -c "$CLIENTS" -d "$DATASIZE" -P "$p" --csv 2>"$WORK/bench.err" | csv_to_rows
	elif words=$(row_bench "$unit") && [ -n "$words" ]; then
		read -r -a words <<<"$words"
		timeout "$RUN_TIMEOUT" taskset -c "$CLIENT_CPU" redis-benchmark -h 127.0.0.1 -p "$port" \
			-n "$n" -c "$CLIENTS" -P "$p" -r "${words[0]}" --csv "${words[@]:1}" 2>"$WORK/bench.err" |
			csv_to_rows | awk -v r="$unit" '{ print r, $2 }'
	else
		# -duration leaves the subscribers' drain time inside RUN_TIMEOUT.
		read -r -a words <<<"$(row_loader "$unit")"
		timeout "$RUN_TIMEOUT" taskset -c "$CLIENT_CPU" "$LOADER" run -addr "127.0.0.1:$port" "${words[@]}" \
			-c "$CLIENTS" -P "$p" -n "$n" -duration "$((RUN_TIMEOUT - 20))s" 2>"$WORK/bench.err" |
			awk -v r="$unit" '{ print r, $2 }'
	fi
}

# server_cpu NAME: CPU time used so far by all of server NAME's threads, in ns.
server_cpu() {
	local v=${1}_PID
	cat /proc/"${!v}"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# unit_run NAME P UNIT N: FLUSHALL, the unit's prefill, then one client run; prints
# "test rps cpu us" lines: cpu is the client's CPU use in % of one CPU over the run (near
# 100: the client, not the server, may set the pace); us is the server's CPU time per
# request in µs, over every request of the run (one invocation's tests, LRANGE's
# prefill included), which other load on the machine slows less than it does rps.
unit_run() {
	local s=$1 p=$2 unit=$3 n=$4 rows cpu us c0 c1 TIMEFORMAT=%P
	rcmd "$s" FLUSHALL >/dev/null || return 1
	if is_row "$unit"; then
		row_prep "$s" "$unit" "$n" >"$WORK/bench.err" 2>&1 || return 1
	fi
	c0=$(server_cpu "$s")
	{ time client_run "$s" "$p" "$unit" "$n" >"$WORK/rows.txt"; } 2>"$WORK/cpu.txt" || return 1
	c1=$(server_cpu "$s")
	rows=$(cat "$WORK/rows.txt")
	[ -n "$rows" ] || return 1
	cpu=$(tail -1 "$WORK/cpu.txt")
	us=$(awk -v a="$c0" -v b="$c1" -v n="$n" -v k="$(wc -l <"$WORK/rows.txt")" 'BEGIN { printf "%.2f", (b - a) / 1000 / (n * k) }')
	echo "$rows" | awk -v c="$cpu" -v u="$us" '{ print $1, $2, c, u }'
}

# secs_per_request: "test rps" lines on stdin -> seconds per request of the whole run.
secs_per_request() { awk '$2 > 0 { s += 1 / $2 } END { printf "%.12f\n", s }'; }

# runs P TEST SERVER [FIELD]: one field (default 4, rps; 5 the client's CPU, 6 the
# server's µs per request) of every recorded run.
runs() { awk -v p="$1" -v t="$2" -v s="$3" -v f="${4:-4}" '$1 == p && $2 == t && $3 == s { print $f }' "$RESULTS"; }

spread() { sort -g | awk '{ v[NR] = $1 } END {
	if (NR < 2) { print "-"; exit }
	m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%.0f%%\n", 100 * (v[NR] - v[1]) / m }'; }

# median [FORMAT]: the median of the numbers on stdin (printf FORMAT, default %.0f).
median() { sort -g | awk -v f="${1:-%.0f}\n" '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) printf f, v[(NR + 1) / 2]; else printf f, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

REPORT=$WORK/report.md
RESULTS=$WORK/results.txt # pipeline test server rps client-cpu server-us
NOTES=$WORK/notes.txt
: >"$RESULTS"
: >"$NOTES"
: >"$WORK/n.txt"
: >"$WORK/load.txt"
GOGC_NOTE=${GOGC:-unset, so the server GC tuner (server/gctune.go) picks 25..100 from the live heap}

{
	echo "## Environment"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- nproc: $(nproc); CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- $(go version)"
	echo "- $(redis-server --version | cut -d' ' -f1-3,6)"
	echo "- Cinnabar built from $SRC ($(cd "$SRC" && git rev-parse --short HEAD 2>/dev/null || echo 'no git')$(cd "$SRC" && [ -n "$(git status --porcelain 2>/dev/null | head -1)" ] && echo ', with uncommitted changes'))"
	echo "- servers pinned with taskset -c $SERVER_CPU (so Cinnabar runs with GOMAXPROCS=1); clients pinned with taskset -c $CLIENT_CPU"
	echo "- Cinnabar GOGC: $GOGC_NOTE${GOMEMLIMIT:+; GOMEMLIMIT=$GOMEMLIMIT}"
	echo "- redis-server --save \"\" --appendonly no; cinnabar --save \"\" --appendonly no"
	echo
} >"$REPORT"

LOAD1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
	{
		echo "**Warning: load average $LOAD1 on $(nproc) CPUs at start: other work shares the CPUs"
		echo "the servers and the client are pinned to, so rps are low and noisy. Compare the"
		echo "ratios only where both spreads are small, or rerun on a quiet machine.**"
		echo
	} >>"$REPORT"
	log "warning: load average $LOAD1; results will be noisy"
fi

if [ "$THROUGHPUT" = 1 ]; then
	start_server redis
	start_server cinnabar
	log "redis-server on :$redis_PORT (pid $redis_PID), Cinnabar on :$cinnabar_PORT (pid $cinnabar_PID)"

	# Which workloads can run at all.
	AVAILABLE=""
	for t in ${TESTS//,/ } ${ROWS//,/ }; do
		if why=$(probe cinnabar "$t"); then
			if why=$(probe redis "$t"); then
				AVAILABLE+="$t,"
			else
				echo "- $t: n/a (the reference redis-server refused the probe: $why)" >>"$NOTES"
			fi
		else
			echo "- $t: n/a for Cinnabar (probe: $why)" >>"$NOTES"
		fi
	done
	log "workloads available on both: ${AVAILABLE%,}"

	# The runs to make, one per unit with selected tests; a unit is left out when each of
	# its tests also runs in a later unit that feeds it to another (LPUSH alone, when
	# LPUSH,LPOP runs later anyway).
	PLAN=()
	units=($UNITS ${ROWS//,/ })
	for ((i = 0; i < ${#units[@]}; i++)); do
		tests=$(unit_tests "${units[i]}")
		[ -n "$tests" ] || continue
		covered=1
		for t in ${tests//,/ }; do
			fed=0
			for ((j = i + 1; j < ${#units[@]}; j++)); do
				later=$(unit_tests "${units[j]}")
				[[ ",$later," == *",$t,"* && $later == *,* ]] && fed=1
			done
			((fed)) || covered=0
		done
		((covered)) || PLAN+=("$tests")
	done

	for p in $PIPELINES; do
		recorded=","
		for tests in "${PLAN[@]}"; do
			# A test measured in an earlier unit only feeds this one.
			feed=","
			for t in ${tests//,/ }; do
				[[ $recorded == *",$t,"* ]] && feed+="$t,"
			done
			[ "$feed" != ",$tests," ] || continue # nothing new to measure
			recorded+="$tests,"
			n=$REQUESTS
			if [ -z "$n" ]; then
				# Calibrate on both servers (this doubles as a warm-up): size -n so the
				# slower one takes TARGET_SECS.
				ncal=$((p == 1 ? 5000 : 50000))
				worst=0
				for s in redis cinnabar; do
					spr=$(unit_run "$s" "$p" "$tests" "$ncal" | secs_per_request) || spr=0
					worst=$(awk -v a="$worst" -v b="$spr" 'BEGIN { print (b > a ? b : a) }')
				done
				n=$(awk -v w="$worst" -v t="$TARGET_SECS" 'BEGIN {
					n = (w > 0) ? t / w : 100000; n = int(n / 1000) * 1000
					if (n < 2000) n = 2000; if (n > 5000000) n = 5000000; print n }')
			fi
			log "P=$p tests=$tests n=$n"
			for t in ${tests//,/ }; do [[ $feed == *",$t,"* ]] || echo "$p $t $n" >>"$WORK/n.txt"; done
			for ((r = 1; r <= ROUNDS; r++)); do
				if ((r % 2)); then order="cinnabar redis"; else order="redis cinnabar"; fi
				for s in $order; do
					if ! alive "$s"; then
						echo "- $s died during P=$p $tests (round $r); later runs skipped" >>"$NOTES"
						continue
					fi
					cut -d' ' -f1 /proc/loadavg >>"$WORK/load.txt"
					if rows=$(unit_run "$s" "$p" "$tests" "$n") && [ -n "$rows" ]; then
						echo "$rows" | awk -v p="$p" -v s="$s" -v feed="$feed" \
							'$1 != "prefill" && index(feed, "," $1 ",") == 0 { print p, $1, s, $2, $3, $4 }' >>"$RESULTS"
					else
						echo "- P=$p $tests round $r on $s: the client failed: $(head -c 300 "$WORK/bench.err" | tr '\n' ' ')" >>"$NOTES"
					fi
				done
			done
		done
	done

	{
		echo "## Throughput (redis-benchmark or bench/loader run, -c $CLIENTS -d $DATASIZE, median of $ROUNDS runs each)"
		echo
		echo "Spread is (max - min) / median over the runs of one server: a rough noise gauge."
		echo "Server µs/req is the server's CPU time per request (all its threads, median; for"
		echo "tests run in one redis-benchmark invocation, e.g. set,get, the invocation's average),"
		echo "Redis / Cinnabar: other load on the machine inflates it less than it deflates rps."
		echo "Client CPU is the client's median CPU use over a run, in % of its one CPU, against"
		echo "Redis / against Cinnabar: near 100 the client, not the server, may set the pace."
		echo
		echo "| workload | pipeline | -n | Redis rps | spread | Cinnabar rps | spread | Cinnabar/Redis | server µs/req | client CPU |"
		echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	} >>"$REPORT"
	for p in $PIPELINES; do
		for t in ${TESTS//,/ } ${ROWS//,/ }; do
			rr=$(runs "$p" "$t" redis | median)
			cr=$(runs "$p" "$t" cinnabar | median)
			rs=$(runs "$p" "$t" redis | spread)
			cs=$(runs "$p" "$t" cinnabar | spread)
			ratio=n/a
			if [ "$rr" != n/a ] && [ "$cr" != n/a ]; then
				ratio=$(awk -v a="$cr" -v b="$rr" 'BEGIN { printf "%.2f", a / b }')
			fi
			nn=$(awk -v p="$p" -v t="$t" '$1 == p && $2 == t { print $3 }' "$WORK/n.txt")
			cpu="$(runs "$p" "$t" redis 5 | median) / $(runs "$p" "$t" cinnabar 5 | median)"
			us="$(runs "$p" "$t" redis 6 | median %.1f) / $(runs "$p" "$t" cinnabar 6 | median %.1f)"
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(row_label "$t")" "$p" "${nn:-}" "$rr" "$rs" "$cr" "$cs" "$ratio" "$us" "$cpu" >>"$REPORT"
		done
	done
	echo >>"$REPORT"
	stop_server redis
	stop_server cinnabar
fi

if [ "$MEM" = 1 ]; then
	start_server redis
	start_server cinnabar
	log "memory: loading $MEM_KEYS keys of $MEM_SIZE bytes into each"
	{
		echo "## Memory"
		echo
		taskset -c "$CLIENT_CPU" "$LOADER" mem -n "$MEM_KEYS" -size "$MEM_SIZE" -batch 1000 -settle "$MEM_SETTLE" -timeout 180s \
			"redis=127.0.0.1:$redis_PORT@$redis_PID" "cinnabar=127.0.0.1:$cinnabar_PORT@$cinnabar_PID"
		echo
		echo "Cinnabar's used_memory is the Go heap in use (HeapAlloc, including garbage not yet"
		echo "collected); Redis's is what jemalloc handed out. RSS is VmRSS from /proc/<pid>/status."
		echo "The second row is read $MEM_SETTLE later, without DEBUG or a forced GC. GOGC: $GOGC_NOTE."
		echo
	} >>"$REPORT" || echo "- memory measurement failed" >>"$NOTES"
	stop_server redis
	stop_server cinnabar
fi

if [ -s "$NOTES" ]; then
	{
		echo "## Notes"
		echo
		cat "$NOTES"
		echo
	} >>"$REPORT"
fi
if [ -s "$WORK/load.txt" ]; then
	sort -g "$WORK/load.txt" | awk '{ v[NR] = $1 } END {
		printf "- load average (1 min) before each measured run: min %s, median %s, max %s\n", v[1], v[int((NR + 1) / 2)], v[NR] }' >>"$REPORT"
fi
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$REPORT"

cat "$REPORT"
if [ -n "$OUT" ]; then
	cp "$REPORT" "$OUT"
	log "report written to $OUT"
fi
