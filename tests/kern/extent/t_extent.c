/*
 * t_extent.c: extent(9) conformance: every function, flag and error
 * return that extent(9) documents, on maps built on vmem.
 *
 * Most cases check results against the rules of extent(9) directly; the
 * model case runs random requests against a bitmap of the same numbers
 * and checks that each success meets every constraint and that each
 * EAGAIN is right (no start in the subregion would have done).  The
 * misuse cases expect the panic that the broken rule calls for; on the
 * host platform a panic aborts.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/errno.h>
#include <sys/extent.h>
#include <sys/kthread.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

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

/* A map that is not fixed. */
static struct extent *
t_extent(u_long start, u_long end, int flags)
{
	struct extent *ex;

	ex = extent_create("t", start, end, NULL, 0, EX_WAITOK | flags);
	ATF_REQUIRE(ex != NULL);
	return ex;
}

/* Is exactly [start, start + size - 1] free?  Allocate it and give back. */
static bool
t_free_p(struct extent *ex, u_long start, u_long size)
{

	if (extent_alloc_region(ex, start, size, EX_NOWAIT) != 0)
		return false;
	ATF_REQUIRE_EQ(extent_free(ex, start, size, EX_NOWAIT), 0);
	return true;
}

/* Is no number of [start, start + size - 1] free? */
static bool
t_busy_p(struct extent *ex, u_long start, u_long size)
{
	u_long i;

	for (i = 0; i < size; i++) {
		if (t_free_p(ex, start + i, 1))
			return false;
	}
	return true;
}

ATF_TC(create_alloc_free);
ATF_TC_HEAD(create_alloc_free, tc)
{

	atf_tc_set_md_var(tc, "descr", "extent_alloc hands out disjoint "
	    "regions inside the map until it is full, then EAGAIN; "
	    "extent_destroy frees what is left");
}
ATF_TC_BODY(create_alloc_free, tc)
{
	u_long r[16], x;
	struct extent *ex;
	int i, j;

	ex = t_extent(0x1000, 0x10ff, 0);
	for (i = 0; i < 16; i++) {
		ATF_REQUIRE_EQ(extent_alloc(ex, 0x10, EX_NOALIGN,
		    EX_NOBOUNDARY, EX_NOWAIT, &r[i]), 0);
		ATF_CHECK(r[i] >= 0x1000 && r[i] + 0xf <= 0x10ff);
		for (j = 0; j < i; j++)
			ATF_CHECK(r[j] + 0x10 <= r[i] || r[i] + 0x10 <= r[j]);
	}
	ATF_CHECK_EQ(extent_alloc(ex, 1, 1, 0, EX_NOWAIT, &x), EAGAIN);
	ATF_CHECK_EQ(extent_alloc(ex, 1, 1, 0, EX_WAITOK, &x), EAGAIN);
	ATF_REQUIRE_EQ(extent_free(ex, r[3], 0x10, EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_alloc(ex, 0x10, 1, 0, EX_NOWAIT, &x), 0);
	ATF_CHECK_EQ(x, r[3]);
	vmem_check(&ex->ex_vmem);
	extent_print(ex);
	extent_destroy(ex);
}

ATF_TC(coalesce);
ATF_TC_HEAD(coalesce, tc)
{

	atf_tc_set_md_var(tc, "descr", "in a coalescing map adjacent "
	    "allocations form one region: a range across them is freed in "
	    "one call, and so is any part of it");
}
ATF_TC_BODY(coalesce, tc)
{
	struct extent *ex;
	u_long a;

	ex = t_extent(0, 0xffff, 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x100, 0x100, EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x200, 0x100, EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_alloc_subregion(ex, 0x300, 0x3ff, 0x100, 1, 0,
	    EX_NOWAIT, &a), 0);
	ATF_CHECK_EQ(a, 0x300);
	extent_print(ex);
	/* Across the first two allocations. */
	ATF_REQUIRE_EQ(extent_free(ex, 0x180, 0x100, EX_NOWAIT), 0);
	ATF_CHECK(t_free_p(ex, 0x180, 0x100));
	ATF_CHECK(t_busy_p(ex, 0x100, 0x80));
	ATF_CHECK(t_busy_p(ex, 0x280, 0x180));
	/* Across all that is left, in one call, ends included. */
	ATF_REQUIRE_EQ(extent_free(ex, 0x280, 0x180, EX_WAITOK), 0);
	ATF_REQUIRE_EQ(extent_free(ex, 0x100, 0x80, EX_WAITOK), 0);
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), 0);
	ATF_CHECK(t_free_p(ex, 0, 0x10000));
	vmem_check(&ex->ex_vmem);
	extent_destroy(ex);
}

ATF_TC(free_many_pieces);
ATF_TC_HEAD(free_many_pieces, tc)
{

	atf_tc_set_md_var(tc, "descr", "one extent_free across more adjacent "
	    "allocations than one walk records frees all of them");
}
ATF_TC_BODY(free_many_pieces, tc)
{
	struct extent *ex;
	u_long i;

	ex = t_extent(0, 0xfff, 0);
	for (i = 0; i < 100; i++)
		ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x100 + i * 4, 4,
		    EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_free(ex, 0x102, 100 * 4 - 4, EX_NOWAIT), 0);
	ATF_CHECK(t_busy_p(ex, 0x100, 2));
	ATF_CHECK(t_free_p(ex, 0x102, 100 * 4 - 4));
	ATF_CHECK(t_busy_p(ex, 0x100 + 100 * 4 - 2, 2));
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), 4);
	vmem_check(&ex->ex_vmem);
	extent_destroy(ex);
}

ATF_TC(fragment_free);
ATF_TC_HEAD(fragment_free, tc)
{

	atf_tc_set_md_var(tc, "descr", "freeing a fragment out of the middle "
	    "of an allocation leaves both ends allocated, each freeable on "
	    "its own");
}
ATF_TC_BODY(fragment_free, tc)
{
	struct extent *ex;
	u_long a;

	ex = t_extent(0x10000, 0x1ffff, 0);
	ATF_REQUIRE_EQ(extent_alloc(ex, 0x1000, 0x1000, 0, EX_NOWAIT, &a), 0);
	ATF_REQUIRE_EQ(extent_free(ex, a + 0x400, 0x400, EX_NOWAIT), 0);
	ATF_CHECK(t_busy_p(ex, a, 0x400));
	ATF_CHECK(t_free_p(ex, a + 0x400, 0x400));
	ATF_CHECK(t_busy_p(ex, a + 0x800, 0x800));
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), 0xc00);
	/* A fragment of a fragment, then the rest, in pieces. */
	ATF_REQUIRE_EQ(extent_free(ex, a + 0x900, 0x10, EX_WAITOK), 0);
	ATF_REQUIRE_EQ(extent_free(ex, a + 0x800, 0x100, EX_WAITOK), 0);
	ATF_REQUIRE_EQ(extent_free(ex, a + 0x910, 0x6f0, EX_WAITOK), 0);
	ATF_REQUIRE_EQ(extent_free(ex, a, 0x400, EX_WAITOK), 0);
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), 0);
	vmem_check(&ex->ex_vmem);
	extent_destroy(ex);
}

