/*
 * t_vmem.c: vmem(9), function by function and flag by flag.
 *
 * Each case builds its own arenas over made-up ranges (nothing is mapped:
 * an arena hands out integers), checks the results against the rules in
 * vmem(9), and runs vmem_check.  The misuse cases expect the panic that
 * the rule they break calls for; on the host platform a panic aborts.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/condvar.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/kmem.h>
#include <sys/kthread.h>
#include <sys/mutex.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <uvm/uvm_kmem.h>

#include <atf-c.h>

#include "../t_rand.h"
#include "../t_sleeper.h"

#ifndef TEST_SCALE
#define	TEST_SCALE	1
#endif

/* Declare a case that must end in a panic about rule. */
#define	T_MISUSE(name, text)						\
ATF_TC(name);								\
ATF_TC_HEAD(name, tc)							\
{									\
	atf_tc_set_md_var(tc, "descr", text);				\
}

/* A plain arena of [base, base + size) with quantum q. */
static vmem_t *
t_arena(const char *name, vmem_addr_t base, vmem_size_t size, vmem_size_t q)
{
	vmem_t *vm;

	vm = vmem_create(name, base, size, q, NULL, NULL, NULL, 0, VM_SLEEP,
	    IPL_NONE);
	ATF_REQUIRE(vm != NULL);
	return vm;
}

ATF_TC(create_alloc_free);
ATF_TC_HEAD(create_alloc_free, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_create, vmem_alloc, vmem_free "
	    "and vmem_size account for every byte");
}
ATF_TC_BODY(create_alloc_free, tc)
{
	vmem_addr_t a, b;
	vmem_t *vm;

	vm = t_arena("t", 0x1000, 0x10000, 0x10);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_FREE), 0x10000);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x100, VM_SLEEP, &a), 0);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x11, VM_NOSLEEP, &b), 0);
	ATF_CHECK(a >= 0x1000 && a + 0x100 <= 0x11000);
	ATF_CHECK(b + 0x20 <= a || a + 0x100 <= b);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0x120);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 0x10000);
	ATF_CHECK_EQ(vmem_roundup_size(vm, 0x11), 0x20);
	vmem_free(vm, a, 0x100);
	vmem_free(vm, b, 0x11);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	vmem_check(vm);
	vmem_destroy(vm);
}

ATF_TC(nosleep_exhaustion);
ATF_TC_HEAD(nosleep_exhaustion, tc)
{

	atf_tc_set_md_var(tc, "descr", "VM_NOSLEEP fills the arena exactly, "
	    "then fails with ENOMEM without sleeping");
}
ATF_TC_BODY(nosleep_exhaustion, tc)
{
	vmem_addr_t a, addrs[64];
	vmem_t *vm;
	int i;

	vm = t_arena("t", 0, 64, 1);
	for (i = 0; i < 64; i++)
		ATF_REQUIRE_EQ(vmem_alloc(vm, 1, VM_NOSLEEP, &addrs[i]), 0);
	ATF_CHECK_EQ(vmem_alloc(vm, 1, VM_NOSLEEP, &a), ENOMEM);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_FREE), 0);
	vmem_free(vm, addrs[17], 1);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 1, VM_NOSLEEP, &a), 0);
	ATF_CHECK_EQ(a, addrs[17]);
	ATF_CHECK_EQ(vmem_alloc(vm, 2, VM_NOSLEEP | VM_BESTFIT, &a), ENOMEM);
	for (i = 0; i < 64; i++)
		vmem_free(vm, addrs[i], 1);
	vmem_check(vm);
	vmem_destroy(vm);
}

ATF_TC(xalloc_align_phase);
ATF_TC_HEAD(xalloc_align_phase, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_xalloc honours align and phase "
	    "for every power of 2 alignment and every phase");
}
ATF_TC_BODY(xalloc_align_phase, tc)
{
	vmem_size_t align, phase;
	vmem_addr_t a;
	vmem_t *vm;

	vm = t_arena("t", 0x10010, 0x100000, 0x10);
	for (align = 0x10; align <= 0x10000; align <<= 1) {
		for (phase = 0; phase < align; phase += align / 4 + 0x10) {
			phase &= ~(vmem_size_t)0xf;
			ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x30, align, phase, 0,
			    VMEM_ADDR_MIN, VMEM_ADDR_MAX, VM_NOSLEEP, &a), 0);
			ATF_CHECK_EQ_MSG(a % align, phase, "align %#zx phase "
			    "%#zx addr %#lx", align, phase, (unsigned long)a);
			vmem_xfree(vm, a, 0x30);
		}
	}
	vmem_check(vm);
	vmem_destroy(vm);
}

ATF_TC(xalloc_nocross);
ATF_TC_HEAD(xalloc_nocross, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_xalloc never returns a range "
	    "that crosses a multiple of nocross, even when the first fit "
	    "would");
}
ATF_TC_BODY(xalloc_nocross, tc)
{
	vmem_addr_t a, pad;
	vmem_t *vm;
	int i;

	vm = t_arena("t", 0, 0x100000, 1);
	/* Leave the first free address just below a 64 KiB boundary. */
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0xff00, 0, 0, 0, 0, VMEM_ADDR_MAX,
	    VM_NOSLEEP, &pad), 0);
	ATF_REQUIRE_EQ(pad, 0);
	for (i = 0; i < 8; i++) {
		ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x1000, 0x100, 0, 0x10000, 0,
		    VMEM_ADDR_MAX, VM_NOSLEEP, &a), 0);
		ATF_CHECK_EQ_MSG(a / 0x10000, (a + 0x1000 - 1) / 0x10000,
		    "range %#lx+0x1000 crosses 64 KiB", (unsigned long)a);
		ATF_CHECK_EQ(a % 0x100, 0);
	}
	ATF_CHECK_EQ(vmem_xalloc(vm, 0x10000, 0, 0, 0x10000, 0, VMEM_ADDR_MAX,
	    VM_NOSLEEP, &a), 0);
	ATF_CHECK_EQ(a % 0x10000, 0);
	vmem_check(vm);
}

ATF_TC(xalloc_range);
ATF_TC_HEAD(xalloc_range, tc)
{

	atf_tc_set_md_var(tc, "descr", "minaddr and maxaddr are inclusive; "
	    "pinning them allocates an exact address or fails");
}
ATF_TC_BODY(xalloc_range, tc)
{
	vmem_addr_t a, b;
	vmem_t *vm;

	vm = t_arena("t", 0x1000, 0x1000, 0x10);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x20, 0, 0, 0, 0x1800, 0x181f,
	    VM_NOSLEEP, &a), 0);
	ATF_CHECK_EQ(a, 0x1800);
	ATF_CHECK_EQ(vmem_xalloc(vm, 0x20, 0, 0, 0, 0x1800, 0x181f,
	    VM_NOSLEEP, &b), ENOMEM);
	ATF_CHECK_EQ(vmem_xalloc(vm, 0x20, 0, 0, 0, 0x1810, 0x183f,
	    VM_NOSLEEP, &b), 0);
	ATF_CHECK_EQ(b, 0x1820);
	/* The last quantum of the arena, by an inclusive maxaddr. */
	ATF_CHECK_EQ(vmem_xalloc(vm, 0x10, 0, 0, 0, 0x1ff0, 0x1fff,
	    VM_NOSLEEP | VM_BESTFIT, &b), 0);
	ATF_CHECK_EQ(b, 0x1ff0);
	/* Outside every span. */
	ATF_CHECK_EQ(vmem_xalloc(vm, 0x10, 0, 0, 0, 0x2000, 0x2fff,
	    VM_NOSLEEP, &b), ENOMEM);
	/* A range below maxaddr only. */
	ATF_CHECK_EQ(vmem_xalloc(vm, 0x100, 0, 0, 0, 0, 0x10ff,
	    VM_NOSLEEP | VM_NEXTFIT, &b), 0);
	ATF_CHECK_EQ(b, 0x1000);
	vmem_check(vm);
}

ATF_TC(bestfit);
ATF_TC_HEAD(bestfit, tc)
{

	atf_tc_set_md_var(tc, "descr", "VM_BESTFIT takes the smallest free "
	    "segment that fits; VM_INSTANTFIT one whose order guarantees it");
}
ATF_TC_BODY(bestfit, tc)
{
	vmem_addr_t a[8], x;
	vmem_t *vm;
	int i;

	vm = t_arena("t", 0, 0x1000, 1);
	/* Tile [0, 0x380) with 0x80-byte segments, then punch holes. */
	for (i = 0; i < 7; i++)
		ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x80, 0, 0, 0, i * 0x80,
		    VMEM_ADDR_MAX, VM_NOSLEEP, &a[i]), 0);
	ATF_REQUIRE_EQ(a[6], 0x300);
	vmem_xfree(vm, a[0], 0x80);
	vmem_xfree(vm, a[2], 0x80);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x70, 0, 0, 0, a[2], a[2] + 0x6f,
	    VM_NOSLEEP, &x), 0);
	vmem_xfree(vm, a[4], 0x80);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x50, 0, 0, 0, a[4], a[4] + 0x4f,
	    VM_NOSLEEP, &x), 0);
	/* Holes of 0x80 at 0, 0x10 at a2 + 0x70, 0x30 at a4 + 0x50. */
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x21, VM_NOSLEEP | VM_BESTFIT, &x), 0);
	ATF_CHECK_EQ(x, a[4] + 0x50);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x10, VM_NOSLEEP | VM_BESTFIT, &x), 0);
	ATF_CHECK_EQ(x, a[2] + 0x70);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x41, VM_NOSLEEP | VM_BESTFIT, &x), 0);
	ATF_CHECK_EQ(x, 0);
	vmem_check(vm);
}

