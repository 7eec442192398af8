#!/bin/bash
# The single "run the whole test suite" command:
#   dependencies -> build -> C unit tests (make check) -> integration tests (pytest)
#   -> extra stages (tests/stages/*.sh, in name order: environments and checks
#      that are not pytest files, e.g. a qemu guest, fuzzing, a sanitizer build).
# Exits non-zero on any failure and prints one summary line per part at the end.
# Environment: HUSK (runtime under test, default ./husk), MAKE_JOBS (default 2),
# PYTEST_ARGS (extra pytest arguments), HUSK_STAGES (glob of stages to run,
# default all; "none" to skip them).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s ===\n' "$*"; }
summary=()
failed=0
record() { # name rc
	if [ "$2" -eq 0 ]; then summary+=("ok    $1"); else summary+=("FAIL  $1 (exit $2)"); failed=1; fi
}

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
rc=0
# shellcheck disable=SC2086
/usr/bin/python3 -m pytest -q -rs -p no:cacheprovider ${PYTEST_ARGS:-} tests/integration || rc=$?
record "integration tests (pytest)" "$rc"
# tests/deps/criu.sh leaves the reason here when no working CRIU could be had
criu_note=${HUSK_TEST_CACHE:-/var/tmp/husk-test}/criu/unavailable
if [ -s "$criu_note" ]; then
	summary+=("skip  checkpoint/restore tests: no working CRIU ($(head -c 300 "$criu_note"))")
fi

if [ "${HUSK_STAGES:-}" != none ]; then
	for s in tests/stages/${HUSK_STAGES:-*}.sh; do
		[ -e "$s" ] || continue
		step "stage $(basename "$s" .sh)"
		rc=0
		bash "$s" || rc=$?
		record "stage $(basename "$s" .sh)" "$rc"
	done
fi

step "summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
