#!/bin/bash
# The unit tests and the whole integration suite against husk built with
# AddressSanitizer + UBSan (./configure --enable-sanitizers), out of tree.
# Any sanitizer report fails the stage, even from a process whose exit code a
# test ignores (error paths, the cloned container init, exec helpers): every
# report goes to a log file (log_path) and the stage fails if one appears.
# Environment: PYTEST_ARGS (extra pytest arguments, e.g. -k), HUSK_ASAN_SUITE
# (tests to run, default tests/integration).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/stages/lib/variant-build.sh
build=$(variant_build asan --enable-sanitizers)
logs=/var/tmp/husk-test/asan/reports
rm -rf "$logs"
mkdir -p "$logs"
chmod 1777 "$logs" # processes that switched to another user report too
# log_exe_name: the report's file names the program; fast_unwind_on_malloc=0:
# whole allocation stacks (through libc's vasprintf and the like)
export ASAN_OPTIONS="log_path=$logs/asan:log_exe_name=1:halt_on_error=1:abort_on_error=0:detect_leaks=1:exitcode=86:fast_unwind_on_malloc=0"
export UBSAN_OPTIONS="log_path=$logs/ubsan:halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="exitcode=86"
export HUSK_SANITIZED=1 # tests that cannot hold with a sanitized runtime skip, saying why

rc=0
echo "=== unit tests (make check) with ASan+UBSan"
make -C "$build" -j"${MAKE_JOBS:-2}" check >"$logs/../check.log" 2>&1 || {
	rc=1
	tail -n 40 "$logs/../check.log"
	find "$build/tests" -name '*.log' -newer "$logs" -exec grep -l -E '^(not ok|FAIL)' {} + |
		xargs -r tail -n 30
}
echo "=== integration tests against $build/husk"
# the runtime's own sanity: a sanitized husk clones children (clone3, no
# CLONE_VM) that keep running instrumented code until they exec
# shellcheck disable=SC2086
HUSK=$build/husk /usr/bin/python3 -m pytest -q -p no:cacheprovider ${PYTEST_ARGS:-} \
	${HUSK_ASAN_SUITE:-tests/integration} || rc=1

reports=$(find "$logs" -type f -size +0 | sort)
if [ -n "$reports" ]; then
	echo "=== $(echo "$reports" | wc -l) sanitizer report(s):"
	for f in $reports; do
		echo "--- $f"
		head -n 40 "$f"
	done
	rc=1
else
	echo "sanitizers: no report"
fi
exit $rc