ATF_TC(nocoalesce);
ATF_TC_HEAD(nocoalesce, tc)
{

	atf_tc_set_md_var(tc, "descr", "an EX_NOCOALESCE map frees whole "
	    "allocations, each on its own, and extent_free never fails");
}
ATF_TC_BODY(nocoalesce, tc)
{
	struct extent *ex;

	ex = t_extent(0, 0xfff, EX_NOCOALESCE);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x100, 0x100, EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x200, 0x100, EX_NOWAIT), 0);
	ATF_CHECK_EQ(ex->ex_flags & EXF_NOCOALESCE, EXF_NOCOALESCE);
	extent_print(ex);
	ATF_CHECK_EQ(extent_free(ex, 0x200, 0x100, EX_NOWAIT), 0);
	ATF_CHECK(t_busy_p(ex, 0x100, 0x100));
	ATF_CHECK_EQ(extent_free(ex, 0x100, 0x100, EX_NOWAIT), 0);
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), 0);
	extent_destroy(ex);
}

ATF_TC(subregion);
ATF_TC_HEAD(subregion, tc)
{

	atf_tc_set_md_var(tc, "descr", "extent_alloc_subregion stays inside "
	    "[substart, subend], both inclusive, and fails with EAGAIN when "
	    "that is full although the map is not");
}
ATF_TC_BODY(subregion, tc)
{
	struct extent *ex;
	u_long a, n;

	ex = t_extent(0, 0xffff, 0);
	for (n = 0; n < 8; n++) {
		ATF_REQUIRE_EQ(extent_alloc_subregion(ex, 0x1000, 0x107f,
		    0x10, 0x10, 0, EX_NOWAIT, &a), 0);
		ATF_CHECK(a >= 0x1000 && a + 0xf <= 0x107f);
	}
	ATF_CHECK_EQ(extent_alloc_subregion(ex, 0x1000, 0x107f, 1, 1, 0,
	    EX_NOWAIT, &a), EAGAIN);
	ATF_REQUIRE_EQ(extent_alloc_subregion(ex, 0x1080, 0x1080, 1, 1, 0,
	    EX_NOWAIT, &a), 0);
	ATF_CHECK_EQ(a, 0x1080);
	ATF_REQUIRE_EQ(extent_alloc_subregion(ex, 0xfff0, 0xffff, 0x10, 1, 0,
	    EX_FAST, &a), 0);
	ATF_CHECK_EQ(a, 0xfff0);
	extent_destroy(ex);
}

ATF_TC(align_skew);
ATF_TC_HEAD(align_skew, tc)
{

	atf_tc_set_md_var(tc, "descr", "every result A of extent_alloc1 has "
	    "A - skew a multiple of the alignment, for every power of 2 "
	    "alignment and several skews, in a map that starts off "
	    "alignment");
}
ATF_TC_BODY(align_skew, tc)
{
	u_long align, skew, a;
	struct extent *ex;

	ex = t_extent(0x1003, 0x200002, 0);
	for (align = 1; align <= 0x10000; align <<= 1) {
		for (skew = 0; skew < align; skew += align / 4 + 1) {
			ATF_REQUIRE_EQ(extent_alloc1(ex, 0x33, align, skew, 0,
			    EX_NOWAIT, &a), 0);
			ATF_CHECK_EQ_MSG((a - skew) % align, 0, "align %#lx "
			    "skew %#lx result %#lx", align, skew, a);
			ATF_CHECK(a >= 0x1003 && a + 0x32 <= 0x200002);
			ATF_REQUIRE_EQ(extent_free(ex, a, 0x33, EX_NOWAIT), 0);
		}
	}
	vmem_check(&ex->ex_vmem);
	extent_destroy(ex);
}

/* Does [a, a + size - 1] reach or cross a line base + k * b after a? */
static bool
t_crosses(u_long a, u_long size, u_long base, u_long b)
{
	u_long line = ((a - base) & -b) + base + b;

	return line > a && line - a < size;
}

ATF_TC(boundary);
ATF_TC_HEAD(boundary, tc)
{

	atf_tc_set_md_var(tc, "descr", "no allocation reaches or crosses a "
	    "boundary line: lines from ex_start by default, from 0 with "
	    "EX_BOUNDZERO; a region may start on a line");
}
ATF_TC_BODY(boundary, tc)
{
	struct extent *ex;
	u_long a, size, i, n, base;
	int flags, k;

	for (k = 0; k < 2; k++) {
		flags = k == 0 ? 0 : EX_BOUNDZERO;
		base = k == 0 ? 0x1003 : 0;
		ex = t_extent(0x1003, 0x9002, 0);
		for (i = n = 0; i < 400; i++) {
			size = 1 + (i * 37) % 0x40;
			if (extent_alloc(ex, size, 1 << (i % 3), 0x40,
			    EX_NOWAIT | flags, &a) != 0)
				continue;
			ATF_CHECK_MSG(!t_crosses(a, size, base, 0x40), "k %d "
			    "result %#lx size %#lx", k, a, size);
			ATF_CHECK_EQ(a % (1 << (i % 3)), 0);
			n++;
		}
		ATF_CHECK_MSG(n > 200, "only %lu allocations", n);
		vmem_check(&ex->ex_vmem);
		extent_destroy(ex);
	}
	/* A region exactly as large as the boundary starts on a line. */
	ex = t_extent(0x1003, 0x9002, 0);
	ATF_REQUIRE_EQ(extent_alloc(ex, 0x100, 1, 0x100, EX_NOWAIT, &a), 0);
	ATF_CHECK_EQ(a, 0x1003);
	ATF_REQUIRE_EQ(extent_alloc(ex, 0x100, 1, 0x100, EX_BOUNDZERO, &a), 0);
	ATF_CHECK_EQ(a % 0x100, 0);
	extent_destroy(ex);
}

