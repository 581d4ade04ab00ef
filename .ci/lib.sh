# Shared helpers for the .ci scripts (sourced, not run).
# shellcheck shell=bash

CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DEBIAN_FRONTEND=noninteractive

ci_log() { printf '%s\n' "$*" >&2; }

# apt-get install PKG... ; runs `apt-get update` at most once per process tree.
ci_apt_install() {
  if [ "$(id -u)" != 0 ]; then
    ci_log "error: need root to apt-get install $*"; return 2
  fi
  if [ -z "${CI_APT_UPDATED:-}" ]; then
    ci_log "apt-get update"
    apt-get update -qq >/dev/null
    export CI_APT_UPDATED=1
  fi
  ci_log "apt-get install -y $*"
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Installs .ci/package.json's pinned packages into .ci/node_modules.
# Skips the install when node_modules already matches package-lock.json.
# --ignore-scripts: vnu-jar's postinstall only fetches a JDK, and we use the system java.
ci_npm_install() {
  local stamp="$CI_DIR/node_modules/.plenary-ci-lock" want
  if [ -f "$CI_DIR/package-lock.json" ]; then
    want="$(cat "$CI_DIR/package.json" "$CI_DIR/package-lock.json" | sha256sum | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
      return 0
    fi
    ci_log "npm ci (in .ci/)"
    (cd "$CI_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >/dev/null
    printf '%s\n' "$want" >"$stamp"
  else
    ci_log "npm install (in .ci/; no package-lock.json yet: commit the one this writes)"
    (cd "$CI_DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error) >/dev/null
  fi
}
