#!/usr/bin/env bash
# Installs what the editor e2e needs, once, into a cache folder reused between runs:
#   Debian's chromium (the browser playwright-core drives), libkrb5-dev (code-server's build needs it)
#   and strace (the e2e audits code-server's outgoing connections with it),
#   Node 24 from the npm package node@24 (code-server requires it),
#   code-server built from npm with that Node.
# Prints the cache folder on its last line. Safe to run again: finished parts are skipped.
set -euo pipefail

# `npm run X` exports npm_* variables that describe the npm running X (npm_config_user_agent names
# its Node, npm_config_prefix its global folder, npm_config_loglevel, npm_execpath ...). A nested npm
# reads them as its own settings: code-server's postinstall then takes the outer Node's version from
# the user agent and refuses to build. Every nested npm runs through nested_npm, without them. Where
# to download from (registry, proxy, CA, cache, which npmrc) is the user's choice, not a description
# of the outer npm: those stay. The nested npm reads the npmrc files itself.
NPM_KEEP='^npm_config_(registry|proxy|https_proxy|http_proxy|noproxy|no_proxy|cafile|ca|strict_ssl|cache|userconfig|globalconfig)$'
nested_npm() {
  local unset_args=() name
  while IFS= read -r name; do
    [[ "${name,,}" =~ $NPM_KEEP ]] || unset_args+=(-u "$name")
  done < <(compgen -e | grep -iE '^npm_' || true)
  env ${unset_args[@]+"${unset_args[@]}"} npm "$@"
}

CODE_SERVER_VERSION=4.139.1
TOOLS="${SQLMIG_E2E_TOOLS:-$HOME/.cache/sqlmig-e2e}"
mkdir -p "$TOOLS"

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
# strace audits that code-server connects to nothing off this machine.
command -v strace >/dev/null || missing+=(strace)
# Screenshots need a font.
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "e2e tools: apt-get install ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$TOOLS/apt.log" 2>&1 || { cat "$TOOLS/apt.log" >&2; exit 1; }
fi

NODE_DIR="$TOOLS/node24"
if [ ! -x "$NODE_DIR/node_modules/.bin/node" ]; then
  echo "e2e tools: npm install node@24 into $NODE_DIR" >&2
  mkdir -p "$NODE_DIR"
  # The node package puts its binary in place with an install script: approve that one only.
  printf '{ "private": true, "allowScripts": { "node": true } }\n' > "$NODE_DIR/package.json"
  (cd "$NODE_DIR" && nested_npm install --no-audit --no-fund --loglevel=error node@24 >&2)
fi
"$NODE_DIR/node_modules/.bin/node" --version >/dev/null

CS_DIR="$TOOLS/code-server-$CODE_SERVER_VERSION"
if [ ! -f "$CS_DIR/.installed" ]; then
  echo "e2e tools: building code-server $CODE_SERVER_VERSION into $CS_DIR (several minutes on 2 cores)" >&2
  rm -rf "$CS_DIR"
  PATH="$NODE_DIR/node_modules/.bin:$PATH" nested_npm install -g --prefix "$CS_DIR" --no-audit --no-fund --loglevel=error \
    --allow-scripts=code-server,argon2 "code-server@$CODE_SERVER_VERSION" >&2
  touch "$CS_DIR/.installed"
fi

echo "$TOOLS"