ATF_TC(nextfit);
ATF_TC_HEAD(nextfit, tc)
{

	atf_tc_set_md_var(tc, "descr", "VM_NEXTFIT hands out increasing "
	    "addresses, wrapping to freed ones only at the end");
}
ATF_TC_BODY(nextfit, tc)
{
	vmem_addr_t a, prev;
	vmem_t *vm;
	int i;

	vm = t_arena("pid", 1, 100, 1);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 1, VM_NOSLEEP | VM_NEXTFIT, &prev), 0);
	ATF_CHECK_EQ(prev, 1);
	for (i = 0; i < 98; i++) {
		ATF_REQUIRE_EQ(vmem_alloc(vm, 1, VM_NOSLEEP | VM_NEXTFIT, &a),
		    0);
		ATF_CHECK_EQ(a, prev + 1);
		vmem_free(vm, prev, 1);	/* the freed one is not reused yet */
		prev = a;
	}
	ATF_REQUIRE_EQ(vmem_alloc(vm, 1, VM_NOSLEEP | VM_NEXTFIT, &a), 0);
	ATF_CHECK_EQ(a, 100);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 1, VM_NOSLEEP | VM_NEXTFIT, &a), 0);
	ATF_CHECK_EQ(a, 1);
	vmem_check(vm);
}

ATF_TC(instantfit_order);
ATF_TC_HEAD(instantfit_order, tc)
{

	atf_tc_set_md_var(tc, "descr", "instant fit takes a segment from the "
	    "first size class whose every member fits, and falls back to the "
	    "request's own class when only it has one");
}
ATF_TC_BODY(instantfit_order, tc)
{
	vmem_addr_t a, x, y;
	vmem_t *vm;

	vm = t_arena("t", 0, 0x1000, 1);
	/*
	 * One free hole of 0x33 (class 0x30-0x33 of order 5) and the big
	 * tail.
	 */
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x100, VM_NOSLEEP, &a), 0);
	vmem_xfree(vm, a, 0x100);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x33, 0, 0, 0, 0, 0x32, VM_NOSLEEP,
	    &a), 0);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x10, 0, 0, 0, 0x33, 0x42, VM_NOSLEEP,
	    &x), 0);
	vmem_xfree(vm, a, 0x33);
	/* 0x31 is not its class's smallest: the hole is skipped. */
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x31, VM_NOSLEEP | VM_INSTANTFIT, &a),
	    0);
	ATF_CHECK_EQ(a, 0x43);
	vmem_free(vm, a, 0x31);
	/* 0x30 is: the hole serves it. */
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x30, VM_NOSLEEP | VM_INSTANTFIT, &a),
	    0);
	ATF_CHECK_EQ(a, 0);
	vmem_free(vm, a, 0x30);
	/* Best fit takes the hole. */
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x31, VM_NOSLEEP | VM_BESTFIT, &a), 0);
	ATF_CHECK_EQ(a, 0);
	vmem_free(vm, a, 0x31);
	/* With the tail taken, instant fit falls back to the hole. */
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x1000 - 0x43, 0, 0, 0, 0x43,
	    VMEM_ADDR_MAX, VM_NOSLEEP, &y), 0);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x31, VM_NOSLEEP | VM_INSTANTFIT, &a),
	    0);
	ATF_CHECK_EQ(a, 0);
	vmem_free(vm, a, 0x31);
	vmem_xfree(vm, y, 0x1000 - 0x43);
	vmem_free(vm, x, 0x10);
	vmem_check(vm);
	vmem_destroy(vm);
}

ATF_TC(add_spans);
ATF_TC_HEAD(add_spans, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_add: adjacent spans stay apart; "
	    "vmem_contains and vmem_walk see them");
}

/* Count the bytes vmem_walk reports. */
static void
t_walk_sum(void *arg, vmem_addr_t addr, vmem_size_t size)
{
	vmem_size_t *sum = arg;

	*sum += size;
}

ATF_TC_BODY(add_spans, tc)
{
	vmem_size_t sum;
	vmem_addr_t a;
	vmem_t *vm;

	vm = vmem_create("t", 0, 0, 1, NULL, NULL, NULL, 0, VM_SLEEP, 0);
	ATF_REQUIRE(vm != NULL);
	ATF_CHECK_EQ(vmem_alloc(vm, 1, VM_NOSLEEP, &a), ENOMEM);
	ATF_REQUIRE_EQ(vmem_add(vm, 0x100, 0x100, VM_SLEEP), 0);
	ATF_REQUIRE_EQ(vmem_add(vm, 0x200, 0x100, VM_SLEEP), 0);
	ATF_CHECK(vmem_contains(vm, 0x100, 0x100));
	ATF_CHECK(vmem_contains(vm, 0x2ff, 1));
	ATF_CHECK(!vmem_contains(vm, 0x1ff, 2));	/* two spans */
	ATF_CHECK(!vmem_contains(vm, 0x300, 1));
	/* Spans do not coalesce: 0x180 bytes fit in neither. */
	ATF_CHECK_EQ(vmem_alloc(vm, 0x180, VM_NOSLEEP, &a), ENOMEM);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x100, VM_NOSLEEP, &a), 0);
	sum = 0;
	vmem_walk(vm, VMEM_SPAN, t_walk_sum, &sum);
	ATF_CHECK_EQ(sum, 0x200);
	sum = 0;
	vmem_walk(vm, VMEM_ALLOC, t_walk_sum, &sum);
	ATF_CHECK_EQ(sum, 0x100);
	sum = 0;
	vmem_walk(vm, VMEM_FREE, t_walk_sum, &sum);
	ATF_CHECK_EQ(sum, 0x100);
	vmem_free(vm, a, 0x100);
	vmem_check(vm);
	vmem_destroy(vm);
}

ATF_TC(top_of_address_space);
ATF_TC_HEAD(top_of_address_space, tc)
{

	atf_tc_set_md_var(tc, "descr", "an arena whose last address is "
	    "VMEM_ADDR_MAX allocates its last quantum without overflow");
}
ATF_TC_BODY(top_of_address_space, tc)
{
	vmem_addr_t base = VMEM_ADDR_MAX - 0xffff, a, b;
	vmem_t *vm;

	vm = t_arena("top", base, 0x10000, 0x1000);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x1000, 0, 0, 0, VMEM_ADDR_MAX - 0xfff,
	    VMEM_ADDR_MAX, VM_NOSLEEP, &a), 0);
	ATF_CHECK_EQ(a, VMEM_ADDR_MAX - 0xfff);
	ATF_CHECK_EQ(vmem_xalloc(vm, 0x2000, 0x2000, 0, 0, 0, VMEM_ADDR_MAX,
	    VM_NOSLEEP, &b), 0);
	ATF_CHECK_EQ(b % 0x2000, 0);
	ATF_CHECK(b >= base && b + 0x2000 - 1 <= VMEM_ADDR_MAX);
	ATF_CHECK(vmem_contains(vm, VMEM_ADDR_MAX, 1));
	vmem_xfree(vm, a, 0x1000);
	vmem_xfree(vm, b, 0x2000);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_FREE), 0x10000);
	vmem_check(vm);
	vmem_destroy(vm);
}

ATF_TC(quantum_page);
ATF_TC_HEAD(quantum_page, tc)
{

	atf_tc_set_md_var(tc, "descr", "an arena with a page quantum rounds "
	    "sizes up to pages and returns page-aligned addresses");
}
ATF_TC_BODY(quantum_page, tc)
{
	vmem_addr_t a;
	vmem_t *vm;

	vm = t_arena("pages", 0x400000, 0x400000, PAGE_SIZE);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 1, VM_NOSLEEP, &a), 0);
	ATF_CHECK_EQ(a % PAGE_SIZE, 0);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), PAGE_SIZE);
	vmem_free(vm, a, PAGE_SIZE);
	vmem_destroy(vm);
}

ATF_TC(vmem_init_static);
ATF_TC_HEAD(vmem_init_static, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_init builds an arena in storage "
	    "the caller gives, as early boot does");
}
ATF_TC_BODY(vmem_init_static, tc)
{
	static vmem_t store;
	vmem_addr_t a;
	vmem_t *vm;

	vm = vmem_init(&store, "static", 0x10, 0x10, 1, NULL, NULL, NULL, 0,
	    VM_NOSLEEP | VM_BOOTSTRAP, IPL_VM);
	ATF_REQUIRE(vm == &store);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x10, VM_NOSLEEP, &a), 0);
	ATF_CHECK_EQ(a, 0x10);
	vmem_free(vm, a, 0x10);
	vmem_destroy(vm);
}

