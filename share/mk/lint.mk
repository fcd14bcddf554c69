# share/mk/lint.mk: "make lint" checks the man pages with mandoc -Tlint,
# checks that the set lists name exactly the files the tree installs
# (share/mk/setlist-check, fed by "make installed-files"), and that the
# host library exports only what its installed headers declare (nm).

MANPAGES=	$(sort $(wildcard share/man/man9/*.9))
INSTALLED_HEADERS= $(sort $(wildcard sys/sys/*.h sys/uvm/*.h))

# Every path "make install" would create, in set-list form.
installed-files:
	@for h in $(INSTALLED_HEADERS); do echo ./usr/include/$${h#sys/}; done
	@for m in $(MANPAGES); do echo ./usr/share/man/man9/$${m##*/}; done
	@for t in $(TESTS) $(KERNEL_TESTS_INSTALLED); do \
		echo ./usr/$$t; done
	@for k in $(KYUAFILES); do echo ./usr/$$k; done
	@echo ./usr/lib/libukmem.a
	@echo ./usr/lib/pkgconfig/ukmem.pc

lint: deps-test $(LIB_PUBLIC)
	@status=0; for m in $(MANPAGES); do \
		mandoc -Tlint -Wwarning $$m || status=1; done; \
	$(MAKE) -s installed-files | share/mk/setlist-check || status=1; \
	nm -g --defined-only $(LIB_PUBLIC) | \
	    share/mk/lib-syms -c $(LIB_INCS) || status=1; \
	exit $$status

.PHONY: lint installed-files
