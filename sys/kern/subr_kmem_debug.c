/*
 * subr_kmem_debug.c: kmem's debugging checks and statistics.
 *
 * ---- Theory
 *
 * A debugging cache (KMF_DEBUG: KMC_DEBUG, or kmem_debug set when the
 * cache is made; on by default in kernels built with KMEM_DEBUG, as the
 * test builds are, and not in DIAGNOSTIC ones) lays each buffer out as
 *
 *	[ object: bt_size bytes | redzone bytes | struct kmem_buftag ]
 *	0                       bt_size         kc_tagoff          kc_bufsize
 *
 * and keeps its free buffers, in magazines and in slabs alike,
 * unconstructed and filled with KMEM_FREE_PATTERN; the free-list link of
 * a slab lives in the tag (bt_next), so the pattern covers the object.
 * bt_state is the buffer address xor KMEM_BUFTAG_ALLOC or _FREE, so a
 * stray copy of a tag from another buffer does not pass for a valid one.
 *
 *	allocation	checks the state (free) and the pattern (a write
 *			after free shows as the first word that differs),
 *			fills the object with KMEM_UNINIT_PATTERN and the
 *			redzone from the requested size to the tag, then
 *			constructs;
 *	free		checks that the buffer is an allocated buffer of
 *			this cache (the slab layer), the state (a second
 *			free finds it free), the size (kmem_free's size must
 *			be the allocated one) and the redzone (an overrun
 *			shows as the first byte that differs), then
 *			destroys and fills with the pattern.
 *
 * Every failed check panics with the cache, the buffer, the rule and the
 * offset.  The checks cost O(buffer size) per operation; caches that do
 * not debug pay one flag test on each path.
 *
 * Auditing (KMF_AUDIT: KMC_AUDIT, or KMEM_DEBUG_AUDIT in kmem_debug), as
 * illumos' KMF_AUDIT: a debugging cache that also puts two audit records
 * after each buffer's tag, its last allocation and its last free (the
 * caller's return address, the CPU, the thread, the tick), and copies
 * each record into a log of the cache's last KMEM_AUDIT_LOG operations,
 * a ring whose slots writers claim with one atomic add.  A leak report
 * (kmem_cache_leaks, kmem_cache_leak_print, kmem_leak_print, and
 * kmem_cache_destroy of a cache with objects left) walks the slabs under
 * the slab lock, takes every buffer whose tag says allocated, and groups
 * them by allocating caller, with counts and bytes, largest first; a
 * debugging cache that does not audit groups them all under an unknown
 * caller, and one that does not debug reports only its count in use.
 *
 * Statistics are read without stopping the CPUs: per-CPU counters are
 * summed with relaxed loads, so a report taken while others allocate is
 * a consistent-enough snapshot, and an exact one when they are idle.
 * Kernels with KMEM_STATS count every magazine hit and find the objects
 * in use as allocations less frees; the others count only what reaches
 * the depot and slabs, and find the objects in use as the buffers out of
 * the slabs less the rounds in magazines.  kmem_cache_cpu_stats reports
 * one CPU's share, so that a test can tell every CPU's magazines apart.
 */

#define	_KMEM_PRIVATE

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/kernel.h>
#include <sys/kmem.h>
#include <sys/kmem_impl.h>
#include <sys/mutex.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

/* ---- buffer tags and patterns */

/* kmem_debug_slab_init (<sys/kmem_impl.h>) clears records by words. */
CTASSERT(sizeof(struct kmem_bufaudit) % sizeof(uint64_t) == 0);

/* Offset of the first word of [buf, buf + len) not pattern, or len. */
static size_t
kmem_pattern_check(const void *buf, size_t len, uint64_t pattern)
{
	const uint64_t *p = buf, *end = (const uint64_t *)
	    ((const char *)buf + len);

	for (; p < end; p++) {
		if (*p != pattern)
			return (size_t)((const char *)p - (const char *)buf);
	}
	return len;
}

