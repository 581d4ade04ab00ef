#!/usr/bin/env bash
# The production server under attack: wrk on a page and on /_search, first alone, then while
# 300 slowloris connections, 8 slow readers of the site's largest file (its sitemap) and 32
# stalled downloads of a 100 MiB file are attached, each attack from a loopback address of its
# own. Reports requests/s, latency and errors of the normal clients, and the server's peak
# memory. See bench/README.md ("Under attack").
#
#   bench/hostile.sh                # the 2000-works corpus
#   bench/hostile.sh 200            # another size (also WORKS=200)
#
# Environment:
#   WORKS=2000        corpus size when none is given on the command line
#   DURATION=20       seconds of each wrk run; CONNECTIONS=16 wrk connections
#   SLOWLORIS=300 SLOW_READERS=8 DOWNLOADS=32   the attackers
#   SEED=2020         gen-corpus seed
#   GEN_CORPUS=PATH   the corpus generator (default: ../shared/bench/gen-corpus beside the repo)
#   BENCH_DIR=PATH    work dir, should be tmpfs (default /dev/shm/plenary-bench)
#   PLENARY_BIN=PATH  use this binary instead of `cargo build --release`
#   KEEP=1            keep the corpus in BENCH_DIR afterwards
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SEED="${SEED:-2020}"
DURATION="${DURATION:-20}"
CONNECTIONS="${CONNECTIONS:-16}"
SLOWLORIS="${SLOWLORIS:-300}"
SLOW_READERS="${SLOW_READERS:-8}"
DOWNLOADS="${DOWNLOADS:-32}"
GEN_CORPUS="${GEN_CORPUS:-$root/../shared/bench/gen-corpus}"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

read_works "${1:-}"
need_wrk
start_run hostile-run
attackers_pid=""
stop_attackers() {
  if [ -n "$attackers_pid" ]; then
    kill "$attackers_pid" 2>/dev/null || true
    wait "$attackers_pid" 2>/dev/null || true
    attackers_pid=""
  fi
}
trap 'stop_attackers; stop_run' EXIT

echo "== Plenary's server under attack"
print_machine
setup_plenary
echo "wrk: $(wrk --version 2>&1 | head -n1)"
python3 "$GEN_CORPUS" "$work/site" --works "$works" --seed "$SEED" --flavor plenary >&2
# A big file to download, as a report archive would be.
mkdir -p "$work/site/static"
truncate -s 100M "$work/site/static/archive.zip"

start_serve "$work/serve.log" --no-watch --root "$work/site"
base="http://$address"
page="$(cd "$work/site/content" && find . -mindepth 3 -name index.md | sort | sed -n 1p)"
page="${page#.}"; page="${page%index.md}"
sitemap_bytes="$(curl -s "$base/sitemap.xml" | wc -c)"
echo "server: $base (pid $server_pid); page $page; sitemap.xml $sitemap_bytes bytes"

peak_mib() { awk '/VmHWM/ {printf "%d", $2/1024}' "/proc/$server_pid/status"; }
rss_mib() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$server_pid/status"; }

run_wrk() { wrk_summary "$1" -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s; }

search="$base/_search?q=internet+governance&lang=all"
echo "-- wrk alone: a page, then a search ($CONNECTIONS connections, ${DURATION} s each)"
read -r calm_page_rps calm_page_p50 calm_page_p99 calm_page_err <<<"$(run_wrk "$base$page")"
read -r calm_search_rps calm_search_p50 calm_search_p99 calm_search_err <<<"$(run_wrk "$search")"
calm_peak="$(peak_mib)"

echo "-- attaching $SLOWLORIS slowloris connections, $SLOW_READERS slow readers of /sitemap.xml, $DOWNLOADS stalled downloads of 100 MiB"
python3 "$root/bench/hostile-clients" --server "$address" \
  --slowloris "$SLOWLORIS" --slow-readers "$SLOW_READERS" --slow-path /sitemap.xml \
  --downloads "$DOWNLOADS" --download-path /archive.zip >"$work/attackers.out" &
attackers_pid=$!
sleep 5
echo "-- wrk under attack: a page, then a search"
read -r page_rps page_p50 page_p99 page_err <<<"$(run_wrk "$base$page")"
read -r search_rps search_p50 search_p99 search_err <<<"$(run_wrk "$search")"
attacked_rss="$(rss_mib)"
stop_attackers
attack="$(grep '^RESULT' "$work/attackers.out" || echo "RESULT none")"
echo "attackers: ${attack#RESULT }"
peak="$(peak_mib)"

echo
echo "### The server under attack, $works works ($CONNECTIONS wrk connections, ${DURATION} s a run)"
echo
echo "| run | requests/s | p50 | p99 | errors |"
echo "|---|---:|---:|---:|---:|"
echo "| page, alone | $calm_page_rps | $calm_page_p50 | $calm_page_p99 | $calm_page_err |"
echo "| search, alone | $calm_search_rps | $calm_search_p50 | $calm_search_p99 | $calm_search_err |"
echo "| page, under attack | $page_rps | $page_p50 | $page_p99 | $page_err |"
echo "| search, under attack | $search_rps | $search_p50 | $search_p99 | $search_err |"
echo
echo "attack: $SLOWLORIS slowloris (127.0.0.2), $SLOW_READERS slow readers of a $sitemap_bytes-byte sitemap at 1 KiB/s (127.0.0.3), $DOWNLOADS stalled 100 MiB downloads (127.0.0.4); ${attack#RESULT }"
echo "server memory: peak $calm_peak MiB before the attack, $attacked_rss MiB resident under it, peak $peak MiB in all"
errors=$((page_err + search_err))
echo "claims: zero errors for the normal clients under attack: $( [ "$errors" -eq 0 ] && echo yes || echo "no ($errors)")"
