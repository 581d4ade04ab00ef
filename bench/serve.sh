#!/usr/bin/env bash
# Preview-server benchmark: how long after a save the page is told to reload, on a generated
# archive, and what `plenary serve` answers under wrk (a page, a search, and a page while a
# storm of saves rebuilds the site). Everything on tmpfs. See bench/README.md ("Serve").
#
#   bench/serve.sh                 # the 2000-works corpus
#   bench/serve.sh 200             # another size (also WORKS=200)
#
# Environment:
#   WORKS=2000        corpus size when none is given on the command line
#   EDITS=20          one-page saves timed to their reload event
#   STORM=100         saves in the storm (one every 0.1 s) while wrk asks for a page
#   DURATION=30       seconds of each wrk run; CONNECTIONS=64 wrk connections
#   WRK=0             time the reloads only, without the wrk runs
#   SEED=2020         gen-corpus seed
#   GEN_CORPUS=PATH   the corpus generator (default: ../shared/bench/gen-corpus beside the repo)
#   BENCH_DIR=PATH    work dir, should be tmpfs (default /dev/shm/plenary-bench)
#   PLENARY_BIN=PATH  use this binary instead of `cargo build --release`
#   KEEP=1            keep the corpus in BENCH_DIR afterwards
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SEED="${SEED:-2020}"
EDITS="${EDITS:-20}"
STORM="${STORM:-100}"
DURATION="${DURATION:-30}"
CONNECTIONS="${CONNECTIONS:-64}"
GEN_CORPUS="${GEN_CORPUS:-$root/../shared/bench/gen-corpus}"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

read_works "${1:-}"
need_wrk
start_run serve-run

echo "== Plenary preview-server benchmark"
print_machine
setup_plenary
echo "wrk: $(wrk --version 2>&1 | head -n1)"
python3 "$GEN_CORPUS" "$work/site" --works "$works" --seed "$SEED" --flavor plenary >&2

# A page that exists in the corpus, and the file it is written from.
file="$(find "$work/site/content" -mindepth 3 -name index.md | sort | sed -n 1p)"
rel="${file#"$work/site/content"}"
page="${rel%index.md}"
echo "page: $page ($(basename "$(dirname "$file")")/index.md)"

log="$work/serve.log"
start_serve "$log" --root "$work/site"
base="http://$address"
grep -m1 '^built' "$log" || true

echo "-- save to reload, $EDITS one-page edits"
latency="$(python3 "$root/bench/live-latency" --base "$base" --file "$file" --edits "$EDITS")"
echo "$latency" | tail -n 3
read -r _ n p50 p90 max <<<"$(echo "$latency" | grep '^RESULT')"

run_wrk() { # URL -> "rps errors"
  local rps errors
  read -r rps _ _ errors <<<"$(wrk_summary "$1" -t2 -c"$CONNECTIONS" -d"${DURATION}s")"
  echo "$rps $errors"
}


# Issue 4's targets: under 100 ms at 2000 works, under 200 ms at 20,000.
target=100
[ "$works" -ge 20000 ] && target=200

echo
if [ "${WRK:-1}" = 0 ]; then
  echo "### Preview server, $works works"
  echo
  echo "| measure | value |"
  echo "|---|---:|"
  echo "| save to reload event, p50 / p90 / max ($n edits) | $p50 / $p90 / $max ms |"
  echo
  echo "claims: reload p50 under $target ms: $( [ "$p50" -lt "$target" ] && echo yes || echo no)"
  exit 0
fi

echo "-- wrk, $CONNECTIONS connections, ${DURATION} s: a page"
read -r page_rps page_err <<<"$(run_wrk "$base$page")"
echo "-- wrk: a search"
read -r search_rps search_err <<<"$(run_wrk "$base/_search?q=internet+governance&lang=en")"
echo "-- wrk: the page, during a storm of $STORM saves"
run_wrk "$base$page" >"$work/storm-wrk" &
wrk_pid=$!
sleep 2
storm="$(python3 "$root/bench/live-latency" --base "$base" --file "$file" --page "$page" --storm "$STORM" --every 0.1)"
wait "$wrk_pid"
read -r storm_rps storm_err <"$work/storm-wrk"
echo "$storm"

echo
echo "### Preview server, $works works"
echo
echo "| measure | value |"
echo "|---|---:|"
echo "| save to reload event, p50 / p90 / max ($n edits) | $p50 / $p90 / $max ms |"
echo "| page, requests/s (errors) | $page_rps ($page_err) |"
echo "| search, requests/s (errors) | $search_rps ($search_err) |"
echo "| page during $STORM saves, requests/s (errors) | $storm_rps ($storm_err) |"
echo "| storm: saves, reloads, seconds | $(echo "$storm" | awk '{print $2", "$3", "$4}') |"
echo
echo "claims: reload p50 under $target ms: $( [ "$p50" -lt "$target" ] && echo yes || echo no); zero failed requests: $( [ "$((page_err + search_err + storm_err))" -eq 0 ] && echo yes || echo no)"
