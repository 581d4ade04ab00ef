#!/usr/bin/env bash
# Fuzzes Plenary's parsers: each cargo-fuzz target of bench/fuzz/ in turn for SECONDS
# (default 600), then a table of executions, speed, crashes, hangs and out-of-memory inputs.
#
#   bench/fuzz.sh [SECONDS]                    every target
#   FUZZ_TARGETS="query fluent" bench/fuzz.sh 60
#   bench/fuzz.sh --replay                     each saved reproducer once: fixed or not
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain. A run goes on past a
# failing input (libFuzzer's fork mode, one job at a time), so the time given is the time
# fuzzed; each failing input is kept in bench/fuzz/artifacts/<target>/ (crash-*, timeout-*,
# oom-*). An input taking more than 10 s is a hang; one needing more than 2 GiB is out of
# memory. The corpus a run grows is kept in bench/fuzz/work/<target>/ (not committed; the
# seeds are in corpus/<target>/, the words the mutator splices in are in dict/<target>.dict).
# Inputs that failed and were reported are in regressions/<target>/: `--replay` runs them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fuzz=bench/fuzz
read -r -a targets <<<"${FUZZ_TARGETS:-markdown query http_head fluent}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
limits=(-timeout=10 -rss_limit_mb=2048 -max_len=65536)

cargo +nightly fuzz build --fuzz-dir "$fuzz"

# Runs every saved reproducer once; exits 1 if any still fails.
replay() {
  local failing=0 target input log why
  for target in "${targets[@]}"; do
    for input in "$fuzz/regressions/$target"/*; do
      [ -f "$input" ] || continue
      log="$fuzz/logs/replay-$target-$(basename "$input").log"
      if cargo +nightly fuzz run --fuzz-dir "$fuzz" "$target" "$input" -- "${limits[@]}" \
        >"$log" 2>&1; then
        echo "handled      $input"
      else
        why="$(grep -m1 -oE 'SUMMARY: [A-Za-z]+: [a-z-]+|panicked at [^ ]+|timeout after [0-9]+ seconds' "$log" || true)"
        echo "still fails  $input: ${why:-see $log}"
        failing=1
      fi
    done
  done
  return "$failing"
}

mkdir -p "$fuzz/logs"
if [ "${1:-}" = "--replay" ]; then
  replay
  exit $?
fi
seconds="${1:-600}"

rows=()
for target in "${targets[@]}"; do
  mkdir -p "$fuzz/work/$target" "$fuzz/artifacts/$target"
  log="$fuzz/logs/$target.log"
  before="$(ls "$fuzz/artifacts/$target" | wc -l)"
  echo "fuzz.sh: $target for ${seconds}s (log: $log)"
  dict=()
  [ -f "$fuzz/dict/$target.dict" ] && dict=(-dict="$fuzz/dict/$target.dict")
  start=$SECONDS
  # -fork=1 with -ignore_*: one job at a time, and a failing input does not end the run.
  cargo +nightly fuzz run --fuzz-dir "$fuzz" -j1 "$target" \
    "$fuzz/work/$target" "$fuzz/corpus/$target" -- "${dict[@]}" "${limits[@]}" \
    -max_total_time="$seconds" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    >"$log" 2>&1 || true
  took=$((SECONDS - start))
  # Fork mode's last progress line: `#EXECS: cov: ... oom/timeout/crash: O/T/C time: ...`.
  last="$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1 || true)"
  execs="$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$last")"
  counts="$(sed -nE 's/.*oom\/timeout\/crash: ([0-9]+)\/([0-9]+)\/([0-9]+).*/\1 \2 \3/p' <<<"$last")"
  read -r ooms hangs crashes <<<"${counts:-? ? ?}"
  execs="${execs:-?}"
  rate="?"
  [ "$execs" != "?" ] && [ "$took" -gt 0 ] && rate=$((execs / took))
  saved=$(($(ls "$fuzz/artifacts/$target" | wc -l) - before))
  rows+=("$target $execs $rate $crashes $hangs $ooms ${took}s $saved")
done

echo
printf '%-10s %12s %8s %8s %15s %6s %8s %s\n' target executions exec/s crashes timeouts/hangs ooms time "new artifacts"
for row in "${rows[@]}"; do
  # shellcheck disable=SC2086
  printf '%-10s %12s %8s %8s %15s %6s %8s %s\n' $row
done
echo "(failing inputs: $fuzz/artifacts/<target>/; replay one: cargo +nightly fuzz run --fuzz-dir $fuzz <target> <file>)"
