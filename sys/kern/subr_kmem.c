/*
 * subr_kmem.c: the kmem object caches and kmem_alloc.
 *
 * ---- Theory
 *
 * kmem hands out memory in fixed-size pieces, after Bonwick (the slab
 * allocator, 1994) and Bonwick and Adams (magazines and vmem, 2001).  The
 * vocabulary:
 *
 *	cache		a pool of buffers of one size (kmem_cache_t), with an
 *			optional constructor and destructor;
 *	buffer		one object's worth of memory (or, in a quantum
 *			cache, of an arena's integers);
 *	constructed	a buffer the constructor has run on; the cache keeps
 *			freed buffers constructed, so that a reuse skips the
 *			constructor (Bonwick's object caching);
 *	slab		a piece of the cache's source arena cut into buffers
 *			(subr_kmem_slab.c); slabs hold unconstructed buffers;
 *	magazine	an array of constructed buffers, the rounds;
 *	loaded, previous  the two magazines each CPU holds for each cache;
 *	depot		the cache's lists of full and empty magazines
 *			(subr_kmem_depot.c, with the magazines' life);
 *	working set	the magazines the depot used since the last
 *			kmem_update; the others are idle and are freed.
 *
 * Layers, and how a buffer moves between them:
 *
 *	caller <-> CPU layer <-> depot <-> slab layer <-> vmem source arena
 *
 * kmem_cache_alloc takes a round from the CPU's loaded magazine; if that
 * is empty and the previous one is full, it swaps them; otherwise it
 * trades its empty previous magazine for a full one from the depot;
 * failing that, it fills one of its empty magazines (or a new one) from
 * the slab layer in one hold of the slab lock (a batch: the magazine's
 * rounds, at most KMEM_BATCH_BYTES of buffers), constructs them, loads
 * the magazine and returns one; if there is no magazine or slab to be
 * had without sleeping, it takes one buffer from the slab layer and
 * constructs it.
 * So a run of fresh allocations visits the depot and the slab layer
 * once a magazine, not once a buffer.
 * kmem_cache_free is the mirror image: it puts the buffer in the loaded
 * magazine, swaps with an empty previous one, trades a full previous
 * magazine for an empty one from the depot, allocates a new empty
 * magazine (magazines come from caches of their own, kmem_magazine_N),
 * and only when all that fails destroys the buffer into its slab.  A
 * magazine leaves the CPU layer and the depot (kmem_reap, kmem_update,
 * kmem_cache_destroy) by destroying its rounds into their slabs.
 *
 * The destructor runs when a constructed buffer goes back to a slab, the
 * constructor when a buffer comes out of one; so the counts of the two
 * differ by the buffers in use and in magazines.  A debugging cache
 * (KMF_DEBUG, subr_kmem_debug.c) instead keeps its free buffers
 * unconstructed and filled with a pattern: it constructs on every
 * allocation and destroys on every free, so that it can check them.
 *
 * kmem_alloc(size) rounds size up to one of KMEM_NCLASSES size classes:
 * 8 to 128 bytes in steps of 8, then each power-of-two interval up to
 * KMEM_MAXSIZE (8 KiB) cut into KMEM_OCTAVE_STEPS (32) equal steps, but
 * never steps under 8 bytes (so 128 to 512 goes by 8).  Above 128 bytes
 * the worst waste is a request one byte over a class boundary: step - 1
 * bytes of a buffer of octave + step bytes, under 1/19 (5.1%; 129 bytes
 * in a 136-byte buffer) and under 1/33 above 256; for sizes spread evenly
 * from 8 bytes to 2 KiB it averages about 1%, half what 16 steps an
 * octave waste, which is most of what separated kmem's resident memory
 * from the C library's on such a mix.  Below 128 bytes the 8-byte step
 * bounds the waste instead (9 bytes in 16 is the worst).  A table indexed
 * by (size - 1) / 8 finds the class in O(1).  Larger sizes are page
 * multiples straight from kmem_meta_arena.  kmem_init makes the classes'
 * caches, and kmem_cache_create and kmem_cache_destroy every cache, in
 * subr_kmem_cache.c, which calls into this file and never the reverse.
 *
 * Data structures (struct kmem_cache in <sys/kmem_impl.h>):
 *
 *	- kc_cpu[MAXCPUS]: per-CPU layer, one cache line each, so CPUs
 *	  never share a written line on the fast path (MAXCPUS, not ncpu,
 *	  so that CPUs attached after kmem_init find theirs);
 *	- the depot: kc_full and kc_empty, singly-linked magazine lists
 *	  with their working-set minima, and kc_flushed, magazines taken
 *	  off the CPUs by a cross call, waiting to be destroyed;
 *	- the slab lists: partial, complete and empty, and for caches with
 *	  external slab headers a hash from page address to slab (from
 *	  buffer address to bufctl in quantum caches).
 *
 * Concurrency and interrupts.  The fast path blocks interrupts at
 * IPL_VM (splvm) for the few instructions that touch the CPU's own
 * kmem_cpu_cache: no lock, no atomic operation.  That is enough because
 * (1) only code running on a CPU touches its kmem_cpu_cache: a thread
 * with interrupts blocked cannot be preempted or migrated, and (2) every
 * interrupt handler that may call kmem runs at or below IPL_VM, so none
 * can interleave on that CPU.  The depot and slab locks are spin mutexes
 * at IPL_VM for the same reason: a handler on the same CPU cannot
 * interrupt their holder and spin on them.  The source arenas kmem uses
 * by default are spin-locked at IPL_VM too (uvm_kmem.c).  KM_NOSLEEP takes
 * only those locks and asks vmem with VM_NOSLEEP, so it is safe from an
 * interrupt handler at IPL_VM or below; KM_SLEEP must be called from
 * thread context.  Other CPUs' magazines are reached only with a cross
 * call (xc_broadcast), which runs on each CPU at a point where that CPU
 * has no per-CPU section open; so kmem_reap and kmem_cache_destroy must
 * be called from thread context, without spin locks.
 *
 * Lock order: kmem_cache_lock (adaptive; the list of caches), then a
 * CPU section (splvm), then the depot lock or a magazine cache's slab
 * lock.  A slab lock is never held with a depot lock or another slab
 * lock, nor across a call into vmem, a constructor or a destructor.  No
 * arena lock is held across a call into kmem, so kmem and vmem calling
 * each other (quantum caches, slabs) never hold two of these locks at
 * once.
 *
 * Sleeping.  KM_SLEEP never fails: when the source arena has no space,
 * kmem reaps every cache (reclaim callbacks, magazines, empty slabs) and
 * tries again, waiting a tick between tries on kmem_wait_cv, which kmem
 * broadcasts, while someone waits, whenever a buffer goes back to a slab
 * or slabs go back to their arena.  The sleeping is all here, above the
 * slab layer, which only asks its arena without sleeping and reports
 * failure: calls go one way, kmem -> slab layer -> vmem.
 * KM_NOSLEEP never sleeps and returns NULL instead.
 *
 * Cost.  The fast path is O(1) and touches one cache line of per-CPU
 * state.  The depot exchanges are O(1) under the depot lock.  Taking a
 * buffer from a slab is O(1) (the head of the partial list, the head of
 * its free list); freeing one is O(1) (an address mask for slabs with
 * their header inside, an O(1) expected hash lookup otherwise).  Making
 * a slab is O(1), but O(buffers in it) for the bufctls of integer slabs
 * (subr_kmem_slab.c).  Reaping is O(caches x magazines).
 * Magazines grow (kmem_magtypes, subr_kmem_depot.c) when more than
 * KMEM_DEPOT_CONTENDED of a window of KMEM_DEPOT_WINDOW depot visits had
 * to wait for the lock, which makes the visits rarer.  The per-CPU hit
 * counters are a tenth of the fast path, so only kernels with KMEM_STATS
 * (DIAGNOSTIC ones) keep them; the other statistics come from the slow
 * paths.
 */

