#!/usr/bin/env bash
# Federation benchmark: the same generated corpus built as one tree and as a federated site of
# about 150 members (half of them git repositories, see bench/federate), everything on tmpfs.
# Reports the cold federated build (every repository cloned), warm builds side by side with
# the single tree (median of RUNS, interleaved), their ratio and peak memory, and whether a
# warm build with every repository unreachable still builds without running `git fetch`.
#
#   bench/federation.sh            # WORKS=2000
#
# Environment:
#   WORKS=2000   SOURCES=150   RUNS=3   SEED=2020
#   GEN_CORPUS=PATH     the corpus generator (default: ../shared/bench/gen-corpus beside the repo)
#   BENCH_DIR=PATH      work dir, should be tmpfs (default /dev/shm/plenary-bench)
#   PLENARY_BIN=PATH    use this binary instead of `cargo build --release`
#   KEEP=1              keep the corpora and outputs in BENCH_DIR afterwards
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORKS="${WORKS:-2000}"
SOURCES="${SOURCES:-150}"
RUNS="${RUNS:-3}"
SEED="${SEED:-2020}"
GEN_CORPUS="${GEN_CORPUS:-$root/../shared/bench/gen-corpus}"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

[[ "$WORKS" =~ ^[1-9][0-9]*$ ]] || die "WORKS must be a positive integer"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer"
[ -f "$GEN_CORPUS" ] || die "gen-corpus not found at $GEN_CORPUS (set GEN_CORPUS=)"
command -v git >/dev/null || die "git is needed (apt-get install git)"
need_gnu_time
start_run federation

echo "== Plenary federation benchmark: $WORKS works, about $SOURCES sources"
print_machine
setup_plenary

python3 "$GEN_CORPUS" "$work/single" --works "$WORKS" --seed "$SEED" --flavor plenary >/dev/null
python3 "$root/bench/federate" "$work/single" "$work/fed" --sources "$SOURCES"
site="$work/fed/site"

# timed NAME ROOT: one build into a fresh folder; prints "seconds peak-KiB".
timed() {
  local out="$work/out-$1" log="$work/time-$1"
  rm -rf "$out"
  /usr/bin/time -f "%e %M" -o "$log" "$plenary_bin" build --root "$2" --out "$out" >/dev/null 2>"$work/err-$1" \
    || { cat "$work/err-$1" >&2; die "$1: build failed"; }
  cat "$log"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

read -r cold cold_kb < <(timed cold "$site")
echo "federated, cold (clones $(ls "$work/fed/git" | wc -l) repositories): ${cold} s, peak $((cold_kb / 1024)) MiB"

timed warmup "$work/single" >/dev/null
single=(); fed=(); single_kb=0; fed_kb=0
for _ in $(seq "$RUNS"); do
  read -r s kb < <(timed single "$work/single"); single+=("$s"); [ "$kb" -gt "$single_kb" ] && single_kb=$kb
  read -r f kb < <(timed fed "$site"); fed+=("$f"); [ "$kb" -gt "$fed_kb" ] && fed_kb=$kb
done
s_med="$(printf '%s\n' "${single[@]}" | median)"
f_med="$(printf '%s\n' "${fed[@]}" | median)"
ratio="$(awk -v f="$f_med" -v s="$s_med" 'BEGIN {printf "%.2f", f / s}')"
printf '%-28s %8s %10s   runs\n' "" "median" "peak RSS"
printf '%-28s %7ss %7s MiB   %s\n' "single tree" "$s_med" "$((single_kb / 1024))" "${single[*]}"
printf '%-28s %7ss %7s MiB   %s\n' "federated, warm" "$f_med" "$((fed_kb / 1024))" "${fed[*]}"
echo "federated / single: ${ratio} (target < 1.2: $(awk -v r="$ratio" 'BEGIN {print (r < 1.2) ? "met" : "NOT met"}'))"

# Offline: the repositories gone, and a `git` that logs every call before running the real one.
mv "$work/fed/git" "$work/fed/git-away"
mkdir -p "$work/shim"
real_git="$(command -v git)"
printf '#!/bin/sh\necho "$*" >> "%s"\nexec "%s" "$@"\n' "$work/git-calls" "$real_git" > "$work/shim/git"
chmod +x "$work/shim/git"
: > "$work/git-calls"
if PATH="$work/shim:$PATH" timed offline "$site" >/dev/null; then built=yes; else built=no; fi
mv "$work/fed/git-away" "$work/fed/git"
echo "warm build with every repository unreachable: built: $built; git calls: $(wc -l < "$work/git-calls"), of them fetch: $(grep -c '^fetch\| fetch ' "$work/git-calls" || true)"
