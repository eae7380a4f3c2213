#!/bin/sh
# check_httpd.sh — Lab 09's capstone against real clients (a step of make check).
#
#   sh tools/check_httpd.sh BUILD/apps/solutions/kettle_httpd
#
# Starts kettle_httpd on 127.0.0.1 (a port the kernel picks) with a temporary
# document root, then: curl (keep-alive reuse, traversal attempts, a symlink
# out of the root, a malformed request, an oversized header, /sleep in
# parallel), nc (a raw malformed request, a client that vanishes mid-response,
# a trickling client dropped by the timeout), and wrk (a short bounded load
# that must see no error). The server's open fds are counted before and after
# (/proc/PID/fd): a leak fails the check. Last, SIGTERM must stop it with exit 0.
set -u
HTTPD=${1:?usage: check_httpd.sh path/to/kettle_httpd}
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
failures=0
ok() { printf '  ok    %s\n' "$*"; }
bad() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }
expect() { # expect WHAT WANT GOT
    if [ "$2" = "$3" ]; then ok "$1 ($3)"; else bad "$1: expected $2, got $3"; fi
}

mkdir -p "$tmp/root/sub"
echo '<h1>kettle</h1>' >"$tmp/root/index.html"
echo 'inside' >"$tmp/root/sub/a.txt"
echo 'secret' >"$tmp/secret.txt"
ln -s "$tmp/secret.txt" "$tmp/root/out.txt"
head -c 300000 /dev/urandom >"$tmp/root/big.bin"

"$HTTPD" -p 0 -r "$tmp/root" -t 1 >"$tmp/out" 2>"$tmp/err" &
pid=$!
# up to 10 s: a loaded machine may take a while to start it; a started one says so at once
for _ in $(seq 1 100); do
    grep -q 'serving' "$tmp/out" 2>/dev/null && break
    sleep 0.1
done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$tmp/out")
[ -n "$port" ] || { cat "$tmp/out" "$tmp/err"; echo "check_httpd: the server did not start"; exit 1; }
url="http://127.0.0.1:$port"
fds() { ls "/proc/$pid/fd" | wc -l; }
fds_before=$(fds)
echo "kettle_httpd pid $pid on port $port, $fds_before fds open"

# curl: two URLs in one invocation reuse the connection (keep-alive)
curl -sv "$url/" "$url/sub/a.txt" >"$tmp/c1" 2>"$tmp/c1.err"
expect "curl keep-alive: both bodies" "2" "$(grep -c -e kettle -e inside "$tmp/c1")"
expect "curl keep-alive: connection reused" "1" "$(grep -c 'Re-using existing connection' "$tmp/c1.err")"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
expect "a file" 200 "$(code "$url/sub/a.txt")"
expect "a missing file" 404 "$(code "$url/nope.txt")"
expect "HEAD" 200 "$(curl -s -I -o /dev/null -w '%{http_code}' "$url/")"
cmp -s "$tmp/root/big.bin" "$(curl -s -o "$tmp/big" "$url/big.bin"; echo "$tmp/big")" &&
    ok "a 300 KB file arrives intact" || bad "a 300 KB file arrives changed"
# traversal: never 200, never the secret
expect "traversal ../" 403 "$(code --path-as-is "$url/../../../etc/passwd")"
expect "traversal %2e%2e" 403 "$(code --path-as-is "$url/%2e%2e/%2E%2e/etc/passwd")"
expect "traversal sub/../../" 403 "$(code --path-as-is "$url/sub/../../secret.txt")"
expect "a symlink out of the root" 403 "$(code "$url/out.txt")"
expect "a NUL byte (%00)" 400 "$(code "$url/index.html%00.txt")"
# malformed and oversized
expect "malformed request target (curl --request-target)" 400 "$(code --request-target 'no-slash' "$url/")"
expect "malformed request (printf | nc)" "HTTP/1.1 400 Bad Request" \
    "$(printf 'GET\r\n\r\n' | nc -q 2 127.0.0.1 "$port" | head -n 1 | tr -d '\r')"
expect "a header line without a colon (nc)" "HTTP/1.1 400 Bad Request" \
    "$(printf 'GET / HTTP/1.1\r\nBad header\r\n\r\n' | nc -q 2 127.0.0.1 "$port" | head -n 1 | tr -d '\r')"
