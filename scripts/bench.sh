#!/usr/bin/env bash
# `npm run bench` after the build: the benchmark on the Node production runs, Node 24 LTS (Node 20 reached
# its end of life in April 2026), installed from the npm registry by scripts/node24.sh. Every server it
# starts (the app, the baseline, the framework floor, the cleanup CLI) and the load generator run on it,
# so the ratios compare like with like. BENCH_NODE=<path or command> measures another Node, e.g.
# `BENCH_NODE=node npm run bench` for the machine's own. The report names the version it ran on.
set -euo pipefail
cd "$(dirname "$0")/.."
node_bin="${BENCH_NODE:-$(bash scripts/node24.sh)}"
exec "$node_bin" -r ts-node/register/transpile-only bench/run.ts "$@"
