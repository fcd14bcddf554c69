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
 * The random walk (issue 13, the workload vmem allocators are usually
 * judged on): an arena [0, 2^40) of quantum 4096 is filled with WALK_LIVE
 * vmem_xalloc of 1 to 256 pages (sizes uniform), then WALK_PAIRS times
 * one step either allocates a new segment of 1 to 256 pages or frees a
 * live one chosen at random, each with probability 1/2 (allocate when
 * nothing is live, free at WALK_CAP live), so the number of live
 * segments walks at random around WALK_LIVE: 2 * WALK_PAIRS operations.
 * One seed, printed, drives the sizes and the choices, so every policy
 * and the list see the same requests.  Reported: ns per operation (the
 * best of WALK_RUNS runs, each on a new arena), and the spread at the
 * end: the highest busy address over the bytes in use.  The list runs
 * the same requests for WALK_LIST_PAIRS pairs only (each of its
 * operations walks thousands of regions).  Two more lines say where
 * instant fit's time goes: the walk run with no allocator behind it (a
 * bump pointer), which every figure above includes, and instant fit
 * walking around WALK_LIVE_L1 live segments, whose tags fit in the
 * L1 cache, which leaves out the full walk's cache misses.
 *
 * Usage: bench_vmem prints the tables; -d file also writes the
 * one-page-hole table as columns (free segments, instant, best, next,
 * list) for gnuplot.  bench_vmem -c N builds the arena for N one-page
 * holes and runs instant-fit pairs inside bench_pairs only, for counting
 * instructions with valgrind --tool=callgrind --instr-atstart=no
 * --toggle-collect=bench_pairs (see Makefile.bench); only those pairs
 * run instrumented, so building a million holes stays fast.  bench_vmem
 * -w policy N fills the walk's arena uninstrumented and runs N pairs of
 * the walk inside bench_walk only (policy instant, best, next, list, or
 * none for the walk alone),
 * and prints the operations it ran, for the same count.  bench_vmem -t
 * prints the random walk's table only.
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

#define	WALK_SEED	0x13a11ce5eedULL /* the walk's random requests */
#define	WALK_SPAN	((vmem_size_t)1 << 40) /* the arena [0, 2^40) */
#define	WALK_MAXPAGES	256		/* a request: 1 to 256 pages */
#define	WALK_LIVE	10000		/* live segments after the fill */
#define	WALK_CAP	20000		/* ... and at most, ever */
#define	WALK_LIVE_L1	100		/* the walk small enough for L1 */
#define	WALK_PAIRS	1000000		/* pairs of operations timed */
#define	WALK_LIST_PAIRS	10000		/* ... for the list */
#define	WALK_RUNS	3		/* best of, each on a new arena */

static const size_t nholes[] = { 10, 100, 1000, 10000, 100000, 1000000 };