#define	_KMEM_PRIVATE

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/condvar.h>
#include <sys/cpu.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/kmem.h>
#include <sys/kmem_impl.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>
#include <sys/xcall.h>

#define	KMEM_BATCH_BYTES	(16 * PAGE_SIZE) /* a slab-layer batch, most */

CTASSERT(sizeof(struct kmem_cpu_cache) == COHERENCY_UNIT);
CTASSERT(KMEM_MAXSIZE <= PAGE_SIZE * 2);
CTASSERT(KMEM_ALIGN >= sizeof(void *));
CTASSERT(KM_SLEEP == 1 && KM_NOSLEEP == 2);	/* kmem_flags_bad */

/* KMEM_DEBUG (the test builds): every cache a debugging one (KMF_DEBUG). */
#ifdef KMEM_DEBUG
#define	KMEM_DEBUG_DEFAULT	KMEM_DEBUG_ON
#else
#define	KMEM_DEBUG_DEFAULT	0
#endif

/*
 * Per-CPU counters are written only by their CPU and read by
 * kmem_cache_stats elsewhere: relaxed stores, not atomic adds.  The
 * fast-path hit counters cost about a tenth of the fast path, so only
 * kernels with KMEM_STATS (<sys/kmem_impl.h>: DIAGNOSTIC ones) keep them.
 */
#define	KMEM_CPU_COUNT(cc, field)					\
	vmem_store64(&(cc)->field, (cc)->field + 1)
#ifdef KMEM_STATS
#define	KMEM_CPU_HIT(cc, field)		KMEM_CPU_COUNT(cc, field)
#else
#define	KMEM_CPU_HIT(cc, field)		do { } while (0)
#endif

int kmem_debug = KMEM_DEBUG_DEFAULT;

kmutex_t kmem_cache_lock;
struct kmem_cachelist kmem_caches = LIST_HEAD_INITIALIZER(kmem_caches);

static kmutex_t kmem_wait_lock;
static kcondvar_t kmem_wait_cv;
static u_int kmem_nwaiters;			/* a: threads in kmem_wait */

static void *kmem_cache_alloc_miss(kmem_cache_t *, int);
static void kmem_cache_free_miss(kmem_cache_t *, void *);

/* The size-class cache of each size, by (size - 1) >> KMEM_SHIFT. */
kmem_cache_t *kmem_class_of[KMEM_MAXSIZE >> KMEM_SHIFT];

/* ---- sleeping for memory */