big=$(head -c 9000 /dev/zero | tr '\0' a)
expect "oversized header (9000 bytes)" 431 "$(code -H "X-Big: $big" "$url/")"
expect "POST /echo" "echo me" "$(curl -s --data-binary 'echo me' "$url/echo")"
# /sleep: four requests of 500 ms in parallel take ~500 ms. A server that
# serves them one at a time takes at least 2000 ms however fast the machine,
# so that is the bound: a loaded machine (slow curl start-ups) cannot fail it.
start=$(date +%s%N)
sleepers=
for i in 1 2 3 4; do curl -s -o /dev/null "$url/sleep?ms=500" & sleepers="$sleepers $!"; done
# shellcheck disable=SC2086
wait $sleepers
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$ms" -lt 2000 ]; then ok "4 x /sleep?ms=500 in parallel: ${ms} ms"; else bad "4 x /sleep?ms=500 took ${ms} ms: not concurrent"; fi
# a client vanishing mid-response: ask for the big file and close at once
for i in 1 2 3 4 5; do
    printf 'GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n' | nc -q 0 127.0.0.1 "$port" >/dev/null 2>&1
done
kill -0 "$pid" 2>/dev/null && ok "clients vanishing mid-response: server alive" || bad "the server died"
# a trickling client: one byte every 0.3 s never completes its head in 1 s
( for c in G E T ' ' / ' ' H T T P; do printf '%s' "$c"; sleep 0.3; done ) |
    nc 127.0.0.1 "$port" >"$tmp/trickle" 2>/dev/null
expect "a trickling client is dropped after the timeout" "HTTP/1.1 408 Request Timeout" \
    "$(head -n 1 "$tmp/trickle" | tr -d '\r')"
# wrk: a short bounded load, no errors
wrk -t1 -c32 -d2s "$url/hello" >"$tmp/wrk" 2>&1
sed -n 's/^/    /p' "$tmp/wrk" | grep -E 'requests in|Requests/sec|errors' || true
reqs=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$tmp/wrk")
if [ -n "$reqs" ] && [ "$reqs" -gt 0 ] && ! grep -q -e 'Socket errors' -e 'Non-2xx' "$tmp/wrk"; then
    ok "wrk -t1 -c32 -d2s: $reqs requests, no errors"
else
    bad "wrk saw errors (or no requests)"; cat "$tmp/wrk"
fi
# wrk's connections close at its exit and idle keep-alive ones time out
# (-t 1): wait until the count is back (up to 10 s on a loaded machine)
for _ in $(seq 1 100); do
    [ "$(fds)" = "$fds_before" ] && break
    sleep 0.1
done
fds_after=$(fds)
expect "no fd leaked (/proc/$pid/fd before and after)" "$fds_before" "$fds_after"
# a clean stop
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
expect "SIGTERM: clean exit" 0 "$rc"
grep -q 'stopped after' "$tmp/err" && ok "it says it stopped" || bad "no stop message"

# Capstone B: the crawler walks a generated site served by a second kettle_httpd
# (-l 10: each file waits 10 ms, as a slow server would) with 8 workers, then with 1.
CRAWLER=$(dirname "$HTTPD")/crawler
mksite() { # mksite DIR: 1 + 6 + 30 = 37 linked pages, three levels
    d=$1
    mkdir -p "$d"
    {
        echo '<html><body><h1>site</h1>'
        for s in 0 1 2 3 4 5; do echo "<a href=\"/s$s/\">section $s</a>"; done
        echo '<a href="http://example.com/">elsewhere</a> <a href="mailto:x@y">mail</a></body></html>'
    } >"$d/index.html"
    for s in 0 1 2 3 4 5; do
        mkdir -p "$d/s$s"
        {
            echo "<html><body><a href=\"../\">up</a>"
            for p in 0 1 2 3 4; do echo "<a href=\"p$p.html\">page $p</a>"; done
            echo '</body></html>'
        } >"$d/s$s/index.html"
        for p in 0 1 2 3 4; do
            n=$(( (p + 1) % 5 ))
            echo "<html><body><a href=\"p$n.html#top\">next</a> <a href=\"/s$s/./../index.html\">home</a> <a href=\"/index.html\">home</a></body></html>" >"$d/s$s/p$p.html"
        done
    done
}
if [ -x "$CRAWLER" ]; then
    mksite "$tmp/site"
    "$HTTPD" -p 0 -r "$tmp/site" -l 10 >"$tmp/out2" 2>"$tmp/err2" &
    pid=$!
    for _ in $(seq 1 100); do grep -q serving "$tmp/out2" && break; sleep 0.1; done
    port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$tmp/out2")
    rc=0
    timeout 60 "$CRAWLER" -w 8 -d 3 "http://127.0.0.1:$port/" >"$tmp/crawl" 2>&1 || rc=$?
    sed 's/^/    /' "$tmp/crawl"
    expect "crawler exit status" 0 "$rc"
    expect "crawler: 38 pages, each fetched once, both crawls" 2 "$(grep -c ' 38 pages, .* 0 errors' "$tmp/crawl")"
    kill -TERM "$pid"
    wait "$pid" || true
    pid=
fi

if [ "$failures" -gt 0 ]; then
    echo "check_httpd: $failures check(s) failed"; sed -n '1,20p' "$tmp/err"
    exit 1
fi
echo "check_httpd: all good"
