/*
 * bench_extent.c: the cost of extent_free in a coalescing map against
 * the number of regions allocated in it.
 *
 * The map: N regions of S = 16 numbers, each followed by a gap of G = 4,
 * so that each is an allocation of its own and the map holds N busy and
 * N + 1 free segments.  Two kinds of free are timed:
 *
 *	whole		extent_free of one whole region;
 *	fragment	extent_free of the middle 8 numbers of a region,
 *			which leaves its two ends allocated
 *			(vmem_xfree_part).
 *
 * The sizes keep the untimed work that rebuilds the map cheap: a freed
 * region (24 numbers with its gaps) and a freed middle (8) fall in vmem
 * free lists of orders that the gaps (4) do not crowd, so that
 * extent_alloc_region finds them again at once.
 *
 * A run frees K = 100 regions spread over the map (the i-th at region
 * i * N / K), timing only the extent_free calls, then allocates the
 * numbers again untimed (extent_alloc_region; a fragment's region is
 * freed whole and allocated again, so that every run starts from the
 * same map).  The time of a free is the best of TRIALS runs divided by
 * K.  The targets, read from the table: a whole free at 10^5 regions
 * costs at most 1.5 times one at 10^2 (it is O(1): vmem's hash finds
 * the allocation), a fragment at most 3 times (O(log n): vmem's busy
 * index finds it, and log 10^5 / log 10^2 is 2.5); a walk over the
 * regions costs about a thousand times more.
 *
 * Usage: bench_extent prints the table.  bench_extent -c N whole|fragment
 * builds the map of N regions, runs K frees of that kind to warm up, and
 * K more, each inside bench_free only, for counting instructions with
 * valgrind --tool=callgrind --instr-atstart=no --toggle-collect=bench_free
 * (see Makefile.bench); it prints K.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../bench.h"

#include <sys/extent.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define	CALLGRIND_START_INSTRUMENTATION	do { } while (0)
#define	CALLGRIND_STOP_INSTRUMENTATION	do { } while (0)
#endif

#define	S		16UL		/* numbers in a region */
#define	G		4UL		/* numbers in the gap after one */
#define	F		8UL		/* numbers in a fragment */
#define	BASE		0x100000UL	/* the map's first number */
#define	K		100		/* frees in a run */
#define	TRIALS		15		/* runs of a measurement */
#define	__arraycount(a)	(sizeof(a) / sizeof((a)[0]))

static const size_t nregions[] = { 100, 1000, 10000, 100000 };

/* The helpers of ../bench.h, under this program's name. */
#define	fail(msg, a)	bench_fail("bench_extent", (msg), (a))
#define	now_ns()	bench_now_ns()

/* The first number of region i. */
static u_long
region(size_t i)
{

	return BASE + i * (S + G);
}

/* Make the map of n regions, each followed by a gap. */
static struct extent *
map_build(size_t n)
{
	struct extent *ex;
	size_t i;

	ex = extent_create("bench", BASE, region(n) + G - 1, NULL, 0,
	    EX_WAITOK);
	if (ex == NULL)
		fail("extent_create failed", n);
	for (i = 0; i < n; i++) {
		if (extent_alloc_region(ex, region(i), S, EX_NOWAIT) != 0)
			fail("extent_alloc_region failed", region(i));
	}
	return ex;
}

/* One extent_free, the only code counted under callgrind. */
__attribute__((__noinline__)) void bench_free(struct extent *, u_long,
    u_long);
void
bench_free(struct extent *ex, u_long start, u_long size)
{

	if (extent_free(ex, start, size, EX_NOWAIT) != 0)
		fail("extent_free failed", start);
}

/*
 * Free K regions of the n (or their middles, if frag), timed, and
 * allocate them again; returns the nanoseconds the frees took.
 */
static uint64_t
run(struct extent *ex, size_t n, bool frag)
{
	uint64_t t;
	size_t i;
	u_long a;

	t = now_ns();
	for (i = 0; i < K; i++) {
		a = region(i * n / K);
		if (frag)
			bench_free(ex, a + (S - F) / 2, F);
		else
			bench_free(ex, a, S);
	}
	t = now_ns() - t;
	for (i = 0; i < K; i++) {
		a = region(i * n / K);
		if (frag && (extent_alloc_region(ex, a + (S - F) / 2, F,
		    EX_NOWAIT) != 0 || extent_free(ex, a, S, EX_NOWAIT) != 0))
			fail("restoring a fragment failed", a);
		if (extent_alloc_region(ex, a, S, EX_NOWAIT) != 0)
			fail("restoring a region failed", a);
	}
	return t;
}

/* Nanoseconds per free: the best of TRIALS runs, after one to warm up. */
static double
measure(struct extent *ex, size_t n, bool frag)
{
	uint64_t t, best = UINT64_MAX;
	int i;

	(void)run(ex, n, frag);
	for (i = 0; i < TRIALS; i++) {
		t = run(ex, n, frag);
		if (t < best)
			best = t;
	}
	return (double)best / K;
}

/*
 * Count instructions: build the map of n regions, run K frees to warm up
 * (the first fragment builds vmem's busy index, once for the map), then
 * K frees instrumented.
 */
static void
bench_callgrind(size_t n, const char *kind)
{
	struct extent *ex;

	if (n < K || (strcmp(kind, "whole") != 0 &&
	    strcmp(kind, "fragment") != 0))
		fail("usage: bench_extent -c N whole|fragment, N >= 100", n);
	ex = map_build(n);
	(void)run(ex, n, strcmp(kind, "fragment") == 0);
	CALLGRIND_START_INSTRUMENTATION;
	(void)run(ex, n, strcmp(kind, "fragment") == 0);
	CALLGRIND_STOP_INSTRUMENTATION;
	extent_destroy(ex);
	printf("%d\n", K);
}

int
main(int argc, char **argv)
{
	double whole[__arraycount(nregions)], frag[__arraycount(nregions)];
	struct extent *ex;
	size_t i, last = __arraycount(nregions) - 1;

	if (argc == 4 && strcmp(argv[1], "-c") == 0) {
		bench_callgrind(strtoul(argv[2], NULL, 10), argv[3]);
		return 0;
	}
	printf("extent_free in a coalescing map, ns per free, against the "
	    "regions allocated\n(regions of %lu numbers, each followed by a "
	    "gap of %lu; fragments of %lu;\nthe best of %d runs of %d frees)"
	    "\n\n", S, G, F, TRIALS, K);
	printf("%9s %10s %10s\n", "regions", "whole", "fragment");
	for (i = 0; i < __arraycount(nregions); i++) {
		ex = map_build(nregions[i]);
		whole[i] = measure(ex, nregions[i], false);
		frag[i] = measure(ex, nregions[i], true);
		extent_destroy(ex);
		printf("%9zu %10.1f %10.1f\n", nregions[i], whole[i], frag[i]);
	}
	printf("\nextent_free, 10^5 regions / 10^2: %.2fx whole, %.2fx "
	    "fragment (targets <= 1.5x whole, <= 3x fragment)\n",
	    whole[last] / whole[0], frag[last] / frag[0]);
	return 0;
}