ATF_TC(boundary_never);
ATF_TC_HEAD(boundary_never, tc)
{

	atf_tc_set_md_var(tc, "descr", "a boundary that no aligned start can "
	    "meet gives EAGAIN in an empty map; one that every start meets "
	    "is ignored");
}
ATF_TC_BODY(boundary_never, tc)
{
	struct extent *ex;
	u_long a;

	/* Lines at 0x10 + k * 0x20; starts at multiples of 0x40. */
	ex = t_extent(0x10, 0xffff, 0);
	ATF_CHECK_EQ(extent_alloc(ex, 0x20, 0x40, 0x20, EX_NOWAIT, &a),
	    EAGAIN);
	ATF_REQUIRE_EQ(extent_alloc(ex, 0x10, 0x40, 0x20, EX_NOWAIT, &a), 0);
	ATF_CHECK_EQ(a % 0x40, 0);
	ATF_CHECK(!t_crosses(a, 0x10, 0x10, 0x20));
	ATF_REQUIRE_EQ(extent_alloc1(ex, 0x10, 0x40, 0x10, 0x20, EX_NOWAIT,
	    &a), 0);
	ATF_CHECK_EQ(a % 0x40, 0x10);
	extent_destroy(ex);
}

ATF_TC(bestfit_fast);
ATF_TC_HEAD(bestfit_fast, tc)
{

	atf_tc_set_md_var(tc, "descr", "by default the smallest free gap that "
	    "holds the request is taken; EX_FAST takes any gap that fits");
}
ATF_TC_BODY(bestfit_fast, tc)
{
	struct extent *ex;
	u_long a;

	ex = t_extent(0, 0xfff, 0);
	/* Gaps of 0x30 at 0x10, 0x10 at 0x50, 0x20 at 0x70. */
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0, 0x10, EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x40, 0x10, EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x60, 0x10, EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x90, 0xf70, EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_alloc(ex, 0x10, 1, 0, EX_NOWAIT, &a), 0);
	ATF_CHECK_EQ(a, 0x50);
	ATF_REQUIRE_EQ(extent_alloc(ex, 0x18, 1, 0, EX_NOWAIT, &a), 0);
	ATF_CHECK_EQ(a, 0x70);
	ATF_REQUIRE_EQ(extent_alloc(ex, 0x30, 1, 0, EX_FAST, &a), 0);
	ATF_CHECK_EQ(a, 0x10);
	ATF_CHECK_EQ(extent_alloc(ex, 0x9, 1, 0, EX_FAST, &a), EAGAIN);
	extent_destroy(ex);
}

ATF_TC(alloc_region);
ATF_TC_HEAD(alloc_region, tc)
{

	atf_tc_set_md_var(tc, "descr", "extent_alloc_region takes exactly the "
	    "range asked for: EAGAIN if any of it is taken, EINVAL if it "
	    "leaves the map");
}
ATF_TC_BODY(alloc_region, tc)
{
	struct extent *ex;

	ex = t_extent(0x100, 0x1ff, 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x140, 0x20, EX_NOWAIT), 0);
	ATF_CHECK_EQ(extent_alloc_region(ex, 0x15f, 1, EX_NOWAIT), EAGAIN);
	ATF_CHECK_EQ(extent_alloc_region(ex, 0x130, 0x11, EX_NOWAIT), EAGAIN);
	ATF_CHECK_EQ(extent_alloc_region(ex, 0x130, 0x10, EX_NOWAIT), 0);
	ATF_CHECK_EQ(extent_alloc_region(ex, 0x160, 0xa0, EX_NOWAIT), 0);
	ATF_CHECK_EQ(extent_alloc_region(ex, 0xff, 2, EX_NOWAIT), EINVAL);
	ATF_CHECK_EQ(extent_alloc_region(ex, 0x1ff, 2, EX_NOWAIT), EINVAL);
	ATF_CHECK_EQ(extent_alloc_region(ex, 0x100, 0x30, EX_NOWAIT), 0);
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_FREE), 0);
	extent_destroy(ex);
}

ATF_TC(whole_space);
ATF_TC_HEAD(whole_space, tc)
{

	atf_tc_set_md_var(tc, "descr", "a map of every u_long works at both "
	    "ends; an alignment that would wrap past the top is EINVAL");
}
ATF_TC_BODY(whole_space, tc)
{
	struct extent *ex;
	u_long a;

	ex = t_extent(0, ~0UL, 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, ~0UL - 0xf, 0x10, EX_NOWAIT),
	    0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0, 0x10, EX_NOWAIT), 0);
	ATF_CHECK_EQ(extent_alloc_subregion(ex, ~0UL - 0x1f, ~0UL, 0x10,
	    0x10, 0, EX_NOWAIT, &a), 0);
	ATF_CHECK_EQ(a, ~0UL - 0x1f);
	ATF_CHECK_EQ(extent_alloc_subregion(ex, ~0UL - 2, ~0UL, 1, 0x10, 0,
	    EX_NOWAIT, &a), EINVAL);
	ATF_REQUIRE_EQ(extent_free(ex, ~0UL - 0x1f, 0x20, EX_NOWAIT), 0);
	extent_destroy(ex);
}

ATF_TC(whole_space_one_map);
ATF_TC_HEAD(whole_space_one_map, tc)
{

	atf_tc_set_md_var(tc, "descr", "[0, ~0UL] is one map, as [1, ~0UL] "
	    "is: requests across 2^63 and up to the top number succeed, in "
	    "coalescing and EX_NOCOALESCE maps");
}
ATF_TC_BODY(whole_space_one_map, tc)
{
	const u_long half = ~0UL / 2 + 1, big = half + half / 2;
	static const int flags[] = { 0, EX_NOCOALESCE };
	struct extent *ex;
	u_long a, start;
	u_int i, f;

	for (f = 0; f < __arraycount(flags); f++) {
		for (start = 0; start <= 1; start++) {
			ex = t_extent(start, ~0UL, flags[f]);
			ATF_CHECK_EQ(extent_alloc(ex, big, 1, 0, EX_NOWAIT,
			    &a), 0);
			ATF_CHECK(a >= start && a + (big - 1) >= a);
			ATF_REQUIRE_EQ(extent_free(ex, a, big, EX_NOWAIT), 0);
			ATF_CHECK_EQ(extent_alloc_region(ex, half - 0x1000,
			    0x2000, EX_NOWAIT), 0);
			ATF_REQUIRE_EQ(extent_free(ex, half - 0x1000, 0x2000,
			    EX_NOWAIT), 0);
			for (i = 0; i < 2; i++) {
				ATF_CHECK_EQ(extent_alloc_region(ex, half,
				    half, EX_NOWAIT), 0);
				ATF_CHECK_EQ(extent_alloc_region(ex, ~0UL, 1,
				    EX_NOWAIT), EAGAIN);
				ATF_REQUIRE_EQ(extent_free(ex, half, half,
				    EX_NOWAIT), 0);
			}
			ATF_CHECK_EQ(extent_alloc_region(ex, ~0UL, 1,
			    EX_NOWAIT), 0);
			ATF_CHECK_EQ(extent_alloc_region(ex, half, half,
			    EX_NOWAIT), EAGAIN);
			ATF_REQUIRE_EQ(extent_free(ex, ~0UL, 1, EX_NOWAIT), 0);
			ATF_CHECK_EQ(extent_alloc_region(ex, 1, ~0UL,
			    EX_NOWAIT), 0);
			ATF_REQUIRE_EQ(extent_free(ex, 1, ~0UL, EX_NOWAIT), 0);
			ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), 0);
			vmem_check(&ex->ex_vmem);
			extent_destroy(ex);
		}
	}
}

