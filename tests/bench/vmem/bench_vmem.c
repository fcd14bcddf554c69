/*
 * bench_vmem.c: the cost of vmem_xalloc + vmem_xfree against the number
 * of free segments in the arena, for each fit policy, beside a first-fit
 * search of an address-ordered list (the extent(9) algorithm) measured
 * in the same run.
 *
 * The fragmentation: an arena of page quantum takes 2N one-page
 * allocations in address order and frees every other one, leaving N
 * one-page holes, each between two busy pages, and one large free
 * segment after them (N + 1 free segments in all).  The timed operation
 * is a pair: allocate two pages (no hole can take it, so a list search
 * must walk past all N holes to the tail) and free them at once, which
 * leaves the arena as it was.  The time of a pair is the best of three
 * runs of many pairs, divided by the pairs.
 *
 * The list is built in the state the same sequence would leave: a
 * sorted, doubly linked list of the N allocated regions, as extent(9)
 * keeps them; allocation walks the gaps between regions from the lowest
 * address and takes the first that fits (extent(9) with EX_FAST; without
 * it extent walks the whole list for a best fit); freeing walks the list
 * to find the region (extent_free).  Region descriptors come from a
 * preallocated stock, so neither side pays for a general allocator.
 *
 * Usage: bench_vmem prints the table.  bench_vmem -c N builds the
 * arena for N holes and runs instant-fit pairs inside bench_pairs only,
 * for counting instructions with valgrind --tool=callgrind
 * --instr-atstart=no --toggle-collect=bench_pairs (see Makefile.bench);
 * only those pairs run instrumented, so building a million holes stays
 * fast.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
#define	TRIALS		3		/* runs of a measurement */
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

/* Nanoseconds on the monotonic clock. */
static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* Print a message and exit: the benchmark cannot go on. */
static void
fail(const char *msg, unsigned long a)
{

	fprintf(stderr, "bench_vmem: %s (%#lx)\n", msg, a);
	exit(1);
}

/* ---- vmem */

/* Make an arena with n one-page holes followed by the tail. */
static vmem_t *
vmem_fragment(size_t n)
{
	vmem_addr_t addr;
	vmem_t *vm;
	size_t i;

	vm = vmem_create("bench", BASE, 2 * n * Q + TAIL, Q, NULL, NULL, NULL,
	    0, VM_SLEEP, 0);
	if (vm == NULL)
		fail("vmem_create failed", n);
	for (i = 0; i < 2 * n; i++) {
		if (vmem_xalloc(vm, Q, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
		    VM_SLEEP | VM_INSTANTFIT, &addr) != 0 ||
		    addr != BASE + i * Q)
			fail("allocation out of address order", addr);
	}
	for (i = 0; i < 2 * n; i += 2)
		vmem_xfree(vm, BASE + i * Q, Q);
	return vm;
}

/* Free what vmem_fragment left allocated and destroy the arena. */
static void
vmem_unfragment(vmem_t *vm, size_t n)
{
	size_t i;

	for (i = 1; i < 2 * n; i += 2)
		vmem_xfree(vm, BASE + i * Q, Q);
	vmem_destroy(vm);
}

/* Run npairs two-page vmem_xalloc/vmem_xfree pairs under a policy. */
__attribute__((__noinline__)) void bench_pairs(vmem_t *, vm_flag_t, long);
void
bench_pairs(vmem_t *vm, vm_flag_t policy, long npairs)
{
	vmem_addr_t addr;
	long i;

	for (i = 0; i < npairs; i++) {
		if (vmem_xalloc(vm, 2 * Q, 0, 0, 0, VMEM_ADDR_MIN,
		    VMEM_ADDR_MAX, VM_NOSLEEP | policy, &addr) != 0)
			fail("vmem_xalloc failed", (unsigned long)i);
		vmem_xfree(vm, addr, 2 * Q);
	}
}