/* kmem_wait_init: set up what KM_SLEEP requests wait on (kmem_init). */
void
kmem_wait_init(void)
{

	mutex_init(&kmem_wait_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&kmem_wait_cv, "kmemwait");
}

/* Wait for up to a tick, or until memory goes back to a slab or arena. */
static void
kmem_wait(void)
{

	mutex_enter(&kmem_wait_lock);
	atomic_inc_uint(&kmem_nwaiters);
	(void)cv_timedwait(&kmem_wait_cv, &kmem_wait_lock, 1);
	atomic_dec_uint(&kmem_nwaiters);
	mutex_exit(&kmem_wait_lock);
}

/*
 * kmem_wakeup: wake the KM_SLEEP requests that wait for memory, if any.
 * No lock is taken, so that this may run at any IPL; a wakeup lost to a
 * race costs the waiter at most a tick.
 */
void
kmem_wakeup(void)
{

	if (__predict_false(atomic_load_relaxed(&kmem_nwaiters) != 0))
		cv_broadcast(&kmem_wait_cv);
}

/*
 * True unless kmflags holds exactly one of KM_SLEEP and KM_NOSLEEP: a
 * test of the argument alone, so that the fast path answers as the slow
 * path (kmem_source_alloc) does, at no load.
 */
static __always_inline bool
kmem_flags_bad(int kmflags)
{
	u_int both = (u_int)kmflags & (KM_SLEEP | KM_NOSLEEP);

	/* Less 1, neither flag (0) wraps and both (3) reach 2. */
	return both - 1 >= 2;
}

/* Panic for allocation flags without exactly one of the two sleep flags. */
static void __dead __noinline
kmem_flags_misuse(const char *func, int kmflags)
{

	panic("%s: flags %#x: need exactly one of KM_SLEEP and KM_NOSLEEP",
	    func, kmflags);
}

/*
 * Panic unless kmflags is exactly one of KM_SLEEP and KM_NOSLEEP, and
 * KM_SLEEP is not asked for in an interrupt handler.
 */
static void
kmem_check_flags(const char *func, int kmflags)
{

	if (kmem_flags_bad(kmflags))
		kmem_flags_misuse(func, kmflags);
	if ((kmflags & KM_SLEEP) != 0 && cpu_intr_p())
		panic("%s: KM_SLEEP from an interrupt handler", func);
}

/*
 * A request found no memory on its try-th try (from 0).  For KM_SLEEP,
 * reap every cache after an even try and wait after an odd one, so that
 * a try follows each reap and each wait; false for KM_NOSLEEP.
 */
static bool
kmem_retry(int kmflags, u_int try)
{

	if ((kmflags & KM_SLEEP) == 0)
		return false;
	if (try % 2 == 0)
		kmem_reap();
	else
		kmem_wait();
	return true;
}

/*
 * kmem_source_alloc: size bytes (a multiple of the quantum) from arena
 * vm; returns 0 or ENOMEM.
 * => KM_SLEEP: may sleep; reaps and waits; never fails.
 */
int
kmem_source_alloc(vmem_t *vm, vmem_size_t size, int kmflags,
    vmem_addr_t *addrp)
{
	u_int try;

	kmem_check_flags("kmem_source_alloc", kmflags);
	for (try = 0; vmem_xalloc(vm, size, 0, 0, 0, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, VM_NOSLEEP | VM_INSTANTFIT, addrp) != 0; try++) {
		if (!kmem_retry(kmflags, try))
			return ENOMEM;
	}
	return 0;
}

/*
 * A buffer from kc's slabs, which make a slab only if the arena has space
 * without sleeping; for KM_SLEEP, reap and wait between tries (the
 * cache's own slabs first: a buffer freed meanwhile may be there) until
 * one comes.  NULL only for KM_NOSLEEP.
 */
static void *
kmem_cache_slab_alloc(kmem_cache_t *kc, int kmflags)
{
	u_int try;
	void *buf;

	kmem_check_flags("kmem_cache_alloc", kmflags);
	for (try = 0; (buf = kmem_slab_alloc(kc, kmflags)) == NULL; try++) {
		if (!kmem_retry(kmflags, try))
			return NULL;
	}
	return buf;
}

/* ---- CPU layer */

/* The calling CPU's layer of kc; stable while splvm is held. */
static __always_inline kmem_cpu_cache_t *
kmem_cpu_cache(kmem_cache_t *kc)
{

	return &kc->kc_cpu[cpu_index(curcpu())];
}

/* Exchange the loaded and previous magazines. */
static void
kmem_cpu_swap(kmem_cpu_cache_t *cc)
{
	kmem_magazine_t *mg = cc->cc_loaded;
	u_int rounds = cc->cc_rounds, size = cc->cc_magsize;

	cc->cc_loaded = cc->cc_prev;
	cc->cc_rounds = cc->cc_prounds;
	cc->cc_magsize = cc->cc_pmagsize;
	cc->cc_prev = mg;
	cc->cc_prounds = rounds;
	cc->cc_pmagsize = size;
}