ATF_TC(fixed_storage);
ATF_TC_HEAD(fixed_storage, tc)
{

	atf_tc_set_md_var(tc, "descr", "a fixed extent lives in the caller's "
	    "storage, takes its tags from vmem's static reserve, and can be "
	    "made again in the same storage after extent_destroy");
}
ATF_TC_BODY(fixed_storage, tc)
{
	static long storage[EXTENT_FIXED_STORAGE_SIZE(16) / sizeof(long) + 1];
	struct extent *ex;
	u_long a[32];
	int i, round;

	for (round = 0; round < 2; round++) {
		ex = extent_create("fixed", 0x100000, 0x1fffff, storage,
		    sizeof(storage), EX_NOWAIT | EX_MALLOCOK);
		ATF_REQUIRE_EQ((void *)ex, (void *)storage);
		ATF_CHECK_EQ(ex->ex_flags & EXF_FIXED, EXF_FIXED);
		for (i = 0; i < 32; i++)
			ATF_REQUIRE_EQ(extent_alloc(ex, 0x1000, 0x1000, 0,
			    EX_NOWAIT, &a[i]), 0);
		for (i = 0; i < 32; i += 2)
			ATF_REQUIRE_EQ(extent_free(ex, a[i], 0x1000,
			    EX_NOWAIT), 0);
		ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), 16 * 0x1000);
		vmem_check(&ex->ex_vmem);
		extent_destroy(ex);
	}
}

ATF_TC(fixed_storage_type);
ATF_TC_HEAD(fixed_storage_type, tc)
{

	atf_tc_set_md_var(tc, "descr", "storage reserved as an array of "
	    "struct extent_fixed on the stack, as NetBSD drivers do, holds a "
	    "fixed extent");
}
ATF_TC_BODY(fixed_storage_type, tc)
{
	struct extent_fixed fex[2];
	struct extent *ex;
	u_long a;

	ex = extent_create("t_fex", 0x100000, 0x1fffff, (void *)fex,
	    sizeof(fex), EX_NOWAIT);
	ATF_REQUIRE(ex == &fex[0].fex_extent);
	ATF_REQUIRE_EQ(extent_alloc_subregion(ex, 0x100000, 0x13ffff,
	    0x40000, 0x10000, 0, EX_FAST | EX_NOWAIT, &a), 0);
	ATF_CHECK_EQ(a, 0x100000);
	extent_destroy(ex);
}

ATF_TC(early);
ATF_TC_HEAD(early, tc)
{

	atf_tc_set_md_var(tc, "descr", "an EX_EARLY map (NetBSD's value) "
	    "made before extent_init, fixed or not, allocates, frees and is "
	    "destroyed without its lock; EX_WAITOK on it never sleeps; "
	    "extent_init may be called more than once");
}
ATF_TC_BODY(early, tc)
{
	static long storage[EXTENT_FIXED_STORAGE_SIZE(8) / sizeof(long) + 1];
	struct extent *ex;
	u_long a, b;
	int round;

	ATF_CHECK_EQ(EX_EARLY, 0x80);
	for (round = 0; round < 2; round++) {
		ex = extent_create("early", 0x1000, 0x1fff,
		    round == 0 ? storage : NULL, round == 0 ? sizeof(storage) :
		    0, EX_NOWAIT | EX_EARLY);
		ATF_REQUIRE(ex != NULL);
		ATF_CHECK_EQ(ex->ex_flags & EXF_EARLY, EXF_EARLY);
		ATF_REQUIRE_EQ(extent_alloc(ex, 0x100, 0x100, 0, EX_WAITOK,
		    &a), 0);
		ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x1800, 0x10,
		    EX_NOWAIT), 0);
		ATF_CHECK_EQ(extent_alloc_region(ex, 0x1808, 0x10, EX_WAITOK),
		    EAGAIN);
		ATF_REQUIRE_EQ(extent_alloc(ex, 0x1000, 1, 0, EX_NOWAIT, &b),
		    EAGAIN);
		ATF_CHECK_EQ(extent_free(ex, 0x1804, 4, EX_WAITOK), 0);
		ATF_CHECK(t_free_p(ex, 0x1804, 4));
		ATF_CHECK(t_busy_p(ex, 0x1800, 4));
		ATF_CHECK_EQ(extent_free(ex, a, 0x100, EX_NOWAIT), 0);
		vmem_check(&ex->ex_vmem);
		extent_destroy(ex);
		extent_init();
	}
}

/* ---- running out of region descriptors */

/* vmem_walk callback: count a boundary tag. */
static void
t_count_tag(void *arg, vmem_addr_t addr, vmem_size_t size)
{

	(*(size_t *)arg)++;
}

/*
 * Every boundary tag the map's arena holds: in its segment list, and
 * spare.  While the arena is starved (vmem_mtbf_set with
 * VMEM_MTBF_REFILLS) and holds fewer spare tags than it keeps, no tag
 * enters or leaves it, so this stays the same unless one leaks.
 */
static size_t
t_ntags(struct extent *ex)
{
	size_t n = 0;

	vmem_walk(&ex->ex_vmem, VMEM_ALLOC | VMEM_FREE | VMEM_SPAN,
	    t_count_tag, &n);
	mutex_enter(&ex->ex_vmem.vm_lock);
	n += ex->ex_vmem.vm_nfreetags;
	mutex_exit(&ex->ex_vmem.vm_lock);
	return n;
}

/* An allocation sought among the busy segments, and whether it is one. */
struct t_seg {
	u_long	ts_start;
	u_long	ts_size;
	bool	ts_found;
};