/* ---- freeing part of a segment */

ATF_TC(xfree_part);
ATF_TC_HEAD(xfree_part, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_xfree_part frees the middle, "
	    "the head and the tail of a segment; what is left stays "
	    "allocated and is freed piece by piece");
}
ATF_TC_BODY(xfree_part, tc)
{
	vmem_addr_t a, b;
	vmem_t *vm;

	vm = t_arena("t", 0x1000, 0x1000, 0x10);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x400, 0, 0, 0, 0x1000, 0x13ff,
	    VM_NOSLEEP, &a), 0);
	ATF_REQUIRE_EQ(vmem_xfree_part(vm, 0x1100, 0x100, VM_NOSLEEP), 0);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0x300);
	/* The hole can be allocated again, exactly. */
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x100, 0, 0, 0, 0x1000, 0x13ff,
	    VM_NOSLEEP, &b), 0);
	ATF_CHECK_EQ(b, 0x1100);
	vmem_xfree(vm, b, 0x100);
	/* Head and tail of the two remaining pieces. */
	ATF_REQUIRE_EQ(vmem_xfree_part(vm, 0x1000, 0x10, VM_NOSLEEP), 0);
	ATF_REQUIRE_EQ(vmem_xfree_part(vm, 0x13f0, 0x10, VM_NOSLEEP), 0);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0x2e0);
	/* Whole pieces, through either call. */
	vmem_xfree(vm, 0x1010, 0xf0);
	ATF_REQUIRE_EQ(vmem_xfree_part(vm, 0x1200, 0x1f0, VM_NOSLEEP), 0);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	vmem_check(vm);
	vmem_destroy(vm);
}

ATF_TC(xfree_part_release);
ATF_TC_HEAD(xfree_part_release, tc)
{

	atf_tc_set_md_var(tc, "descr", "freeing the last part of an imported "
	    "span releases the span to its source");
}
ATF_TC_BODY(xfree_part_release, tc)
{
	vmem_addr_t a;
	vmem_t *parent, *vm;

	parent = t_arena("parent", 0x100000, 0x100000, 0x1000);
	vm = vmem_create("child", 0, 0, 0x1000, vmem_alloc, vmem_free, parent,
	    0, VM_SLEEP, IPL_NONE);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x4000, VM_SLEEP | VM_BESTFIT, &a), 0);
	ATF_REQUIRE_EQ(vmem_xfree_part(vm, a + 0x1000, 0x2000, VM_SLEEP), 0);
	ATF_CHECK_EQ(vmem_size(parent, VMEM_ALLOC), 0x4000);
	ATF_REQUIRE_EQ(vmem_xfree_part(vm, a, 0x1000, VM_SLEEP), 0);
	ATF_REQUIRE_EQ(vmem_xfree_part(vm, a + 0x3000, 0x1000, VM_SLEEP), 0);
	ATF_CHECK_EQ(vmem_size(parent, VMEM_ALLOC), 0);
	vmem_check(vm);
	vmem_destroy(vm);
	vmem_destroy(parent);
}

ATF_TC(busy_find);
ATF_TC_HEAD(busy_find, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_busy_find gives the busy "
	    "segment that holds an address, or the next one above it, "
	    "whether or not a segment starts there");
}
ATF_TC_BODY(busy_find, tc)
{
	vmem_addr_t a, s;
	vmem_size_t size;
	vmem_t *vm;

	vm = t_arena("t", 0x1000, 0x1000, 0x10);
	ATF_CHECK(!vmem_busy_find(vm, 0x1000, &s, &size));
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x100, 0, 0, 0, 0x1200, 0x12ff,
	    VM_NOSLEEP, &a), 0);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x10, 0, 0, 0, 0x1800, 0x180f,
	    VM_NOSLEEP, &a), 0);
	ATF_REQUIRE(vmem_busy_find(vm, 0x1200, &s, &size));	/* hashed */
	ATF_CHECK(s == 0x1200 && size == 0x100);
	ATF_REQUIRE(vmem_busy_find(vm, 0x12ff, &s, &size));	/* inside */
	ATF_CHECK(s == 0x1200 && size == 0x100);
	ATF_REQUIRE(vmem_busy_find(vm, 0x1000, &s, &size));	/* below */
	ATF_CHECK(s == 0x1200 && size == 0x100);
	ATF_REQUIRE(vmem_busy_find(vm, 0x1300, &s, &size));	/* a gap */
	ATF_CHECK(s == 0x1800 && size == 0x10);
	ATF_CHECK(!vmem_busy_find(vm, 0x1810, &s, &size));	/* above */
	vmem_xfree(vm, 0x1200, 0x100);
	vmem_xfree(vm, 0x1800, 0x10);
	ATF_CHECK(!vmem_busy_find(vm, 0x1000, &s, &size));
	vmem_check(vm);
	vmem_destroy(vm);
}

ATF_TC(busy_covers);
ATF_TC_HEAD(busy_covers, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_busy_covers answers whether an "
	    "address lies in a busy segment starting at most span bytes "
	    "below it, from the hash alone: the busy index stays off");
}
ATF_TC_BODY(busy_covers, tc)
{
	vmem_addr_t a;
	vmem_t *vm;

	vm = t_arena("t", 0x1000, 0x1000, 0x10);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x100, 0, 0, 0, 0x1200, 0x12ff,
	    VM_NOSLEEP, &a), 0);
	ATF_CHECK(vmem_busy_covers(vm, 0x1200, 0));		/* its start */
	ATF_CHECK(vmem_busy_covers(vm, 0x12ff, 0xff));		/* its end */
	ATF_CHECK(!vmem_busy_covers(vm, 0x12ff, 0xef));		/* too far */
	ATF_CHECK(vmem_busy_covers(vm, 0x1234, 0x1000));
	ATF_CHECK(!vmem_busy_covers(vm, 0x1300, 0x1000));	/* past it */
	ATF_CHECK(!vmem_busy_covers(vm, 0x11f0, 0x1000));	/* below it */
	ATF_CHECK(!vmem_busy_covers(vm, 0x1000, 0x1000));	/* the floor */
	vmem_xfree(vm, 0x1200, 0x100);
	ATF_CHECK(!vmem_busy_covers(vm, 0x1200, 0x1000));	/* freed */
	ATF_CHECK(!vm->vm_ordered);
	vmem_check(vm);
	vmem_destroy(vm);
}

/* ---- running out of boundary tags */

/* vmem_walk callback: count a tag. */
static void
t_count_tag(void *arg, vmem_addr_t addr, vmem_size_t size)
{

	(*(size_t *)arg)++;
}

/*
 * Every tag the arena holds: in its segment list, and spare.  While it
 * is starved and holds fewer spare tags than it keeps, no tag enters or
 * leaves it, so this stays the same unless one leaks.
 */
static size_t
t_ntags(vmem_t *vm)
{
	size_t n = 0;

	vmem_walk(vm, VMEM_ALLOC | VMEM_FREE | VMEM_SPAN, t_count_tag, &n);
	mutex_enter(&vm->vm_lock);
	n += vm->vm_nfreetags;
	mutex_exit(&vm->vm_lock);
	return n;
}

/* Allocate exactly [a, a + size) in vm. */
static void
t_xalloc_at(vmem_t *vm, vmem_addr_t a, vmem_size_t size)
{
	vmem_addr_t got;

	ATF_REQUIRE_EQ(vmem_xalloc(vm, size, 0, 0, 0, a, a + size - 1,
	    VM_NOSLEEP, &got), 0);
	ATF_REQUIRE_EQ(got, a);
}

ATF_TC(xfree_run);
ATF_TC_HEAD(xfree_run, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_xfree_run frees a range over "
	    "adjacent allocations, parts of the first and last and all of "
	    "those between; starved of tags it fails with ENOMEM having "
	    "freed nothing, unless it splits nothing");
}
ATF_TC_BODY(xfree_run, tc)
{
	vmem_addr_t a;
	size_t n, tags;
	vmem_t *vm;
	int i;

	vm = t_arena("t", 0, 0x1000, 0x10);
	for (i = 0; i < 4; i++)
		t_xalloc_at(vm, 0x100 + i * 0x40, 0x40);
	ATF_REQUIRE_EQ(vmem_xfree_run(vm, 0x120, 0x80, VM_NOSLEEP), 0);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0x80);
	vmem_check(vm);
	/* What is left is [0x100, 0x120), [0x1a0, 0x1c0) and [0x1c0, 0x200). */
	vmem_xfree(vm, 0x100, 0x20);
	vmem_xfree(vm, 0x1a0, 0x20);
	vmem_xfree(vm, 0x1c0, 0x40);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);

	for (i = 0; i < 4; i++)
		t_xalloc_at(vm, 0x100 + i * 0x40, 0x40);
	vmem_mtbf_set(1, VMEM_MTBF_EVERY | VMEM_MTBF_REFILLS, 0);
	for (n = 0; vmem_xalloc(vm, 0x10, 0, 0, 0, 0x800 + n * 0x20,
	    0x80f + n * 0x20, VM_NOSLEEP, &a) == 0; n++)
		continue;		/* spend the spare tags */
	tags = t_ntags(vm);
	ATF_CHECK_EQ(vmem_xfree_run(vm, 0x110, 0xe0, VM_NOSLEEP), ENOMEM);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0x100 + n * 0x10);
	ATF_CHECK_EQ(t_ntags(vm), tags);
	vmem_check(vm);
	ATF_CHECK_EQ(vmem_xfree_run(vm, 0x100, 0xc0, VM_NOSLEEP), 0);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0x40 + n * 0x10);
	ATF_CHECK_EQ(t_ntags(vm), tags);
	vmem_check(vm);
	vmem_mtbf_set(0, VMEM_MTBF_EVERY, 0);
	vmem_xfree(vm, 0x1c0, 0x40);
	while (n-- > 0)
		vmem_xfree(vm, 0x800 + n * 0x20, 0x10);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	vmem_destroy(vm);
}

