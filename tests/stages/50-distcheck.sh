#!/bin/bash
# Packaging: `make distcheck` (the tarball builds, passes `make check`, installs and
# uninstalls cleanly in a VPATH build), then the tarball on its own: built without
# go-md2man (the prebuilt man page is installed), `make install` with a prefix and
# DESTDIR puts every file where it belongs, the installed husk runs containers
# (tests/integration/test_cli.py from the tarball against it), `make uninstall`
# removes everything. Needs a configured tree (tests/run-all.sh builds it first).
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
[ -f Makefile ] || { ./autogen.sh && ./configure; }

echo "--- make distcheck"
make -j"${MAKE_JOBS:-2}" distcheck >/tmp/husk-distcheck.log 2>&1 || { tail -40 /tmp/husk-distcheck.log; exit 1; }
tarball=$(ls -t husk-*.tar.xz | head -1)
echo "ok: $tarball ($(du -k "$tarball" | cut -f1) KiB)"

work=$(mktemp -d /tmp/husk-dist.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xJf "$tarball"
src=$(echo "$work"/husk-*)

echo "--- tarball build without go-md2man, prefix /opt/husk, DESTDIR"
(cd "$src" && ./configure --prefix=/opt/husk ac_cv_path_GO_MD2MAN= >"$work/configure.log" 2>&1) ||
	{ tail -20 "$work/configure.log"; exit 1; }
grep -q 'man page: yes (prebuilt)' "$work/configure.log"
make -C "$src" -j"${MAKE_JOBS:-2}" >"$work/make.log" 2>&1 || { tail -30 "$work/make.log"; exit 1; }
dest=$work/dest
make -C "$src" install DESTDIR="$dest" >"$work/install.log" 2>&1 || { tail -30 "$work/install.log"; exit 1; }
for f in bin/husk share/man/man1/husk.1 share/bash-completion/completions/husk \
	share/doc/husk/getting-started.md share/doc/husk/troubleshooting.md; do
	test -s "$dest/opt/husk/$f" || { echo "missing after install: /opt/husk/$f"; exit 1; }
done
"$dest/opt/husk/bin/husk" --version | grep '^husk version ' >/dev/null
man -l "$dest/opt/husk/share/man/man1/husk.1" 2>/dev/null | grep 'husk create' >/dev/null ||
	{ echo "installed man page does not render"; exit 1; }
bash -c "source '$dest/opt/husk/share/bash-completion/completions/husk' && complete -p husk" >/dev/null
echo "ok: installed $(find "$dest" -type f | wc -l) files"

echo "--- the tarball's own tests against the installed husk"
HUSK="$dest/opt/husk/bin/husk" /usr/bin/python3 -m pytest -q -p no:cacheprovider "$src/tests/integration/test_cli.py" 2>&1 | tail -3

echo "--- make uninstall"
make -C "$src" uninstall DESTDIR="$dest" >/dev/null
left=$(find "$dest" -type f)
[ -z "$left" ] || { echo "left after uninstall: $left"; exit 1; }
echo "ok: nothing left"
cd "$top"