/* vmem_walk callback: is this busy segment the one sought? */
static void
t_seg_match(void *arg, vmem_addr_t addr, vmem_size_t size)
{
	struct t_seg *ts = arg;

	ts->ts_found |= addr == ts->ts_start && size == ts->ts_size;
}

/*
 * Is [start, start + size - 1] exactly one allocation?  Asks the arena
 * without allocating, so that it holds in a starved map too.
 */
static bool
t_alloc_p(struct extent *ex, u_long start, u_long size)
{
	struct t_seg ts = { .ts_start = start, .ts_size = size };

	vmem_walk(&ex->ex_vmem, VMEM_ALLOC, t_seg_match, &ts);
	return ts.ts_found;
}

ATF_TC(nowait_enomem);
ATF_TC_HEAD(nowait_enomem, tc)
{

	atf_tc_set_md_var(tc, "descr", "in a coalescing map out of boundary "
	    "tags, EX_NOWAIT allocations and fragment frees fail with ENOMEM "
	    "and change nothing but the whole allocations freed before the "
	    "failing part; whole frees still work, and afterwards the map is "
	    "intact and all of it can be allocated again");
}
ATF_TC_BODY(nowait_enomem, tc)
{
	struct extent *ex;
	size_t n, tags;
	int error = 0;
	u_long a, i;

	ex = t_extent(0, 0xffff, 0);
	/* [0x100, 0x1ff] between busy neighbours: freeing it frees no tag. */
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0xf0, 0x10, EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x100, 0x100, EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x200, 0x100, EX_NOWAIT), 0);
	vmem_mtbf_set(1, VMEM_MTBF_EVERY | VMEM_MTBF_REFILLS, 0);
	tags = t_ntags(ex);
	for (n = 0; n < 64; n++) {
		error = extent_alloc_region(ex, 0x1000 + n * 0x20, 0x10,
		    EX_NOWAIT);
		if (error != 0)
			break;
	}
	ATF_CHECK_EQ(error, ENOMEM);
	ATF_REQUIRE_MSG(n >= 1 && n < 64, "%zu regions before running out "
	    "of tags", n);
	ATF_CHECK_EQ(extent_alloc(ex, 0x10, 1, 0, EX_NOWAIT, &a), ENOMEM);
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), 0x210 + n * 0x10);
	ATF_CHECK_EQ(t_ntags(ex), tags);
	vmem_check(&ex->ex_vmem);

	/* A fragment needs a tag: nothing is freed. */
	ATF_CHECK_EQ(extent_free(ex, 0x140, 0x10, EX_NOWAIT), ENOMEM);
	ATF_CHECK(t_alloc_p(ex, 0x100, 0x100));
	/* A whole allocation, then part of the next: all or nothing. */
	ATF_CHECK_EQ(extent_free(ex, 0x100, 0x180, EX_NOWAIT), ENOMEM);
	ATF_CHECK(t_alloc_p(ex, 0x100, 0x100) && t_alloc_p(ex, 0x200, 0x100));
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), 0x210 + n * 0x10);
	/* Whole allocations only: no tag needed, so it cannot fail. */
	ATF_CHECK_EQ(extent_free(ex, 0x100, 0x100, EX_NOWAIT), 0);
	ATF_CHECK(!t_alloc_p(ex, 0x100, 0x100));
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), 0x110 + n * 0x10);
	ATF_CHECK_EQ(t_ntags(ex), tags);
	vmem_check(&ex->ex_vmem);

	/* A whole free coalesces and gives back the tags a fragment needs. */
	ATF_CHECK_EQ(extent_free(ex, 0x1000, 0x10, EX_NOWAIT), 0);
	ATF_CHECK_EQ(extent_free(ex, 0x240, 0x10, EX_NOWAIT), 0);
	ATF_CHECK(t_alloc_p(ex, 0x200, 0x40) && t_alloc_p(ex, 0x250, 0xb0));
	ATF_CHECK_EQ(t_ntags(ex), tags);
	vmem_check(&ex->ex_vmem);

	/* Fed again, the map frees and hands out all of it. */
	vmem_mtbf_set(0, VMEM_MTBF_EVERY, 0);
	ATF_CHECK_EQ(extent_free(ex, 0xf0, 0x10, EX_NOWAIT), 0);
	ATF_CHECK_EQ(extent_free(ex, 0x200, 0x40, EX_NOWAIT), 0);
	ATF_CHECK_EQ(extent_free(ex, 0x250, 0xb0, EX_NOWAIT), 0);
	for (i = 1; i < n; i++)
		ATF_CHECK_EQ(extent_free(ex, 0x1000 + i * 0x20, 0x10,
		    EX_NOWAIT), 0);
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), 0);
	ATF_CHECK(t_free_p(ex, 0, 0x10000));
	vmem_check(&ex->ex_vmem);
	extent_destroy(ex);
}

ATF_TC(fixed_nocoalesce_enomem);
ATF_TC_HEAD(fixed_nocoalesce_enomem, tc)
{

	atf_tc_set_md_var(tc, "descr", "a fixed EX_NOCOALESCE map out of "
	    "boundary tags fails EX_NOWAIT allocations with ENOMEM; "
	    "extent_free still never fails, its tags serve the next "
	    "allocation, and the map is intact afterwards");
}
ATF_TC_BODY(fixed_nocoalesce_enomem, tc)
{
	static long storage[EXTENT_FIXED_STORAGE_SIZE(8) / sizeof(long) + 1];
	struct extent *ex;
	size_t i, n, tags;
	u_long a[64], b;
	int error = 0;

	ex = extent_create("fixed", 0x100000, 0x1fffff, storage,
	    sizeof(storage), EX_NOWAIT | EX_NOCOALESCE);
	ATF_REQUIRE_EQ((void *)ex, (void *)storage);
	vmem_mtbf_set(1, VMEM_MTBF_EVERY | VMEM_MTBF_REFILLS, 0);
	tags = t_ntags(ex);
	/* Each allocation after the first leaves a gap before it. */
	for (n = 0; n < __arraycount(a); n++) {
		error = extent_alloc(ex, 0x1000, 0x2000, 0, EX_NOWAIT, &a[n]);
		if (error != 0)
			break;
	}
	ATF_CHECK_EQ(error, ENOMEM);
	ATF_REQUIRE_MSG(n >= 2 && n < __arraycount(a), "%zu regions before "
	    "running out of tags", n);
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), n * 0x1000);
	ATF_CHECK_EQ(t_ntags(ex), tags);
	vmem_check(&ex->ex_vmem);

	ATF_CHECK_EQ(extent_free(ex, a[1], 0x1000, EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_alloc(ex, 0x1000, 0x2000, 0, EX_NOWAIT, &b), 0);
	ATF_CHECK_EQ(b, a[1]);
	ATF_CHECK_EQ(t_ntags(ex), tags);
	for (i = 0; i < n; i++) {
		ATF_CHECK(t_alloc_p(ex, a[i], 0x1000));
		ATF_CHECK_EQ(extent_free(ex, a[i], 0x1000, EX_NOWAIT), 0);
	}
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), 0);
	ATF_CHECK_EQ(t_ntags(ex), tags);
	vmem_check(&ex->ex_vmem);

	vmem_mtbf_set(0, VMEM_MTBF_EVERY, 0);
	ATF_CHECK(t_free_p(ex, 0x100000, 0x100000));
	extent_destroy(ex);
}

