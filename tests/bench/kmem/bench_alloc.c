/*
 * bench_alloc.c: kmem(9) against user-space malloc implementations.
 *
 * One source, built once per allocator: with BENCH_KMEM it measures
 * kmem_cache_alloc/free and kmem_alloc/free from the host library; with
 * BENCH_PEER="name" it measures malloc/free of whatever malloc the binary
 * is linked with (glibc, jemalloc, tcmalloc, mimalloc).  It prints one
 * "metric<TAB>value" line per figure; run-bench puts the binaries' lines
 * side by side.  This is a host program: it uses the C library and
 * includes only <sys/kmem.h>, <sys/kmem_impl.h> (for the statistics) and
 * <sys/vmem.h> from the kernel.
 *
 * Figures:
 *	pair_cache_N	ns per kmem_cache_alloc + kmem_cache_free of N bytes
 *	pair_N		ns per malloc + free (kmem_alloc + kmem_free)
 *	cold_ns		ns per object to allocate the batch below, fresh
 *			objects in a fresh process, and write all of each
 *			(first touch: page faults, the host's mapping calls)
 *	cold_cache_ns	kmem only: the same through new caches, one per
 *			size class, after the batch is freed and reaped
 *	batch_ns	ns per operation: 100k random sizes 8..2048 allocated,
 *			then freed in random order (the writes not counted)
 *	batch_rss	resident memory added at the batch's peak over the
 *			live bytes
 *	held_after	resident memory still added after everything is
 *			freed (and, for kmem, kmem_reap), over the peak
 *	speedup_2t	pairs per second of two threads over one
 *	speedup_wN	the same for pairs of N bytes with a write of one
 *			byte to each object (N = 16, 64, 256): objects two
 *			CPUs hold at once must not share a cache line
 *	speedup_wcache_N kmem only: the same through a kmem cache
 *	tput_Nt		million pairs per second, with the write, of N
 *			threads at once (64 bytes; N = 1, 2, 4)
 *	speedup_shared	kmem only: operations on shared state (allocations
 *			and frees that reached a slab, waits for a depot
 *			lock) per million pairs of the two-thread runs; the
 *			wall-clock speedup swings with the host, this
 *			count does not
 *	prodcons_ns	ns per object passed from a producer thread that
 *			allocates to a consumer thread that frees
 */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef BENCH_KMEM
#include <sys/kmem.h>
#include <sys/kmem_impl.h>
#include <sys/vmem.h>
#define	BENCH_NAME	"kmem"
/* Fails to build if <sys/kmem_impl.h> lost the library's layout. */
_Static_assert(_Alignof(struct kmem_cpu_cache) == COHERENCY_UNIT,
    "the per-CPU layer as the library lays it out");
#else
#define	BENCH_NAME	BENCH_PEER
#endif

#define	BATCH		100000
#define	PAIRS		(1000 * 1000)
#define	RUNS		15	/* best of, against noise from other work */
#define	RING		1024
#define	WPAIRS		(2 * 1000 * 1000) /* pairs a thread, with a write */
#define	WRUNS		5

/* Keep the compiler from eliding an allocation it can see unused. */
#define	KEEP(p)		__asm__ volatile("" : : "r"(p) : "memory")

static const size_t pair_sizes[] = { 16, 64, 256, 1024, 4096 };
static const size_t write_sizes[] = { 16, 64, 256 };

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Resident bytes of this process. */
static double
rss_bytes(void)
{
	unsigned long size, resident;
	FILE *f;

	f = fopen("/proc/self/statm", "r");
	if (f == NULL || fscanf(f, "%lu %lu", &size, &resident) != 2) {
		perror("bench: /proc/self/statm");
		exit(1);
	}
	fclose(f);
	return (double)resident * sysconf(_SC_PAGESIZE);
}

static uint64_t
xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* ---- the allocator under test */

static void *
b_alloc(size_t size)
{
#ifdef BENCH_KMEM
	return kmem_alloc(size, KM_SLEEP);
#else
	return malloc(size);
#endif
}

static void
b_free(void *p, size_t size)
{
#ifdef BENCH_KMEM
	kmem_free(p, size);
#else
	(void)size;
	free(p);
#endif
}