/* Load mg, holding rounds rounds; the loaded magazine becomes previous. */
static void
kmem_cpu_load(kmem_cpu_cache_t *cc, kmem_magazine_t *mg, u_int rounds)
{

	cc->cc_prev = cc->cc_loaded;
	cc->cc_prounds = cc->cc_rounds;
	cc->cc_pmagsize = cc->cc_magsize;
	cc->cc_loaded = mg;
	cc->cc_rounds = rounds;
	cc->cc_magsize = mg->mg_size;
}

/* Move this CPU's magazines of kc to the flush list. */
static void
kmem_cpu_flush(kmem_cache_t *kc)
{
	kmem_cpu_cache_t *cc;
	kmem_magazine_t *mg;
	int s;

	s = splvm();
	cc = kmem_cpu_cache(kc);
	if (cc->cc_loaded != NULL || cc->cc_prev != NULL) {
		mutex_spin_enter(&kc->kc_depot_lock);
		if ((mg = cc->cc_loaded) != NULL) {
			mg->mg_rounds = cc->cc_rounds;
			mg->mg_next = kc->kc_flushed;
			kc->kc_flushed = mg;
		}
		if ((mg = cc->cc_prev) != NULL) {
			mg->mg_rounds = cc->cc_prounds;
			mg->mg_next = kc->kc_flushed;
			kc->kc_flushed = mg;
		}
		mutex_spin_exit(&kc->kc_depot_lock);
		cc->cc_loaded = cc->cc_prev = NULL;
		cc->cc_rounds = cc->cc_prounds = 0;
		cc->cc_magsize = cc->cc_pmagsize = 0;
	}
	splx(s);
}

/*
 * A cross call: move this CPU's magazines of every cache to the caches'
 * flush lists, for kmem_cache_flush to destroy.  arg1 is one cache, or
 * NULL for all of them (kmem_cache_lock is then held by the caller).
 */
static void
kmem_cpu_flush_xc(void *arg1, void *arg2)
{
	kmem_cache_t *kc = arg1;

	if (kc != NULL) {
		kmem_cpu_flush(kc);
		return;
	}
	LIST_FOREACH(kc, &kmem_caches, kc_list)
		kmem_cpu_flush(kc);
}

/*
 * Give the CPU layer's previous magazine, if any, to the depot's list ml
 * with its rounds, and load mg, holding rounds rounds, in its place.
 * => called at splvm; cc is the current CPU's.
 */
static void
kmem_cpu_replace(kmem_cache_t *kc, kmem_cpu_cache_t *cc,
    struct kmem_maglist *ml, kmem_magazine_t *mg, u_int rounds)
{

	if (cc->cc_prev != NULL)
		kmem_depot_put(kc, ml, cc->cc_prev, cc->cc_prounds);
	kmem_cpu_load(cc, mg, rounds);
}

/* ---- allocation and free through the layers */

/* Give a constructed buffer back to its slab, destroying it first. */
static void
kmem_cache_destruct(kmem_cache_t *kc, void *buf)
{

	if (kc->kc_dtor != NULL && (kc->kc_flags & KMF_DEBUG) == 0)
		(*kc->kc_dtor)(buf, kc->kc_arg);
	kmem_slab_free(kc, buf);
	kmem_wakeup();
}

/*
 * The CPU layer ran dry: swap in a full previous magazine, or trade the
 * empty previous one for a full one from the depot.  True if the loaded
 * magazine now has rounds.
 * => called at splvm; cc is the current CPU's.
 */
static bool
kmem_cpu_reload_alloc(kmem_cache_t *kc, kmem_cpu_cache_t *cc)
{
	kmem_magazine_t *mg;

	if (cc->cc_prounds > 0) {
		kmem_cpu_swap(cc);
		return true;
	}
	if ((kc->kc_flags & KMC_NOMAGAZINE) != 0)
		return false;
	if ((mg = kmem_depot_get(kc, &kc->kc_full)) == NULL)
		return false;
	kmem_cpu_replace(kc, cc, &kc->kc_empty, mg, mg->mg_rounds);
	return true;
}

/*
 * The fast path: a round from this CPU's loaded magazine, or else what
 * the slow path (kmem_cache_alloc_miss) answers.  No lock and no atomic
 * operation: interrupts are blocked for the few instructions that touch
 * the CPU's own kmem_cpu_cache.
 */
static __always_inline void *
kmem_cpu_alloc(kmem_cache_t *kc, int kmflags)
{
	kmem_cpu_cache_t *cc;
	void *buf;
	int s;

	s = splvm();
	cc = kmem_cpu_cache(kc);
	if (__predict_false(cc->cc_rounds == 0)) {
		splx(s);
		return kmem_cache_alloc_miss(kc, kmflags);
	}
	buf = cc->cc_loaded->mg_round[--cc->cc_rounds];
	KMEM_CPU_HIT(cc, cc_alloc);
	splx(s);
	return buf;
}

/*
 * Construct the n buffers of bufs; if a constructor fails, give that
 * buffer and the rest back to their slabs.  The number constructed.
 */
static u_int
kmem_cache_construct(kmem_cache_t *kc, void **bufs, u_int n, int kmflags)
{
	u_int i;

	if (kc->kc_ctor == NULL || (kc->kc_flags & KMF_DEBUG) != 0)
		return n;
	for (i = 0; i < n; i++) {
		if ((*kc->kc_ctor)(bufs[i], kc->kc_arg, kmflags) != 0)
			break;
	}
	if (i < n) {
		kmem_slab_free_batch(kc, bufs + i, n - i);
		kmem_wakeup();
	}
	return i;
}