T_MISUSE(misuse_run_gap, "vmem_xfree_run over a number that is not "
    "allocated panics, having freed nothing")
ATF_TC_BODY(misuse_run_gap, tc)
{
	vmem_t *vm = t_arena("t", 0, 0x1000, 0x10);

	t_xalloc_at(vm, 0x100, 0x40);
	t_xalloc_at(vm, 0x150, 0x40);
	atf_tc_expect_signal(SIGABRT, "a gap in the run must panic");
	(void)vmem_xfree_run(vm, 0x100, 0x90, VM_NOSLEEP);
}

ATF_TC(tag_exhaustion);
ATF_TC_HEAD(tag_exhaustion, tc)
{

	atf_tc_set_md_var(tc, "descr", "an arena that gets no more boundary "
	    "tags fails vmem_xalloc and vmem_xfree_part with ENOMEM under "
	    "VM_NOSLEEP, changing nothing; vmem_xfree still works and gives "
	    "tags back, and the arena is whole afterwards");
}
ATF_TC_BODY(tag_exhaustion, tc)
{
	vmem_addr_t a[64], b;
	size_t i, n, tags;
	vmem_t *vm;

	vm = t_arena("t", 0x10000, 0x100000, 0x10);
	vmem_mtbf_set(1, VMEM_MTBF_EVERY | VMEM_MTBF_REFILLS, 0);
	tags = t_ntags(vm);
	/* Each allocation after the first carves a free piece on each side. */
	for (n = 0; n < __arraycount(a); n++) {
		if (vmem_xalloc(vm, 0x100, 0, 0, 0, 0x10000 + n * 0x200,
		    VMEM_ADDR_MAX, VM_NOSLEEP | VM_BESTFIT, &a[n]) != 0)
			break;
		ATF_REQUIRE_EQ(a[n], 0x10000 + n * 0x200);
	}
	ATF_REQUIRE_MSG(n >= 2 && n < __arraycount(a), "%zu allocations "
	    "before running out of tags", n);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), n * 0x100);
	ATF_CHECK_EQ(t_ntags(vm), tags);
	vmem_check(vm);

	/* A split needs tags: nothing is freed. */
	ATF_CHECK_EQ(vmem_xfree_part(vm, a[0] + 0x10, 0x10, VM_NOSLEEP),
	    ENOMEM);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), n * 0x100);
	ATF_CHECK_EQ(t_ntags(vm), tags);
	vmem_check(vm);

	/* A whole free needs none and coalesces, giving two back. */
	vmem_xfree(vm, a[1], 0x100);
	ATF_REQUIRE_EQ(vmem_xfree_part(vm, a[0] + 0x10, 0x10, VM_NOSLEEP), 0);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), (n - 1) * 0x100 - 0x10);
	ATF_CHECK_EQ(t_ntags(vm), tags);
	vmem_check(vm);

	/* Fed again, the arena frees and hands out all of it. */
	vmem_mtbf_set(0, VMEM_MTBF_EVERY, 0);
	vmem_xfree(vm, a[0], 0x10);
	vmem_xfree(vm, a[0] + 0x20, 0xe0);
	for (i = 2; i < n; i++)
		vmem_xfree(vm, a[i], 0x100);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x100000, 0, 0, 0, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, VM_NOSLEEP, &b), 0);
	ATF_CHECK_EQ(b, 0x10000);
	vmem_xfree(vm, b, 0x100000);
	vmem_check(vm);
	vmem_destroy(vm);
}

/* ---- imports */

static int t_nimport, t_nrelease;
static vmem_t *t_parent;

/* A custom importfn that counts its calls. */
static int
t_import(vmem_t *src, vmem_size_t size, vm_flag_t flags, vmem_addr_t *ap)
{

	t_nimport++;
	return vmem_alloc(src, size, flags, ap);
}

/* The releasefn that goes with it. */
static void
t_release(vmem_t *src, vmem_addr_t addr, vmem_size_t size)
{

	t_nrelease++;
	vmem_free(src, addr, size);
}

ATF_TC(import_release);
ATF_TC_HEAD(import_release, tc)
{

	atf_tc_set_md_var(tc, "descr", "an arena imports from its source on "
	    "demand and releases each span once it is wholly free");
}
ATF_TC_BODY(import_release, tc)
{
	vmem_addr_t a[16];
	vmem_t *vm;
	int i;

	t_parent = t_arena("parent", 0x100000, 0x100000, 0x1000);
	vm = vmem_create("child", 0, 0, 0x10, t_import, t_release, t_parent,
	    0, VM_SLEEP, IPL_NONE);
	ATF_REQUIRE(vm != NULL);
	for (i = 0; i < 16; i++)
		ATF_REQUIRE_EQ(vmem_alloc(vm, 0x800, VM_NOSLEEP, &a[i]), 0);
	ATF_CHECK(t_nimport >= 8);
	ATF_CHECK_EQ(vmem_size(t_parent, VMEM_ALLOC), vmem_size(vm,
	    VMEM_ALLOC | VMEM_FREE));
	for (i = 0; i < 16; i++)
		vmem_free(vm, a[i], 0x800);
	ATF_CHECK_EQ(t_nrelease, t_nimport);
	ATF_CHECK_EQ(vmem_size(t_parent, VMEM_ALLOC), 0);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 0);
	vmem_check(vm);
	vmem_destroy(vm);
	vmem_destroy(t_parent);
}

/* ---- backed arenas */

static vmem_size_t t_backed;		/* bytes backed now */
static int t_nback, t_nunback;
static bool t_back_fail;

/* A backfn that counts what it backs, or fails when told to. */
static int
t_back(vmem_t *vm, vmem_addr_t addr, vmem_size_t size, vm_flag_t flags)
{

	if (t_back_fail)
		return ENOMEM;
	t_nback++;
	t_backed += size;
	return 0;
}

/* The unbackfn that goes with it. */
static int
t_unback(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{

	t_nunback++;
	t_backed -= size;
	return VMEM_UNBACK_DONE;
}

/* A backed arena importing 64 KiB spans from a fresh t_parent. */
static vmem_t *
t_backed_arena(vmem_unback_t *unbackfn)
{
	vmem_t *vm;

	t_parent = t_arena("parent", 0x100000, 0x100000, 0x1000);
	vm = vmem_create("backed", 0, 0, 0x1000, vmem_alloc, vmem_free,
	    t_parent, 0, VM_SLEEP, IPL_NONE);
	ATF_REQUIRE(vm != NULL);
	vmem_set_backing(vm, t_back, unbackfn, 0x10000);
	return vm;
}

ATF_TC(backed_arena);
ATF_TC_HEAD(backed_arena, tc)
{

	atf_tc_set_md_var(tc, "descr", "a backed arena backs exactly its "
	    "busy segments, also after a partial free, imports whole import "
	    "sizes, and undoes an allocation whose backing fails");
}
ATF_TC_BODY(backed_arena, tc)
{
	vmem_addr_t a[8], x;
	vmem_size_t inuse;
	vmem_t *vm;
	int i;

	vm = t_backed_arena(t_unback);
	for (i = 0; i < 8; i++)
		ATF_REQUIRE_EQ(vmem_alloc(vm, 0x1000 * (i + 1), VM_NOSLEEP,
		    &a[i]), 0);
	ATF_CHECK_EQ(t_nback, 8);
	ATF_CHECK_EQ(t_backed, vmem_size(vm, VMEM_ALLOC));
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE) % 0x10000, 0);
	ATF_CHECK_EQ(vmem_size(t_parent, VMEM_ALLOC),
	    vmem_size(vm, VMEM_ALLOC | VMEM_FREE));
	for (i = 0; i < 8; i += 2)
		vmem_free(vm, a[i], 0x1000 * (i + 1));
	ATF_CHECK_EQ(t_nunback, 4);
	ATF_CHECK_EQ(t_backed, vmem_size(vm, VMEM_ALLOC));
	ATF_REQUIRE_EQ(vmem_xfree_part(vm, a[7] + 0x1000, 0x2000, VM_SLEEP),
	    0);
	ATF_CHECK_EQ(t_backed, vmem_size(vm, VMEM_ALLOC));

	t_back_fail = true;
	inuse = vmem_size(vm, VMEM_ALLOC);
	ATF_CHECK_EQ(vmem_alloc(vm, 0x1000, VM_NOSLEEP, &x), ENOMEM);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), inuse);
	t_back_fail = false;
	vmem_check(vm);

	for (i = 1; i < 7; i += 2)
		vmem_free(vm, a[i], 0x1000 * (i + 1));
	vmem_free(vm, a[7], 0x1000);
	vmem_free(vm, a[7] + 0x3000, 0x5000);
	ATF_CHECK_EQ(t_backed, 0);
	ATF_CHECK_EQ(t_nunback, 4 + 1 + 3 + 2);
	ATF_CHECK_EQ(vmem_size(t_parent, VMEM_ALLOC), 0);
	vmem_check(vm);
	vmem_destroy(vm);
	vmem_destroy(t_parent);
}