/* ---- sleeping for space */

/* An EX_WAITSPACE allocation for a t_sleeper to make. */
struct t_waiter {
	struct extent	*tw_ex;
	u_long		tw_start;	/* for extent_alloc_region, or ~0 */
	u_long		tw_size;
	u_long		tw_result;
	int		tw_error;
};

/* Allocate with EX_WAITSPACE and record the result. */
static void
t_waiter_alloc(void *arg)
{
	struct t_waiter *tw = arg;

	if (tw->tw_start != ~0UL) {
		tw->tw_error = extent_alloc_region(tw->tw_ex, tw->tw_start,
		    tw->tw_size, EX_WAITOK | EX_WAITSPACE | EX_CATCH);
		tw->tw_result = tw->tw_start;
	} else
		tw->tw_error = extent_alloc(tw->tw_ex, tw->tw_size, 1, 0,
		    EX_NOWAIT | EX_WAITSPACE, &tw->tw_result);
}

ATF_TC(waitspace);
ATF_TC_HEAD(waitspace, tc)
{

	atf_tc_set_md_var(tc, "descr", "with EX_WAITSPACE, extent_alloc and "
	    "extent_alloc_region sleep until extent_free makes room");
}
ATF_TC_BODY(waitspace, tc)
{
	struct t_sleeper ts;
	struct t_waiter tw;
	struct extent *ex;
	lwp_t *l;

	ex = t_extent(0, 0xff, 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0, 0x100, EX_NOWAIT), 0);
	tw = (struct t_waiter){ .tw_ex = ex, .tw_start = ~0UL,
	    .tw_size = 0x20 };
	ts = (struct t_sleeper){ .ts_call = t_waiter_alloc, .ts_arg = &tw };
	l = t_sleeper_start(&ts, "EX_WAITSPACE allocation");
	ATF_REQUIRE_EQ(extent_free(ex, 0x10, 0x10, EX_NOWAIT), 0);
	kpause("wait", false, hz / 20, NULL);
	ATF_CHECK_EQ_MSG(t_sleeper_state(&ts), T_SLEEPER_CALLING,
	    "woke for a gap too small");
	ATF_REQUIRE_EQ(extent_free(ex, 0x20, 0x10, EX_NOWAIT), 0);
	kthread_join(l);
	ATF_CHECK_EQ(tw.tw_error, 0);
	ATF_CHECK_EQ(tw.tw_result, 0x10);

	tw = (struct t_waiter){ .tw_ex = ex, .tw_start = 0x80,
	    .tw_size = 0x10 };
	ts = (struct t_sleeper){ .ts_call = t_waiter_alloc, .ts_arg = &tw };
	l = t_sleeper_start(&ts, "EX_WAITSPACE allocation");
	ATF_REQUIRE_EQ(extent_free(ex, 0x80, 0x10, EX_NOWAIT), 0);
	kthread_join(l);
	ATF_CHECK_EQ(tw.tw_error, 0);
	extent_destroy(ex);
}

/* ---- concurrency */

#define	T_THREADS	4
#define	T_SHARED_SIZE	0x1000

static struct extent *t_shared;
static volatile uint32_t t_owner[T_SHARED_SIZE];

/* Claim or release [a, a + n) in the ownership map; panic on overlap. */
static void
t_mark(u_long a, u_long n, uint32_t from, uint32_t to)
{
	u_long i;

	for (i = 0; i < n; i++) {
		if (atomic_cas_32(&t_owner[a + i], from, to) != from)
			panic("number %#lx: owner is not %u", a + i, from);
	}
}

/* One thread: allocate with every flag, free whole, in halves, in parts. */
static void
t_shared_main(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg, x = id * 2654435761u + 1;
	u_long a[8], n[8], half;
	int i, round, error;

	for (round = 0; round < 4000 / TEST_SCALE; round++) {
		for (i = 0; i < 8; i++) {
			(void)t_rand(&x);
			n[i] = (x & 3) == 0 ? 1 : 1 + x % 32;
			if (n[i] == 1)
				error = extent_alloc(t_shared, 1, 1, 0,
				    EX_WAITOK | EX_WAITSPACE, &a[i]);
			else
				error = extent_alloc1(t_shared, n[i],
				    1UL << (x / 32 % 4), (x >> 8) % (1UL <<
				    (x / 32 % 4)), 0, (x & 64) ? EX_FAST :
				    EX_NOWAIT, &a[i]);
			if (error != 0) {
				if (error != EAGAIN)
					panic("extent_alloc: error %d", error);
				n[i] = 0;
				continue;
			}
			t_mark(a[i], n[i], 0, id);
		}
		for (i = 0; i < 8; i++) {
			if (n[i] == 0)
				continue;
			t_mark(a[i], n[i], id, 0);
			half = n[i] / 2;
			if (half == 0 || (i & 1) == 0) {
				error = extent_free(t_shared, a[i], n[i],
				    EX_NOWAIT);
			} else {
				error = extent_free(t_shared, a[i] + half,
				    n[i] - half, EX_WAITOK);
				if (error == 0)
					error = extent_free(t_shared, a[i],
					    half, EX_WAITOK);
			}
			if (error != 0)
				panic("extent_free: error %d", error);
		}
	}
	kthread_exit(0);
}