/*
 * Load mg, holding rounds constructed buffers, into the calling CPU's
 * layer of kc if that is still dry (its previous magazine, if any, goes
 * to the depot's empty list); else, as the CPU layer was refilled
 * meanwhile, give mg to the depot's full list.
 */
static void
kmem_cpu_load_batch(kmem_cache_t *kc, kmem_magazine_t *mg, u_int rounds)
{
	kmem_cpu_cache_t *cc;
	int s;

	s = splvm();
	cc = kmem_cpu_cache(kc);
	if (cc->cc_rounds == 0 && cc->cc_prounds == 0)
		kmem_cpu_replace(kc, cc, &kc->kc_empty, mg, rounds);
	else
		kmem_depot_put(kc, &kc->kc_full, mg, rounds);
	KMEM_CPU_COUNT(cc, cc_alloc_miss);
	splx(s);
}

/*
 * Take an empty magazine out of the dry CPU layer cc, for a batch to
 * fill: the previous one, else the loaded one; NULL if it has none.
 * => called at splvm; cc is the current CPU's, with no rounds.
 */
static kmem_magazine_t *
kmem_cpu_take_empty(kmem_cpu_cache_t *cc)
{
	kmem_magazine_t *mg;

	KASSERT(cc->cc_rounds == 0 && cc->cc_prounds == 0);
	if ((mg = cc->cc_prev) != NULL) {
		cc->cc_prev = NULL;
		cc->cc_pmagsize = 0;
	} else if ((mg = cc->cc_loaded) != NULL) {
		cc->cc_loaded = NULL;
		cc->cc_magsize = 0;
	}
	return mg;
}

/*
 * True if a magazine miss of kc should take a batch from the slab layer:
 * not for a cache with a destructor but no constructor, whose destructor
 * would see buffers no caller ever wrote.
 */
static bool
kmem_cache_batches(kmem_cache_t *kc)
{

	return (kc->kc_flags & (KMC_NOMAGAZINE | KMC_NOTOUCH)) == 0 &&
	    (kc->kc_dtor == NULL || kc->kc_ctor != NULL) &&
	    KMEM_BATCH_BYTES / kc->kc_bufsize >= 2;
}

/*
 * The CPU layer and the depot are dry: fill mg (an empty magazine taken
 * from the CPU layer, or NULL for a new one) from the slab layer in one
 * visit (at most KMEM_BATCH_BYTES of buffers, so that a CPU does not
 * hoard a large-object cache's slabs), construct its buffers, load it
 * and return one buffer.  Batches are only for caches of memory with
 * magazines (kmem_cache_batches): a quantum cache's integers a CPU took
 * ahead of need, other CPUs could not have.  *donep is false, and NULL
 * returned, if no batch was taken: no magazine, or no slab without
 * sleeping (the caller takes the one-buffer path, which reaps and waits
 * for KM_SLEEP).
 * => never sleeps.
 */
static void *
kmem_cache_alloc_batch(kmem_cache_t *kc, kmem_magazine_t *mg, int kmflags,
    bool *donep)
{
	void *buf;
	u_int n;
	int s;

	*donep = false;
	if (mg == NULL && (mg = kmem_magazine_alloc(kc)) == NULL)
		return NULL;
	n = MIN(mg->mg_size, KMEM_BATCH_BYTES / kc->kc_bufsize);
	if ((n = kmem_slab_alloc_batch(kc, mg->mg_round, n)) == 0) {
		kmem_magazine_free(mg);
		return NULL;
	}
	*donep = true;
	n = kmem_cache_construct(kc, mg->mg_round, n, kmflags);
	if (n == 0) {
		kmem_magazine_free(mg);
		return NULL;
	}
	buf = mg->mg_round[--n];
	if (n > 0)
		kmem_cpu_load_batch(kc, mg, n);
	else {
		kmem_magazine_free(mg);
		s = splvm();
		KMEM_CPU_COUNT(kmem_cpu_cache(kc), cc_alloc_miss);
		splx(s);
	}
	return buf;
}

/*
 * The slow path of an allocation: reload the CPU layer from the depot,
 * or fill it from the slab layer (kmem_cache_alloc_batch), or take one
 * buffer from a slab and construct it.
 * => may sleep if KM_SLEEP.
 */