/* Panic for a failed debugging check. */
static void __dead __printflike(5, 6)
kmem_debug_panic(kmem_cache_t *kc, const void *buf, const char *func,
    const char *rule, const char *fmt, ...)
{
	char detail[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	panic("%s: cache %s (%p): buffer %p: %s: %s", func, kc->kc_name, kc,
	    buf, rule, detail);
}

/* Panic if the free buffer buf was written to since it was freed. */
static void
kmem_debug_check_free(kmem_cache_t *kc, void *buf, const char *func)
{
	struct kmem_buftag *bt = kmem_buftag(kc, buf);
	const uint64_t *word;
	size_t off;

	if (bt->bt_state != ((uintptr_t)buf ^ KMEM_BUFTAG_FREE))
		kmem_debug_panic(kc, buf, func, "buffer tag corrupt",
		    "state %#lx at offset %zu is neither free nor allocated "
		    "(overrun of the buffer before?)",
		    (unsigned long)bt->bt_state, kc->kc_tagoff);
	off = kmem_pattern_check(buf, kc->kc_tagoff, KMEM_FREE_PATTERN);
	if (off != kc->kc_tagoff) {
		word = (const uint64_t *)((const char *)buf + off);
		kmem_debug_panic(kc, buf, func, "modified after free",
		    "offset %zu holds %#llx instead of %#llx", off,
		    (unsigned long long)*word,
		    (unsigned long long)KMEM_FREE_PATTERN);
	}
}

/* ---- audit records */

/* Record operation op on buf by caller in its records and in the log. */
static void
kmem_audit_record(kmem_cache_t *kc, void *buf, u_int op, const void *caller)
{
	struct kmem_bufaudit *ba;
	struct kmem_audit *ka;
	u_long pos;

	if ((kc->kc_flags & KMF_AUDIT) == 0)
		return;
	ba = kmem_bufaudit(kc, buf);
	ka = op == KMEM_AUDIT_ALLOC ? &ba->ba_alloc : &ba->ba_free;
	ka->ka_buf = buf;
	ka->ka_caller = caller;
	ka->ka_thread = curlwp;
	ka->ka_cpu = cpu_index(curcpu());
	ka->ka_op = op;
	ka->ka_time = (uint64_t)(u_int)getticks();
	pos = atomic_inc_ulong_nv(&kc->kc_logpos) - 1;
	kc->kc_log[pos % KMEM_AUDIT_LOG] = *ka;
}

/*
 * kmem_cache_audit: copy the audit records of buf, a buffer of the
 * auditing cache kc (allocated or not), to *ba; false if kc does not
 * audit.
 * => buf must not be freed or allocated meanwhile; its slab must stay.
 */
bool
kmem_cache_audit(kmem_cache_t *kc, void *buf, struct kmem_bufaudit *ba)
{

	if ((kc->kc_flags & KMF_AUDIT) == 0)
		return false;
	*ba = *kmem_bufaudit(kc, buf);
	return true;
}

/*
 * kmem_cache_audit_log: copy the last records of kc's log, at most n,
 * oldest first, to ka; the number copied (0 if kc does not audit).
 * => a snapshot: records written meanwhile may be torn.
 */
u_int
kmem_cache_audit_log(kmem_cache_t *kc, struct kmem_audit *ka, u_int n)
{
	u_long pos, first;
	u_int i;

	if ((kc->kc_flags & KMF_AUDIT) == 0)
		return 0;
	pos = atomic_load_acquire(&kc->kc_logpos);
	n = (u_int)MIN(MIN((u_long)n, pos), (u_long)KMEM_AUDIT_LOG);
	first = pos - n;
	for (i = 0; i < n; i++)
		ka[i] = kc->kc_log[(first + i) % KMEM_AUDIT_LOG];
	return n;
}

/* ---- leak reports */

/* What a slab walk gathers for a leak report. */
struct kmem_leak_walk {
	struct kmem_leak lw_leak[KMEM_LEAK_MAX]; /* by caller */
	u_int		lw_n;		/* callers in lw_leak */
	uint64_t	lw_count;	/* buffers allocated */
	uint64_t	lw_bytes;	/* their bytes */
};

/* Count buf into the report if its tag says allocated. */
static void
kmem_leak_buf(kmem_cache_t *kc, void *buf, void *arg)
{
	struct kmem_leak_walk *lw = arg;
	struct kmem_buftag *bt = kmem_buftag(kc, buf);
	const void *caller = NULL;
	u_int i;

	if (bt->bt_state != ((uintptr_t)buf ^ KMEM_BUFTAG_ALLOC))
		return;
	lw->lw_count++;
	lw->lw_bytes += bt->bt_size;
	if ((kc->kc_flags & KMF_AUDIT) != 0)
		caller = kmem_bufaudit(kc, buf)->ba_alloc.ka_caller;
	for (i = 0; i < lw->lw_n; i++) {
		if (lw->lw_leak[i].kl_caller == caller)
			break;
	}
	if (i == lw->lw_n) {
		if (lw->lw_n == KMEM_LEAK_MAX)
			return;
		lw->lw_leak[lw->lw_n++] =
		    (struct kmem_leak){ caller, 0, 0 };
	}
	lw->lw_leak[i].kl_count++;
	lw->lw_leak[i].kl_bytes += bt->bt_size;
}

/* Sort the callers of a report by bytes, most first. */
static void
kmem_leak_sort(struct kmem_leak_walk *lw)
{
	struct kmem_leak t;
	u_int i, j;

	for (i = 1; i < lw->lw_n; i++) {
		t = lw->lw_leak[i];
		for (j = i; j > 0 && lw->lw_leak[j - 1].kl_bytes < t.kl_bytes;
		    j--)
			lw->lw_leak[j] = lw->lw_leak[j - 1];
		lw->lw_leak[j] = t;
	}
}

/* Gather kc's leak report into *lw. */
static void
kmem_leak_gather(kmem_cache_t *kc, struct kmem_leak_walk *lw)
{
	struct kmem_cache_stats ks;

	memset(lw, 0, sizeof(*lw));
	if ((kc->kc_flags & KMF_DEBUG) != 0) {
		kmem_slab_walk(kc, kmem_leak_buf, lw);
		kmem_leak_sort(lw);
		return;
	}
	kmem_cache_stats(kc, &ks);
	lw->lw_count = ks.ks_inuse;
	lw->lw_bytes = ks.ks_inuse * kc->kc_size;
	if (lw->lw_count != 0)
		lw->lw_leak[lw->lw_n++] = (struct kmem_leak){ NULL,
		    lw->lw_count, lw->lw_bytes };
}

/*
 * kmem_cache_leaks: the buffers of kc still allocated, grouped by
 * allocating caller (one group of unknown caller unless kc audits), most
 * bytes first: at most n groups in kl; the number of groups.  A cache
 * that does not debug counts its objects in use, magazines included.
 * => thread context; a snapshot while others use kc.
 */
u_int
kmem_cache_leaks(kmem_cache_t *kc, struct kmem_leak *kl, u_int n)
{
	struct kmem_leak_walk lw;
	u_int i;

	kmem_leak_gather(kc, &lw);
	for (i = 0; i < n && i < lw.lw_n; i++)
		kl[i] = lw.lw_leak[i];
	return lw.lw_n;
}

/* kmem_cache_leak_print: print kc's leak report, if it has leaks. */
void
kmem_cache_leak_print(kmem_cache_t *kc)
{
	struct kmem_leak_walk lw;
	uint64_t count = 0;
	u_int i;

	kmem_leak_gather(kc, &lw);
	if (lw.lw_count == 0)
		return;
	printf("kmem leaks: cache %s: %llu buffer(s), %llu bytes still "
	    "allocated\n", kc->kc_name, (unsigned long long)lw.lw_count,
	    (unsigned long long)lw.lw_bytes);
	for (i = 0; i < lw.lw_n; i++) {
		count += lw.lw_leak[i].kl_count;
		if (lw.lw_leak[i].kl_caller != NULL)
			printf("  %8llu buffer(s) %12llu bytes  allocated "
			    "from %p\n",
			    (unsigned long long)lw.lw_leak[i].kl_count,
			    (unsigned long long)lw.lw_leak[i].kl_bytes,
			    lw.lw_leak[i].kl_caller);
		else
			printf("  %8llu buffer(s) %12llu bytes  caller "
			    "unknown (KMC_AUDIT records it)\n",
			    (unsigned long long)lw.lw_leak[i].kl_count,
			    (unsigned long long)lw.lw_leak[i].kl_bytes);
	}
	if (count < lw.lw_count)
		printf("  %8llu buffer(s) from other callers\n",
		    (unsigned long long)(lw.lw_count - count));
}

/* Is kc one of kmem's own magazine caches? */
static bool
kmem_cache_is_magazine(const kmem_cache_t *kc)
{
	u_int i;

	for (i = 0; i < kmem_nmagtypes; i++) {
		if (kmem_magtypes[i].mt_cache == kc)
			return true;
	}
	return false;
}

/*
 * Print one cache's leak report for kmem_leak_print: not for vmem's
 * quantum caches (KMC_NOTOUCH) or kmem's magazine caches, whose objects
 * are the allocator's own.
 */
static void
kmem_leak_print_cache(kmem_cache_t *kc, void *arg)
{

	if ((kc->kc_flags & KMC_NOTOUCH) == 0 && !kmem_cache_is_magazine(kc))
		kmem_cache_leak_print(kc);
}

/*
 * kmem_leak_print: the leak report of every cache of objects that has
 * objects allocated (kmem's own magazine caches and vmem's quantum caches
 * are left out).
 * => thread context.
 */
void
kmem_leak_print(void)
{

	kmem_cache_foreach(kmem_leak_print_cache, NULL);
}

/* ---- allocation and free */

/*
 * kmem_debug_alloc: check buf, a free buffer of a debugging cache, make
 * it an allocated buffer of size bytes and construct it; NULL, with buf
 * a free buffer again (the caller frees it), if the constructor fails.
 * caller is recorded if the cache audits.
 */
void *
kmem_debug_alloc(kmem_cache_t *kc, void *buf, size_t size, int kmflags,
    const void *caller)
{
	struct kmem_buftag *bt = kmem_buftag(kc, buf);

	KASSERT(size <= kc->kc_size);
	kmem_debug_check_free(kc, buf, "kmem_cache_alloc");
	kmem_pattern_fill(buf, kc->kc_tagoff, KMEM_UNINIT_PATTERN);
	memset((char *)buf + size, KMEM_REDZONE_BYTE, kc->kc_tagoff - size);
	bt->bt_size = size;
	bt->bt_state = (uintptr_t)buf ^ KMEM_BUFTAG_ALLOC;
	if (kc->kc_ctor != NULL &&
	    (*kc->kc_ctor)(buf, kc->kc_arg, kmflags) != 0) {
		kmem_pattern_fill(buf, kc->kc_tagoff, KMEM_FREE_PATTERN);
		bt->bt_state = (uintptr_t)buf ^ KMEM_BUFTAG_FREE;
		return NULL;
	}
	kmem_audit_record(kc, buf, KMEM_AUDIT_ALLOC, caller);
	return buf;
}

/* Panic if the redzone of allocated buffer buf was written. */
static void
kmem_debug_check_redzone(kmem_cache_t *kc, void *buf, const char *func)
{
	struct kmem_buftag *bt = kmem_buftag(kc, buf);
	const u_char *p = buf;
	size_t off;

	for (off = bt->bt_size; off < kc->kc_tagoff; off++) {
		if (p[off] != KMEM_REDZONE_BYTE)
			kmem_debug_panic(kc, buf, func, "redzone overrun",
			    "offset %zu (object size %zu) holds %#x instead "
			    "of %#x", off, bt->bt_size, p[off],
			    KMEM_REDZONE_BYTE);
	}
	if (bt->bt_redzone != KMEM_REDZONE_PATTERN)
		kmem_debug_panic(kc, buf, func, "redzone overrun",
		    "offset %zu (object size %zu) holds %#llx instead of %#llx",
		    kc->kc_tagoff, bt->bt_size,
		    (unsigned long long)bt->bt_redzone,
		    (unsigned long long)KMEM_REDZONE_PATTERN);
}

/*
 * kmem_debug_free: check that buf, which the slab layer found to be an
 * allocated buffer of kc (kmem_slab_verify), is one of size bytes with
 * its redzone intact, destroy it and make it a free buffer.  caller is
 * recorded if the cache audits.
 */
void
kmem_debug_free(kmem_cache_t *kc, void *buf, size_t size, const char *func,
    const void *caller)
{
	struct kmem_buftag *bt;

	if (buf == NULL)
		kmem_debug_panic(kc, buf, func, "NULL buffer", "size %zu",
		    size);
	bt = kmem_buftag(kc, buf);
	if (bt->bt_state == ((uintptr_t)buf ^ KMEM_BUFTAG_FREE))
		kmem_debug_panic(kc, buf, func, "double free",
		    "the buffer is already free");
	if (bt->bt_state != ((uintptr_t)buf ^ KMEM_BUFTAG_ALLOC))
		kmem_debug_panic(kc, buf, func, "buffer tag corrupt",
		    "state %#lx at offset %zu (overrun of this buffer?)",
		    (unsigned long)bt->bt_state, kc->kc_tagoff);
	if (bt->bt_size != size)
		kmem_debug_panic(kc, buf, func, "wrong size",
		    "freed with size %zu, allocated with size %zu", size,
		    bt->bt_size);
	kmem_debug_check_redzone(kc, buf, func);
	if (kc->kc_dtor != NULL)
		(*kc->kc_dtor)(buf, kc->kc_arg);
	kmem_pattern_fill(buf, kc->kc_tagoff, KMEM_FREE_PATTERN);
	bt->bt_redzone = KMEM_REDZONE_PATTERN;
	bt->bt_state = (uintptr_t)buf ^ KMEM_BUFTAG_FREE;
	kmem_audit_record(kc, buf, KMEM_AUDIT_FREE, caller);
}

/* ---- statistics */

/*
 * kmem_cache_foreach: call func(kc, arg) for every cache.
 * => func must not create or destroy caches.
 */
void
kmem_cache_foreach(void (*func)(kmem_cache_t *, void *), void *arg)
{
	kmem_cache_t *kc;

	mutex_enter(&kmem_cache_lock);
	LIST_FOREACH(kc, &kmem_caches, kc_list)
		(*func)(kc, arg);
	mutex_exit(&kmem_cache_lock);
}

/* Rounds held by the magazines on list mg. */
static uint64_t
kmem_maglist_rounds(kmem_magazine_t *mg)
{
	uint64_t rounds = 0;

	for (; mg != NULL; mg = mg->mg_next)
		rounds += mg->mg_rounds;
	return rounds;
}

#ifdef KMEM_STATS
/* Rounds in kc's CPU layer: buffers out of slabs less those in use. */
static uint64_t
kmem_cpu_rounds(kmem_cache_t *kc, const struct kmem_cache_stats *ks,
    uint64_t outside, uint64_t depot)
{
	uint64_t inuse = ks->ks_alloc - ks->ks_free;

	return outside - depot >= inuse ? outside - depot - inuse : 0;
}
#else
/*
 * Rounds in kc's CPU layer, read from the CPUs' counts as they go: hits
 * are not counted, so this is the only way; a snapshot, not a sum.
 */
static uint64_t
kmem_cpu_rounds(kmem_cache_t *kc, const struct kmem_cache_stats *ks,
    uint64_t outside, uint64_t depot)
{
	volatile const kmem_cpu_cache_t *cc;
	uint64_t rounds = 0;
	u_int i;

	for (i = 0; i < ncpu; i++) {
		cc = &kc->kc_cpu[i];
		rounds += (uint64_t)cc->cc_rounds + (uint64_t)cc->cc_prounds;
	}
	return rounds;
}
#endif

/* Load the counters of CPU layer cc into *kcs; kcs_rounds is left 0. */
static void
kmem_cpu_counts(const kmem_cpu_cache_t *cc, struct kmem_cpu_stats *kcs)
{

	memset(kcs, 0, sizeof(*kcs));
	kcs->kcs_alloc = vmem_load64(&cc->cc_alloc);
	kcs->kcs_free = vmem_load64(&cc->cc_free);
	kcs->kcs_alloc_miss = vmem_load64(&cc->cc_alloc_miss);
	kcs->kcs_free_miss = vmem_load64(&cc->cc_free_miss);
}

/*
 * kmem_cache_cpu_stats: fill *kcs with the per-CPU statistics of kc on
 * the CPU whose cpu_index is cpu.
 * => cpu < ncpu, or it panics; the counters may be read while that CPU
 *    runs, kcs_rounds only while it does not use kc (after the threads
 *    that used kc there were joined, say); magazine hits are counted
 *    only in kernels with KMEM_STATS.
 */
void
kmem_cache_cpu_stats(kmem_cache_t *kc, u_int cpu, struct kmem_cpu_stats *kcs)
{
	const kmem_cpu_cache_t *cc;

	if (cpu >= ncpu)
		panic("kmem_cache_cpu_stats: cache %s (%p): cpu %u, but %u "
		    "CPUs", kc->kc_name, kc, cpu, ncpu);
	cc = &kc->kc_cpu[cpu];
	kmem_cpu_counts(cc, kcs);
	kcs->kcs_rounds = atomic_load_relaxed(&cc->cc_rounds) +
	    atomic_load_relaxed(&cc->cc_prounds);
}

/*
 * kmem_cache_stats: fill *ks with kc's statistics.
 * => exact when no other thread uses kc; magazine hits (and so the
 *    allocations and frees they served) are counted only in kernels
 *    with KMEM_STATS.
 */
void
kmem_cache_stats(kmem_cache_t *kc, struct kmem_cache_stats *ks)
{
	struct kmem_cpu_stats kcs;
	uint64_t outside, depot, cached;
	u_int i;

	memset(ks, 0, sizeof(*ks));
	for (i = 0; i < ncpu; i++) {
		kmem_cpu_counts(&kc->kc_cpu[i], &kcs);
		ks->ks_alloc += kcs.kcs_alloc + kcs.kcs_alloc_miss;
		ks->ks_free += kcs.kcs_free + kcs.kcs_free_miss;
		ks->ks_mag_hits += kcs.kcs_alloc + kcs.kcs_free;
		ks->ks_mag_misses += kcs.kcs_alloc_miss + kcs.kcs_free_miss;
	}
	ks->ks_size = kc->kc_size;
	ks->ks_bufsize = kc->kc_bufsize;
	ks->ks_slabsize = kc->kc_slabsize;

	mutex_spin_enter(&kc->kc_depot_lock);
	depot = kmem_maglist_rounds(kc->kc_full.ml_list) +
	    kmem_maglist_rounds(kc->kc_flushed);
	ks->ks_depot_full = kc->kc_full.ml_count;
	ks->ks_depot_empty = kc->kc_empty.ml_count;
	ks->ks_depot_contention = kc->kc_depot_contention;
	ks->ks_magsize = kc->kc_magtype != NULL ? kc->kc_magtype->mt_rounds :
	    0;
	mutex_spin_exit(&kc->kc_depot_lock);

	mutex_spin_enter(&kc->kc_slab_lock);
	outside = kc->kc_slab_alloc - kc->kc_slab_free;
	ks->ks_slabs = kc->kc_nslabs;
	ks->ks_empty_slabs = kc->kc_nempty;
	ks->ks_slab_create = kc->kc_slab_create;
	ks->ks_slab_destroy = kc->kc_slab_destroy;
	ks->ks_bufs = (uint64_t)kc->kc_nslabs * kc->kc_chunks;
	mutex_spin_exit(&kc->kc_slab_lock);
	ks->ks_memory = ks->ks_slabs * kc->kc_slabsize;
	cached = depot + kmem_cpu_rounds(kc, ks, outside, depot);
	ks->ks_cached = MIN(cached, outside);
	ks->ks_inuse = outside - ks->ks_cached;
}

/* Print the column heads of kmem_cache_print. */
static void
kmem_print_header(void)
{

	printf("%-20s %6s %8s %8s %9s %10s %6s %6s %4s %6s\n", "cache",
	    "buf", "in use", "total", "memory", "allocs", "hit%", "slabs",
	    "mag", "contnd");
}

/* kmem_cache_print: one line of statistics for kc, kmastat style. */
void
kmem_cache_print(kmem_cache_t *kc)
{
	struct kmem_cache_stats ks;
	uint64_t total;

	char hit[8];

	kmem_cache_stats(kc, &ks);
	total = ks.ks_mag_hits + ks.ks_mag_misses;
	if (ks.ks_mag_hits == 0)
		strlcpy(hit, "-", sizeof(hit));
	else
		snprintf(hit, sizeof(hit), "%llu%%",
		    (unsigned long long)(ks.ks_mag_hits * 100 / total));
	printf("%-20s %6zu %8llu %8llu %8zuK %10llu %6s %6llu %4u %6llu\n",
	    kc->kc_name, ks.ks_bufsize, (unsigned long long)ks.ks_inuse,
	    (unsigned long long)ks.ks_bufs, ks.ks_memory / 1024,
	    (unsigned long long)ks.ks_alloc, hit,
	    (unsigned long long)ks.ks_slabs, ks.ks_magsize,
	    (unsigned long long)ks.ks_depot_contention);
}

/* Print one cache for kmem_print, if it was ever used. */
static void
kmem_print_cache(kmem_cache_t *kc, void *arg)
{
	struct kmem_cache_stats ks;

	kmem_cache_stats(kc, &ks);
	if (ks.ks_alloc != 0 || ks.ks_slabs != 0)
		kmem_cache_print(kc);
}

/* printf, with the type vmem_print's printer has. */
static void __printflike(1, 2)
kmem_print_pr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vprintf(fmt, ap);
	va_end(ap);
}

/* Print one arena for kmem_print. */
static void
kmem_print_arena(vmem_t *vm, void *arg)
{

	vmem_print((uintptr_t)vm, "", kmem_print_pr);
}

/*
 * kmem_print: the statistics of every cache that was used, then of every
 * arena, in the style of illumos' ::kmastat and NetBSD's vmstat -m.
 */
void
kmem_print(void)
{

	size_t npages, nstock;

	kmem_print_header();
	kmem_cache_foreach(kmem_print_cache, NULL);
	vmem_foreach(kmem_print_arena, NULL);
	vmem_bt_stats(&npages, &nstock);
	printf("vmem boundary tags: %zu pages, %zu spare "
	    "in the stock\n", npages, nstock);
}
