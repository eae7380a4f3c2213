#!/bin/sh
# bench_http.sh — Lab 09's rows of `make bench`: HTTP on loopback, measured with wrk.
#
#   sh bench/bench_http.sh OUTDIR OBJ...     (bench/run.sh calls it with its objects)
#
# Every server runs one thread on 127.0.0.1 and answers keep-alive requests; wrk
# (one thread, 32 connections) measures requests per second, and /proc/PID/stat
# the server's CPU time per request. Rows, in one run, interleaved, best of
# $ROUNDS rounds each:
#
#   GET /hello    "Hello, World!\n" as text/plain: kettle_httpd (built like the
#                 rest of the bench: -O2, fast context switch), CPython asyncio
#                 streams (bench/http_asyncio.py), the same on uvloop (Debian's
#                 python3-uvloop, /usr/bin/python3), Node's http module
#                 (bench/http_node.js)
#   POST /echo    a 1 KiB body echoed back (bench/echo1k.lua): kettle_httpd
#                 against bench/raw_echo_http.c, one epoll loop and nothing
#                 else: the floor
#
# Each server stops by itself (a lifetime in seconds) and is killed by its pid
# when its rows are done.
set -eu
OUT=$1
shift
CC=${CC:-cc}
PY=${PYTHON:-python3}
DUR=${KT_BENCH_HTTP_SECONDS:-3}
ROUNDS=${KT_BENCH_HTTP_ROUNDS:-2}
WRK="wrk -t1 -c32 -d${DUR}s"

command -v wrk >/dev/null 2>&1 || { echo "bench_http: wrk is not installed (sh tools/setup.sh --all)"; exit 0; }
app=solutions/09-streams/apps/kettle_httpd.c
[ -f "$app" ] || app=labs/09-streams/apps/kettle_httpd.c
# shellcheck disable=SC2068
$CC -std=c11 -O2 -DNDEBUG -Ilib/include -DKETTLE_FAST_SWITCH -include lib/include/kettle/fastctx.h \
    -o "$OUT/kettle_httpd" "$app" $@ -lm -pthread
$CC -std=c11 -O2 -o "$OUT/raw_echo_http" bench/raw_echo_http.c

tmp=$(mktemp -d)
spid=
stop_server() { if [ -n "$spid" ]; then kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; fi; spid=; }
trap 'stop_server; rm -rf "$tmp"' EXIT INT TERM
life=$((ROUNDS * DUR * 3 + 20))

# start NAME CMD...: start a server, set $port
start() {
    name=$1
    shift
    "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    spid=$!
    port=
    for _ in $(seq 1 50); do
        port=$(sed -n -e 's/.*127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' -e 's/^\([0-9][0-9]*\)$/\1/p' "$tmp/$name.out" | head -n 1)
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    echo "bench_http: $name did not start"; cat "$tmp/$name.err"; exit 1
}

# ticks: CPU time (user + system, in clock ticks) the server has used so far
ticks() { awk '{ print $14 + $15 }' "/proc/$spid/stat"; }

# measure NAME PATH [wrk options]: prints "req/s cpu-us-per-request" (and a note
# on stderr when wrk saw errors). CPU time per request is read from
# /proc/PID/stat around the run: on a machine shared with other work the
# throughput moves with the neighbours, the CPU a request costs much less.
measure() {
    name=$1
    path=$2
    shift 2
    t0=$(ticks)
    # shellcheck disable=SC2086
    $WRK "$@" "http://127.0.0.1:$port$path" >"$tmp/wrk" 2>&1 || true
    t1=$(ticks)
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$tmp/wrk")
    reqs=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$tmp/wrk")
    if grep -q -e 'Socket errors' -e 'Non-2xx' "$tmp/wrk"; then
        echo "bench_http: $name: wrk reported errors:" >&2
        grep -e 'Socket errors' -e 'Non-2xx' "$tmp/wrk" >&2
    fi
    awk -v r="${rps:-0}" -v n="${reqs:-0}" -v d="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%s %.2f\n", r, (n > 0 ? d / hz * 1e6 / n : 0) }'
}

