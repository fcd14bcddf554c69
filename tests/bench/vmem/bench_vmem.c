/*
 * bench_vmem.c: the cost of vmem_xalloc + vmem_xfree against the number
 * of free segments in the arena, for each fit policy, beside a first-fit
 * search of an address-ordered list (the extent(9) algorithm) measured
 * in the same run.
 *
 * The fragmentation: an arena of page quantum takes, in address order,
 * N allocations of h pages each followed by one of a page, and frees the
 * h-page ones, leaving N holes of h pages, each between two busy pages,
 * and one large free segment after them (N + 1 free segments in all).
 * The timed operation is a pair: allocate h + 1 pages (no hole can take
 * it, so a list search must walk past all N holes to the tail) and free
 * them at once, which leaves the arena as it was.  A run is sized to
 * about 10 ms (1 to 200000 pairs); the time of a pair is the best of 15
 * runs, divided by the pairs.
 *
 * Two tables: holes of 2 pages with pairs of 3, where best fit must
 * search the list of 2- and 3-page segments, all too small; and holes of
 * 1 page with pairs of 2, where every policy goes straight to the tail.
 * The targets are read from the second: instant fit at 10^6 holes
 * against 10 (also measured again with both arenas built at once and
 * their runs interleaved, which a loaded machine cannot skew), and the
 * list against instant fit at 10^5.
 *
 * The list is built in the state the same sequence would leave: a
 * sorted, doubly linked list of the N allocated regions, as extent(9)
 * keeps them; allocation walks the gaps between regions from the lowest
 * address and takes the first that fits (extent(9) with EX_FAST; without
 * it extent walks the whole list for a best fit); freeing walks the list
 * to find the region (extent_free).  Region descriptors come from a
 * preallocated array, in address order, so neither side pays for a
 * general allocator and the list walk is as cache-friendly as it can be.
 *
 * Usage: bench_vmem prints the tables.  bench_vmem -c N builds the
 * arena for N one-page holes and runs instant-fit pairs inside
 * bench_pairs only, for counting instructions with valgrind
 * --tool=callgrind --instr-atstart=no --toggle-collect=bench_pairs (see
 * Makefile.bench); only those pairs run instrumented, so building a
 * million holes stays fast.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../bench.h"

#include <sys/vmem.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define	CALLGRIND_START_INSTRUMENTATION	do { } while (0)
#define	CALLGRIND_STOP_INSTRUMENTATION	do { } while (0)
#endif

#define	Q		4096UL		/* the arena's quantum */
#define	BASE		0x100000000UL	/* the arena's first address */
#define	TAIL		(1024 * Q)	/* the large free segment */
#define	TRIALS		15		/* runs of a measurement */
#define	__arraycount(a)	(sizeof(a) / sizeof((a)[0]))
#define	CG_PAIRS	10000		/* pairs in callgrind mode */

static const size_t nholes[] = { 10, 100, 1000, 10000, 100000, 1000000 };

static const struct policy {
	const char	*p_name;
	vm_flag_t	p_flag;
} policies[] = {
	{ "instant", VM_INSTANTFIT },
	{ "best", VM_BESTFIT },
	{ "next", VM_NEXTFIT },
};

/* The helpers of ../bench.h, under this program's name. */
#define	fail(msg, a)	bench_fail("bench_vmem", (msg), (a))
#define	now_ns()	bench_now_ns()

/* ---- measuring */

/* Run n pairs of one kind; what and how it is set up is in arg. */
typedef void (*pairs_fn)(void *, long);

/*
 * Nanoseconds per pair: after one pair to warm up (the first next-fit
 * search walks from wherever the rotor was), size a run to about 10 ms
 * (1 to 200000 pairs), then take the best of TRIALS runs, which
 * discards the runs that other processes interrupted.
 */