static const struct policy {
	const char	*p_name;
	vm_flag_t	p_flag;
} policies[] = {
	{ "instant", VM_INSTANTFIT },
	{ "best", VM_BESTFIT },
	{ "next", VM_NEXTFIT },
}, walk_none = { "none", 0 };	/* the walk alone */

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

		/* The gap before a region at start is empty, even at 0. */
		if ((rp == &ex->ex_head ? start <= end : rp->r_start > start) &&
		    end - start >= size - 1) {
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

/* ---- the random walk */

struct walk {
	uint64_t	w_seed;		/* xorshift state */
	vmem_t		*w_vm;		/* the arena, or NULL for ... */
	struct extent	*w_ex;		/* ... the list */
	struct region	*w_regions;	/* the list's descriptors */
	vm_flag_t	w_policy;
	bool		w_null;		/* no allocator: a bump pointer */
	vmem_addr_t	w_bump;		/* its next address */
	vmem_addr_t	w_sink;		/* what its frees read */
	size_t		w_cap;		/* live segments at most */
	size_t		w_nlive;	/* live segments */
	vmem_addr_t	w_addr[WALK_CAP]; /* their addresses */
	vmem_size_t	w_size[WALK_CAP]; /* and sizes */
};

/* The next number of the walk's xorshift64* sequence. */
static uint64_t
walk_random(struct walk *w)
{
	uint64_t x = w->w_seed;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	w->w_seed = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Allocate a segment of r's size (1 to WALK_MAXPAGES pages), live. */
static void
walk_alloc(struct walk *w, uint64_t r)
{
	vmem_size_t size = (1 + r % WALK_MAXPAGES) * Q;
	unsigned long ea;
	vmem_addr_t addr;

	if (w->w_null) {
		addr = w->w_bump;
		w->w_bump += size;
	} else if (w->w_ex != NULL) {
		if (ext_alloc(w->w_ex, size, &ea) != 0)
			fail("walk: ext_alloc failed", size);
		addr = ea;
	} else if (vmem_xalloc(w->w_vm, size, 0, 0, 0, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, VM_NOSLEEP | w->w_policy, &addr) != 0)
		fail("walk: vmem_xalloc failed", size);
	w->w_addr[w->w_nlive] = addr;
	w->w_size[w->w_nlive++] = size;
}

/* Free the live segment r picks. */
static void
walk_free(struct walk *w, uint64_t r)
{
	size_t i = r % w->w_nlive;

	if (w->w_null)
		w->w_sink += w->w_addr[i] + w->w_size[i];
	else if (w->w_ex != NULL)
		ext_free(w->w_ex, w->w_addr[i], w->w_size[i]);
	else
		vmem_xfree(w->w_vm, w->w_addr[i], w->w_size[i]);
	w->w_nlive--;
	w->w_addr[i] = w->w_addr[w->w_nlive];
	w->w_size[i] = w->w_size[w->w_nlive];
}

/* Run nops steps of the walk, each an allocation or a free. */
__attribute__((__noinline__)) void bench_walk(struct walk *, long);
void
bench_walk(struct walk *w, long nops)
{
	uint64_t r;
	long i;

	for (i = 0; i < nops; i++) {
		r = walk_random(w);
		if (w->w_nlive == 0 || (w->w_nlive < w->w_cap && (r & 1)))
			walk_alloc(w, r >> 1);
		else
			walk_free(w, r >> 1);
	}
}

/*
 * Start a walk on a new arena of policy p (a new list, if p is NULL; no
 * allocator at all, if p is &walk_none) and fill it with live segments,
 * which it then walks around (WALK_LIVE, or fewer, down to WALK_LIVE_L1).
 */
static struct walk *
walk_start(const struct policy *p, size_t live)
{
	struct region *regions;
	struct walk *w;
	size_t i;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		fail("out of memory", sizeof(*w));
	w->w_seed = WALK_SEED;
	w->w_cap = 2 * live;
	if (p == &walk_none) {
		w->w_null = true;
	} else if (p == NULL) {
		regions = calloc(WALK_CAP + 1, sizeof(*regions));
		w->w_ex = calloc(1, sizeof(*w->w_ex));
		if (regions == NULL || w->w_ex == NULL)
			fail("out of memory", WALK_CAP);
		w->w_ex->ex_start = 0;
		w->w_ex->ex_end = WALK_SPAN - 1;
		w->w_ex->ex_head.r_next = w->w_ex->ex_head.r_prev =
		    &w->w_ex->ex_head;
		for (i = 0; i < WALK_CAP; i++)
			regions[i].r_next = &regions[i + 1];
		w->w_ex->ex_stock = w->w_regions = regions;
	} else {
		w->w_policy = p->p_flag;
		w->w_vm = vmem_create("walk", 0, WALK_SPAN, Q, NULL, NULL,
		    NULL, 0, VM_SLEEP, 0);
		if (w->w_vm == NULL)
			fail("vmem_create failed", WALK_SPAN);
	}
	for (i = 0; i < live; i++)
		walk_alloc(w, walk_random(w));
	return w;
}

/* Highest busy address over the bytes in use: 1 is perfectly packed. */
static double
walk_spread(const struct walk *w)
{
	vmem_addr_t top = 0;
	double inuse = 0;
	size_t i;

	for (i = 0; i < w->w_nlive; i++) {
		if (w->w_addr[i] + w->w_size[i] > top)
			top = w->w_addr[i] + w->w_size[i];
		inuse += (double)w->w_size[i];
	}
	return (double)top / inuse;
}

/* Free every live segment, then the arena or list. */
static void
walk_end(struct walk *w)
{

	while (w->w_nlive > 0)
		walk_free(w, 0);
	if (w->w_ex != NULL) {
		free(w->w_regions);
		free(w->w_ex);
	} else if (!w->w_null)
		vmem_destroy(w->w_vm);
	free(w);
}

/*
 * Run the walk for policy p (NULL: the list) around live segments
 * WALK_RUNS times; the best ns per operation, and the spread (the same
 * in every run).
 */
static double
walk_measure(const struct policy *p, long pairs, size_t live,
    double *spreadp)
{
	double best = 1e30, t;
	struct walk *w;
	int r;

	for (r = 0; r < WALK_RUNS; r++) {
		w = walk_start(p, live);
		t = (double)now_ns();
		bench_walk(w, 2 * pairs);
		t = ((double)now_ns() - t) / (2.0 * (double)pairs);
		if (t < best)
			best = t;
		*spreadp = walk_spread(w);
		walk_end(w);
	}
	return best;
}

/*
 * Where an instant-fit operation's time goes, as far as a run can tell
 * without changing the allocator: the walk's own work (random numbers,
 * the live array) with no allocator behind it, and instant fit around
 * WALK_LIVE_L1 live segments, whose tags (at most 2 * WALK_LIVE_L1
 * busy, one more free, and the span's: 64 bytes each) fit in a 32 KiB
 * L1 data cache, which leaves out most cache misses of the full walk's
 * 20,000 tags.
 */
static void
walk_parts(void)
{
	double none, l1, spread;
	char what[64];

	none = walk_measure(&walk_none, WALK_PAIRS, WALK_LIVE, &spread);
	l1 = walk_measure(&policies[0], WALK_PAIRS, WALK_LIVE_L1, &spread);
	snprintf(what, sizeof(what), "  instant fit, %d live (< %d KiB of "
	    "tags)", WALK_LIVE_L1, (4 * WALK_LIVE_L1 + 2) * 64 / 1024 + 1);
	printf("\nWhere instant fit's time goes (ns/op, same walk):\n"
	    "%-46s %6.1f\n%-46s %6.1f\n", "  the walk alone, with no allocator "
	    "behind it", none, what, l1);
}

/*
 * The walk's table, beside the list and the figures issue 13 quotes
 * for NetBSD's and FreeBSD's vmem (measured elsewhere; their code does
 * not build here).
 */
static void
bench_walk_table(void)
{
	static const struct {
		const char	*r_name;
		const char	*r_inst, *r_best;	/* ns/op, spread */
	} ref[] = {
		{ "this tree, at the issue", "61.0  1.465", "156.5  1.058" },
		{ "NetBSD 1.118", "66.7  1.465", "338.3  1.175" },
		{ "FreeBSD", "63.2  1.460", "316.3  1.172" },
	};
	double ns, spread;
	size_t p;

	printf("Random walk: arena [0, 2^40), quantum %lu; %d vmem_xalloc of "
	    "1-%d pages,\nthen %d random vmem_xalloc/vmem_xfree pairs around "
	    "%d live segments\n(seed %#llx; best of %d runs; op = one "
	    "vmem_xalloc or vmem_xfree)\n\n", Q, WALK_LIVE, WALK_MAXPAGES,
	    WALK_PAIRS, WALK_LIVE, (unsigned long long)WALK_SEED, WALK_RUNS);
	printf("%-26s %10s %8s\n", "policy", "ns/op", "spread");
	for (p = 0; p < __arraycount(policies); p++) {
		ns = walk_measure(&policies[p], WALK_PAIRS, WALK_LIVE,
		    &spread);
		printf("%-26s %10.1f %8.3f\n", policies[p].p_name, ns, spread);
	}
	ns = walk_measure(NULL, WALK_LIST_PAIRS, WALK_LIVE, &spread);
	printf("%-26s %10.1f %8.3f   (%d pairs)\n", "list first fit", ns,
	    spread, WALK_LIST_PAIRS);
	walk_parts();
	printf("\nReference figures quoted from issue 13 (same workload, "
	    "measured elsewhere):\n%-26s %18s %18s\n", "", "instant ns spread",
	    "best ns spread");
	for (p = 0; p < __arraycount(ref); p++)
		printf("%-26s %18s %18s\n", ref[p].r_name, ref[p].r_inst,
		    ref[p].r_best);
	printf("instructions per instant-fit operation (callgrind, issue "
	    "13): NetBSD 376, FreeBSD 319\n\n");
}

/*
 * Count instructions: fill the walk's arena for policy name (or the
 * list), then run pairs of it inside bench_walk only; print the
 * operations run.
 */
static void
walk_callgrind(const char *name, long pairs)
{
	const struct policy *p = NULL;
	struct walk *w;
	size_t i;

	for (i = 0; i < __arraycount(policies); i++)
		if (strcmp(name, policies[i].p_name) == 0)
			p = &policies[i];
	if (strcmp(name, walk_none.p_name) == 0)
		p = &walk_none;
	else if (p == NULL && strcmp(name, "list") != 0)
		fail("no such policy", 0);
	w = walk_start(p, WALK_LIVE);
	CALLGRIND_START_INSTRUMENTATION;
	bench_walk(w, 2 * pairs);
	CALLGRIND_STOP_INSTRUMENTATION;
	walk_end(w);
	printf("%ld\n", 2 * pairs);
}

/* ---- the table */

/*
 * Measure every policy and the list at n holes of h pages, with pairs
 * of h + 1 pages; print one row (and write it to df, if not NULL) and
 * return instant fit's and the list's times.
 */
static void
bench_row(size_t n, size_t h, double *instantp, double *listp, FILE *df)
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
	if (df != NULL)
		fprintf(df, "%zu %.1f %.1f %.1f %.1f\n", n + 1, ns[0], ns[1],
		    ns[2], lns);
	*instantp = ns[0];
	*listp = lns;
}

/* Print the table for holes of h pages (and write it to df). */
static void
bench_table(size_t h, double *instant, double *list, FILE *df)
{
	size_t i;

	printf("vmem_xalloc + vmem_xfree of %zu pages, ns per pair, against "
	    "free segments\n(N holes of %zu page%s between busy pages, plus "
	    "one large free tail)\n\n", h + 1, h, h == 1 ? "" : "s");
	printf("%9s %10s %10s %10s %12s %11s\n", "free segs", "instant",
	    "best", "next", "list 1stfit", "list/inst");
	for (i = 0; i < __arraycount(nholes); i++)
		bench_row(nholes[i], h, &instant[i], &list[i], df);
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
	FILE *df = NULL;

	if (argc == 3 && strcmp(argv[1], "-c") == 0) {
		bench_callgrind(strtoul(argv[2], NULL, 10));
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "-w") == 0) {
		walk_callgrind(argv[2], strtol(argv[3], NULL, 10));
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "-t") == 0) {
		bench_warmup();
		bench_walk_table();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "-d") == 0) {
		if ((df = fopen(argv[2], "w")) == NULL)
			fail("cannot write the data file", 0);
		fprintf(df, "# free segments, ns per pair: instant best "
		    "next list\n");
	} else if (argc != 1) {
		fprintf(stderr, "usage: bench_vmem [-d file | -t | -c holes "
		    "| -w policy pairs]\n");
		return 2;
	}
	bench_warmup();
	bench_walk_table();
	bench_table(2, instant, list, NULL);
	bench_table(1, instant, list, df);
	if (df != NULL)
		fclose(df);
	printf("instant fit, 10^6 holes / 10 holes: %.2fx in the table, "
	    "%.2fx interleaved (target <= 1.5x)\n", instant[5] / instant[0],
	    bench_target_ratio());
	printf("list first fit / instant fit at 10^5 holes: %.0fx "
	    "(target >= 100x)\n", list[4] / instant[4]);
	return 0;
}
