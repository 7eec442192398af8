#!/bin/bash
# The single "run the whole test suite" command:
#   dependencies -> build -> C unit tests (make check) -> integration tests (pytest).
# Exits non-zero on any failure; the last line is pytest's summary.
# Environment: HUSK (runtime under test, default ./husk), MAKE_JOBS (default 2),
# PYTEST_ARGS (extra pytest arguments).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s ===\n' "$*"; }

step "dependencies"
tests/setup-deps.sh

step "build"
./autogen.sh
./configure
make -j"${MAKE_JOBS:-2}"

step "unit tests (make check)"
if ! make -j"${MAKE_JOBS:-2}" check; then
	for log in $(find tests/unit -name '*.log' 2>/dev/null); do
		echo "--- $log"; tail -n 50 "$log"
	done
	exit 1
fi

step "integration tests"
export HUSK="${HUSK:-$PWD/husk}"
# shellcheck disable=SC2086
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider ${PYTEST_ARGS:-} tests/integration