#define	T_DEFER_MAX	8
static vmem_addr_t t_deferred[T_DEFER_MAX];	/* ranges left to unback */
static vmem_size_t t_deferred_size[T_DEFER_MAX];
static int t_ndeferred;

/* An unbackfn that only queues the range, as a batched shootdown does. */
static int
t_unback_later(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{

	ATF_REQUIRE(t_ndeferred < T_DEFER_MAX);
	t_deferred[t_ndeferred] = addr;
	t_deferred_size[t_ndeferred++] = size;
	t_backed -= size;
	return VMEM_UNBACK_LATER;
}

ATF_TC(backed_arena_deferred);
ATF_TC_HEAD(backed_arena_deferred, tc)
{

	atf_tc_set_md_var(tc, "descr", "a segment whose unbackfn defers "
	    "stays allocated, and its range is not handed out again, until "
	    "vmem_unback_done; then it is free and its span goes back");
}
ATF_TC_BODY(backed_arena_deferred, tc)
{
	vmem_addr_t a, b, x;
	vmem_size_t parent, sz;
	vmem_t *vm;
	int i, j;

	t_ndeferred = 0;
	vm = t_backed_arena(t_unback_later);
	parent = vmem_size(t_parent, VMEM_ALLOC);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x10000, VM_NOSLEEP, &a), 0);
	ATF_REQUIRE_EQ(vmem_size(t_parent, VMEM_ALLOC), parent + 0x10000);
	vmem_free(vm, a, 0x10000);
	ATF_REQUIRE_EQ(t_ndeferred, 1);
	ATF_CHECK_EQ(t_deferred[0], a);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_FREE), 0);
	ATF_CHECK_MSG(!vmem_busy_find(vm, a + 0x1000, &x, &sz),
	    "vmem_busy_find reports the segment at %#lx, freed and being "
	    "unbacked, as allocated", (unsigned long)x);
	/* The span is wholly taken by the deferred range: a new one comes. */
	for (i = 0; i < 4; i++) {
		ATF_REQUIRE_EQ(vmem_alloc(vm, 0x4000, VM_NOSLEEP, &b), 0);
		for (j = 0; j < t_ndeferred; j++)
			ATF_CHECK_MSG(b + 0x4000 <= t_deferred[j] ||
			    b >= t_deferred[j] + t_deferred_size[j],
			    "%#lx was handed out again before its unbacking "
			    "ended", (unsigned long)b);
		vmem_free(vm, b, 0x4000);
	}
	for (i = 0; i < t_ndeferred; i++)
		vmem_unback_done(vm, t_deferred[i], t_deferred_size[i]);
	t_ndeferred = 0;
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	ATF_CHECK_EQ(vmem_size(t_parent, VMEM_ALLOC), parent);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x10000, 0, 0, 0, a, a + 0xffff,
	    VM_NOSLEEP, &x), 0);
	ATF_CHECK_EQ(x, a);
	vmem_free(vm, x, 0x10000);
	for (i = 0; i < t_ndeferred; i++)
		vmem_unback_done(vm, t_deferred[i], t_deferred_size[i]);
	t_ndeferred = 0;
	vmem_destroy(vm);
	vmem_destroy(t_parent);
}

ATF_TC(import_constrained);
ATF_TC_HEAD(import_constrained, tc)
{

	atf_tc_set_md_var(tc, "descr", "a constrained vmem_xalloc imports a "
	    "span that meets align, nocross and the address range, from a "
	    "vmem_alloc source and from a custom importfn");
}
ATF_TC_BODY(import_constrained, tc)
{
	vmem_addr_t a;
	vmem_t *vm;

	t_parent = t_arena("parent", 0x1000, 0x10000000, 0x1000);
	vm = vmem_create("exact", 0, 0, 0x1000, vmem_alloc, vmem_free,
	    t_parent, 0, VM_SLEEP, IPL_NONE);
	ATF_REQUIRE(vm != NULL);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x4000, 0x100000, 0x2000, 0x200000,
	    0x8000000, 0x8ffffff, VM_NOSLEEP, &a), 0);
	ATF_CHECK_EQ(a % 0x100000, 0x2000);
	ATF_CHECK(a >= 0x8000000 && a + 0x4000 - 1 <= 0x8ffffff);
	vmem_xfree(vm, a, 0x4000);
	ATF_CHECK_EQ(vmem_size(t_parent, VMEM_ALLOC), 0);
	vmem_destroy(vm);

	vm = vmem_create("slack", 0, 0, 0x1000, t_import, t_release,
	    t_parent, 0, VM_SLEEP, IPL_NONE);
	ATF_REQUIRE(vm != NULL);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x3000, 0x40000, 0x1000, 0x40000, 0,
	    VMEM_ADDR_MAX, VM_NOSLEEP, &a), 0);
	ATF_CHECK_EQ(a % 0x40000, 0x1000);
	ATF_CHECK_EQ(a / 0x40000, (a + 0x3000 - 1) / 0x40000);
	vmem_xfree(vm, a, 0x3000);
	vmem_destroy(vm);
	vmem_destroy(t_parent);
}

/* The depth of an index: the most tags on a path from its root down. */
static int
t_index_depth(const bt_t *t)
{
	int l, r;

	if (t == NULL)
		return 0;
	l = t_index_depth(t->bt_tchild[0]);
	r = t_index_depth(t->bt_tchild[1]);
	return 1 + (l > r ? l : r);
}

/* The most a red-black tree of n tags may be deep: 2 log2(n + 1). */
static int
t_index_maxdepth(size_t n)
{
	int log = 0;

	while (((size_t)2 << log) <= n + 1)
		log++;
	return 2 * log;
}

ATF_TC(index_balanced);
ATF_TC_HEAD(index_balanced, tc)
{

	atf_tc_set_md_var(tc, "descr", "the span and busy indexes stay "
	    "red-black, at most 2 log2(n + 1) deep, whether spans come in "
	    "rising or falling address order and segments are split in a "
	    "scattered one");
}
ATF_TC_BODY(index_balanced, tc)
{
	const vmem_size_t n = 1024 / TEST_SCALE, span = 0x100;
	vmem_addr_t a;
	vmem_size_t i, j;
	vmem_t *vm;

	vm = vmem_create("t", 0, 0, 0x10, NULL, NULL, NULL, 0, VM_SLEEP,
	    IPL_NONE);
	ATF_REQUIRE(vm != NULL);
	/* Rising from 2n, then falling from 2n - 1: the worst orders. */
	for (i = 0; i < n; i++)
		ATF_REQUIRE_EQ(vmem_add(vm, (2 * n + i) * span, span,
		    VM_SLEEP), 0);
	for (i = 0; i < n; i++)
		ATF_REQUIRE_EQ(vmem_add(vm, (2 * n - 1 - i) * span, span,
		    VM_SLEEP), 0);
	vmem_check(vm);
	ATF_CHECK_MSG(t_index_depth(vm->vm_spantree.tr_root) <=
	    t_index_maxdepth(2 * n), "span index of %zu spans %d deep",
	    (size_t)(2 * n), t_index_depth(vm->vm_spantree.tr_root));

	/* Fill every span, then free a piece of each in scattered order. */
	for (i = n; i < 3 * n; i++) {
		ATF_REQUIRE_EQ(vmem_xalloc(vm, span, 0, 0, 0, i * span,
		    (i + 1) * span - 1, VM_SLEEP, &a), 0);
		ATF_REQUIRE_EQ(a, i * span);
	}
	for (j = 0; j < 2 * n; j++) {
		i = n + (j * 733) % (2 * n);
		ATF_REQUIRE_EQ(vmem_xfree_part(vm, i * span + 0x40, 0x40,
		    VM_SLEEP), 0);
	}
	vmem_check(vm);
	ATF_CHECK_EQ(vm->vm_nbusytag, 4 * n);
	ATF_CHECK_MSG(t_index_depth(vm->vm_busytree.tr_root) <=
	    t_index_maxdepth(4 * n), "busy index of %zu segments %d deep",
	    (size_t)(4 * n), t_index_depth(vm->vm_busytree.tr_root));

	/* Free the rest, in rising order: every tag leaves the index. */
	for (i = n; i < 3 * n; i++) {
		vmem_xfree(vm, i * span, 0x40);
		vmem_xfree(vm, i * span + 0x80, span - 0x80);
	}
	vmem_check(vm);
	ATF_CHECK(vm->vm_busytree.tr_root == NULL);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	vmem_destroy(vm);
}

