#!/usr/bin/env bash
# Benchmark of the blog API's read path (see bench/README.md).
#
# Starts Blog.Api (Release) on the embedded store with a throw-away local Redis as its output cache, seeds 1,000
# published posts with comments through the real API (an Admin token; the write rate limit raised by configuration),
# then runs wrk against the post list (page 1), a post by slug, that post's comments and a ceiling endpoint that
# returns the same bytes as the list from memory. A second API start with the output cache turned off measures the
# uncached reads. Prints req/s, p99 and the ratio to the ceiling. Everything it starts is stopped on exit.
#
# Usage: bench/run.sh [-d SECONDS] [-c CONNECTIONS] [-n POSTS]
set -euo pipefail

DURATION=10
CONNECTIONS=32
POSTS=1000
COMMENTS_PER_POST=2
COMMENTS_ON_TARGET=20
while getopts "d:c:n:" opt; do
  case "$opt" in
    d) DURATION=$OPTARG ;;
    c) CONNECTIONS=$OPTARG ;;
    n) POSTS=$OPTARG ;;
    *) echo "usage: $0 [-d seconds] [-c connections] [-n posts]" >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/blog-bench.XXXXXX)
API_PID=""
REDIS_PORT=""

log() { printf '[bench] %s\n' "$*" >&2; }

cleanup() {
  [[ -n "$API_PID" ]] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null || true
  [[ -n "$REDIS_PORT" ]] && redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in wrk redis-server redis-cli curl; do
  if ! command -v "$tool" >/dev/null; then
    if [[ $(id -u) -eq 0 ]]; then
      log "installing wrk and redis-server (Debian packages)"
      apt-get install -y wrk redis-server >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk redis-server >/dev/null; }
      break
    fi
    echo "missing $tool: apt-get install wrk redis-server" >&2
    exit 1
  fi
done

free_port() {
  local port
  while :; do
    port=$(shuf -i 20000-60000 -n 1)
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
}

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --dir "$WORK" --logfile "$WORK/redis.log" >/dev/null
log "redis-server on 127.0.0.1:$REDIS_PORT"

log "publishing Blog.Api (Release)"
dotnet publish "$ROOT/Blog.Api" -c Release -o "$WORK/api" -p:UseAppHost=false >"$WORK/publish.log" 2>&1 \
  || { cat "$WORK/publish.log" >&2; exit 1; }

API_PORT=$(free_port)
BASE="http://127.0.0.1:$API_PORT"
ADMIN_PASSWORD="Bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

# The API's rate limits, raised for a benchmark from one address: seeding is thousands of writes by one Admin, and
# wrk's reads all come from 127.0.0.1 (the uncached run misses the cache on every request, and every miss counts
# against the per-client read limit). Printed so that a run says what it changed.
LIMITS=(
  RateLimits__Writes__PermitLimit=1000000
  RateLimits__Auth__PermitLimit=1000
  RateLimits__Refresh__PermitLimit=1000
  RateLimits__Reads__PermitLimit=1000000000
)
log "rate limits raised for this run: ${LIMITS[*]} (defaults: writes 30/min per user, sign-in 10/min per IP, refresh 60/min per IP, cache misses 120/min per client)"