static double
measure(pairs_fn fn, void *arg)
{
	uint64_t t, best = UINT64_MAX;
	long n = 1;
	int i;

	(*fn)(arg, 1);
	for (;;) {
		t = now_ns();
		(*fn)(arg, n);
		t = now_ns() - t;
		if (t > 1000000 || n >= 200000)
			break;
		n *= 2;
	}
	n = (long)((double)n * 10000000 / (double)(t + 1));
	n = n < 1 ? 1 : n > 200000 ? 200000 : n;
	for (i = 0; i < TRIALS; i++) {
		t = now_ns();
		(*fn)(arg, n);
		t = now_ns() - t;
		if (t < best)
			best = t;
	}
	return (double)best / (double)n;
}

/* ---- vmem */

struct vmem_run {
	vmem_t		*vr_vm;
	vm_flag_t	vr_policy;
	vmem_size_t	vr_size;	/* bytes a pair allocates */
};

/*
 * Make an arena with n holes of h pages, each followed by a busy page,
 * and the tail after them.
 */
static vmem_t *
vmem_fragment(size_t n, size_t h)
{
	vmem_addr_t addr, want;
	vmem_t *vm;
	size_t i;

	vm = vmem_create("bench", BASE, n * (h + 1) * Q + TAIL, Q, NULL, NULL,
	    NULL, 0, VM_SLEEP, 0);
	if (vm == NULL)
		fail("vmem_create failed", n);
	for (i = 0; i < 2 * n; i++) {
		want = BASE + (i / 2) * (h + 1) * Q + (i % 2) * h * Q;
		if (vmem_xalloc(vm, i % 2 == 0 ? h * Q : Q, 0, 0, 0,
		    VMEM_ADDR_MIN, VMEM_ADDR_MAX, VM_SLEEP | VM_INSTANTFIT,
		    &addr) != 0 || addr != want)
			fail("allocation out of address order", addr);
	}
	for (i = 0; i < n; i++)
		vmem_xfree(vm, BASE + i * (h + 1) * Q, h * Q);
	if (vmem_size(vm, VMEM_FREE) != n * h * Q + TAIL)
		fail("wrong free size", vmem_size(vm, VMEM_FREE));
	return vm;
}

/* Free what vmem_fragment left allocated and destroy the arena. */
static void
vmem_unfragment(vmem_t *vm, size_t n, size_t h)
{
	size_t i;

	for (i = 0; i < n; i++)
		vmem_xfree(vm, BASE + i * (h + 1) * Q + h * Q, Q);
	vmem_destroy(vm);
}

/* Run npairs vmem_xalloc/vmem_xfree pairs. */
__attribute__((__noinline__)) void bench_pairs(void *, long);
void
bench_pairs(void *arg, long npairs)
{
	struct vmem_run *vr = arg;
	vmem_addr_t addr;
	long i;

	for (i = 0; i < npairs; i++) {
		if (vmem_xalloc(vr->vr_vm, vr->vr_size, 0, 0, 0,
		    VMEM_ADDR_MIN, VMEM_ADDR_MAX, VM_NOSLEEP | vr->vr_policy,
		    &addr) != 0)
			fail("vmem_xalloc failed", (unsigned long)i);
		vmem_xfree(vr->vr_vm, addr, vr->vr_size);
	}
}

/* ---- the extent(9) algorithm: a sorted list of allocated regions */

struct region {
	struct region	*r_next;
	struct region	*r_prev;
	unsigned long	r_start;
	unsigned long	r_end;		/* inclusive */
};

struct extent {
	struct region	ex_head;	/* sentinel of the circular list */
	unsigned long	ex_start;
	unsigned long	ex_end;		/* inclusive */
	struct region	*ex_stock;	/* spare region descriptors */
};

/* Take a region descriptor from the stock. */
static struct region *
ext_region_get(struct extent *ex)
{
	struct region *rp = ex->ex_stock;

	if (rp == NULL)
		fail("region stock empty", 0);
	ex->ex_stock = rp->r_next;
	return rp;
}

