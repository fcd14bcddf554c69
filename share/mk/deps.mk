# share/mk/deps.mk: the tools the build and the tests need, installed on
# demand.  As root on Debian they are installed with apt-get; otherwise
# the build stops and prints the command that installs them.

DEPS_TEST=	kyua:kyua atf-sh:atf-sh /usr/include/atf-c.h:libatf-dev \
		mandoc:mandoc
DEPS_BENCH=	/usr/include/jemalloc/jemalloc.h:libjemalloc-dev \
		/usr/include/gperftools/tcmalloc.h:libgoogle-perftools-dev \
		/usr/include/mimalloc.h:libmimalloc-dev valgrind:valgrind \
		gnuplot:gnuplot-nox
DEPS_KERNEL=	qemu-system-riscv64:qemu-system-misc clang:clang ld.lld:lld

# $(call deps_missing,LIST): the packages whose file or command is absent.
deps_missing=	$(strip $(foreach d,$(1),$(if $(or \
		    $(wildcard $(firstword $(subst :, ,$(d)))),\
		    $(shell command -v $(firstword $(subst :, ,$(d))) \
		    2>/dev/null)),,$(lastword $(subst :, ,$(d))))))

# $(call deps_install,PACKAGES)
define deps_install
	@if [ -n "$(1)" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "deps: installing $(1)"; \
			apt-get update -qq >/dev/null && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			    $(1) >/dev/null || exit 1; \
		else \
			echo "missing packages; run:"; \
			echo "    sudo apt-get install $(1)"; \
			exit 1; \
		fi; \
	fi
endef

deps-test:
	$(call deps_install,$(call deps_missing,$(DEPS_TEST)))

deps-bench:
	$(call deps_install,$(call deps_missing,$(DEPS_BENCH)))

deps-kernel:
	$(call deps_install,$(call deps_missing,$(DEPS_KERNEL)))

.PHONY: deps-test deps-bench deps-kernel