ATF_TC(threads);
ATF_TC_HEAD(threads, tc)
{

	atf_tc_set_md_var(tc, "descr", "threads on several CPUs allocate, "
	    "wait for space and free in parts in one map; no two ever own "
	    "the same number");
}
ATF_TC_BODY(threads, tc)
{
	lwp_t *l[T_THREADS];
	int i;

	t_shared = t_extent(0, T_SHARED_SIZE / 4 - 1, 0);
	for (i = 0; i < T_THREADS; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN,
		    NULL, t_shared_main, (void *)(uintptr_t)(i + 1), &l[i],
		    "extent%d", i), 0);
	for (i = 0; i < T_THREADS; i++)
		kthread_join(l[i]);
	ATF_CHECK_EQ(vmem_size(&t_shared->ex_vmem, VMEM_ALLOC), 0);
	vmem_check(&t_shared->ex_vmem);
	extent_destroy(t_shared);
}

/* ---- the model */

#define	T_MODEL_SIZE	256

static uint8_t t_model[T_MODEL_SIZE];

/* Would [a, a + size - 1] meet the request in the model? */
static bool
t_model_fits(u_long base, u_long a, u_long size, u_long sub0, u_long sub1,
    u_long align, u_long skew, u_long b, u_long bbase)
{
	u_long i;

	if (a < sub0 || a + size - 1 > sub1 || (a - skew) % align != 0)
		return false;
	if (b != 0 && t_crosses(a, size, bbase, b))
		return false;
	for (i = 0; i < size; i++) {
		if (t_model[a - base + i])
			return false;
	}
	return true;
}

ATF_TC(model);
ATF_TC_HEAD(model, tc)
{

	atf_tc_set_md_var(tc, "descr", "random requests with every "
	    "constraint against a bitmap model: each success meets them all "
	    "on free numbers, each EAGAIN had no possible start, and frees of "
	    "random allocated ranges agree");
}
ATF_TC_BODY(model, tc)
{
	const u_long base = 0x1005;	/* off every alignment */
	u_long sub0, sub1, size, align, skew, b, bbase, a, i, n;
	uint32_t x = 12345;
	struct extent *ex;
	int error, flags, op;
	bool possible;

	ex = t_extent(base, base + T_MODEL_SIZE - 1, 0);
	memset(t_model, 0, sizeof(t_model));
	for (op = 0; op < 20000 / TEST_SCALE; op++) {
		(void)t_rand(&x);
		if (x % 3 == 0) {
			/* Free a random allocated run. */
			a = x / 3 % T_MODEL_SIZE;
			if (!t_model[a])
				continue;
			for (n = 0; a + n < T_MODEL_SIZE && t_model[a + n] &&
			    n < 1 + x / 7 % 24; n++)
				t_model[a + n] = 0;
			ATF_REQUIRE_EQ(extent_free(ex, base + a, n,
			    (x & 8) ? EX_WAITOK : EX_NOWAIT), 0);
			continue;
		}
		align = 1UL << (x / 3 % 6);
		skew = (x >> 8) % align;
		size = 1 + (x >> 12) % 16;
		b = (x & 16) ? 0 : 1UL << (x / 5 % 7);
		if (b != 0 && b < skew + size)
			b = 0;
		flags = ((x & 32) ? EX_BOUNDZERO : 0) | ((x & 64) ? EX_FAST :
		    0) | EX_NOWAIT;
		bbase = (flags & EX_BOUNDZERO) ? 0 : base;
		sub0 = base + (x >> 16) % (T_MODEL_SIZE / 2);
		sub1 = sub0 + size - 1 + (x >> 20) % (T_MODEL_SIZE / 2);
		if (sub1 > base + T_MODEL_SIZE - 1)
			sub1 = base + T_MODEL_SIZE - 1;
		if (sub1 - sub0 + 1 < size)
			continue;
		possible = false;
		for (a = sub0; a <= sub1 && !possible; a++)
			possible = t_model_fits(base, a, size, sub0, sub1,
			    align, skew, b, bbase);
		error = extent_alloc_subregion1(ex, sub0, sub1, size, align,
		    skew, b, flags, &a);
		ATF_REQUIRE_MSG(error == 0 || error == EAGAIN, "error %d",
		    error);
		ATF_REQUIRE_EQ_MSG(error == 0, possible, "op %d sub [%#lx, "
		    "%#lx] size %#lx align %#lx skew %#lx boundary %#lx flags "
		    "%#x error %d", op, sub0, sub1, size, align, skew, b,
		    flags, error);
		if (error != 0)
			continue;
		ATF_REQUIRE_MSG(t_model_fits(base, a, size, sub0, sub1, align,
		    skew, b, bbase), "op %d result %#lx size %#lx align %#lx "
		    "skew %#lx boundary %#lx flags %#x", op, a, size, align,
		    skew, b, flags);
		for (i = 0; i < size; i++)
			t_model[a - base + i] = 1;
	}
	n = 0;
	for (i = 0; i < T_MODEL_SIZE; i++)
		n += t_model[i];
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), n);
	vmem_check(&ex->ex_vmem);
	extent_destroy(ex);
}

/* ---- misuse */

T_MISUSE(misuse_free_unallocated, "freeing a range with a number that "
    "is not allocated panics")
ATF_TC_BODY(misuse_free_unallocated, tc)
{
	struct extent *ex;

	ex = t_extent(0, 0xfff, 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x100, 0x10, EX_NOWAIT), 0);
	atf_tc_expect_signal(SIGABRT, "freeing past a region must panic");
	(void)extent_free(ex, 0x108, 0x10, EX_NOWAIT);
}

T_MISUSE(misuse_free_hole, "freeing a range across several allocations "
    "with a hole after them panics")
ATF_TC_BODY(misuse_free_hole, tc)
{
	struct extent *ex;

	ex = t_extent(0, 0xfff, 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x100, 0x10, EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x110, 0x10, EX_NOWAIT), 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x130, 0x10, EX_NOWAIT), 0);
	atf_tc_expect_signal(SIGABRT, "a hole in the range must panic");
	(void)extent_free(ex, 0x108, 0x38, EX_NOWAIT);
}

T_MISUSE(misuse_free_gap_start, "freeing a range that starts in a gap "
    "before an allocation panics")
ATF_TC_BODY(misuse_free_gap_start, tc)
{
	struct extent *ex;

	ex = t_extent(0, 0xfff, 0);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x100, 0x10, EX_NOWAIT), 0);
	atf_tc_expect_signal(SIGABRT, "a range from a gap must panic");
	(void)extent_free(ex, 0xf8, 0x10, EX_NOWAIT);
}

T_MISUSE(misuse_nocoalesce_partial, "freeing part of an allocation in an "
    "EX_NOCOALESCE map panics")
