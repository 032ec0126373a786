#!/usr/bin/env bash
# `npm run bench:ab -- <git ref> <get_cart|post_cart|lookup|health|merge|order> [pairs]`: the ref's build (A, in a
# temporary git worktree) against the working tree's (B), one scenario, alternating rounds on one
# database (bench/ab.ts). For measuring a change before keeping it on a machine whose speed drifts.
set -euo pipefail
cd "$(dirname "$0")/.."
ref="${1:?usage: npm run bench:ab -- <git ref> <get_cart|post_cart|lookup|health|merge|order> [pairs]}"
shift
base="$(mktemp -d)"
trap 'git worktree remove --force "$base/tree" >/dev/null 2>&1 || true; rm -rf "$base"' EXIT
git worktree add --detach --quiet "$base/tree" "$ref"
ln -s "$PWD/node_modules" "$base/tree/node_modules"
(cd "$base/tree" && npx nest build)
npx nest build
node_bin="${BENCH_NODE:-$(bash scripts/node24.sh)}"
"$node_bin" -r ts-node/register/transpile-only bench/ab.ts "$base/tree" "$PWD" "$@"
