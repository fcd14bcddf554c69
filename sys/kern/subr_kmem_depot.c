/*
 * subr_kmem_depot.c: kmem's magazines and each cache's depot of them.
 *
 * ---- Theory (the layers are described in subr_kmem.c)
 *
 * Vocabulary:
 *
 *	magazine	an array of mg_size pointers to constructed
 *			buffers, the rounds; full when every slot holds one,
 *			empty when none does;
 *	magazine type	a magazine size with the cache its magazines come
 *			from (struct kmem_magtype, kmem_magazine_N);
 *	depot		a cache's two lists of magazines that no CPU holds,
 *			full ones and empty ones, and the flush list of
 *			magazines taken off the CPUs (kmem_cpu_flush, by a
 *			cross call or on the calling CPU) to be destroyed;
 *	working set	the magazines of a list that were taken since the
 *			last kmem_update; the rest sat idle.
 *
 * The CPU layer (subr_kmem.c) comes here when both of its magazines are
 * empty (for an allocation) or full (for a free): it hands the depot the
 * magazine it cannot use and takes one it can, in O(1) under the depot
 * lock.  Nothing else in the fast path touches the depot.
 *
 * Each list keeps, besides its count, ml_min: the fewest magazines it
 * held since the last kmem_update.  That many stayed on the list the
 * whole interval, so the CPUs did not need them: kmem_depot_ws_reap frees
 * that many from the head of the list (which ones does not matter, they
 * are alike), and the flush list, and starts a new interval.
 * kmem_depot_purge frees every magazine in the depot (kmem_reap,
 * kmem_cache_flush and so kmem_cache_destroy, and
 * kmem_cache_drain_local, which quantum caches call before they fail).
 * Freeing a magazine destroys its rounds: the destructor runs on each,
 * and the slab layer takes them all back in one hold of its lock.
 *
 * A cache starts with the largest magazine type that admits its buffer
 * size (a quantum cache with the smallest: its buffers are integers, and
 * small magazines keep fewer of them from the arena).
 * kmem_depot_enter counts the visits that found the depot lock
 * held; when more than KMEM_DEPOT_CONTENDED of a window of
 * KMEM_DEPOT_WINDOW visits had to wait, new magazines are of the next
 * larger type, so that the CPUs come to the depot less often for the same
 * number of buffers.  Magazines already made keep their size.
 *
 * Locking: the depot lock (kc_depot_lock) is a spin mutex at IPL_VM, held
 * only to change or read the lists and the contention counts (here, in
 * kmem_cpu_flush, and in kmem_cache_stats): never while rounds are
 * destroyed (which takes the slab lock) nor across kmem_cache_alloc or
 * kmem_cache_free of a magazine.
 *
 * Calls: subr_kmem.c calls in.  This file calls down into the slab layer,
 * and back into subr_kmem.c only through kmem_wakeup and, for the
 * magazines themselves, kmem_cache_alloc and kmem_cache_free on the
 * magazine caches.  Those are KMC_NOMAGAZINE, so they never come back
 * into a depot.
 */

#define	_KMEM_PRIVATE

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/kmem.h>
#include <sys/kmem_impl.h>
#include <sys/mutex.h>
#include <sys/systm.h>

#define	KMEM_DEPOT_WINDOW	256	/* depot visits per contention check */
#define	KMEM_DEPOT_CONTENDED	(KMEM_DEPOT_WINDOW / 64)

/*
 * Magazine sizes, smallest first.  A cache starts with the largest type
 * whose mt_maxbuf admits its buffers (so that a CPU does not hoard much
 * memory of a large-object cache) and moves up one type whenever its
 * depot lock is found contended (kmem_depot_enter).
 */
struct kmem_magtype kmem_magtypes[] = {
	{ 14,	SIZE_MAX,	NULL },
	{ 30,	4096,		NULL },
	{ 62,	1024,		NULL },
	{ 126,	256,		NULL },
	{ 254,	0,		NULL },
};
const u_int kmem_nmagtypes = __arraycount(kmem_magtypes);

/* ---- magazines */

/*
 * Allocate an empty magazine of kc's current type, or NULL.
 * => wherever KM_NOSLEEP may be used; no depot or slab lock held.
 */
kmem_magazine_t *
kmem_magazine_alloc(kmem_cache_t *kc)
{
	const struct kmem_magtype *mt;
	kmem_magazine_t *mg;

	mt = atomic_load_relaxed(&kc->kc_magtype);
	mg = kmem_cache_alloc(mt->mt_cache, KM_NOSLEEP);
	if (mg != NULL) {
		mg->mg_size = mt->mt_rounds;
		mg->mg_rounds = 0;
		mg->mg_next = NULL;
	}
	return mg;
}

/*
 * Free an empty magazine to the cache of its type.
 * => no depot or slab lock held.
 */
void
kmem_magazine_free(kmem_magazine_t *mg)
{
	u_int i;

	for (i = 0; i < kmem_nmagtypes; i++) {
		if (kmem_magtypes[i].mt_rounds == mg->mg_size) {
			kmem_cache_free(kmem_magtypes[i].mt_cache, mg);
			return;
		}
	}
	panic("kmem_magazine_free: magazine %p has %u rounds: no such type",
	    mg, mg->mg_size);
}

/*
 * Destroy the first rounds rounds of mg into their slabs, in one hold of
 * the slab lock, and mg.
 */