ATF_TC(many_segments);
ATF_TC_HEAD(many_segments, tc)
{

	atf_tc_set_md_var(tc, "descr", "100000 VM_NOSLEEP allocations never "
	    "fail for lack of boundary tags, and the hash grows");
}
ATF_TC_BODY(many_segments, tc)
{
	const int n = 100000 / TEST_SCALE;
	vmem_addr_t a;
	vmem_t *vm;
	int i;

	vm = t_arena("many", 0, n, 1);
	for (i = 0; i < n; i++)
		ATF_REQUIRE_EQ_MSG(vmem_alloc(vm, 1, VM_NOSLEEP, &a), 0,
		    "allocation %d", i);
	ATF_CHECK(vm->vm_nrehash > 0);
	ATF_CHECK(vm->vm_hashmask + 1 >= (size_t)n / 2);
	vmem_check(vm);
	for (i = 0; i < n; i += 2)
		vmem_free(vm, i, 1);
	vmem_check(vm);
	for (i = 1; i < n; i += 2)
		vmem_free(vm, i, 1);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	vmem_check(vm);
	vmem_destroy(vm);
}

ATF_TC(meta_arena);
ATF_TC_HEAD(meta_arena, tc)
{

	atf_tc_set_md_var(tc, "descr", "kmem_meta_arena, the arena vmem "
	    "takes its own tags and tables from, grows its hash from itself "
	    "and backs what it hands out with writable memory");
}
ATF_TC_BODY(meta_arena, tc)
{
	static vmem_addr_t a[2000];
	uint64_t rehash0 = kmem_meta_arena->vm_nrehash;
	size_t i;

	for (i = 0; i < __arraycount(a); i++) {
		ATF_REQUIRE_EQ(vmem_alloc(kmem_meta_arena, PAGE_SIZE,
		    VM_NOSLEEP, &a[i]), 0);
		*(volatile uint64_t *)a[i] = i;
	}
	ATF_CHECK(kmem_meta_arena->vm_nrehash > rehash0);
	vmem_check(kmem_meta_arena);
	vmem_check(kmem_arena);
	for (i = 0; i < __arraycount(a); i++) {
		ATF_CHECK_EQ(*(volatile uint64_t *)a[i], i);
		vmem_free(kmem_meta_arena, a[i], PAGE_SIZE);
	}
	vmem_check(kmem_meta_arena);
}

ATF_TC(kmem_layout);
ATF_TC_HEAD(kmem_layout, tc)
{

	atf_tc_set_md_var(tc, "descr", "the kernel's arenas are stacked as "
	    "NetBSD stacks them: kmem_va_arena and kmem_va_meta_arena import "
	    "from the root kmem_arena, kmem_meta_arena from "
	    "kmem_va_meta_arena, and only kmem_meta_arena backs what it hands "
	    "out");
}
ATF_TC_BODY(kmem_layout, tc)
{
	vmem_size_t root0;
	vmem_addr_t va;

	ATF_CHECK(strcmp(kmem_arena->vm_name, "kmem") == 0);
	ATF_CHECK(kmem_arena->vm_source == NULL);
	ATF_CHECK(kmem_va_arena->vm_source == kmem_arena);
	ATF_CHECK(kmem_va_meta_arena->vm_source == kmem_arena);
	ATF_CHECK(kmem_meta_arena->vm_source == kmem_va_meta_arena);
	ATF_CHECK(kmem_arena->vm_backfn == NULL);
	ATF_CHECK(kmem_va_arena->vm_backfn == NULL);
	ATF_CHECK(kmem_va_meta_arena->vm_backfn == NULL);
	ATF_CHECK(kmem_meta_arena->vm_backfn != NULL);

	/* Address space for pool(9) comes out of the same root. */
	root0 = vmem_size(kmem_arena, VMEM_ALLOC);
	ATF_REQUIRE_EQ(vmem_alloc(kmem_va_arena, 4 * PAGE_SIZE, VM_SLEEP,
	    &va), 0);
	ATF_CHECK(vmem_size(kmem_arena, VMEM_ALLOC) >= root0 + 4 * PAGE_SIZE);
	ATF_CHECK(vmem_contains(kmem_arena, va, 4 * PAGE_SIZE));
	vmem_free(kmem_va_arena, va, 4 * PAGE_SIZE);
	vmem_check(kmem_va_arena);
	vmem_check(kmem_arena);
}

ATF_TC(tag_pages_trimmed);
ATF_TC_HEAD(tag_pages_trimmed, tc)
{

	atf_tc_set_md_var(tc, "descr", "after a burst of fragmentation is "
	    "freed, kmem_reap gives the boundary tag pages back to the page "
	    "level, and takes the spare tags of arenas that live on");
}
ATF_TC_BODY(tag_pages_trimmed, tc)
{
	const vmem_addr_t n = 10000;	/* n busy and n free segments */
	size_t pages0, pages1, pages2, stock0, stock;
	vmem_size_t meta0, meta1, meta2;
	vmem_addr_t a, b, i;
	vmem_t *vm, *keep;

	keep = t_arena("keep", 0, 0x100, 1);
	ATF_REQUIRE_EQ(vmem_alloc(keep, 0x10, VM_SLEEP, &b), 0);
	ATF_REQUIRE(keep->vm_nfreetags > 0);
	kmem_reap();
	vmem_bt_stats(&pages0, &stock0);
	meta0 = vmem_size(kmem_meta_arena, VMEM_ALLOC);
	vm = t_arena("frag", 0, 2 * n, 1);
	for (i = 0; i < 2 * n; i++) {
		ATF_REQUIRE_EQ(vmem_alloc(vm, 1, VM_NOSLEEP | VM_INSTANTFIT,
		    &a), 0);
		ATF_REQUIRE_EQ(a, i);
	}
	for (i = 1; i < 2 * n; i += 2)
		vmem_free(vm, i, 1);
	vmem_bt_stats(&pages1, &stock);
	meta1 = vmem_size(kmem_meta_arena, VMEM_ALLOC);
	for (i = 0; i < 2 * n; i += 2)
		vmem_free(vm, i, 1);
	vmem_destroy(vm);
	kmem_reap();
	vmem_bt_stats(&pages2, &stock);
	meta2 = vmem_size(kmem_meta_arena, VMEM_ALLOC);
	ATF_CHECK_EQ_MSG(keep->vm_nfreetags, 0, "a live arena kept %zu "
	    "spare tags", keep->vm_nfreetags);
	vmem_free(keep, b, 0x10);
	vmem_destroy(keep);
	printf("tag pages: %zu before, %zu with %llu segments, %zu after "
	    "reap (%zu tags in stock); meta arena in use: %#llx, %#llx, "
	    "%#llx bytes\n", pages0, pages1, (unsigned long long)(2 * n),
	    pages2, stock, (unsigned long long)meta0,
	    (unsigned long long)meta1, (unsigned long long)meta2);
	/* The stock at the start served some; new pages the rest. */
	ATF_REQUIRE_MSG((pages1 - pages0) * (PAGE_SIZE / sizeof(bt_t)) +
	    stock0 >= 2 * n, "%zu new tag pages for %llu segments",
	    pages1 - pages0, (unsigned long long)(2 * n));
	/* A page stays while one of its tags describes a live segment. */
	ATF_CHECK_MSG(pages2 <= pages0 + 2, "%zu of %zu new tag pages kept",
	    pages2 - pages0, pages1 - pages0);
	ATF_CHECK_MSG(meta2 <= meta0 + PAGE_SIZE, "the meta arena holds "
	    "%#llx bytes more than before",
	    (unsigned long long)(meta2 - meta0));
}

/* ---- sleeping */

/* A VM_SLEEP allocation for a t_sleeper to make. */
struct t_valloc {
	vmem_t		*ta_vm;
	vmem_size_t	ta_size;
	vmem_addr_t	ta_addr;
};

/* Allocate with VM_SLEEP and record the address; it never fails. */
static void
t_valloc_sleep(void *arg)
{
	struct t_valloc *ta = arg;

	if (vmem_alloc(ta->ta_vm, ta->ta_size, VM_SLEEP, &ta->ta_addr) != 0)
		panic("VM_SLEEP allocation failed");
}

ATF_TC(sleep_until_free);
ATF_TC_HEAD(sleep_until_free, tc)
{

	atf_tc_set_md_var(tc, "descr", "VM_SLEEP blocks on a full arena until "
	    "another thread frees, then succeeds");
}
ATF_TC_BODY(sleep_until_free, tc)
{
	struct t_valloc ta;
	struct t_sleeper ts;
	vmem_addr_t a;
	vmem_t *vm;
	lwp_t *l;

	vm = t_arena("t", 0, 0x100, 1);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x100, VM_SLEEP, &a), 0);
	ta = (struct t_valloc){ .ta_vm = vm, .ta_size = 0x80 };
	ts = (struct t_sleeper){ .ts_call = t_valloc_sleep, .ts_arg = &ta };
	l = t_sleeper_start(&ts, "VM_SLEEP allocation");
	vmem_free(vm, a, 0x100);
	kthread_join(l);
	ATF_CHECK_EQ(t_sleeper_state(&ts), T_SLEEPER_DONE);
	ATF_CHECK(ta.ta_addr + 0x80 <= 0x100);
	vmem_free(vm, ta.ta_addr, 0x80);
	vmem_destroy(vm);
}

