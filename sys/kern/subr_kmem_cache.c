/*
 * subr_kmem_cache.c: making and destroying kmem caches, and kmem_init.
 *
 * ---- Theory
 *
 * This file holds the life cycle of a cache (kmem_cache_t), around the
 * layers of subr_kmem.c and subr_kmem_depot.c that serve it:
 *
 *	kmem_cache_create	checks the arguments, lays out the buffer
 *				(kmem_cache_layout: size, alignment, and
 *				for a debugging cache the buffer tag and
 *				audit records after the object), chooses
 *				the first magazine type, and has the slab
 *				layer choose the slab layout;
 *	kmem_cache_destroy	flushes every CPU's magazines and the depot,
 *				reports and panics if objects are still
 *				allocated, and gives back the slabs;
 *	kmem_init		sets up the slab layer's header caches,
 *				the magazine caches, the size classes of
 *				kmem_alloc and vmem's quantum caches, in
 *				that order: each needs the ones before.
 *
 * A cache's kmem_cache_t, with its per-CPU layer (MAXCPUS cache lines),
 * comes straight from kmem_meta_arena in whole pages, so that making a
 * cache needs no cache.
 *
 * kmem_alloc's size classes (see subr_kmem.c) are made here:
 * kmem_class_sizes computes them and kmem_class_init makes a cache for
 * each and fills kmem_class_of, the table kmem_alloc reads.
 *
 * Calls go one way: this file calls subr_kmem.c (kmem_source_alloc,
 * kmem_cache_flush, kmem_wakeup), the slab layer and the debugging
 * layer; subr_kmem.c calls nothing here.
 */

#define	_KMEM_PRIVATE

#include <sys/param.h>
#include <sys/condvar.h>
#include <sys/cpu.h>
#include <sys/intr.h>
#include <sys/kmem.h>
#include <sys/kmem_impl.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>


#define	KMEM_OCTAVE_STEPS	32	/* classes per power of two */
/* 8..128 by 8 (16), 128..512 by 8 (48), 32 an octave up to 8192. */
#define	KMEM_NCLASSES		(16 + 48 + 4 * KMEM_OCTAVE_STEPS)
#define	KMEM_CACHE_MAXSIZE	(SIZE_MAX >> 8)	/* larger cannot be laid out */

/* The size-class caches of kmem_alloc, and their buffer sizes. */
static kmem_cache_t *kmem_classes[KMEM_NCLASSES];
static size_t kmem_class_size[KMEM_NCLASSES];
static bool kmem_initialized;

/* ---- making and destroying caches */

/* Panic for a bad kmem_cache_create argument. */
static void __dead
kmem_cache_create_misuse(const char *name, size_t size, size_t align,
    int flags, const char *rule)
{

	panic("kmem_cache_create(\"%s\", size %zu, align %zu, flags %#x): %s",
	    name, size, align, flags, rule);
}

/* Check kmem_cache_create's arguments and settle the buffer layout. */
static void
kmem_cache_layout(kmem_cache_t *kc, size_t size, size_t align, int flags)
{

	if (size == 0)
		kmem_cache_create_misuse(kc->kc_name, size, align, flags,
		    "zero size");
	if (size > KMEM_CACHE_MAXSIZE)
		kmem_cache_create_misuse(kc->kc_name, size, align, flags,
		    "size too large for a slab");
	if (!powerof2(align) ||
	    (align > PAGE_SIZE && (flags & KMC_NOTOUCH) == 0))
		kmem_cache_create_misuse(kc->kc_name, size, align, flags,
		    "alignment not a power of two up to PAGE_SIZE");
	if ((flags & KMC_NOTOUCH) == 0)
		align = MAX(align, KMEM_ALIGN);
	else if (align == 0)
		align = 1;
	if ((flags & (KMC_DEBUG | KMC_AUDIT)) != 0 &&
	    (flags & KMC_NODEBUG) != 0)
		kmem_cache_create_misuse(kc->kc_name, size, align, flags,
		    "KMC_DEBUG or KMC_AUDIT with KMC_NODEBUG");
	kc->kc_size = size;
	kc->kc_align = align;
	kc->kc_flags = flags;
	if ((flags & KMC_NOTOUCH) == 0 && (flags & KMC_NODEBUG) == 0 &&
	    ((flags & (KMC_DEBUG | KMC_AUDIT)) != 0 ||
	    (kmem_debug & (KMEM_DEBUG_ON | KMEM_DEBUG_AUDIT)) != 0))
		kc->kc_flags |= KMF_DEBUG;
	if ((kc->kc_flags & KMF_DEBUG) != 0 && ((flags & KMC_AUDIT) != 0 ||
	    (kmem_debug & KMEM_DEBUG_AUDIT) != 0))
		kc->kc_flags |= KMF_AUDIT;
	if ((kc->kc_flags & KMF_DEBUG) != 0) {
		kc->kc_tagoff = roundup2(size, sizeof(uint64_t));
		kc->kc_bufsize = roundup2(kc->kc_tagoff +
		    sizeof(struct kmem_buftag) +
		    ((kc->kc_flags & KMF_AUDIT) != 0 ?
		    sizeof(struct kmem_bufaudit) : 0), align);
		kc->kc_linkoff = kc->kc_tagoff +
		    offsetof(struct kmem_buftag, bt_next);
	} else if ((flags & KMC_NOTOUCH) != 0) {
		kc->kc_bufsize = roundup2(size, align);
	} else {
		kc->kc_bufsize = roundup2(MAX(size, sizeof(void *)), align);
		kc->kc_linkoff = 0;
	}
}

