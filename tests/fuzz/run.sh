#!/bin/bash
# Runs every libFuzzer harness for a while (docs/fuzzing.md).
#   tests/fuzz/run.sh BUILD-DIR [SECONDS-EACH] [HARNESS...]
# BUILD-DIR was configured with CC=clang --enable-fuzzers. Each harness works
# on /var/tmp/husk-test/fuzz-corpus/NAME (kept between runs, so coverage
# grows) seeded from tests/fuzz/corpus/NAME. Exits non-zero when a harness
# finds a crash, a leak or a timeout; the input is kept under
# /var/tmp/husk-test/fuzz-artifacts/ (add it to tests/fuzz/corpus/NAME and
# fix the bug: `make check` replays the corpus).
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: tests/fuzz/run.sh BUILD-DIR [SECONDS] [HARNESS...]}
secs=${2:-30}
shift $(($# < 2 ? $# : 2))
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=($(ls tests/fuzz/corpus))
work=/var/tmp/husk-test/fuzz-corpus
art=/var/tmp/husk-test/fuzz-artifacts
mkdir -p "$work" "$art"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=()
for h in "${harnesses[@]}"; do
	bin=$build/tests/fuzz/fuzz_$h
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin missing" >&2
		failed+=("$h(missing)")
		continue
	fi
	mkdir -p "$work/$h"
	dict=()
	case $h in config | state | json | cdi*) dict=(-dict=tests/fuzz/husk.dict) ;; esac
	echo "=== fuzz $h for ${secs}s"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$art/$h-" "${dict[@]}" \
		"$work/$h" "tests/fuzz/corpus/$h" > "$art/$h.log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ +DONE)' "$art/$h.log" |
		sed "s/^/  $h: /"
	echo "  $h: corpus now $(ls "$work/$h" | wc -l) inputs"
	if [ $rc -ne 0 ]; then
		tail -n 60 "$art/$h.log"
		failed+=("$h")
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: FAILED: ${failed[*]} (inputs in $art)" >&2
	exit 1
fi
echo "fuzz: ${#harnesses[@]} harnesses, ${secs}s each, no crash"