static void
kmem_magazine_destroy(kmem_cache_t *kc, kmem_magazine_t *mg, u_int rounds)
{
	u_int i;

	KASSERT(rounds <= mg->mg_size);
	if (kc->kc_dtor != NULL && (kc->kc_flags & KMF_DEBUG) == 0) {
		for (i = 0; i < rounds; i++)
			(*kc->kc_dtor)(mg->mg_round[i], kc->kc_arg);
	}
	if (rounds > 0) {
		kmem_slab_free_batch(kc, mg->mg_round, rounds);
		kmem_wakeup();
	}
	kmem_magazine_free(mg);
}

/* ---- depot */

/*
 * Take the depot lock, counting contention; every KMEM_DEPOT_WINDOW
 * visits, move to larger magazines if more than KMEM_DEPOT_CONTENDED of
 * them had to wait.
 */
static void
kmem_depot_enter(kmem_cache_t *kc)
{
	const struct kmem_magtype *mt;

	if (!mutex_tryenter(&kc->kc_depot_lock)) {
		mutex_spin_enter(&kc->kc_depot_lock);
		kc->kc_depot_contention++;
	}
	if (++kc->kc_depot_ops % KMEM_DEPOT_WINDOW != 0)
		return;
	mt = kc->kc_magtype;
	if (kc->kc_depot_contention - kc->kc_depot_window >
	    KMEM_DEPOT_CONTENDED && mt < &kmem_magtypes[kmem_nmagtypes - 1])
		atomic_store_relaxed(&kc->kc_magtype, mt + 1);
	kc->kc_depot_window = kc->kc_depot_contention;
}

/*
 * Take a magazine from list ml, or NULL.
 * => the depot lock not held; at IPL_VM or below.
 */
kmem_magazine_t *
kmem_depot_get(kmem_cache_t *kc, struct kmem_maglist *ml)
{
	kmem_magazine_t *mg;

	kmem_depot_enter(kc);
	if ((mg = ml->ml_list) != NULL) {
		ml->ml_list = mg->mg_next;
		if (--ml->ml_count < ml->ml_min)
			ml->ml_min = ml->ml_count;
	}
	mutex_spin_exit(&kc->kc_depot_lock);
	return mg;
}

/*
 * Put mg, holding rounds rounds, on list ml.
 * => the depot lock not held; at IPL_VM or below.
 */
void
kmem_depot_put(kmem_cache_t *kc, struct kmem_maglist *ml,
    kmem_magazine_t *mg, u_int rounds)
{

	mg->mg_rounds = rounds;
	kmem_depot_enter(kc);
	mg->mg_next = ml->ml_list;
	ml->ml_list = mg;
	ml->ml_count++;
	mutex_spin_exit(&kc->kc_depot_lock);
}

/*
 * Take up to n magazines off list ml, and everything on the flush list;
 * return them as one chain for kmem_depot_destroy.
 */
static kmem_magazine_t *
kmem_depot_take(kmem_cache_t *kc, struct kmem_maglist *ml, u_int n,
    kmem_magazine_t *chain)
{
	kmem_magazine_t *mg;

	KASSERT(mutex_owned(&kc->kc_depot_lock));
	while (n-- > 0 && (mg = ml->ml_list) != NULL) {
		ml->ml_list = mg->mg_next;
		ml->ml_count--;
		mg->mg_next = chain;
		chain = mg;
	}
	if (ml->ml_min > ml->ml_count)
		ml->ml_min = ml->ml_count;
	while ((mg = kc->kc_flushed) != NULL) {
		kc->kc_flushed = mg->mg_next;
		mg->mg_next = chain;
		chain = mg;
	}
	return chain;
}

/* Destroy a chain of magazines from kmem_depot_take. */
static void
kmem_depot_destroy(kmem_cache_t *kc, kmem_magazine_t *chain)
{
	kmem_magazine_t *mg;

	while ((mg = chain) != NULL) {
		chain = mg->mg_next;
		kmem_magazine_destroy(kc, mg, mg->mg_rounds);
	}
}

/*
 * Free the depot's idle magazines: as many as stayed on their list for
 * the whole interval since the last call (the fewest it held), and those
 * flushed off the CPUs.  Then start a new interval.
 * => thread context, or wherever KM_NOSLEEP may be used; no spin lock
 *    held.
 */
void
kmem_depot_ws_reap(kmem_cache_t *kc)
{
	kmem_magazine_t *chain;

	mutex_spin_enter(&kc->kc_depot_lock);
	chain = kmem_depot_take(kc, &kc->kc_full, kc->kc_full.ml_min, NULL);
	chain = kmem_depot_take(kc, &kc->kc_empty, kc->kc_empty.ml_min,
	    chain);
	kc->kc_full.ml_min = kc->kc_full.ml_count;
	kc->kc_empty.ml_min = kc->kc_empty.ml_count;
	mutex_spin_exit(&kc->kc_depot_lock);
	kmem_depot_destroy(kc, chain);
}

/*
 * Free every magazine in the depot, and those flushed off the CPUs.
 * => thread context, or wherever KM_NOSLEEP may be used; no spin lock
 *    held.
 */
void
kmem_depot_purge(kmem_cache_t *kc)
{
	kmem_magazine_t *chain;

	mutex_spin_enter(&kc->kc_depot_lock);
	chain = kmem_depot_take(kc, &kc->kc_full, ~0U, NULL);
	chain = kmem_depot_take(kc, &kc->kc_empty, ~0U, chain);
	mutex_spin_exit(&kc->kc_depot_lock);
	kmem_depot_destroy(kc, chain);
}
