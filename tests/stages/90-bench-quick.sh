#!/bin/bash
# Smoke test of the benchmark harness (bench/run --quick): every figure runs
# for husk, crun and runc with a few iterations. No timing is asserted; it
# fails only when husk fails a container or leaves something behind.
set -euo pipefail
cd "$(dirname "$0")/../.."
HUSK="${HUSK:-$PWD/husk}" bench/run --quick