static __noinline void *
kmem_cache_alloc_miss(kmem_cache_t *kc, int kmflags)
{
	kmem_cpu_cache_t *cc;
	kmem_magazine_t *mg = NULL;
	bool batches, done;
	void *buf;
	int s;

	if ((kmflags & KM_NOSLEEP) != 0 && VMEM_MTBF_FAIL())
		return NULL;
	s = splvm();
	cc = kmem_cpu_cache(kc);
	if (cc->cc_rounds > 0 || kmem_cpu_reload_alloc(kc, cc)) {
		buf = cc->cc_loaded->mg_round[--cc->cc_rounds];
		KMEM_CPU_HIT(cc, cc_alloc);
		splx(s);
		return buf;
	}
	/* To the slab layer, batch or not: the flags must be right. */
	kmem_check_flags("kmem_cache_alloc", kmflags);
	batches = kmem_cache_batches(kc);
	if (batches)
		mg = kmem_cpu_take_empty(cc);
	splx(s);
	if (batches) {
		buf = kmem_cache_alloc_batch(kc, mg, kmflags, &done);
		if (done)
			return buf;
	}
	buf = kmem_cache_slab_alloc(kc, kmflags);
	if (buf == NULL)
		return NULL;
	if (kc->kc_ctor != NULL && (kc->kc_flags & KMF_DEBUG) == 0 &&
	    (*kc->kc_ctor)(buf, kc->kc_arg, kmflags) != 0) {
		kmem_slab_free(kc, buf);
		kmem_wakeup();
		return NULL;
	}
	s = splvm();
	KMEM_CPU_COUNT(kmem_cpu_cache(kc), cc_alloc_miss);
	splx(s);
	return buf;
}

/*
 * kmem_cache_alloc_raw: a buffer from the CPU layer, the depot or a
 * slab: constructed, unless the cache debugs.
 * => may sleep if KM_SLEEP.
 */
void *
kmem_cache_alloc_raw(kmem_cache_t *kc, int kmflags)
{

	return kmem_cpu_alloc(kc, kmflags);
}

/*
 * The loaded magazine is full: swap in an empty previous magazine, or
 * trade the full previous one for an empty one from the depot, or
 * allocate an empty one.  True if the loaded magazine now has room.
 * => called at splvm, which it may drop and raise again: *ccp is
 *    updated to the CPU it runs on then.
 */
static bool
kmem_cpu_reload_free(kmem_cache_t *kc, kmem_cpu_cache_t **ccp, int *sp)
{
	kmem_cpu_cache_t *cc = *ccp;
	kmem_magazine_t *mg;

	for (;;) {
		if (cc->cc_rounds < cc->cc_magsize)
			return true;
		if (cc->cc_prounds < cc->cc_pmagsize) {
			kmem_cpu_swap(cc);
			return true;
		}
		if ((kc->kc_flags & KMC_NOMAGAZINE) != 0)
			return false;
		if ((mg = kmem_depot_get(kc, &kc->kc_empty)) != NULL) {
			if (mg->mg_size <
			    atomic_load_relaxed(&kc->kc_magtype)->mt_rounds) {
				kmem_magazine_free(mg);
				continue;
			}
			kmem_cpu_replace(kc, cc, &kc->kc_full, mg, 0);
			return true;
		}
		splx(*sp);
		mg = kmem_magazine_alloc(kc);
		*sp = splvm();
		*ccp = cc = kmem_cpu_cache(kc);
		if (mg == NULL)
			return false;
		kmem_depot_put(kc, &kc->kc_empty, mg, 0);
	}
}

/*
 * The fast path: put buf in this CPU's loaded magazine, or else leave it
 * to the slow path (kmem_cache_free_miss).
 */
static __always_inline void
kmem_cpu_free(kmem_cache_t *kc, void *buf)
{
	kmem_cpu_cache_t *cc;
	int s;

	s = splvm();
	cc = kmem_cpu_cache(kc);
	if (__predict_false(cc->cc_rounds >= cc->cc_magsize)) {
		splx(s);
		kmem_cache_free_miss(kc, buf);
		return;
	}
	cc->cc_loaded->mg_round[cc->cc_rounds++] = buf;
	KMEM_CPU_HIT(cc, cc_free);
	splx(s);
}

/*
 * The slow path of a free: make room in the CPU layer through the depot,
 * or destroy the buffer into its slab.
 */
static __noinline void
kmem_cache_free_miss(kmem_cache_t *kc, void *buf)
{
	kmem_cpu_cache_t *cc;
	int s;

	s = splvm();
	cc = kmem_cpu_cache(kc);
	if (kmem_cpu_reload_free(kc, &cc, &s)) {
		cc->cc_loaded->mg_round[cc->cc_rounds++] = buf;
		KMEM_CPU_HIT(cc, cc_free);
		splx(s);
		return;
	}
	KMEM_CPU_COUNT(cc, cc_free_miss);
	splx(s);
	kmem_cache_destruct(kc, buf);
}

/*
 * kmem_cache_free_raw: put a buffer (constructed, unless the cache
 * debugs) in the CPU layer, or destroy it into its slab.
 */
void
kmem_cache_free_raw(kmem_cache_t *kc, void *buf)
{

	kmem_cpu_free(kc, buf);
}

/*
 * Allocate size bytes from a debugging cache, checked and constructed,
 * for the code that returns to caller.
 */
static __noinline void *
kmem_cache_alloc_debug(kmem_cache_t *kc, size_t size, int kmflags,
    const void *caller)
{
	void *buf;

	if ((buf = kmem_cache_alloc_raw(kc, kmflags)) == NULL)
		return NULL;
	if (kmem_debug_alloc(kc, buf, size, kmflags, caller) == NULL) {
		kmem_cache_free_raw(kc, buf);
		return NULL;
	}
	return buf;
}

/* Check, destroy and free size bytes to a debugging cache, for caller. */
static __noinline void
kmem_cache_free_debug(kmem_cache_t *kc, void *buf, size_t size,
    const char *func, const void *caller)
{

	if (buf != NULL)
		kmem_slab_verify(kc, buf, func);
	kmem_debug_free(kc, buf, size, func, caller);
	kmem_cache_free_raw(kc, buf);
}

