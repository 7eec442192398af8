# Sourced by stages that need husk built another way (sanitizers, fuzzing).
#
#   variant_build NAME [CONFIGURE-ARGS...]   prints the build directory
#
# Builds out of tree (VPATH), the way `mkdir build && cd build && ../configure`
# does, from a copy of the source that was never configured in place (the
# checkout itself is: run-all.sh builds there first, and configure refuses a
# VPATH build next to an in-tree one). The copy and the build live under
# /var/tmp/husk-test/NAME and are updated in place, so a rerun rebuilds only
# what changed. All output goes to stderr and NAME.log.
variant_build() {
	local name=$1 repo cache src build
	shift
	repo=$(pwd)
	cache=/var/tmp/husk-test/$name
	src=$cache/src
	build=$src/build-$name
	mkdir -p "$src"
	# the source files only: tracked and new-but-not-ignored (no build outputs)
	if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$repo" ls-files -z -co --exclude-standard |
			tar -C "$repo" --null -T - -cf - | tar -C "$src" -xf -
	else
		tar -C "$repo" --exclude='./build-*' -cf - . | tar -C "$src" -xf -
		[ ! -e "$src/Makefile" ] || make -C "$src" distclean >/dev/null
	fi
	{
		echo "variant $name: source copy $src, build $build, configure $*"
		[ -x "$src/configure" ] || (cd "$src" && ./autogen.sh)
		mkdir -p "$build"
		cd "$build"
		# reconfigure when the arguments change; make reruns autoconf itself
		if [ ! -e config.status ] || [ "$(cat .configure-args 2>/dev/null)" != "$*" ]; then
			../configure "$@"
			echo "$*" > .configure-args
		fi
		make -j"${MAKE_JOBS:-2}"
	} > "$cache/$name.log" 2>&1 || {
		tail -n 40 "$cache/$name.log" >&2
		echo "variant $name: build failed (log: $cache/$name.log)" >&2
		return 1
	}
	echo "$build"
}
