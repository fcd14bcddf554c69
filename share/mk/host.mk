# share/mk/host.mk: the host platform's builds.
#
# Every variant builds the allocator (kernel headers only), the host glue,
# the library libukmem.a and every test program into .obj/<variant>/:
#
#	host	-O2 with DIAGNOSTIC: the plain test run
#	asan	AddressSanitizer and UndefinedBehaviorSanitizer
#	tsan	ThreadSanitizer
#
# (these three also with VMEM_DEBUG and KMEM_DEBUG: the O(n) checks)
#	bench	-O2 without DIAGNOSTIC: benchmarks and the installed library
#
# Kernel code compiles with -nostdinc against sys/ and the compiler's
# freestanding headers; test programs also see tests/include (atf-c.h),
# and nothing else does; the glue in sys/harness/rump/ sees the C library
# first and the kernel's headers after it.

CC?=		cc
CCINC:=		$(shell $(CC) -print-file-name=include)
WARNS=		-Wall -Wextra -Wno-unused-parameter -Wstrict-prototypes \
		-Wmissing-prototypes -Wshadow -Wpointer-arith -Werror
KERN_CPPFLAGS=	-D_KERNEL -ffreestanding -nostdinc -isystem $(CCINC) \
		-Isys/harness -Isys/harness/rump/include -Isys
TEST_CPPFLAGS=	$(KERN_CPPFLAGS) -Itests/include
RUMP_CPPFLAGS=	-D_GNU_SOURCE -Isys/harness/rump/lib \
		-Isys/harness/rump/include -idirafter sys/harness -idirafter sys
TEST_LDLIBS=	-latf-c -lpthread

DEBUG_CFLAGS=	-DDIAGNOSTIC -DVMEM_DEBUG -DKMEM_DEBUG
CFLAGS_host=	-O2 -g $(DEBUG_CFLAGS)
CFLAGS_asan=	-O1 -g $(DEBUG_CFLAGS) -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer
CFLAGS_tsan=	-O1 -g $(DEBUG_CFLAGS) -DTEST_SCALE=10 -fsanitize=thread
CFLAGS_bench=	-O2 -g -DNDEBUG

HOST_VARIANTS=	host asan tsan bench
TEST_VARIANTS=	host asan tsan

# $(call host_variant,V): the rules of variant V.
define host_variant
OBJ_$(1)=	.obj/$(1)
ALLOC_OBJS_$(1)=$$(ALLOC_SRCS:%.c=.obj/$(1)/%.o)
RUMP_OBJS_$(1)=	$$(RUMP_SRCS:%.c=.obj/$(1)/%.o)
LIB_$(1)=	.obj/$(1)/libukmem.a
TESTBINS_$(1)=	$$(TESTS:%=.obj/$(1)/%)
KYUAFILES_$(1)=	$$(KYUAFILES:%=.obj/$(1)/%)

$$(ALLOC_OBJS_$(1)): .obj/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$(CC) -std=gnu11 $$(CFLAGS_$(1)) $$(WARNS) $$(KERN_CPPFLAGS) \
	    -MMD -MP -c $$< -o $$@

$$(RUMP_OBJS_$(1)) .obj/$(1)/sys/harness/rump/rump_san.o: .obj/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$(CC) -std=gnu11 $$(CFLAGS_$(1)) $$(WARNS) -Wno-missing-prototypes \
	    $$(RUMP_CPPFLAGS) -MMD -MP -c $$< -o $$@

$$(LIB_$(1)): $$(ALLOC_OBJS_$(1)) $$(RUMP_OBJS_$(1))
	@rm -f $$@
	ar rcs $$@ $$^

.obj/$(1)/tests/%.o: tests/%.c
	@mkdir -p $$(@D)
	$$(CC) -std=gnu11 $$(CFLAGS_$(1)) $$(WARNS) $$(TEST_CPPFLAGS) \
	    -MMD -MP -c $$< -o $$@

.obj/$(1)/tests/%/Kyuafile: tests/%/Kyuafile
	@mkdir -p $$(@D)
	cp $$< $$@

.obj/$(1)/tests/Kyuafile: tests/Kyuafile
	@mkdir -p $$(@D)
	cp $$< $$@

-include $$(shell find .obj/$(1) -name '*.d' 2>/dev/null)
endef

$(foreach v,$(HOST_VARIANTS),$(eval $(call host_variant,$(v))))

# $(call test_prog,V,T): link test program T of variant V.
define test_prog
.obj/$(1)/$(2): $$(patsubst %.c,.obj/$(1)/%.o,$(2).c $$($(2)_SRCS)) \
    .obj/$(1)/sys/harness/rump/rump_san.o $$(LIB_$(1))
	$$(CC) $$(CFLAGS_$(1)) -o $$@ $$^ $$(TEST_LDLIBS) $$($(2)_LDLIBS)
endef