/* ---- object cache interface */

/*
 * kmem_cache_flush: destroy every magazine of kc, on the CPUs and in the
 * depot, so that all its free buffers are back in slabs.
 * => thread context; no spin lock held; kmem_cache_lock not held.
 */
void
kmem_cache_flush(kmem_cache_t *kc)
{

	xc_wait(xc_broadcast(0, kmem_cpu_flush_xc, kc, NULL));
	kmem_depot_purge(kc);
}

/*
 * kmem_cache_drain_local: destroy this CPU's magazines of kc and those in
 * the depot, and return kc's empty slabs; no cross call, so it may run
 * where KM_NOSLEEP may (quantum caches use it before they fail).
 */
void
kmem_cache_drain_local(kmem_cache_t *kc)
{

	kmem_cpu_flush(kc);
	kmem_depot_purge(kc);
	kmem_slab_reap(kc);
	kmem_wakeup();
}

/*
 * kmem_cache_alloc: a constructed object from kc.
 * => KM_SLEEP: thread context, may sleep, never fails (unless the
 *    constructor fails);
 *    KM_NOSLEEP: never sleeps, may fail; safe at IPL_VM and below.
 */
void *
kmem_cache_alloc(kmem_cache_t *kc, int kmflags)
{

	if (__predict_false(kmem_flags_bad(kmflags)))
		kmem_flags_misuse("kmem_cache_alloc", kmflags);
	if (__predict_false((kc->kc_flags & KMF_DEBUG) != 0))
		return kmem_cache_alloc_debug(kc, kc->kc_size, kmflags,
		    __builtin_return_address(0));
	return kmem_cpu_alloc(kc, kmflags);
}

/*
 * kmem_cache_free: give back an object from kc, in its constructed state.
 * => never sleeps; safe at IPL_VM and below.
 * A NULL buf takes the debugging path, whose checks panic on it.
 */
void
kmem_cache_free(kmem_cache_t *kc, void *buf)
{

	if (__predict_false((kc->kc_flags & KMF_DEBUG) != 0 || buf == NULL))
		kmem_cache_free_debug(kc, buf, kc->kc_size, "kmem_cache_free",
		    __builtin_return_address(0));
	else
		kmem_cpu_free(kc, buf);
}

/* ---- kmem_alloc */

/* The size-class cache for size, 0 < size <= KMEM_MAXSIZE. */
static __always_inline kmem_cache_t *
kmem_class(size_t size)
{

	return kmem_class_of[(size - 1) >> KMEM_SHIFT];
}

/* Panic for a bad kmem_alloc or kmem_free argument. */
static void __dead
kmem_alloc_misuse(const char *func, void *p, size_t size, const char *rule)
{

	panic("%s(%p, %zu): %s", func, p, size, rule);
}

/*
 * The requests kmem_alloc does not serve from a size class: bad flags and
 * zero size panic; sizes above KMEM_MAXSIZE are page multiples straight
 * from kmem_meta_arena, and one that overflows when rounded to a page fails
 * (KM_NOSLEEP) or panics (KM_SLEEP, which cannot fail).
 */
static __noinline void *
kmem_alloc_large(size_t size, int kmflags)
{
	vmem_addr_t addr;

	if (kmem_flags_bad(kmflags))
		kmem_flags_misuse("kmem_alloc", kmflags);
	if (size == 0)
		kmem_alloc_misuse("kmem_alloc", NULL, size, "zero size");
	if (roundup2(size, PAGE_SIZE) < size) {
		if ((kmflags & KM_NOSLEEP) != 0)
			return NULL;
		kmem_alloc_misuse("kmem_alloc", NULL, size,
		    "KM_SLEEP for more than the address space");
	}
	if (kmem_source_alloc(kmem_meta_arena, roundup2(size, PAGE_SIZE),
	    kmflags, &addr) != 0)
		return NULL;
	return (void *)addr;
}

/* kmem_alloc for the code that returns to caller (audit records). */
static __always_inline void *
kmem_alloc1(size_t size, int kmflags, const void *caller)
{
	kmem_cache_t *kc;

	if (__predict_false(size - 1 >= KMEM_MAXSIZE ||
	    kmem_flags_bad(kmflags)))
		return kmem_alloc_large(size, kmflags);
	kc = kmem_class(size);
	if (__predict_false((kc->kc_flags & KMF_DEBUG) != 0))
		return kmem_cache_alloc_debug(kc, size, kmflags, caller);
	return kmem_cpu_alloc(kc, kmflags);
}

/*
 * kmem_alloc: size bytes of memory aligned to KMEM_ALIGN.
 * => KM_SLEEP: thread context, may sleep, never fails;
 *    KM_NOSLEEP: never sleeps, may fail; safe at IPL_VM and below.
 */
void *
kmem_alloc(size_t size, km_flag_t kmflags)
{

	return kmem_alloc1(size, kmflags, __builtin_return_address(0));
}

/* kmem_zalloc: kmem_alloc, zero-filled. */
void *
kmem_zalloc(size_t size, km_flag_t kmflags)
{

	return kmem_zalloc_caller(size, kmflags, __builtin_return_address(0));
}