/* Nanoseconds per vmem pair: the best of TRIALS runs. */
static double
vmem_measure(vmem_t *vm, vm_flag_t policy, long npairs)
{
	uint64_t t, best = UINT64_MAX;
	int i;

	bench_pairs(vm, policy, npairs / 10 + 1);	/* warm up */
	for (i = 0; i < TRIALS; i++) {
		t = now_ns();
		bench_pairs(vm, policy, npairs);
		t = now_ns() - t;
		if (t < best)
			best = t;
	}
	return (double)best / npairs;
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

/* Build the list with the same n holes as vmem_fragment leaves. */
static struct region *
ext_fragment(struct extent *ex, size_t n)
{
	struct region *regions;
	size_t i;

	regions = calloc(n + 2, sizeof(*regions));
	if (regions == NULL)
		fail("out of memory", n);
	ex->ex_start = BASE;
	ex->ex_end = BASE + 2 * n * Q + TAIL - 1;
	ex->ex_head.r_next = ex->ex_head.r_prev = &ex->ex_head;
	for (i = 0; i < n; i++) {
		regions[i].r_start = BASE + (2 * i + 1) * Q;
		regions[i].r_end = regions[i].r_start + Q - 1;
		ext_insert_before(&ex->ex_head, &regions[i]);
	}
	regions[n].r_next = &regions[n + 1];
	regions[n + 1].r_next = NULL;
	ex->ex_stock = &regions[n];
	return regions;
}

/* Nanoseconds per list pair: the best of TRIALS runs. */
static double
ext_measure(struct extent *ex, long npairs)
{
	unsigned long addr;
	uint64_t t, best = UINT64_MAX;
	long i;
	int trial;

	for (trial = 0; trial < TRIALS; trial++) {
		t = now_ns();
		for (i = 0; i < npairs; i++) {
			if (ext_alloc(ex, 2 * Q, &addr) != 0)
				fail("ext_alloc failed", (unsigned long)i);
			ext_free(ex, addr, 2 * Q);
		}
		t = now_ns() - t;
		if (t < best)
			best = t;
	}
	return (double)best / npairs;
}

/* ---- the table */

/* Measure every policy and the list at n holes; print one row. */
static void
bench_row(size_t n, double *instantp, double *listp)
{
	struct extent ex;
	struct region *regions;
	double ns[3], lns;
	long lpairs;
	vmem_t *vm;
	size_t p;

	vm = vmem_fragment(n);
	if (vmem_size(vm, VMEM_FREE) != n * Q + TAIL)
		fail("wrong free size", vmem_size(vm, VMEM_FREE));
	for (p = 0; p < 3; p++)
		ns[p] = vmem_measure(vm, policies[p].p_flag, 200000);
	vmem_unfragment(vm, n);

	regions = ext_fragment(&ex, n);
	lpairs = (long)(20000000 / n);
	lpairs = lpairs < 20 ? 20 : lpairs > 200000 ? 200000 : lpairs;
	lns = ext_measure(&ex, lpairs);
	free(regions);

	printf("%9zu %10.1f %10.1f %10.1f %12.1f %10.1fx\n", n + 1, ns[0],
	    ns[1], ns[2], lns, lns / ns[0]);
	*instantp = ns[0];
	*listp = lns;
}

/* Run pairs for about a second, so that the first row is not cold. */
static void
bench_warmup(void)
{
	uint64_t t = now_ns();
	vmem_t *vm;

	vm = vmem_fragment(10);
	while (now_ns() - t < 1000000000)
		bench_pairs(vm, VM_INSTANTFIT, 100000);
	vmem_unfragment(vm, 10);
}

/* Count instructions: build n holes, run pairs in bench_pairs only. */
static void
bench_callgrind(size_t n)
{
	vmem_t *vm;

	vm = vmem_fragment(n);
	CALLGRIND_START_INSTRUMENTATION;
	bench_pairs(vm, VM_INSTANTFIT, CG_PAIRS);
	CALLGRIND_STOP_INSTRUMENTATION;
	vmem_unfragment(vm, n);
	printf("%d\n", CG_PAIRS);
}

int
main(int argc, char **argv)
{
	double instant[6], list[6];
	size_t i;

	if (argc == 3 && strcmp(argv[1], "-c") == 0) {
		bench_callgrind(strtoul(argv[2], NULL, 10));
		return 0;
	}
	printf("vmem_xalloc + vmem_xfree of 2 pages, ns per pair, against "
	    "free segments\n(N one-page holes between busy pages, plus one "
	    "large free tail)\n\n");
	printf("%9s %10s %10s %10s %12s %11s\n", "free segs", "instant",
	    "best", "next", "list 1stfit", "list/inst");
	bench_warmup();
	for (i = 0; i < 6; i++)
		bench_row(nholes[i], &instant[i], &list[i]);
	printf("\ninstant fit, 10^6 holes / 10 holes: %.2fx (target <= 1.5x)\n",
	    instant[5] / instant[0]);
	printf("list first fit / instant fit at 10^5 holes: %.0fx "
	    "(target >= 100x)\n", list[4] / instant[4]);
	return 0;
}