/* Give memory back, where the allocator can be asked to. */
static void
b_reclaim(void)
{
#ifdef BENCH_KMEM
	kmem_reap();
#endif
}

#ifdef BENCH_KMEM
/* Add a cache's slab traffic and depot lock waits to *arg. */
static void
b_shared_add(kmem_cache_t *kc, void *arg)
{
	struct kmem_cache_stats ks;

	kmem_cache_stats(kc, &ks);
	*(uint64_t *)arg += ks.ks_mag_misses + ks.ks_depot_contention;
}
#endif

/* Operations on shared state so far, in every cache; 0 for a peer. */
static uint64_t
b_shared_ops(void)
{
	uint64_t n = 0;

#ifdef BENCH_KMEM
	kmem_cache_foreach(b_shared_add, &n);
#endif
	return n;
}

/* ---- pairs */

static double
pairs_ns(size_t size, size_t n)
{
	double best = 1e30, t;
	size_t i;
	int r;
	void *p;

	for (r = 0; r < RUNS; r++) {
		t = now_ns();
		for (i = 0; i < n; i++) {
			p = b_alloc(size);
			KEEP(p);
			b_free(p, size);
		}
		t = (now_ns() - t) / n;
		if (t < best)
			best = t;
	}
	return best;
}

#ifdef BENCH_KMEM
static double
cache_pairs_ns(size_t size, size_t n)
{
	kmem_cache_t *kc;
	double best = 1e30, t;
	size_t i;
	int r;
	void *p;

	kc = kmem_cache_create("bench", size, 0, NULL, NULL, NULL, NULL,
	    NULL, 0);
	for (r = 0; r < RUNS; r++) {
		t = now_ns();
		for (i = 0; i < n; i++) {
			p = kmem_cache_alloc(kc, KM_SLEEP);
			KEEP(p);
			kmem_cache_free(kc, p);
		}
		t = (now_ns() - t) / n;
		if (t < best)
			best = t;
	}
	kmem_cache_destroy(kc);
	return best;
}
#endif

/* ---- the batch */

#ifdef BENCH_KMEM
/*
 * The batch's allocations and writes through new caches, one for each
 * size class kmem_alloc would use: ns per object.  As for cold_ns, every
 * object is allocated first and then all are written, so that the two
 * figures, and the peers' cold_ns, time the same sequence (writing each
 * object as it is allocated costs kmem 3-10% more, the page faults then
 * evicting the allocator's state between allocations).
 */
static void
cold_caches(const size_t *size)
{
	static kmem_cache_t *kc[2048 / 8 + 1];
	static void *p[BATCH];
	char name[32];
	size_t c, i;
	double t;

	for (i = 0; i < BATCH; i++) {
		c = kmem_size_class(size[i]) / 8;
		if (kc[c] != NULL)
			continue;
		snprintf(name, sizeof(name), "cold-%zu", c * 8);
		kc[c] = kmem_cache_create(name, c * 8, 0, NULL, NULL, NULL,
		    NULL, NULL, 0);
	}
	t = now_ns();
	for (i = 0; i < BATCH; i++)
		p[i] = kmem_cache_alloc(kc[kmem_size_class(size[i]) / 8],
		    KM_SLEEP);
	for (i = 0; i < BATCH; i++)
		memset(p[i], 0x5a, size[i]);
	t = now_ns() - t;
	for (i = 0; i < BATCH; i++)
		kmem_cache_free(kc[kmem_size_class(size[i]) / 8], p[i]);
	for (c = 0; c < sizeof(kc) / sizeof(kc[0]); c++)
		if (kc[c] != NULL)
			kmem_cache_destroy(kc[c]);
	printf("cold_cache_ns\t%.1f\n", t / BATCH);
}
#endif