/* Insert rp before next. */
static void
ext_insert_before(struct region *next, struct region *rp)
{

	rp->r_next = next;
	rp->r_prev = next->r_prev;
	next->r_prev->r_next = rp;
	next->r_prev = rp;
}

/* First fit: the lowest gap of at least size, as extent_alloc does. */
static int
ext_alloc(struct extent *ex, unsigned long size, unsigned long *addrp)
{
	struct region *rp, *nrp;
	unsigned long start = ex->ex_start;

	for (rp = ex->ex_head.r_next; ; rp = rp->r_next) {
		unsigned long end = rp == &ex->ex_head ? ex->ex_end :
		    rp->r_start - 1;

		if (start <= end && end - start >= size - 1) {
			nrp = ext_region_get(ex);
			nrp->r_start = start;
			nrp->r_end = start + size - 1;
			ext_insert_before(rp, nrp);
			*addrp = start;
			return 0;
		}
		if (rp == &ex->ex_head)
			return -1;
		start = rp->r_end + 1;
	}
}

/* Free the region at addr: walk the list to it, as extent_free does. */
static void
ext_free(struct extent *ex, unsigned long addr, unsigned long size)
{
	struct region *rp;

	for (rp = ex->ex_head.r_next; rp != &ex->ex_head; rp = rp->r_next) {
		if (rp->r_start == addr && rp->r_end == addr + size - 1) {
			rp->r_prev->r_next = rp->r_next;
			rp->r_next->r_prev = rp->r_prev;
			rp->r_next = ex->ex_stock;
			ex->ex_stock = rp;
			return;
		}
	}
	fail("ext_free: no such region", addr);
}

/* Build the list with the same holes as vmem_fragment leaves. */
static struct region *
ext_fragment(struct extent *ex, size_t n, size_t h)
{
	struct region *regions;
	size_t i;

	regions = calloc(n + 2, sizeof(*regions));
	if (regions == NULL)
		fail("out of memory", n);
	ex->ex_start = BASE;
	ex->ex_end = BASE + n * (h + 1) * Q + TAIL - 1;
	ex->ex_head.r_next = ex->ex_head.r_prev = &ex->ex_head;
	for (i = 0; i < n; i++) {
		regions[i].r_start = BASE + i * (h + 1) * Q + h * Q;
		regions[i].r_end = regions[i].r_start + Q - 1;
		ext_insert_before(&ex->ex_head, &regions[i]);
	}
	regions[n].r_next = &regions[n + 1];
	regions[n + 1].r_next = NULL;
	ex->ex_stock = &regions[n];
	return regions;
}

struct ext_run {
	struct extent	*er_ex;
	unsigned long	er_size;	/* bytes a pair allocates */
};

/* Run npairs ext_alloc/ext_free pairs. */
static void
ext_pairs(void *arg, long npairs)
{
	struct ext_run *er = arg;
	unsigned long addr;
	long i;

	for (i = 0; i < npairs; i++) {
		if (ext_alloc(er->er_ex, er->er_size, &addr) != 0)
			fail("ext_alloc failed", (unsigned long)i);
		ext_free(er->er_ex, addr, er->er_size);
	}
}

/* ---- the table */

/*
 * Measure every policy and the list at n holes of h pages, with pairs
 * of h + 1 pages; print one row and return instant fit's and the list's
 * times.
 */
static void
bench_row(size_t n, size_t h, double *instantp, double *listp)
{
	struct vmem_run vr;
	struct ext_run er;
	struct extent ex;
	struct region *regions;
	double ns[3], lns;
	size_t p;

	vr.vr_vm = vmem_fragment(n, h);
	vr.vr_size = (h + 1) * Q;
	for (p = 0; p < 3; p++) {
		vr.vr_policy = policies[p].p_flag;
		ns[p] = measure(bench_pairs, &vr);
	}
	vmem_unfragment(vr.vr_vm, n, h);

	regions = ext_fragment(&ex, n, h);
	er.er_ex = &ex;
	er.er_size = (h + 1) * Q;
	lns = measure(ext_pairs, &er);
	free(regions);

	printf("%9zu %10.1f %10.1f %10.1f %12.1f %10.1fx\n", n + 1, ns[0],
	    ns[1], ns[2], lns, lns / ns[0]);
	*instantp = ns[0];
	*listp = lns;
}