$(foreach v,$(HOST_VARIANTS),$(foreach t,$(TESTS),\
    $(eval $(call test_prog,$(v),$(t)))))

# The library for programs outside the tree: the -O2 build without
# DIAGNOSTIC linked into one object whose only global symbols are those
# the installed headers declare (share/mk/lib-syms), so that the kernel
# interfaces inside (panic, mutex_init, ncpu, ...) cannot collide with a
# program's own; its headers under .obj/include, and a pkg-config file.
# "make install" copies them under $(DESTDIR)$(PREFIX).  The kernel
# headers (LIB_INCS) include only kernel headers, so they go under
# kernel/sys/, and sys/ holds wrappers of the same names
# (sys/harness/rump/lib/) that supply the host's types first and then
# include the kernel's from the next directory on the include path.
PREFIX?=	/usr/local
LIB_KINCS=	$(LIB_INCS:sys/%=.obj/include/kernel/%)
LIB_WRAPS=	$(LIB_INCS:sys/%=.obj/include/%) .obj/include/ukmem_host.h
LIB_STAGED=	$(LIB_KINCS) $(LIB_WRAPS)
LIB_PUBLIC=	.obj/lib/libukmem.a

$(LIB_PUBLIC): $(LIB_bench) $(LIB_INCS) share/mk/lib-syms
	@mkdir -p $(@D)
	$(LD) -r --whole-archive $(LIB_bench) -o $(@D)/ukmem.o
	nm -g --defined-only $(@D)/ukmem.o | \
	    share/mk/lib-syms $(LIB_INCS) > $(@D)/ukmem.syms
	objcopy --keep-global-symbols=$(@D)/ukmem.syms $(@D)/ukmem.o
	@rm -f $@
	ar rcs $@ $(@D)/ukmem.o

$(LIB_KINCS): .obj/include/kernel/%: sys/%
	@mkdir -p $(@D)
	cp $< $@

$(LIB_WRAPS): .obj/include/%: sys/harness/rump/lib/%
	@mkdir -p $(@D)
	cp $< $@

.obj/pkgconfig/ukmem.pc: Makefile share/mk/host.mk
	@mkdir -p $(@D)
	@{ echo "prefix=$(abspath .obj)"; \
	    echo 'Name: ukmem'; \
	    echo 'Description: vmem and kmem allocators on the host platform'; \
	    echo 'Version: 0.1'; \
	    echo 'Cflags: -I$${prefix}/include -I$${prefix}/include/kernel'; \
	    echo 'Libs: $${prefix}/lib/libukmem.a -lpthread'; } > $@

lib: $(LIB_PUBLIC) $(LIB_STAGED) .obj/pkgconfig/ukmem.pc

install: lib
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/include/ukmem/sys \
	    $(DESTDIR)$(PREFIX)/include/ukmem/kernel/sys
	install -m 644 $(LIB_PUBLIC) $(DESTDIR)$(PREFIX)/lib/libukmem.a
	cd .obj/include && for f in $(LIB_STAGED:.obj/include/%=%); do \
		install -m 644 $$f $(DESTDIR)$(PREFIX)/include/ukmem/$$f; done
	sed -e 's|^prefix=.*|prefix=$(PREFIX)|' \
	    -e 's|-I$${prefix}/include|-I$${prefix}/include/ukmem|g' \
	    -e 's|$${prefix}/lib/libukmem.a|-L$${prefix}/lib -lukmem|' \
	    .obj/pkgconfig/ukmem.pc > $(DESTDIR)$(PREFIX)/lib/pkgconfig/ukmem.pc

.PHONY: lib install

# The plain tree: the misuse tests once more in the build without
# DIAGNOSTIC (so kmem_debug is off), for the panics every build owes.
PLAIN_TESTS=	tests/kern/kmem/t_kmem_debug tests/kern/malloc/t_malloc \
		tests/kern/vmem/t_vmem
PLAIN_BINS=	$(PLAIN_TESTS:%=.obj/bench/%)
PLAIN_KYUAFILES=$(PLAIN_TESTS:%=.obj/plain/%) .obj/plain/tests/Kyuafile

$(PLAIN_TESTS:%=.obj/plain/%): .obj/plain/%: .obj/bench/%
	@mkdir -p $(@D)
	ln -sf $(abspath $<) $@
	@{ echo 'syntax(2)'; echo 'test_suite("ukmem")'; \
	    echo 'atf_test_program{name="$(@F)"}'; } > $(@D)/Kyuafile

.obj/plain/tests/Kyuafile: share/mk/host.mk
	@mkdir -p $(@D)
	@{ echo 'syntax(2)'; echo 'test_suite("ukmem")'; \
	    for t in $(PLAIN_TESTS:tests/%=%); do \
		echo "include(\"$${t%/*}/Kyuafile\")"; done; } > $@

KYUA_TREES+=	plain
all: $(PLAIN_BINS) $(PLAIN_KYUAFILES)
