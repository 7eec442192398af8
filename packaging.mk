# Installation and distribution beyond the binary: man page, bash completion, guides,
# and what the tarball must carry so that it builds and tests like a checkout.

# ---- man page: docs/man/husk.1 from markdown (go-md2man), or the prebuilt one a
# tarball ships when go-md2man is missing ----
if HAVE_MAN_PAGE
man1_MANS = docs/man/husk.1
endif
if HAVE_GO_MD2MAN
docs/man/husk.1: $(srcdir)/docs/man/husk.1.md
	@$(MKDIR_P) docs/man
	$(AM_V_GEN)$(GO_MD2MAN) -in $(srcdir)/docs/man/husk.1.md -out $@
CLEANFILES = docs/man/husk.1
endif

# ---- bash completion ----
bashcompdir = $(datadir)/bash-completion/completions
dist_bashcomp_DATA = completions/bash/husk

# ---- guides: every docs/*.md (other work adds its own) ----
install-data-local:
	$(MKDIR_P) $(DESTDIR)$(docdir)
	for f in $(srcdir)/docs/*.md; do $(INSTALL_DATA) "$$f" "$(DESTDIR)$(docdir)/" || exit 1; done
uninstall-local:
	for f in $(srcdir)/docs/*.md; do rm -f "$(DESTDIR)$(docdir)/$$(basename "$$f")"; done

# ---- the tarball: the test suite and its setup, the trees other work adds when they
# exist, the generated man page; never build products ----
EXTRA_DIST += .ci/run tests/run-all.sh tests/setup-deps.sh tests/rootfs.sh tests/demo.sh \
	tests/deps tests/stages
DIST_OPTIONAL = bench rootless
dist-hook:
	for d in $(DIST_OPTIONAL); do \
	  if test -d "$(srcdir)/$$d"; then cp -pR "$(srcdir)/$$d" "$(distdir)/"; fi; \
	done
	if test -f docs/man/husk.1; then cp -p docs/man/husk.1 "$(distdir)/docs/man/"; fi
	chmod -R u+w "$(distdir)"
	find "$(distdir)" -name __pycache__ -prune -exec rm -rf {} +
	find "$(distdir)" \( -name '*.o' -o -name '*.a' -o -name '*.pyc' -o -name .dirstamp \
	  -o -name '*.log' -o -name '*.trs' \) -type f -exec rm -f {} +