/*
 * kmem_alloc_caller: kmem_alloc, with audit records naming caller, for
 * the wrappers of subr_kmem_util.c and malloc(9).
 */
void *
kmem_alloc_caller(size_t size, km_flag_t kmflags, const void *caller)
{

	return kmem_alloc1(size, kmflags, caller);
}

/* kmem_zalloc_caller: kmem_zalloc, with audit records naming caller. */
void *
kmem_zalloc_caller(size_t size, km_flag_t kmflags, const void *caller)
{
	void *buf;

	buf = kmem_alloc1(size, kmflags, caller);
	if (buf != NULL)
		memset(buf, 0, size);
	return buf;
}

/*
 * The frees kmem_free does not give to a size class: NULL, zero size and
 * a size no allocation can have panic; larger sizes go back to
 * kmem_meta_arena, which checks them.
 */
static __noinline void
kmem_free_large(void *p, size_t size)
{

	if (p == NULL)
		kmem_alloc_misuse("kmem_free", p, size, "NULL pointer");
	if (size == 0)
		kmem_alloc_misuse("kmem_free", p, size, "zero size");
	if (roundup2(size, PAGE_SIZE) < size)
		kmem_alloc_misuse("kmem_free", p, size,
		    "size larger than any allocation");
	vmem_xfree(kmem_meta_arena, (vmem_addr_t)p, roundup2(size, PAGE_SIZE));
}

/*
 * kmem_free: give back memory from kmem_alloc or kmem_zalloc; size must
 * be the size it was allocated with.
 * => never sleeps; safe at IPL_VM and below.
 * The test for NULL is on the argument, beside the size test: it adds
 * no load to the fast path.
 */
void
kmem_free(void *p, size_t size)
{
	kmem_cache_t *kc;

	if (__predict_false(size - 1 >= KMEM_MAXSIZE || p == NULL)) {
		kmem_free_large(p, size);
		return;
	}
	kc = kmem_class(size);
	if (__predict_false((kc->kc_flags & KMF_DEBUG) != 0))
		kmem_cache_free_debug(kc, p, size, "kmem_free",
		    __builtin_return_address(0));
	else
		kmem_cpu_free(kc, p);
}

/*
 * kmem_free_caller: kmem_free, with audit records naming caller; only a
 * debugging size class records one, so any other free is kmem_free's.
 * (A body shared with kmem_free, as kmem_alloc1 is, makes the compiler
 * load the return address at kmem_free's entry and split its first
 * test: a kmem_alloc/kmem_free pair went from 5.18 to 5.45 ns.)
 */
void
kmem_free_caller(void *p, size_t size, const void *caller)
{
	kmem_cache_t *kc;

	if (size - 1 < KMEM_MAXSIZE && p != NULL) {
		kc = kmem_class(size);
		if ((kc->kc_flags & KMF_DEBUG) != 0) {
			kmem_cache_free_debug(kc, p, size, "kmem_free", caller);
			return;
		}
	}
	kmem_free(p, size);
}

/*
 * kmem_size_class: the buffer size kmem_alloc uses for size, or the page
 * multiple for sizes above the largest class.
 */
size_t
kmem_size_class(size_t size)
{

	if (size == 0 || size > KMEM_MAXSIZE)
		return roundup2(size, PAGE_SIZE);
	return kmem_class(size)->kc_size;
}

/* ---- reclaiming */

/*
 * kmem_reap: give memory back to the arenas: ask every cache's owner to
 * reclaim, free every magazine on the CPUs and in the depots, return
 * every wholly free slab, then let vmem return its idle tag pages.
 * => thread context, no spin lock held; may sleep.
 */
void
kmem_reap(void)
{
	kmem_cache_t *kc;
	int pass;

	mutex_enter(&kmem_cache_lock);
	LIST_FOREACH(kc, &kmem_caches, kc_list) {
		if (kc->kc_reclaim != NULL)
			(*kc->kc_reclaim)(kc->kc_arg);
	}
	xc_wait(xc_broadcast(0, kmem_cpu_flush_xc, NULL, NULL));
	LIST_FOREACH(kc, &kmem_caches, kc_list)
		kmem_depot_purge(kc);
	/*
	 * Destroying magazines freed buffers of other caches, some into
	 * this CPU's magazines: drain once more.
	 */
	for (pass = 0; pass < 2; pass++) {
		LIST_FOREACH(kc, &kmem_caches, kc_list)
			kmem_cache_drain_local(kc);
	}
	mutex_exit(&kmem_cache_lock);
	kmem_slab_reap_headers();
	vmem_bt_trim();
}

/*
 * kmem_update: the periodic upkeep: free the magazines the depots did not
 * use since the last call (the working set stays), and wholly free slabs.
 * => thread context, no spin lock held.
 */
void
kmem_update(void)
{
	kmem_cache_t *kc;

	mutex_enter(&kmem_cache_lock);
	LIST_FOREACH(kc, &kmem_caches, kc_list) {
		kmem_depot_ws_reap(kc);
		kmem_slab_reap(kc);
	}
	mutex_exit(&kmem_cache_lock);
	kmem_slab_reap_headers();
	kmem_wakeup();
}