ATF_TC(sleep_until_add);
ATF_TC_HEAD(sleep_until_add, tc)
{

	atf_tc_set_md_var(tc, "descr", "VM_SLEEP blocks on an empty arena "
	    "until vmem_add gives it space");
}
ATF_TC_BODY(sleep_until_add, tc)
{
	struct t_valloc ta;
	struct t_sleeper ts;
	vmem_t *vm;
	lwp_t *l;

	vm = vmem_create("t", 0, 0, 1, NULL, NULL, NULL, 0, VM_SLEEP, 0);
	ATF_REQUIRE(vm != NULL);
	ta = (struct t_valloc){ .ta_vm = vm, .ta_size = 0x10 };
	ts = (struct t_sleeper){ .ts_call = t_valloc_sleep, .ts_arg = &ta };
	l = t_sleeper_start(&ts, "VM_SLEEP allocation");
	ATF_REQUIRE_EQ(vmem_add(vm, 0x1000, 0x10, VM_SLEEP), 0);
	kthread_join(l);
	ATF_CHECK_EQ(ta.ta_addr, 0x1000);
	vmem_free(vm, ta.ta_addr, 0x10);
	vmem_destroy(vm);
}

ATF_TC(sleep_until_source_frees);
ATF_TC_HEAD(sleep_until_source_frees, tc)
{

	atf_tc_set_md_var(tc, "descr", "VM_SLEEP in an importing arena waits "
	    "until space comes back to its source");
}
ATF_TC_BODY(sleep_until_source_frees, tc)
{
	struct t_valloc ta;
	struct t_sleeper ts;
	vmem_addr_t a;
	vmem_t *vm;
	lwp_t *l;

	t_parent = t_arena("parent", 0, 0x2000, 0x1000);
	vm = vmem_create("child", 0, 0, 1, vmem_alloc, vmem_free, t_parent,
	    0, VM_SLEEP, IPL_NONE);
	ATF_REQUIRE_EQ(vmem_alloc(t_parent, 0x2000, VM_SLEEP, &a), 0);
	ta = (struct t_valloc){ .ta_vm = vm, .ta_size = 0x10 };
	ts = (struct t_sleeper){ .ts_call = t_valloc_sleep, .ts_arg = &ta };
	l = t_sleeper_start(&ts, "VM_SLEEP allocation");
	vmem_free(t_parent, a, 0x2000);
	kthread_join(l);
	ATF_CHECK_EQ(t_sleeper_state(&ts), T_SLEEPER_DONE);
	vmem_free(vm, ta.ta_addr, 0x10);
	vmem_destroy(vm);
	vmem_destroy(t_parent);
}

/* ---- concurrency */

#define	T_STRESS_THREADS	4
#define	T_STRESS_SIZE		0x4000

static volatile uint32_t t_owner[T_STRESS_SIZE];
static vmem_t *t_stress_vm;

/* Claim or release [a, a + n) in the ownership map; panic on overlap. */
static void
t_stress_mark(vmem_addr_t a, vmem_size_t n, uint32_t from, uint32_t to)
{
	vmem_size_t i;

	for (i = 0; i < n; i++) {
		if (atomic_cas_32(&t_owner[a + i], from, to) != from)
			panic("overlap at %#lx", (unsigned long)(a + i));
	}
}

/* One stress thread: allocate, check ownership, free, many times. */
static void
t_stress_main(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg, x = id * 2654435761u + 1;
	vmem_addr_t a[8];
	vmem_size_t n[8];
	int i, round;

	for (round = 0; round < 20000 / TEST_SCALE; round++) {
		for (i = 0; i < 8; i++) {
			(void)t_rand(&x);
			n[i] = 1 + x % 32;
			if (vmem_xalloc(t_stress_vm, n[i], 1U << (x % 4), 0,
			    (x & 64) ? 64 : 0, 0, VMEM_ADDR_MAX, VM_SLEEP |
			    ((x & 128) ? VM_BESTFIT : VM_INSTANTFIT),
			    &a[i]) != 0)
				panic("VM_SLEEP failed");
			t_stress_mark(a[i], n[i], 0, id);
		}
		for (i = 0; i < 8; i++) {
			t_stress_mark(a[i], n[i], id, 0);
			vmem_xfree(t_stress_vm, a[i], n[i]);
		}
	}
	kthread_exit(0);
}

#define	T_CHURN_SIZE		4096	/* segments of a churn burst */
#define	T_CHURN_ROUNDS		4	/* and at least this many bursts */

static volatile int t_stress_done;
static volatile u_int t_churn_rounds;

/*
 * Thread: until the stress is over, and at least T_CHURN_ROUNDS times,
 * take and free a burst of segments (about 70 tag pages), then kmem_reap,
 * which takes every arena's spare tags and frees tag pages under the
 * stress threads' feet.
 */
static void
t_churn_main(void *arg)
{
	vmem_addr_t a, i;
	vmem_t *vm;

	vm = vmem_create("churn", 0, T_CHURN_SIZE, 1, NULL, NULL, NULL, 0,
	    VM_SLEEP, IPL_NONE);
	do {
		for (i = 0; i < T_CHURN_SIZE; i++)
			if (vmem_alloc(vm, 1, VM_SLEEP | VM_INSTANTFIT,
			    &a) != 0)
				panic("VM_SLEEP failed");
		for (i = 1; i < T_CHURN_SIZE; i += 2)
			vmem_free(vm, i, 1);
		for (i = 0; i < T_CHURN_SIZE; i += 2)
			vmem_free(vm, i, 1);
		kmem_reap();
		t_churn_rounds++;
	} while (atomic_load_acquire(&t_stress_done) == 0 ||
	    t_churn_rounds < T_CHURN_ROUNDS);
	vmem_destroy(vm);
	kthread_exit(0);
}

ATF_TC(stress_threads);
ATF_TC_HEAD(stress_threads, tc)
{

	atf_tc_set_md_var(tc, "descr", "threads on several CPUs allocate and "
	    "free concurrently while another churns tag pages and reaps; no "
	    "two ever own the same address");
}
ATF_TC_BODY(stress_threads, tc)
{
	lwp_t *l[T_STRESS_THREADS], *churn;
	int i;

	t_stress_vm = vmem_create("stress", 0, T_STRESS_SIZE, 1, NULL, NULL,
	    NULL, 0, VM_SLEEP, IPL_VM);
	ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
	    t_churn_main, NULL, &churn, "churn"), 0);
	for (i = 0; i < T_STRESS_THREADS; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN,
		    NULL, t_stress_main, (void *)(uintptr_t)(i + 1), &l[i],
		    "stress%d", i), 0);
	for (i = 0; i < T_STRESS_THREADS; i++)
		kthread_join(l[i]);
	atomic_store_release(&t_stress_done, 1);
	kthread_join(churn);
	printf("%u churn rounds of %d segments, each followed by a reap\n",
	    t_churn_rounds, T_CHURN_SIZE);
	ATF_CHECK_EQ(vmem_size(t_stress_vm, VMEM_ALLOC), 0);
	vmem_check(t_stress_vm);
	vmem_destroy(t_stress_vm);
}

/* ---- misuse */

T_MISUSE(misuse_double_free, "freeing a segment twice panics")
ATF_TC_BODY(misuse_double_free, tc)
{
	vmem_t *vm = t_arena("t", 0, 0x100, 1);
	vmem_addr_t a;

	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x10, VM_SLEEP, &a), 0);
	vmem_free(vm, a, 0x10);
	atf_tc_expect_signal(SIGABRT, "double free must panic");
	vmem_free(vm, a, 0x10);
}

static int t_unback_depth;		/* unbacks of the segment under way */

/* An unbackfn during which another thread frees the same segment. */
static int
t_unback_refree(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{

	if (t_unback_depth++ > 0)
		atf_tc_fail("segment %#lx unbacked twice", (unsigned long)addr);
	vmem_xfree(vm, addr, size);
	t_unback_depth--;
	return VMEM_UNBACK_DONE;
}

T_MISUSE(misuse_free_while_unbacking, "in a backed arena, freeing a "
    "segment again while its first free is still unbacking it panics, "
    "before it is unbacked twice")
ATF_TC_BODY(misuse_free_while_unbacking, tc)
{
	vmem_t *vm;
	vmem_addr_t a;

	vm = t_backed_arena(t_unback_refree);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x2000, VM_NOSLEEP, &a), 0);
	atf_tc_expect_signal(SIGABRT, "the second free must panic");
	vmem_xfree(vm, a, 0x2000);
}