/* Bytes of an auditing cache's log, in whole pages. */
static size_t
kmem_audit_log_bytes(void)
{

	return roundup2(KMEM_AUDIT_LOG * sizeof(struct kmem_audit),
	    PAGE_SIZE);
}

/* Bytes of a kmem_cache_t with its per-CPU layer, in whole pages. */
static size_t
kmem_cache_bytes(void)
{

	return roundup2(sizeof(kmem_cache_t) +
	    MAXCPUS * sizeof(struct kmem_cpu_cache), PAGE_SIZE);
}

/*
 * Choose the magazine type for a new cache.  Integers of an arena
 * (KMC_NOTOUCH) start with the smallest magazines, since what a CPU
 * holds there, others using the arena cannot have.
 */
static const struct kmem_magtype *
kmem_cache_magtype(kmem_cache_t *kc)
{
	u_int i;

	if ((kc->kc_flags & KMC_NOMAGAZINE) != 0)
		return NULL;
	if ((kc->kc_flags & KMC_NOTOUCH) != 0)
		return &kmem_magtypes[0];
	for (i = kmem_nmagtypes - 1; i > 0; i--) {
		if (kc->kc_bufsize <= kmem_magtypes[i].mt_maxbuf)
			break;
	}
	return &kmem_magtypes[i];
}

/*
 * kmem_cache_create: make a cache of buffers of size bytes aligned to
 * align (0: KMEM_ALIGN), with slabs from source (NULL: kmem_meta_arena).
 * => thread context; may sleep.
 */
kmem_cache_t *
kmem_cache_create(const char *name, size_t size, size_t align,
    int (*ctor)(void *, void *, int), void (*dtor)(void *, void *),
    void (*reclaim)(void *), void *arg, vmem_t *source, int flags)
{
	kmem_cache_t *kc;
	vmem_addr_t addr;
	size_t kcsize;

	if (!kmem_initialized)
		panic("kmem_cache_create(\"%s\"): called before kmem_init",
		    name);
	kcsize = kmem_cache_bytes();
	(void)kmem_source_alloc(kmem_meta_arena, kcsize, KM_SLEEP, &addr);
	kc = (kmem_cache_t *)addr;
	memset(kc, 0, kcsize);
	strlcpy(kc->kc_name, name, sizeof(kc->kc_name));
	kmem_cache_layout(kc, size, align, flags);
	kc->kc_ctor = ctor;
	kc->kc_dtor = dtor;
	kc->kc_reclaim = reclaim;
	kc->kc_arg = arg;
	kc->kc_source = source != NULL ? source : kmem_meta_arena;
	kc->kc_magtype = kmem_cache_magtype(kc);
	mutex_init(&kc->kc_depot_lock, MUTEX_SPIN, IPL_VM);
	kmem_slab_init(kc);
	if ((kc->kc_flags & KMF_AUDIT) != 0) {
		(void)kmem_source_alloc(kmem_meta_arena, kmem_audit_log_bytes(),
		    KM_SLEEP, &addr);
		kc->kc_log = (struct kmem_audit *)addr;
		memset(kc->kc_log, 0, kmem_audit_log_bytes());
	}

	mutex_enter(&kmem_cache_lock);
	LIST_INSERT_HEAD(&kmem_caches, kc, kc_list);
	mutex_exit(&kmem_cache_lock);
	return kc;
}

