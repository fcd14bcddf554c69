/*
 * bench_malloc.c: the space malloc(9) on kmem wastes, against the classic
 * power-of-two bucket design it replaces, on one size mix.
 *
 * The classic design is 4.4BSD's kern_malloc.c, modelled here: a request
 * of at most MINALLOCSIZE (16) bytes takes a 16-byte bucket, one of at
 * most MAXALLOCSAVE (two pages) the next power of 2, a larger one whole
 * pages; objects carry no header (the size is found per page in the
 * kmemusage array), and buckets below a page are carved from whole pages.
 *
 * Two measures, each as the bytes beyond those requested:
 *
 *	internal	per allocation: for malloc(9) on kmem, kmem's size
 *			class of size + 8 (the header), or for a large
 *			request its pages plus the 32-byte record in the
 *			large index; for 4.4BSD, the bucket or the pages;
 *	footprint	the whole memory taken: for malloc(9) on kmem, what
 *			kmem_meta_arena hands out while the mix is live
 *			(slabs, partly used ones too, magazines, boundary
 *			tags), from a fresh start; for 4.4BSD, the pages its
 *			buckets fill.
 *
 * The mix: sizes of common kernel structures with weights, then sizes
 * drawn evenly from 1..2048 and from 2049..65536, from a fixed seed.
 *
 * Then time: malloc + free of 64 bytes with a write to each object, ns
 * per pair (the best of PAIR_RUNS runs of PAIRS pairs) on one thread and
 * on two at once, and the two threads' speedup, beside kmem_alloc +
 * kmem_free measured the same way.  malloc(9) keeps its statistics per
 * CPU so that it scales as kmem_alloc does (about 2 on a quiet machine).
 */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sys/vmem.h>

#define	PAGE		4096UL
#define	MINALLOCSIZE	16UL		/* 4.4BSD: smallest bucket */
#define	MAXALLOCSAVE	(2 * PAGE)	/* 4.4BSD: largest bucket */
#define	HDR		8UL		/* kern_malloc.c: header */
#define	SMALL_MAX	(2 * PAGE - HDR) /* kern_malloc.c: largest small */
#define	LARGE_RECORD	32UL		/* kern_malloc.c: large index record */
#define	COPIES		64		/* the mix is allocated this often */
#define	PAIRS		2000000		/* pairs a thread, timed */
#define	PAIR_RUNS	5		/* best of */
#define	PAIR_SIZE	64

/*
 * <sys/malloc.h> declares nothing outside the kernel (_KERNEL), and this
 * program is built against the C library: the kernel functions it calls.
 */
#define	M_WAITOK	0x0000
#define	KM_SLEEP	0x0001		/* <sys/kmem.h> */
void	*kern_malloc(unsigned long, int);
void	kern_free(void *);
void	*kmem_alloc(size_t, int);
void	kmem_free(void *, size_t);
size_t	kmem_size_class(size_t);

static const struct {
	size_t	size;
	int	weight;
} mix_fixed[] = {
	{ 24, 40 }, { 32, 30 }, { 40, 30 }, { 48, 30 }, { 64, 40 },
	{ 72, 20 }, { 96, 20 }, { 128, 30 }, { 136, 10 }, { 200, 10 },
	{ 256, 20 }, { 300, 10 }, { 512, 10 }, { 600, 5 }, { 1024, 8 },
	{ 1500, 8 }, { 2048, 6 }, { 4096, 6 }, { 5000, 2 }, { 8192, 3 },
	{ 9000, 1 }, { 16384, 2 }, { 65536, 1 },
};
#define	MIX_SMALL	300	/* evenly in 1..2048 */
#define	MIX_LARGE	20	/* evenly in 2049..65536 */
#define	MIX_MAX		1000

static size_t mix[MIX_MAX];
static size_t nmix;
static void *live[MIX_MAX * COPIES];