static void
batch(void)
{
	static void *p[BATCH];
	static size_t size[BATCH];
	static uint32_t order[BATCH];
	uint64_t seed = 0xba7c4;
	double base, peak, after, live = 0, t, cold;
	uint32_t i, j, tmp;

	for (i = 0; i < BATCH; i++) {
		size[i] = 8 + xorshift(&seed) % (2048 - 8 + 1);
		live += size[i];
		order[i] = i;
	}
	for (i = BATCH - 1; i > 0; i--) {
		j = xorshift(&seed) % (i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	memset(p, 0, sizeof(p));	/* not the allocator's memory */
	base = rss_bytes();
	t = now_ns();
	for (i = 0; i < BATCH; i++)
		p[i] = b_alloc(size[i]);
	t = now_ns() - t;
	cold = now_ns();
	for (i = 0; i < BATCH; i++)
		memset(p[i], 0x5a, size[i]);
	cold = now_ns() - cold + t;
	peak = rss_bytes();
	t -= now_ns();
	for (i = 0; i < BATCH; i++)
		b_free(p[order[i]], size[order[i]]);
	t += now_ns();
	b_reclaim();
	after = rss_bytes();
	printf("cold_ns\t%.1f\n", cold / BATCH);
	printf("batch_ns\t%.1f\n", t / (2.0 * BATCH));
	printf("batch_rss\t%.3f\n", (peak - base) / live);
	printf("held_after\t%.3f\n", (after - base) / (peak - base));
#ifdef BENCH_KMEM
	cold_caches(size);
#endif
}

/* ---- threads */

struct thr {
	pthread_t	t_thread;
	size_t		t_n;
	double		t_ns;
};

/* One thread's PAIRS pairs of 64 bytes, timed on the wall clock. */
static void *
pairs_thread(void *arg)
{
	struct thr *t = arg;
	double start = now_ns();
	size_t i;
	void *p;

	for (i = 0; i < t->t_n; i++) {
		p = b_alloc(64);
		KEEP(p);
		b_free(p, 64);
	}
	t->t_ns = now_ns() - start;
	return NULL;
}

/* Run pairs_thread in n threads at once; the slowest one's time. */
static double
pairs_threads(int n)
{
	struct thr t[2];
	double slowest = 0;
	int i;

	for (i = 0; i < n; i++) {
		t[i].t_n = PAIRS;
		pthread_create(&t[i].t_thread, NULL, pairs_thread, &t[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i].t_thread, NULL);
		if (t[i].t_ns > slowest)
			slowest = t[i].t_ns;
	}
	return slowest;
}

/* Two threads doing pairs at once, against one alone; best of RUNS each. */
static void
speedup(void)
{
	double one = 1e30, two = 1e30, t;
	uint64_t shared = 0, n0;
	int r;

	for (r = 0; r < RUNS; r++) {
		if ((t = pairs_threads(1)) < one)
			one = t;
		n0 = b_shared_ops();
		if ((t = pairs_threads(2)) < two)
			two = t;
		shared += b_shared_ops() - n0;
	}
	printf("speedup_2t\t%.2f\n", 2.0 * one / two);
#ifdef BENCH_KMEM
	printf("speedup_shared\t%.1f\n", shared * 1e6 / (RUNS * 2.0 * PAIRS));
#endif
}

struct wthr {
	pthread_t	w_thread;
	size_t		w_size;		/* bytes a pair allocates */
	void		*w_cache;	/* kmem_cache_t *, or NULL */
	double		w_ns;		/* wall-clock time of WPAIRS pairs */
};

/* One thread's WPAIRS pairs of w_size bytes, each with a write. */
static void *
wpairs_thread(void *arg)
{
	struct wthr *w = arg;
	double start = now_ns();
	size_t i;
	char *p;

	for (i = 0; i < WPAIRS; i++) {
#ifdef BENCH_KMEM
		if (w->w_cache != NULL) {
			p = kmem_cache_alloc(w->w_cache, KM_SLEEP);
			*(volatile char *)p = (char)i;
			kmem_cache_free(w->w_cache, p);
			continue;
		}
#endif
		p = b_alloc(w->w_size);
		*(volatile char *)p = (char)i;
		b_free(p, w->w_size);
	}
	w->w_ns = now_ns() - start;
	return NULL;
}

/* Run wpairs_thread in n threads at once; the slowest one's time. */
static double
wpairs_threads(int n, size_t size, void *cache)
{
	struct wthr w[4];
	double slowest = 0;
	int i;

	for (i = 0; i < n; i++) {
		w[i].w_size = size;
		w[i].w_cache = cache;
		pthread_create(&w[i].w_thread, NULL, wpairs_thread, &w[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(w[i].w_thread, NULL);
		if (w[i].w_ns > slowest)
			slowest = w[i].w_ns;
	}
	return slowest;
}

/* Two threads' pairs with a write against one's: name, the speedup. */
static void
wspeedup(const char *name, size_t size, void *cache)
{
	double one = 1e30, two = 1e30, t;
	int r;

	for (r = 0; r < WRUNS; r++) {
		if ((t = wpairs_threads(1, size, cache)) < one)
			one = t;
		if ((t = wpairs_threads(2, size, cache)) < two)
			two = t;
	}
	printf("%s\t%.2f\n", name, 2.0 * one / two);
}

/* The write-to-object speedups, and throughput against threads. */
static void
wthreads(void)
{
	char name[32];
	double best, t;
	size_t i;
	int n, r;
#ifdef BENCH_KMEM
	kmem_cache_t *kc;
#endif

	for (i = 0; i < sizeof(write_sizes) / sizeof(write_sizes[0]); i++) {
		snprintf(name, sizeof(name), "speedup_w%zu", write_sizes[i]);
		wspeedup(name, write_sizes[i], NULL);
#ifdef BENCH_KMEM
		kc = kmem_cache_create("bench-w", write_sizes[i], 0, NULL,
		    NULL, NULL, NULL, NULL, 0);
		snprintf(name, sizeof(name), "speedup_wcache_%zu",
		    write_sizes[i]);
		wspeedup(name, write_sizes[i], kc);
		kmem_cache_destroy(kc);
#endif
	}
	for (n = 1; n <= 4; n *= 2) {
		best = 1e30;
		for (r = 0; r < WRUNS; r++)
			if ((t = wpairs_threads(n, 64, NULL)) < best)
				best = t;
		printf("tput_%dt\t%.1f\n", n, n * (double)WPAIRS * 1e3 / best);
	}
}

static void *volatile ring[RING];
static volatile size_t ring_head, ring_tail;

static void *
producer(void *arg)
{
	size_t i, n = *(size_t *)arg, h;
	void *p;

	for (i = 0; i < n; i++) {
		p = b_alloc(64);
		h = __atomic_load_n(&ring_head, __ATOMIC_RELAXED);
		while (h - __atomic_load_n(&ring_tail, __ATOMIC_ACQUIRE) ==
		    RING)
			continue;
		ring[h % RING] = p;
		__atomic_store_n(&ring_head, h + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void *
consumer(void *arg)
{
	size_t i, n = *(size_t *)arg, t;
	void *p;

	for (i = 0; i < n; i++) {
		t = __atomic_load_n(&ring_tail, __ATOMIC_RELAXED);
		while (__atomic_load_n(&ring_head, __ATOMIC_ACQUIRE) == t)
			continue;
		p = ring[t % RING];
		__atomic_store_n(&ring_tail, t + 1, __ATOMIC_RELEASE);
		b_free(p, 64);
	}
	return NULL;
}

/* A producer allocates, a consumer on another CPU frees. */
static void
prodcons(void)
{
	pthread_t a, b;
	size_t n = PAIRS;
	double best = 1e30, t;
	int r;

	for (r = 0; r < 5; r++) {
		t = now_ns();
		pthread_create(&a, NULL, producer, &n);
		pthread_create(&b, NULL, consumer, &n);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		if ((t = (now_ns() - t) / n) < best)
			best = t;
	}
	printf("prodcons_ns\t%.1f\n", best);
}

int
main(void)
{
	char name[32];
	size_t i;

	printf("allocator\t%s\n", BENCH_NAME);
	batch();
	for (i = 0; i < sizeof(pair_sizes) / sizeof(pair_sizes[0]); i++) {
#ifdef BENCH_KMEM
		printf("pair_cache_%zu\t%.2f\n", pair_sizes[i],
		    cache_pairs_ns(pair_sizes[i], PAIRS));
#endif
		snprintf(name, sizeof(name), "pair_%zu", pair_sizes[i]);
		printf("%s\t%.2f\n", name, pairs_ns(pair_sizes[i], PAIRS));
	}
	speedup();
	wthreads();
	prodcons();
	return 0;
}
