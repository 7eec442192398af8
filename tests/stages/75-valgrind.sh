#!/bin/bash
# The CLI paths under valgrind's memcheck (tests/integration/test_valgrind.py)
# against husk built dynamically (./configure --disable-static-binary), out of
# tree: memcheck replaces malloc through the dynamic linker, and the default
# build is a static binary. Environment: PYTEST_ARGS (extra pytest arguments).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/stages/lib/variant-build.sh
build=$(variant_build dynamic --disable-static-binary)
if ! ldd "$build/husk" | grep -q 'libc\.so'; then
	echo "75-valgrind: $build/husk is not dynamic" >&2
	exit 1
fi
echo "=== test_valgrind.py against $build/husk (dynamic)"
# shellcheck disable=SC2086
HUSK=$build/husk /usr/bin/python3 -m pytest -q -rs -p no:cacheprovider ${PYTEST_ARGS:-} \
	tests/integration/test_valgrind.py