# Starts the API; $1 = true|false (output cache on or off).
start_api() {
  ASPNETCORE_ENVIRONMENT=Production \
  Logging__LogLevel__Default=Warning \
  Jwt__SigningKey="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" \
  Admin__Username=benchadmin Admin__Email=bench@example.com Admin__Password="$ADMIN_PASSWORD" \
  Blog__Storage__EmbeddedPath="$WORK/blog.db" \
  ConnectionStrings__cache="127.0.0.1:$REDIS_PORT" \
  Blog__OutputCache__Enabled="$1" \
  env "${LIMITS[@]}" \
  Bench__Enabled=true Bench__CeilingFile="$WORK/ceiling.json" \
    dotnet "$WORK/api/Blog.Api.dll" --urls "$BASE" >"$WORK/api-$1.log" 2>&1 &
  API_PID=$!
  for _ in $(seq 1 120); do
    curl -fs "$BASE/health" >/dev/null 2>&1 && return 0
    kill -0 "$API_PID" 2>/dev/null || { cat "$WORK/api-$1.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "the API did not become healthy" >&2; cat "$WORK/api-$1.log" >&2; exit 1
}

stop_api() { kill "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null || true; API_PID=""; }

start_api true
log "API on $BASE"

TOKEN=$(curl -fsS "$BASE/api/auth/login" -H 'Content-Type: application/json' \
  -d "{\"login\":\"benchadmin\",\"password\":\"$ADMIN_PASSWORD\"}" | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
[[ -n "$TOKEN" ]] || { echo "could not sign in as the bench admin" >&2; exit 1; }

# One curl process sends every request of a file, 16 at a time; each request writes its status code.
send_all() {
  curl -s --parallel --parallel-max 16 -K "$1" >"$1.codes" 2>"$1.log" || true
  local sent failed
  sent=$(wc -l <"$1.codes")
  failed=$(grep -cv '^20[01]$' "$1.codes" || true)
  [[ "$sent" -gt 0 && "$failed" -eq 0 ]] || {
    echo "seeding: $failed of $sent requests failed (codes: $(sort "$1.codes" | uniq -c | tr '\n' ' '))" >&2; exit 1; }
}

FIRST_REQUEST=1
request() { # url, json body: one request of a curl config file (backslashes and quotes escaped for it)
  local data=${2//\\/\\\\}
  data=${data//\"/\\\"}
  [[ $FIRST_REQUEST -eq 1 ]] || printf 'next\n'
  FIRST_REQUEST=0
  printf 'url = "%s"\nrequest = "POST"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
    "$1" "$TOKEN" "$data"
}

BODY="## A section\n\nA paragraph of *Markdown* with [a link](https://example.com) and some \`code\`. $(printf 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. %.0s' $(seq 1 20))"
TAGS=(dotnet aspire csharp redis performance web api testing cloud design)

log "seeding $POSTS posts"
FIRST_REQUEST=1
for i in $(seq -w 1 "$POSTS"); do
  n=$((10#$i))
  request "$BASE/api/posts" "{\"title\":\"Benchmark post $i\",\"summary\":\"Summary of benchmark post $i, a post written to be read.\",\"body\":\"$BODY\",\"tags\":[\"${TAGS[$((n % 10))]}\",\"${TAGS[$(((n + 3) % 10))]}\"],\"publish\":true}"
done >"$WORK/posts.curl"
send_all "$WORK/posts.curl"

TARGET=$(printf 'benchmark-post-%0*d' "${#POSTS}" "$POSTS")
log "seeding comments ($COMMENTS_PER_POST per post, $COMMENTS_ON_TARGET on $TARGET)"
FIRST_REQUEST=1
{
  for i in $(seq -w 1 "$POSTS"); do
    for c in $(seq 1 "$COMMENTS_PER_POST"); do
      request "$BASE/api/posts/benchmark-post-$i/comments" "{\"body\":\"Comment $c on post $i: thanks, this helped.\"}"
    done
  done
  for c in $(seq 1 "$COMMENTS_ON_TARGET"); do
    request "$BASE/api/posts/$TARGET/comments" "{\"body\":\"Extra comment $c: a longer thought about the post, with a question at the end?\"}"
  done
} >"$WORK/comments.curl"
send_all "$WORK/comments.curl"

curl -fsS "$BASE/api/posts" -o "$WORK/ceiling.json"
log "page 1 of the list is $(wc -c <"$WORK/ceiling.json") bytes"

LIST="$BASE/api/posts"
SLUG="$BASE/api/posts/$TARGET"
COMMENTS="$BASE/api/posts/$TARGET/comments"
CEILING="$BASE/bench/ceiling"

# wrk one URL; prints "req/s p99_ms non2xx".
measure() {
  wrk -t2 -c"$CONNECTIONS" -d2s "$1" >/dev/null 2>&1 # warm-up: JIT, cache fill, connections
  local out rps p99 errors
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  echo "$rps $p99 ${errors:-0}"
}

declare -A RESULT
log "wrk: $CONNECTIONS connections, ${DURATION}s per endpoint (cached)"
RESULT[ceiling]=$(measure "$CEILING")
RESULT[list]=$(measure "$LIST")
RESULT[slug]=$(measure "$SLUG")
RESULT[comments]=$(measure "$COMMENTS")

stop_api
start_api false
log "wrk: the same reads with the output cache off (embedded store)"
RESULT[ceiling2]=$(measure "$CEILING")
RESULT[list-nc]=$(measure "$LIST")
RESULT[slug-nc]=$(measure "$SLUG")
RESULT[comments-nc]=$(measure "$COMMENTS")
stop_api

printf '\n%-34s %12s %10s %10s %8s\n' "endpoint" "req/s" "p99 (ms)" "ceiling" "non-2xx"
# Each row's ratio is to the ceiling measured by the same API process (the machine's load changes between starts).
row() { # label, result key, ceiling key
  local rps p99 errors ceiling_rps
  read -r rps p99 errors <<<"${RESULT[$2]}"
  ceiling_rps=$(cut -d' ' -f1 <<<"${RESULT[$3]}")
  printf '%-34s %12.0f %10s %9.0f%% %8s\n' "$1" "$rps" "$p99" "$(awk -v a="$rps" -v b="$ceiling_rps" 'BEGIN {print 100*a/b}')" "$errors"
}
row "ceiling (same bytes from memory)" ceiling ceiling
row "GET /api/posts (cached)" list ceiling
row "GET /api/posts/{slug} (cached)" slug ceiling
row "GET .../comments (cached)" comments ceiling
row "ceiling, cache off (same bytes)" ceiling2 ceiling2
row "GET /api/posts (uncached)" list-nc ceiling2
row "GET /api/posts/{slug} (uncached)" slug-nc ceiling2
row "GET .../comments (uncached)" comments-nc ceiling2
printf '\n%s posts, %s connections, %ss each, wrk -t2, %s cores; targets: cached >= 50%% of the ceiling with p99 < 10 ms, uncached >= 20%%.\n' \
  "$POSTS" "$CONNECTIONS" "$DURATION" "$(nproc)"