/* Print the table for holes of h pages. */
static void
bench_table(size_t h, double *instant, double *list)
{
	size_t i;

	printf("vmem_xalloc + vmem_xfree of %zu pages, ns per pair, against "
	    "free segments\n(N holes of %zu page%s between busy pages, plus "
	    "one large free tail)\n\n", h + 1, h, h == 1 ? "" : "s");
	printf("%9s %10s %10s %10s %12s %11s\n", "free segs", "instant",
	    "best", "next", "list 1stfit", "list/inst");
	for (i = 0; i < __arraycount(nholes); i++)
		bench_row(nholes[i], h, &instant[i], &list[i]);
	printf("\n");
}

/*
 * The first target, measured again with both arenas built at once and
 * their measurements interleaved, so that a loaded machine slows both
 * alike: instant fit at 10^6 one-page holes against 10, each the best of
 * ten measurements.
 */
static double
bench_target_ratio(void)
{
	struct vmem_run small, large;
	double tsmall = 1e30, tlarge = 1e30, t;
	int i;

	small.vr_vm = vmem_fragment(10, 1);
	large.vr_vm = vmem_fragment(1000000, 1);
	small.vr_policy = large.vr_policy = VM_INSTANTFIT;
	small.vr_size = large.vr_size = 2 * Q;
	for (i = 0; i < 10; i++) {
		t = measure(bench_pairs, &small);
		tsmall = t < tsmall ? t : tsmall;
		t = measure(bench_pairs, &large);
		tlarge = t < tlarge ? t : tlarge;
	}
	vmem_unfragment(large.vr_vm, 1000000, 1);
	vmem_unfragment(small.vr_vm, 10, 1);
	printf("instant fit, interleaved: %.1f ns at 10 holes, %.1f ns at "
	    "10^6\n", tsmall, tlarge);
	return tlarge / tsmall;
}

/* Run pairs for about a second, so that the first row is not cold. */
static void
bench_warmup(void)
{
	struct vmem_run vr;
	uint64_t t = now_ns();

	vr.vr_vm = vmem_fragment(10, 1);
	vr.vr_policy = VM_INSTANTFIT;
	vr.vr_size = 2 * Q;
	while (now_ns() - t < 1000000000)
		bench_pairs(&vr, 100000);
	vmem_unfragment(vr.vr_vm, 10, 1);
}

/* Count instructions: build n one-page holes, run pairs instrumented. */
static void
bench_callgrind(size_t n)
{
	struct vmem_run vr;

	vr.vr_vm = vmem_fragment(n, 1);
	vr.vr_policy = VM_INSTANTFIT;
	vr.vr_size = 2 * Q;
	CALLGRIND_START_INSTRUMENTATION;
	bench_pairs(&vr, CG_PAIRS);
	CALLGRIND_STOP_INSTRUMENTATION;
	vmem_unfragment(vr.vr_vm, n, 1);
	printf("%d\n", CG_PAIRS);
}

int
main(int argc, char **argv)
{
	double instant[__arraycount(nholes)], list[__arraycount(nholes)];

	if (argc == 3 && strcmp(argv[1], "-c") == 0) {
		bench_callgrind(strtoul(argv[2], NULL, 10));
		return 0;
	}
	bench_warmup();
	bench_table(2, instant, list);
	bench_table(1, instant, list);
	printf("instant fit, 10^6 holes / 10 holes: %.2fx in the table, "
	    "%.2fx interleaved (target <= 1.5x)\n", instant[5] / instant[0],
	    bench_target_ratio());
	printf("list first fit / instant fit at 10^5 holes: %.0fx "
	    "(target >= 100x)\n", list[4] / instant[4]);
	return 0;
}