ATF_TC_BODY(misuse_nocoalesce_partial, tc)
{
	struct extent *ex;

	ex = t_extent(0, 0xfff, EX_NOCOALESCE);
	ATF_REQUIRE_EQ(extent_alloc_region(ex, 0x100, 0x10, EX_NOWAIT), 0);
	atf_tc_expect_signal(SIGABRT, "a partial free must panic");
	(void)extent_free(ex, 0x100, 0x8, EX_NOWAIT);
}

T_MISUSE(misuse_free_outside, "freeing outside the map panics")
ATF_TC_BODY(misuse_free_outside, tc)
{
	struct extent *ex;

	ex = t_extent(0x100, 0xfff, 0);
	atf_tc_expect_signal(SIGABRT, "a range outside the map must panic");
	(void)extent_free(ex, 0xf0, 0x20, EX_NOWAIT);
}

T_MISUSE(misuse_zero_size, "a request of size 0 panics")
ATF_TC_BODY(misuse_zero_size, tc)
{
	struct extent *ex;
	u_long a;

	ex = t_extent(0, 0xfff, 0);
	atf_tc_expect_signal(SIGABRT, "size 0 must panic");
	(void)extent_alloc(ex, 0, 1, 0, EX_NOWAIT, &a);
}

T_MISUSE(misuse_alignment, "an alignment that is not a power of 2 panics")
ATF_TC_BODY(misuse_alignment, tc)
{
	struct extent *ex;
	u_long a;

	ex = t_extent(0, 0xfff, 0);
	atf_tc_expect_signal(SIGABRT, "alignment 3 must panic");
	(void)extent_alloc(ex, 0x10, 3, 0, EX_NOWAIT, &a);
}

T_MISUSE(misuse_skew, "a skew not below the alignment panics")
ATF_TC_BODY(misuse_skew, tc)
{
	struct extent *ex;
	u_long a;

	ex = t_extent(0, 0xfff, 0);
	atf_tc_expect_signal(SIGABRT, "skew 0x10 with alignment 0x10 must "
	    "panic");
	(void)extent_alloc1(ex, 0x10, 0x10, 0x10, 0, EX_NOWAIT, &a);
}

T_MISUSE(misuse_boundary, "a boundary smaller than skew plus size panics")
ATF_TC_BODY(misuse_boundary, tc)
{
	struct extent *ex;
	u_long a;

	ex = t_extent(0, 0xfff, 0);
	atf_tc_expect_signal(SIGABRT, "boundary 0x10 for skew 4 and size 0x10 "
	    "must panic");
	(void)extent_alloc1(ex, 0x10, 0x8, 0x4, 0x10, EX_NOWAIT, &a);
}

T_MISUSE(misuse_subregion, "a subregion outside the map panics")
ATF_TC_BODY(misuse_subregion, tc)
{
	struct extent *ex;
	u_long a;

	ex = t_extent(0x100, 0xfff, 0);
	atf_tc_expect_signal(SIGABRT, "a subregion outside must panic");
	(void)extent_alloc_subregion(ex, 0x80, 0x1ff, 0x10, 1, 0, EX_NOWAIT,
	    &a);
}

T_MISUSE(misuse_fixed_small, "fixed storage smaller than a map panics")
ATF_TC_BODY(misuse_fixed_small, tc)
{
	static long storage[4];

	atf_tc_expect_signal(SIGABRT, "storage too small must panic");
	(void)extent_create("t", 0, 0xfff, storage, sizeof(storage),
	    EX_NOWAIT);
}

T_MISUSE(misuse_create_range, "a map whose end is below its start panics")
ATF_TC_BODY(misuse_create_range, tc)
{

	atf_tc_expect_signal(SIGABRT, "end below start must panic");
	(void)extent_create("t", 0x1000, 0xfff, NULL, 0, EX_NOWAIT);
}

T_MISUSE(misuse_early_waitspace, "EX_WAITSPACE on an EX_EARLY map, which "
    "never sleeps, panics")
ATF_TC_BODY(misuse_early_waitspace, tc)
{
	static long storage[EXTENT_FIXED_STORAGE_SIZE(8) / sizeof(long) + 1];
	struct extent *ex;
	u_long a;

	ex = extent_create("early", 0, 0xff, storage, sizeof(storage),
	    EX_NOWAIT | EX_EARLY);
	atf_tc_expect_signal(SIGABRT, "EX_WAITSPACE must panic");
	(void)extent_alloc(ex, 0x10, 1, 0, EX_WAITSPACE, &a);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, create_alloc_free);
	ATF_TP_ADD_TC(tp, coalesce);
	ATF_TP_ADD_TC(tp, free_many_pieces);
	ATF_TP_ADD_TC(tp, fragment_free);
	ATF_TP_ADD_TC(tp, nocoalesce);
	ATF_TP_ADD_TC(tp, subregion);
	ATF_TP_ADD_TC(tp, align_skew);
	ATF_TP_ADD_TC(tp, boundary);
	ATF_TP_ADD_TC(tp, boundary_never);
	ATF_TP_ADD_TC(tp, bestfit_fast);
	ATF_TP_ADD_TC(tp, alloc_region);
	ATF_TP_ADD_TC(tp, whole_space);
	ATF_TP_ADD_TC(tp, whole_space_one_map);
	ATF_TP_ADD_TC(tp, fixed_storage);
	ATF_TP_ADD_TC(tp, fixed_storage_type);
	ATF_TP_ADD_TC(tp, early);
	ATF_TP_ADD_TC(tp, misuse_early_waitspace);
	ATF_TP_ADD_TC(tp, nowait_enomem);
	ATF_TP_ADD_TC(tp, fixed_nocoalesce_enomem);
	ATF_TP_ADD_TC(tp, waitspace);
	ATF_TP_ADD_TC(tp, threads);
	ATF_TP_ADD_TC(tp, model);
	ATF_TP_ADD_TC(tp, misuse_free_unallocated);
	ATF_TP_ADD_TC(tp, misuse_free_hole);
	ATF_TP_ADD_TC(tp, misuse_free_gap_start);
	ATF_TP_ADD_TC(tp, misuse_nocoalesce_partial);
	ATF_TP_ADD_TC(tp, misuse_free_outside);
	ATF_TP_ADD_TC(tp, misuse_zero_size);
	ATF_TP_ADD_TC(tp, misuse_alignment);
	ATF_TP_ADD_TC(tp, misuse_skew);
	ATF_TP_ADD_TC(tp, misuse_boundary);
	ATF_TP_ADD_TC(tp, misuse_subregion);
	ATF_TP_ADD_TC(tp, misuse_fixed_small);
	ATF_TP_ADD_TC(tp, misuse_create_range);
	return atf_no_error();
}
