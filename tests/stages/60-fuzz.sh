#!/bin/bash
# Short fuzzing run: every libFuzzer harness (tests/fuzz) for FUZZ_SECONDS
# (default 20) each, built with clang, libFuzzer, ASan and UBSan out of tree.
# The long run is described in docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/stages/lib/variant-build.sh
# --disable-werror: warnings are the gcc build's job; a clang-only one must not stop fuzzing
build=$(variant_build fuzz CC=clang --enable-fuzzers --disable-werror)
# the corpus replay (seeds + past crashes) under the fuzz build's sanitizers
replays=$(for h in $(ls tests/fuzz/corpus); do printf 'tests/fuzz/replay_%s ' "$h"; done)
make -C "$build" -j"${MAKE_JOBS:-2}" check TESTS="$replays" >/dev/null ||
	{ echo "fuzz: corpus replay failed (see $build/tests/fuzz/*.log)" >&2; exit 1; }
tests/fuzz/run.sh "$build" "${FUZZ_SECONDS:-20}"