T_MISUSE(misuse_wrong_size, "freeing with a size other than the "
    "allocated one panics")
ATF_TC_BODY(misuse_wrong_size, tc)
{
	vmem_t *vm = t_arena("t", 0, 0x100, 1);
	vmem_addr_t a;

	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x10, VM_SLEEP, &a), 0);
	atf_tc_expect_signal(SIGABRT, "wrong size must panic");
	vmem_free(vm, a, 0x20);
}

T_MISUSE(misuse_foreign, "freeing an address the arena never gave "
    "out panics")
ATF_TC_BODY(misuse_foreign, tc)
{
	vmem_t *vm = t_arena("t", 0, 0x100, 1);

	atf_tc_expect_signal(SIGABRT, "foreign address must panic");
	vmem_xfree(vm, 0x5000, 0x10);
}

T_MISUSE(misuse_overconstrained, "a vmem_xalloc whose size and phase "
    "cannot fit between two nocross boundaries panics")
ATF_TC_BODY(misuse_overconstrained, tc)
{
	vmem_t *vm = t_arena("t", 0, 0x10000, 1);
	vmem_addr_t a;

	atf_tc_expect_signal(SIGABRT, "overconstrained request must panic");
	(void)vmem_xalloc(vm, 0x800, 0x100, 0x80, 0x800, 0, VMEM_ADDR_MAX,
	    VM_NOSLEEP, &a);
}

T_MISUSE(misuse_misaligned, "an alignment that is not a power of 2 "
    "panics")
ATF_TC_BODY(misuse_misaligned, tc)
{
	vmem_t *vm = t_arena("t", 0, 0x10000, 1);
	vmem_addr_t a;

	atf_tc_expect_signal(SIGABRT, "bad alignment must panic");
	(void)vmem_xalloc(vm, 0x10, 0x30, 0, 0, 0, VMEM_ADDR_MAX, VM_NOSLEEP,
	    &a);
}

T_MISUSE(misuse_part_outside, "freeing part of a range that is not "
    "inside one allocated segment panics")
ATF_TC_BODY(misuse_part_outside, tc)
{
	vmem_t *vm = t_arena("t", 0, 0x100, 1);
	vmem_addr_t a, b;

	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x10, 0, 0, 0, 0, 0xf, VM_SLEEP, &a),
	    0);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x10, 0, 0, 0, 0x10, 0x1f, VM_SLEEP,
	    &b), 0);
	atf_tc_expect_signal(SIGABRT, "a range over two segments must panic");
	(void)vmem_xfree_part(vm, 0x8, 0x10, VM_SLEEP);
}

T_MISUSE(misuse_zero_size, "allocating zero bytes panics")
ATF_TC_BODY(misuse_zero_size, tc)
{
	vmem_t *vm = t_arena("t", 0, 0x100, 1);
	vmem_addr_t a;

	atf_tc_expect_signal(SIGABRT, "zero size must panic");
	(void)vmem_alloc(vm, 0, VM_NOSLEEP, &a);
}

T_MISUSE(misuse_size_overflow, "a size that overflows when rounded to "
    "the quantum panics")
ATF_TC_BODY(misuse_size_overflow, tc)
{
	vmem_t *vm = t_arena("t", 0, 0x1000, 0x100);
	vmem_addr_t a;

	atf_tc_expect_signal(SIGABRT, "overflowing size must panic");
	(void)vmem_alloc(vm, VMEM_ADDR_MAX - 2, VM_NOSLEEP, &a);
}

T_MISUSE(misuse_add_overlap, "adding a span that overlaps one of the "
    "arena panics")
ATF_TC_BODY(misuse_add_overlap, tc)
{
	vmem_t *vm = t_arena("t", 0x1000, 0x1000, 1);

	atf_tc_expect_signal(SIGABRT, "overlapping span must panic");
	(void)vmem_add(vm, 0x1fff, 0x10, VM_SLEEP);
}

T_MISUSE(misuse_destroy_busy, "destroying an arena with allocations "
    "panics")
ATF_TC_BODY(misuse_destroy_busy, tc)
{
	vmem_t *vm = t_arena("t", 0, 0x100, 1);
	vmem_addr_t a;

	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x10, VM_SLEEP, &a), 0);
	atf_tc_expect_signal(SIGABRT, "destroy with live segments must panic");
	vmem_destroy(vm);
}

T_MISUSE(misuse_no_sleep_flag, "a request with neither VM_SLEEP nor "
    "VM_NOSLEEP panics")
ATF_TC_BODY(misuse_no_sleep_flag, tc)
{
	vmem_t *vm = t_arena("t", 0, 0x100, 1);
	vmem_addr_t a;

	atf_tc_expect_signal(SIGABRT, "missing sleep flag must panic");
	(void)vmem_alloc(vm, 0x10, VM_BESTFIT, &a);
}

T_MISUSE(misuse_free_size_max, "vmem_free of SIZE_MAX in an arena with "
    "quantum caches panics naming the arena and size")
ATF_TC_BODY(misuse_free_size_max, tc)
{
	vmem_t *vm;
	vmem_addr_t a;

	vm = vmem_create("t_qc", 0x10000, 0x100000, 0x10, NULL, NULL, NULL,
	    0x80, VM_SLEEP, IPL_NONE);
	ATF_REQUIRE(vm != NULL);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x20, VM_SLEEP, &a), 0);
	atf_tc_expect_signal(SIGABRT, "a size that rounds to 0 must panic");
	vmem_free(vm, a, SIZE_MAX);
}

T_MISUSE(misuse_two_fit_policies, "VM_BESTFIT and VM_NEXTFIT together "
    "panic: a request has one fit policy")
ATF_TC_BODY(misuse_two_fit_policies, tc)
{
	vmem_t *vm = t_arena("t", 0, 0x100, 1);
	vmem_addr_t a;

	atf_tc_expect_signal(SIGABRT, "two fit policies must panic");
	(void)vmem_alloc(vm, 0x10, VM_SLEEP | VM_BESTFIT | VM_NEXTFIT, &a);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, create_alloc_free);
	ATF_TP_ADD_TC(tp, nosleep_exhaustion);
	ATF_TP_ADD_TC(tp, xalloc_align_phase);
	ATF_TP_ADD_TC(tp, xalloc_nocross);
	ATF_TP_ADD_TC(tp, xalloc_range);
	ATF_TP_ADD_TC(tp, bestfit);
	ATF_TP_ADD_TC(tp, nextfit);
	ATF_TP_ADD_TC(tp, instantfit_order);
	ATF_TP_ADD_TC(tp, add_spans);
	ATF_TP_ADD_TC(tp, top_of_address_space);
	ATF_TP_ADD_TC(tp, quantum_page);
	ATF_TP_ADD_TC(tp, vmem_init_static);
	ATF_TP_ADD_TC(tp, xfree_part);
	ATF_TP_ADD_TC(tp, xfree_part_release);
	ATF_TP_ADD_TC(tp, busy_find);
	ATF_TP_ADD_TC(tp, busy_covers);
	ATF_TP_ADD_TC(tp, tag_exhaustion);
	ATF_TP_ADD_TC(tp, xfree_run);
	ATF_TP_ADD_TC(tp, misuse_run_gap);
	ATF_TP_ADD_TC(tp, import_release);
	ATF_TP_ADD_TC(tp, import_constrained);
	ATF_TP_ADD_TC(tp, backed_arena);
	ATF_TP_ADD_TC(tp, backed_arena_deferred);
	ATF_TP_ADD_TC(tp, index_balanced);
	ATF_TP_ADD_TC(tp, many_segments);
	ATF_TP_ADD_TC(tp, meta_arena);
	ATF_TP_ADD_TC(tp, kmem_layout);
	ATF_TP_ADD_TC(tp, tag_pages_trimmed);
	ATF_TP_ADD_TC(tp, sleep_until_free);
	ATF_TP_ADD_TC(tp, sleep_until_add);
	ATF_TP_ADD_TC(tp, sleep_until_source_frees);
	ATF_TP_ADD_TC(tp, stress_threads);
	ATF_TP_ADD_TC(tp, misuse_double_free);
	ATF_TP_ADD_TC(tp, misuse_free_while_unbacking);
	ATF_TP_ADD_TC(tp, misuse_wrong_size);
	ATF_TP_ADD_TC(tp, misuse_foreign);
	ATF_TP_ADD_TC(tp, misuse_overconstrained);
	ATF_TP_ADD_TC(tp, misuse_misaligned);
	ATF_TP_ADD_TC(tp, misuse_part_outside);
	ATF_TP_ADD_TC(tp, misuse_zero_size);
	ATF_TP_ADD_TC(tp, misuse_size_overflow);
	ATF_TP_ADD_TC(tp, misuse_add_overlap);
	ATF_TP_ADD_TC(tp, misuse_destroy_busy);
	ATF_TP_ADD_TC(tp, misuse_no_sleep_flag);
	ATF_TP_ADD_TC(tp, misuse_free_size_max);
	ATF_TP_ADD_TC(tp, misuse_two_fit_policies);
	return atf_no_error();
}