/* The next number of a xorshift sequence. */
static uint32_t
xorshift(uint32_t *x)
{

	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Build the size mix. */
static void
mix_build(void)
{
	uint32_t x = 2026;
	size_t i;
	int w;

	for (i = 0; i < sizeof(mix_fixed) / sizeof(mix_fixed[0]); i++)
		for (w = 0; w < mix_fixed[i].weight; w++)
			mix[nmix++] = mix_fixed[i].size;
	for (i = 0; i < MIX_SMALL; i++)
		mix[nmix++] = 1 + xorshift(&x) % 2048;
	for (i = 0; i < MIX_LARGE; i++)
		mix[nmix++] = 2049 + xorshift(&x) % (65536 - 2048);
}

/* 4.4BSD: the bytes one request takes. */
static size_t
bsd44_size(size_t size)
{
	size_t b = MINALLOCSIZE;

	if (size > MAXALLOCSAVE)
		return (size + PAGE - 1) / PAGE * PAGE;
	while (b < size)
		b *= 2;
	return b;
}

/* 4.4BSD: the pages that COPIES of the mix fill, bucket by bucket. */
static size_t
bsd44_footprint(void)
{
	size_t bytes[32] = { 0 }, total = 0, i, b;
	int k;

	for (i = 0; i < nmix; i++) {
		b = bsd44_size(mix[i]);
		if (b >= PAGE) {
			total += b * COPIES;
			continue;
		}
		for (k = 0; (1UL << k) < b; k++)
			continue;
		bytes[k] += b * COPIES;
	}
	for (k = 0; k < 32; k++)
		total += (bytes[k] + PAGE - 1) / PAGE * PAGE;
	return total;
}

/* malloc(9) on kmem: the bytes one request takes. */
static size_t
kmem_malloc_size(size_t size)
{

	if (size > SMALL_MAX)
		return (size + PAGE - 1) / PAGE * PAGE +
		    kmem_size_class(LARGE_RECORD);
	return kmem_size_class(size + HDR);
}

/* malloc(9) on kmem: what kmem_meta_arena hands out with the mix live. */
static size_t
kmem_malloc_footprint(void)
{
	size_t before, after, i, c, n = 0;

	before = vmem_size(kmem_meta_arena, VMEM_ALLOC);
	for (c = 0; c < COPIES; c++)
		for (i = 0; i < nmix; i++)
			live[n++] = kern_malloc(mix[i], M_WAITOK);
	after = vmem_size(kmem_meta_arena, VMEM_ALLOC);
	for (i = 0; i < n; i++)
		kern_free(live[i]);
	return after - before;
}

/* ---- time */

/* PAIRS malloc(9) pairs, writing a byte of each object. */
static void *
pairs_malloc(void *arg)
{
	volatile char *p;
	long i;

	for (i = 0; i < PAIRS; i++) {
		p = kern_malloc(PAIR_SIZE, M_WAITOK);
		*p = 1;
		kern_free((void *)(uintptr_t)p);
	}
	return arg;
}

/* The same with kmem_alloc and kmem_free. */
static void *
pairs_kmem(void *arg)
{
	volatile char *p;
	long i;

	for (i = 0; i < PAIRS; i++) {
		p = kmem_alloc(PAIR_SIZE, KM_SLEEP);
		*p = 1;
		kmem_free((void *)(uintptr_t)p, PAIR_SIZE);
	}
	return arg;
}

/* The best ns per pair of nthreads threads each running fn at once. */
static double
pairs_ns(void *(*fn)(void *), int nthreads)
{
	struct timespec t0, t1;
	pthread_t t[2];
	double ns, best = 1e30;
	int r, i;

	for (r = 0; r < PAIR_RUNS; r++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < nthreads; i++) {
			if (pthread_create(&t[i], NULL, fn, NULL) != 0) {
				perror("bench_malloc: pthread_create");
				exit(1);
			}
		}
		for (i = 0; i < nthreads; i++)
			pthread_join(t[i], NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns = ((t1.tv_sec - t0.tv_sec) * 1e9 +
		    (t1.tv_nsec - t0.tv_nsec)) / PAIRS;
		if (ns < best)
			best = ns;
	}
	return best;
}

/* One row of the time table: one thread, two, and the speedup. */
static void
pairs_row(const char *name, void *(*fn)(void *))
{
	double one = pairs_ns(fn, 1), two = pairs_ns(fn, 2);

	printf("%-22s %10.2f %10.2f %8.2f\n", name, one, two, 2 * one / two);
}

int
main(void)
{
	size_t req = 0, w44 = 0, wk = 0, i, f44, fk;

	mix_build();
	for (i = 0; i < nmix; i++) {
		req += mix[i];
		w44 += bsd44_size(mix[i]) - mix[i];
		wk += kmem_malloc_size(mix[i]) - mix[i];
	}
	fk = kmem_malloc_footprint() - req * COPIES;
	f44 = bsd44_footprint() - req * COPIES;
	printf("malloc(9) space: %zu requests, %zu bytes, mean %zu bytes\n",
	    nmix, req, req / nmix);
	printf("%-10s %14s %14s %8s\n", "waste", "4.4BSD", "kmem", "ratio");
	printf("%-10s %14zu %14zu %8.3f\n", "internal", w44, wk,
	    (double)wk / (double)w44);
	printf("%-10s %14zu %14zu %8.3f   (x%d copies)\n", "footprint", f44,
	    fk, (double)fk / (double)f44, COPIES);
	printf("internal waste per request: 4.4BSD %.1f%%, kmem %.1f%%; "
	    "target ratio <= 0.5: %s\n", 100.0 * w44 / req, 100.0 * wk / req,
	    2 * wk <= w44 ? "met" : "NOT met");
	printf("\n%d-byte pairs with a write, ns per pair (best of %d runs "
	    "of %d)\n%-22s %10s %10s %8s\n", PAIR_SIZE, PAIR_RUNS, PAIRS,
	    "", "1 thread", "2 threads", "speedup");
	pairs_row("malloc(9) + free", pairs_malloc);
	pairs_row("kmem_alloc + kmem_free", pairs_kmem);
	return 2 * wk <= w44 ? 0 : 1;
}
