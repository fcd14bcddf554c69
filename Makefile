# Makefile: build, test, benchmark and check the vmem/kmem allocator.
#
#	make		build the host library and every test program
#	make test	run the whole suite under kyua (host builds, sanitizer
#			builds, and the test kernel on QEMU)
#	make bench	run the benchmarks
#	make soak	the differential tests for 10^8 steps (not in make test)
#	make lint	mandoc -Tlint every man page; check the set lists;
#			check the host library's exported symbols
#
# Tools are installed on demand (share/mk/deps.mk).  Build products go to
# .obj/, which "make clean" removes.

.DEFAULT_GOAL:=	all
NPROC:=		$(shell nproc 2>/dev/null || echo 2)

include share/mk/deps.mk
include share/mk/srcs.mk
include share/mk/tests.mk
include $(sort $(wildcard tests/*/Makefile.inc tests/*/*/Makefile.inc))
-include sys/harness/arch/riscv/Makefile.inc
include share/mk/host.mk
include share/mk/lint.mk
-include tests/bench/Makefile.bench
-include $(sort $(wildcard tests/bench/*/Makefile.bench))

KYUA_TREES+=	$(TEST_VARIANTS)

all: $(foreach v,$(HOST_VARIANTS),$(LIB_$(v))) lib
all: $(foreach v,$(TEST_VARIANTS),$(TESTBINS_$(v)) $(KYUAFILES_$(v)))

.obj/Kyuafile: $(MAKEFILE_LIST)
	@mkdir -p $(@D)
	@{ echo 'syntax(2)'; echo 'test_suite("ukmem")'; \
	    for t in $(KYUA_TREES); do \
		echo "include(\"$$t/tests/Kyuafile\")"; done; } > $@

test: deps-test
	$(MAKE) -j$(NPROC) all .obj/Kyuafile $(KYUA_EXTRA)
	share/mk/kyua-run .obj

clean:
	rm -rf .obj

.PHONY: all test clean

# Benchmarks add their run targets to BENCH_RUNS (tests/bench/*/), and
# the plots drawn from what they wrote to BENCH_PLOTS.
bench: deps-bench
	$(MAKE) -j$(NPROC) $(foreach v,bench,$(LIB_$(v)))
	$(MAKE) $(BENCH_RUNS)
	$(MAKE) $(BENCH_PLOTS)

.PHONY: bench

# make netbsd-check NETBSD_SYS=dir: compile the patch and NetBSD's users of
# its headers inside a NetBSD-current sys/ tree (share/mk/netbsd-check).
netbsd-check: deps-kernel
	@if [ -z "$(NETBSD_SYS)" ]; then \
		echo "usage: make netbsd-check NETBSD_SYS=/path/to/netbsd/sys"; \
		exit 2; fi
	share/mk/netbsd-check $(NETBSD_SYS) .obj/netbsd-check

.PHONY: netbsd-check