/*
 * kmem_cache_destroy: free every buffer cached by kc, and kc.
 * => thread context; every object must have been freed: a cache with
 *    objects still allocated prints its leak report (by allocating
 *    caller, if it audits) and panics.
 */
void
kmem_cache_destroy(kmem_cache_t *kc)
{
	uint64_t inuse;

	mutex_enter(&kmem_cache_lock);
	LIST_REMOVE(kc, kc_list);
	mutex_exit(&kmem_cache_lock);
	kmem_cache_flush(kc);
	mutex_spin_enter(&kc->kc_slab_lock);
	inuse = kc->kc_slab_alloc - kc->kc_slab_free;
	mutex_spin_exit(&kc->kc_slab_lock);
	if (inuse != 0)
		kmem_cache_leak_print(kc);
	if (inuse != 0)
		panic("kmem_cache_destroy: cache %s (%p): %llu object(s) "
		    "still allocated; every object must be freed first",
		    kc->kc_name, kc, (unsigned long long)inuse);
	kmem_slab_fini(kc);
	if (kc->kc_log != NULL)
		vmem_xfree(kmem_meta_arena, (vmem_addr_t)kc->kc_log,
		    kmem_audit_log_bytes());
	kmem_wakeup();
	mutex_destroy(&kc->kc_depot_lock);
	vmem_xfree(kmem_meta_arena, (vmem_addr_t)kc, kmem_cache_bytes());
}

/* ---- kmem_init */

/* Fill kmem_class_size: 8..128 by 8, then 32 steps an octave, >= 8. */
static void
kmem_class_sizes(void)
{
	size_t octave, step, size;
	u_int i = 0;

	for (size = 8; size <= 128; size += 8)
		kmem_class_size[i++] = size;
	for (octave = 128; octave < KMEM_MAXSIZE; octave *= 2) {
		step = MAX(octave / KMEM_OCTAVE_STEPS, (size_t)1 << KMEM_SHIFT);
		for (size = octave + step; size <= octave * 2; size += step)
			kmem_class_size[i++] = size;
	}
	KASSERT(i == KMEM_NCLASSES);
}

/* Create the size-class caches and the table that finds them. */
static void
kmem_class_init(void)
{
	char name[KMEM_NAME_MAX + 1];
	size_t size;
	u_int i, j = 0;

	kmem_class_sizes();
	for (i = 0; i < KMEM_NCLASSES; i++) {
		snprintf(name, sizeof(name), "kmem-%zu", kmem_class_size[i]);
		kmem_classes[i] = kmem_cache_create(name, kmem_class_size[i],
		    KMEM_ALIGN, NULL, NULL, NULL, NULL, NULL, 0);
		for (size = j * 8 + 8; size <= kmem_class_size[i]; size += 8)
			kmem_class_of[j++] = kmem_classes[i];
	}
	KASSERT(j == __arraycount(kmem_class_of));
}

/* Create the caches magazines come from. */
static void
kmem_magazine_init(void)
{
	char name[KMEM_NAME_MAX + 1];
	u_int i;

	for (i = 0; i < kmem_nmagtypes; i++) {
		snprintf(name, sizeof(name), "kmem_magazine_%u",
		    kmem_magtypes[i].mt_rounds);
		kmem_magtypes[i].mt_cache = kmem_cache_create(name,
		    sizeof(kmem_magazine_t) +
		    kmem_magtypes[i].mt_rounds * sizeof(void *),
		    COHERENCY_UNIT, NULL, NULL, NULL, NULL, NULL,
		    KMC_NOMAGAZINE | KMC_NODEBUG);
	}
}

/*
 * kmem_init: set up kmem: the magazine caches, the size classes, and
 * vmem's quantum caches.
 * => called once, when the page level (kmem_meta_arena) is up.
 */
void
kmem_init(void)
{

	KASSERT(!kmem_initialized);
	KASSERT(ncpu <= MAXCPUS);
	mutex_init(&kmem_cache_lock, MUTEX_DEFAULT, IPL_NONE);
	kmem_wait_init();
	kmem_initialized = true;
	kmem_slab_bootstrap();
	kmem_magazine_init();
	kmem_class_init();
	vmem_set_qcache_ops(&kmem_qcache_ops);
}