# best "R C" "R C": the higher req/s and the lower CPU per request of two runs
best() {
    echo "$1 $2" | awk '{ r = ($1 > $3 ? $1 : $3); c = ($2 == 0 ? $4 : ($4 == 0 ? $2 : ($2 < $4 ? $2 : $4))); print r, c }'
}

k="0 0" a="0 0" u="0 0" n="0 0" ke="0 0" re="0 0"
have_uvloop=0
/usr/bin/python3 -c 'import uvloop' 2>/dev/null && have_uvloop=1
have_node=0
command -v node >/dev/null 2>&1 && have_node=1
for _ in $(seq 1 "$ROUNDS"); do
    start kettle "$OUT/kettle_httpd" -p 0 -r "$tmp" -t 30
    k=$(best "$k" "$(measure kettle /hello)")
    ke=$(best "$ke" "$(measure kettle-echo /echo -s bench/echo1k.lua)")
    stop_server
    start raw "$OUT/raw_echo_http" "$life"
    re=$(best "$re" "$(measure raw-echo /echo -s bench/echo1k.lua)")
    stop_server
    start asyncio "$PY" bench/http_asyncio.py --seconds "$life"
    a=$(best "$a" "$(measure asyncio /hello)")
    stop_server
    if [ $have_uvloop = 1 ]; then
        start uvloop /usr/bin/python3 bench/http_asyncio.py --uvloop --seconds "$life"
        u=$(best "$u" "$(measure uvloop /hello)")
        stop_server
    fi
    if [ $have_node = 1 ]; then
        start node node bench/http_node.js "$life"
        n=$(best "$n" "$(measure node /hello)")
        stop_server
    fi
done

echo "HTTP on loopback (Lab 09), best of $ROUNDS rounds each: $WRK http://127.0.0.1:PORT/hello"
echo "  (echo rows: $WRK -s bench/echo1k.lua http://127.0.0.1:PORT/echo, a 1 KiB POST body echoed back)"
echo "  req/s: wrk's throughput (moves with whatever else runs); cpu/req: the server's CPU time"
echo "  (user+system, /proc/PID/stat) per request; ratio: the server's cpu/req over Kettle's"
printf '  %-34s %10s %12s %8s\n' server req/s "cpu/req" ratio
row() { # row NAME "R C" "KR KC"
    echo "$2 $3" | awk -v name="$1" '{ if ($1 > 0) printf "  %-34s %10.0f %9.1f us %7.2fx\n", name, $1, $2, ($4 > 0 ? $2 / $4 : 0);
                                        else printf "  %-34s %10s\n", name, "n/a" }'
}
row "kettle_httpd GET /hello" "$k" "$k"
row "asyncio streams ($($PY -c 'import sys; print(sys.version.split()[0])'))" "$a" "$k"
[ $have_uvloop = 1 ] && row "uvloop $(/usr/bin/python3 -c 'import uvloop; print(uvloop.__version__)') streams" "$u" "$k"
[ $have_node = 1 ] && row "node $(node --version) http" "$n" "$k"
row "kettle_httpd POST /echo 1 KiB" "$ke" "$ke"
row "raw epoll C POST /echo 1 KiB (floor)" "$re" "$ke"
# target NAME RATIO WANT
target() {
    if awk -v g="$2" -v w="$3" 'BEGIN { exit !(g >= w) }'; then
        echo "target: $1 >= $3: met ($2)"
    else
        echo "target: $1 >= $3: MISSED ($2)"
    fi
}
# the CPU-time ratios: their cpu/req over Kettle's (higher: Kettle does the request with less)
cpu_ratio() { echo "$1 $2" | awk '{ printf "%.2f", ($4 > 0 ? $2 / $4 : 0) }'; }
target "asyncio cpu/req over kettle's" "$(cpu_ratio "$a" "$k")" 1.8
[ $have_node = 1 ] && target "node cpu/req over kettle's" "$(cpu_ratio "$n" "$k")" 1.0
target "raw epoll cpu/req over kettle's (echo)" "$(cpu_ratio "$re" "$ke")" 0.9
exit 0
