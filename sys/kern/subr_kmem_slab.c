/*
 * subr_kmem_slab.c: the slab layer of kmem.
 *
 * ---- Theory
 *
 * A slab is one allocation from the cache's source arena, cut into
 * kc_chunks buffers kc_bufsize apart.  The slab layer holds buffers
 * unconstructed (the CPU layer in subr_kmem.c constructs them on the way
 * out), so a free buffer's own memory can hold the free-list link, at
 * kc_linkoff.
 *
 * A new slab is not written: its buffers are handed out in address order
 * from the fresh end (sl_nfresh buffers never handed out, the last of the
 * slab), and only a buffer freed back goes on the free list, which is
 * tried first.  So making a slab is O(1) (but for the bufctls of
 * integer slabs, below), its memory is first touched by the caller that
 * uses a buffer, page by page, and the pages of a slab's unused tail are
 * never touched at all: they take no resident memory.
 *
 * Fresh buffers also keep CPUs apart.  Two CPUs that each take their
 * first buffer of a cache one after the other would get neighbours, and
 * their magazines would then hand each of them its own buffer back over
 * and over: two buffers written by two CPUs at once in one cache line,
 * which then bounces between them on every write (false sharing; SLUB
 * gives each CPU a slab of its own against it).  So when a fresh buffer
 * goes to another CPU than the last one did, the slab skips to the next
 * KMEM_SLAB_LINE boundary (two cache lines: adjacent-line prefetchers
 * fetch lines in pairs) and puts the buffers it skipped on its free list,
 * for whoever comes next.
 *
 * Three layouts:
 *
 *	small buffers	(at least KMEM_SLAB_MINCHUNKS to a page, source
 *			quantum PAGE_SIZE): the slab is one page with its
 *			header (kmem_slab_t) at the end; the slab of a
 *			buffer is found by masking its address.
 *	large buffers	(KMF_EXTSLAB; the source quantum a multiple of
 *			PAGE_SIZE): the header is allocated apart (below,
 *			slab headers), with a
 *			tag (kmem_bufctl_t) for each granule the slab meets,
 *			in the cache's hash keyed by granule address, and a
 *			bitmap of allocated buffers.  A granule is the
 *			largest power of 2 not above the slab size, so a
 *			slab meets at most three granules and a granule at
 *			most two slabs: the slab of a buffer is the one of
 *			its granule's tags whose slab holds it.  A buffer
 *			freed twice is caught by the bitmap.  The cost is
 *			at most three tags a slab, not one a page or buffer.
 *	integers	(KMF_EXTSLAB | KMF_BUFCTL: quantum caches, whose
 *			buffers are integers of an arena, KMC_NOTOUCH, and
 *			sources with a quantum below a page): the header has
 *			a bufctl for each buffer; free bufctls form the free
 *			list and allocated ones sit in the hash keyed by
 *			buffer address, so that nothing is written into the
 *			buffers and a buffer not allocated is caught.
 *
 * Hash lookups are O(1) expected: the table doubles, before a slab is
 * added, when it would hold more than two entries a bucket.
 *
 * An external slab's size is a multiple of the source quantum chosen to
 * hold at least KMEM_SLAB_MINCHUNKS buffers (at least two for buffers
 * over KMEM_SLAB_BIG / KMEM_SLAB_MINCHUNKS) and to waste the least tail
 * among the sizes up to four times that (for the size classes from 1 to
 * 2 KiB, 0.2% on average, against 1.1% for up to twice), or, in caches
 * on kmem_meta_arena, up to KMEM_SLAB_SEARCH if that is more.  That makes
 * the slabs of the classes from 512 bytes to 2 KiB fewer and larger: less
 * tail, fewer headers and boundary tags (resident memory over live bytes
 * for a mix of 8 to 2048 bytes went from 1.033 to 1.025), and the pages
 * of a slab's unused end are not touched (above).  A source arena a
 * caller gives may be small, so its caches keep to four times.
 *
 * Colour: the space a slab cannot use is spent as an offset of its first
 * buffer, a multiple of the alignment that grows by one alignment unit
 * from slab to slab up to kc_maxcolor, so that the buffers of different
 * slabs fall on different cache lines.
 *
 * kmem_slab_alloc_batch takes many buffers in one hold of the slab lock,
 * for a magazine that kmem fills at once; a run of fresh buffers of one
 * slab for the CPU that took the last one is taken with the list moves
 * and counts done once (kmem_slab_take_run).
 *
 * Each slab is on one of three lists: partial (some buffers free; tried
 * first, so that allocations concentrate on few slabs and the others can
 * empty), complete (none free) and empty (all free; kept until
 * kmem_slab_reap returns them to the arena, so that a cache that swings
 * around a slab boundary does not go to the arena each time).
 *
 * Slab headers.  The slab layer allocates external headers itself and
 * never calls up into kmem_alloc: a few header caches
 * (kmem_slab_hdr_caches, built by kmem_slab_bootstrap before the first
 * cache) hold headers of up to KMEM_SLAB_HDRMAX bytes in sizes that
 * double from 64.  They are bare slab layers (no CPU layer, depot,
 * constructor or debugging) of small buffers, so their own slabs keep
 * their header inside: making a header never needs another, and a
 * header costs one slab-lock hold.  A cache picks its header cache once,
 * at kmem_slab_init (kc_hdrcache); a larger header (bufctls for many
 * integers) is a page-rounded segment of kmem_meta_arena.  Headers are
 * asked for without sleeping, like slabs.  kmem_slab_reap_headers, which
 * kmem_reap and kmem_update call after reaping the caches, returns the
 * header caches' empty slabs.
 *
 * Locking: kc_slab_lock, a spin mutex at IPL_VM, protects all of it; it
 * is never held across a call into vmem or into a header cache, which is
 * why a new slab is made unlocked and then inserted.
 *
 * Sleeping: slabs and headers are asked of the arena without sleeping,
 * and kmem_slab_alloc returns NULL when it can make none; kmem proper
 * (subr_kmem.c) reaps, waits and asks again for a KM_SLEEP request, and
 * wakes its waiters when buffers go back to slabs.  So calls go one way,
 * kmem -> slab layer -> vmem, with no call back into subr_kmem.c.
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


#define	KMEM_SLAB_MINCHUNKS	8	/* buffers in a slab, at least */
#define	KMEM_SLAB_BIG		(64 * 1024) /* ... unless buffers are huge */
#define	KMEM_SLAB_SEARCH	(128 * 1024) /* slab sizes tried, at least */
#define	KMEM_SLAB_LINE		(2 * COHERENCY_UNIT) /* kept apart for CPUs */
#define	KMEM_SLAB_HDRMIN	64	/* smallest header cache */
#define	KMEM_SLAB_NHDR		4	/* header caches: 64, 128, 256, max */
#define	KMEM_SLAB_HDRMAX						\
	rounddown2((PAGE_SIZE - sizeof(kmem_slab_t)) / KMEM_SLAB_MINCHUNKS, \
	    KMEM_ALIGN)			/* largest header with an inner slab */

CTASSERT(KMEM_SLAB_HDRMIN << (KMEM_SLAB_NHDR - 2) < KMEM_SLAB_HDRMAX);

/* The caches of external slab headers; see "Slab headers" above. */
static kmem_cache_t kmem_slab_hdr_caches[KMEM_SLAB_NHDR];

/* ---- geometry */

/* floor(log2(x)), x > 0. */
static int
kmem_log2(size_t x)
{

	return (int)(sizeof(long) * NBBY) - 1 - __builtin_clzl(x);
}

/* Lay out an external slab of source quanta of size unit. */
static void
kmem_slab_geometry_ext(kmem_cache_t *kc, size_t unit)
{
	size_t bufsize = kc->kc_bufsize, minchunks, waste, bestwaste, granule;
	size_t n, n0, nmax, best;

	minchunks = MAX(2, MIN(KMEM_SLAB_MINCHUNKS, KMEM_SLAB_BIG / bufsize));
	n0 = howmany(minchunks * bufsize, unit);
	nmax = kc->kc_source == kmem_meta_arena ?
	    MAX(4 * n0, KMEM_SLAB_SEARCH / unit) : 4 * n0;
	best = n0;
	bestwaste = (n0 * unit) % bufsize;
	for (n = n0 + 1; n <= nmax && bestwaste != 0; n++) {
		waste = (n * unit) % bufsize;
		if (waste * best < bestwaste * n) {
			best = n;
			bestwaste = waste;
		}
	}
	kc->kc_flags |= KMF_EXTSLAB;
	kc->kc_slabsize = best * unit;
	kc->kc_chunks = (u_int)(kc->kc_slabsize / bufsize);
	if ((kc->kc_flags & KMC_NOTOUCH) != 0 || unit % PAGE_SIZE != 0) {
		kc->kc_flags |= KMF_BUFCTL;
		kc->kc_hashents = kc->kc_chunks;
		kc->kc_hashshift = kmem_log2(bufsize);
		kc->kc_hdrsize = sizeof(kmem_slab_t) +
		    kc->kc_hashents * sizeof(kmem_bufctl_t);
	} else {
		/*
		 * Granules: the largest power of 2 not above the slab; a
		 * slab that starts on any page meets at most kc_hashents.
		 */
		kc->kc_hashshift = kmem_log2(kc->kc_slabsize);
		granule = (size_t)1 << kc->kc_hashshift;
		kc->kc_hashents = (u_int)((kc->kc_slabsize - PAGE_SIZE +
		    granule - 1) >> kc->kc_hashshift) + 1;
		kc->kc_hdrsize = sizeof(kmem_slab_t) +
		    kc->kc_hashents * sizeof(kmem_bufctl_t) +
		    howmany(kc->kc_chunks, 64) * sizeof(uint64_t);
	}
	kc->kc_maxcolor = (kc->kc_flags & KMC_NOTOUCH) != 0 ? 0 :
	    rounddown2(bestwaste, kc->kc_align);
}

/* The size of header cache i: doubling from KMEM_SLAB_HDRMIN, then max. */
static size_t
kmem_slab_hdr_size(u_int i)
{

	return i == KMEM_SLAB_NHDR - 1 ? KMEM_SLAB_HDRMAX :
	    (size_t)KMEM_SLAB_HDRMIN << i;
}

/*
 * The header cache for kc's external headers: NULL if kc keeps its
 * headers inside its slabs, or if they are larger than any header cache
 * (they then come from kmem_meta_arena).
 */
static kmem_cache_t *
kmem_slab_hdr_cache(kmem_cache_t *kc)
{
	u_int i;

	if ((kc->kc_flags & KMF_EXTSLAB) == 0)
		return NULL;
	for (i = 0; i < KMEM_SLAB_NHDR; i++) {
		if (kc->kc_hdrsize <= kmem_slab_hdr_caches[i].kc_bufsize)
			return &kmem_slab_hdr_caches[i];
	}
	return NULL;
}

/*
 * kmem_slab_init: choose kc's slab layout and set up its slab layer.
 * => kc_bufsize, kc_align, kc_flags and kc_source are set.
 */
void
kmem_slab_init(kmem_cache_t *kc)
{
	const size_t room = PAGE_SIZE - sizeof(kmem_slab_t);
	size_t unit;

	mutex_init(&kc->kc_slab_lock, MUTEX_SPIN, IPL_VM);
	LIST_INIT(&kc->kc_partial);
	LIST_INIT(&kc->kc_complete);
	LIST_INIT(&kc->kc_emptylist);
	kc->kc_hash = kc->kc_hash0;
	kc->kc_hashmask = KMEM_HASH_MIN - 1;
	kc->kc_fresh_cpu = 0;
	unit = vmem_roundup_size(kc->kc_source, 1);
	if ((kc->kc_flags & KMC_NOTOUCH) == 0 && unit == PAGE_SIZE &&
	    kc->kc_bufsize * KMEM_SLAB_MINCHUNKS <= room) {
		kc->kc_slabsize = PAGE_SIZE;
		kc->kc_chunks = (u_int)(room / kc->kc_bufsize);
		kc->kc_maxcolor = rounddown2(room -
		    kc->kc_chunks * kc->kc_bufsize, kc->kc_align);
	} else
		kmem_slab_geometry_ext(kc, unit);
	kc->kc_hdrcache = kmem_slab_hdr_cache(kc);
}

/*
 * kmem_slab_bootstrap: set up the header caches, as bare slab layers of
 * kmem_meta_arena whose slabs hold their own headers.
 * => once, before the first kmem_slab_init; kmem_meta_arena is up.
 */
void
kmem_slab_bootstrap(void)
{
	kmem_cache_t *kc;
	u_int i;

	for (i = 0; i < KMEM_SLAB_NHDR; i++) {
		kc = &kmem_slab_hdr_caches[i];
		snprintf(kc->kc_name, sizeof(kc->kc_name), "kmem-slabhdr-%zu",
		    kmem_slab_hdr_size(i));
		kc->kc_size = kc->kc_bufsize = kmem_slab_hdr_size(i);
		kc->kc_align = KMEM_ALIGN;
		kc->kc_source = kmem_meta_arena;
		kc->kc_flags = 0;
		kmem_slab_init(kc);
		if ((kc->kc_flags & KMF_EXTSLAB) != 0)
			panic("kmem_slab_bootstrap: cache %s: slabs of %zu "
			    "bytes cannot hold their header", kc->kc_name,
			    kc->kc_slabsize);
	}
}

/* ---- the hash of granule tags or bufctls (KMF_EXTSLAB) */

/* The hash chain of address addr. */
static kmem_bufctl_t **
kmem_hash_bucket(kmem_cache_t *kc, uintptr_t addr)
{

	KASSERT(mutex_owned(&kc->kc_slab_lock));
	return &kc->kc_hash[(addr >> kc->kc_hashshift) & kc->kc_hashmask];
}

/* Find the tag or bufctl of address addr; unlink it if remove. */
static kmem_bufctl_t *
kmem_hash_find(kmem_cache_t *kc, uintptr_t addr, bool remove)
{
	kmem_bufctl_t **bcp, *bc;

	for (bcp = kmem_hash_bucket(kc, addr); (bc = *bcp) != NULL;
	    bcp = &bc->bc_next) {
		if (bc->bc_addr == addr) {
			if (remove)
				*bcp = bc->bc_next;
			return bc;
		}
	}
	return NULL;
}

/* Unlink the tag or bufctl bc from the hash. */
static void
kmem_hash_remove(kmem_cache_t *kc, kmem_bufctl_t *bc)
{
	kmem_bufctl_t **bcp;

	bcp = kmem_hash_bucket(kc, bc->bc_addr);
	while (*bcp != bc) {
		KASSERT(*bcp != NULL);
		bcp = &(*bcp)->bc_next;
	}
	*bcp = bc->bc_next;
}

/*
 * The slab of an external slab cache (not KMF_BUFCTL) that holds addr,
 * or NULL: the slab of one of the tags of addr's granule, of which there
 * are at most two, since a slab is at least a granule long.
 */
static kmem_slab_t *
kmem_hash_slab(kmem_cache_t *kc, uintptr_t addr)
{
	uintptr_t granule = rounddown2(addr, (uintptr_t)1 << kc->kc_hashshift);
	kmem_bufctl_t *bc;
	kmem_slab_t *sl;

	for (bc = *kmem_hash_bucket(kc, addr); bc != NULL; bc = bc->bc_next) {
		sl = bc->bc_slab;
		if (bc->bc_addr == granule && addr >= sl->sl_base &&
		    addr - sl->sl_base < kc->kc_slabsize)
			return sl;
	}
	return NULL;
}

/*
 * Move every entry of the hash to table, of n buckets; return the old
 * table.
 * => slab lock held.
 */
static kmem_bufctl_t **
kmem_hash_rehash(kmem_cache_t *kc, kmem_bufctl_t **table, size_t n)
{
	kmem_bufctl_t **old = kc->kc_hash, *bc, **bcp;
	size_t i, oldn = kc->kc_hashmask + 1;

	kc->kc_hash = table;
	kc->kc_hashmask = n - 1;
	for (i = 0; i < oldn; i++) {
		while ((bc = old[i]) != NULL) {
			old[i] = bc->bc_next;
			bcp = kmem_hash_bucket(kc, bc->bc_addr);
			bc->bc_next = *bcp;
			*bcp = bc;
		}
	}
	return old;
}

/*
 * Make the hash big enough for the entries of one more slab, if memory
 * allows; a hash that stays small only makes chains longer.
 * => slab lock not held.
 */
static void
kmem_hash_grow(kmem_cache_t *kc)
{
	kmem_bufctl_t **table;
	size_t need, n, oldn;
	vmem_addr_t addr;

	mutex_spin_enter(&kc->kc_slab_lock);
	need = (size_t)(kc->kc_nslabs + 1) * kc->kc_hashents;
	oldn = kc->kc_hashmask + 1;
	mutex_spin_exit(&kc->kc_slab_lock);
	if (need <= 2 * oldn)
		return;
	for (n = PAGE_SIZE / sizeof(*table); n < need; n *= 2)
		continue;
	if (vmem_alloc(kmem_meta_arena, n * sizeof(*table), VM_NOSLEEP |
	    VM_INSTANTFIT, &addr) != 0)
		return;
	table = (kmem_bufctl_t **)addr;
	memset(table, 0, n * sizeof(*table));
	mutex_spin_enter(&kc->kc_slab_lock);
	oldn = kc->kc_hashmask + 1;
	if (oldn < n) {
		/* Swap in the new table; free the old one instead. */
		table = kmem_hash_rehash(kc, table, n);
		n = oldn;
	}
	mutex_spin_exit(&kc->kc_slab_lock);
	if (table != kc->kc_hash0)
		vmem_free(kmem_meta_arena, (vmem_addr_t)table,
		    n * sizeof(*table));
}

/* ---- slabs */

/* Where a free buffer keeps its free-list link (not KMF_BUFCTL). */
static void **
kmem_slab_link(kmem_cache_t *kc, uintptr_t buf)
{

	return (void **)(buf + kc->kc_linkoff);
}

/* The word of sl's allocation bitmap for buffer i, and its bit. */
static uint64_t *
kmem_slab_map(kmem_cache_t *kc, kmem_slab_t *sl, u_int i, uint64_t *bitp)
{
	uint64_t *map = (uint64_t *)(void *)&sl->sl_bufctl[kc->kc_hashents];

	*bitp = (uint64_t)1 << (i % 64);
	return &map[i / 64];
}

/* Panic: buf is no allocated buffer of kc. */
static void __dead
kmem_slab_misuse(kmem_cache_t *kc, const void *buf, const char *func,
    const char *rule)
{

	panic("%s: cache %s (%p): buffer %p: %s", func, kc->kc_name, kc,
	    buf, rule);
}

/* The index of buffer addr in sl; panics unless addr starts a buffer. */
static u_int
kmem_slab_index(kmem_cache_t *kc, kmem_slab_t *sl, uintptr_t addr,
    const char *func)
{

	if (addr < sl->sl_start ||
	    (addr - sl->sl_start) % kc->kc_bufsize != 0 ||
	    (addr - sl->sl_start) / kc->kc_bufsize >= sl->sl_chunks)
		kmem_slab_misuse(kc, (void *)addr, func,
		    "not the start of a buffer");
	return (u_int)((addr - sl->sl_start) / kc->kc_bufsize);
}

/*
 * The slab of addr, an allocated buffer of kc, and for KMF_BUFCTL its
 * bufctl, unlinked from the hash if remove.  Panics if addr is not the
 * start of an allocated buffer of kc.
 * => slab lock held.
 */
static kmem_slab_t *
kmem_slab_find(kmem_cache_t *kc, uintptr_t addr, bool remove,
    const char *func, kmem_bufctl_t **bcp)
{
	kmem_bufctl_t *bc;
	kmem_slab_t *sl;
	uint64_t *word, bit;
	u_int i;

	KASSERT(mutex_owned(&kc->kc_slab_lock));
	if ((kc->kc_flags & KMF_BUFCTL) != 0) {
		if ((bc = kmem_hash_find(kc, addr, remove)) == NULL)
			kmem_slab_misuse(kc, (void *)addr, func, "not "
			    "allocated from this cache (double free, or "
			    "kmem_free with the wrong size?)");
		*bcp = bc;
		return bc->bc_slab;
	}
	if ((kc->kc_flags & KMF_EXTSLAB) != 0)
		sl = kmem_hash_slab(kc, addr);
	else
		sl = (kmem_slab_t *)(rounddown2(addr, PAGE_SIZE) + PAGE_SIZE -
		    sizeof(kmem_slab_t));
	if (sl == NULL || sl->sl_check != ((uintptr_t)sl ^ KMEM_SLAB_MAGIC) ||
	    sl->sl_cache != kc)
		kmem_slab_misuse(kc, (void *)addr, func, "not from this cache "
		    "(another cache, or kmem_free with the wrong size?)");
	i = kmem_slab_index(kc, sl, addr, func);
	if (sl->sl_refcnt == 0)
		kmem_slab_misuse(kc, (void *)addr, func,
		    "not allocated (double free?)");
	if ((kc->kc_flags & KMF_EXTSLAB) != 0) {
		word = kmem_slab_map(kc, sl, i, &bit);
		if ((*word & bit) == 0)
			kmem_slab_misuse(kc, (void *)addr, func,
			    "not allocated (double free?)");
		if (remove)
			*word &= ~bit;
	}
	*bcp = NULL;
	return sl;
}

/* The number of granules the slab at base meets (its tags in use). */
static u_int
kmem_slab_ntags(kmem_cache_t *kc, uintptr_t base)
{

	return (u_int)(((base + kc->kc_slabsize - 1) >> kc->kc_hashshift) -
	    (base >> kc->kc_hashshift)) + 1;
}

/*
 * Put the granule tags of sl in the hash (insert) or take them out.
 * => slab lock held.
 */
static void
kmem_slab_hash(kmem_cache_t *kc, kmem_slab_t *sl, bool insert)
{
	kmem_bufctl_t *bc, **bcp;
	u_int i, n;

	if ((kc->kc_flags & (KMF_EXTSLAB | KMF_BUFCTL)) != KMF_EXTSLAB)
		return;
	n = kmem_slab_ntags(kc, sl->sl_base);
	for (i = 0; i < n; i++) {
		bc = &sl->sl_bufctl[i];
		if (insert) {
			bcp = kmem_hash_bucket(kc, bc->bc_addr);
			bc->bc_next = *bcp;
			*bcp = bc;
		} else
			kmem_hash_remove(kc, bc);
	}
}

/* An external header for a slab of kc, or NULL; never sleeps. */
static kmem_slab_t *
kmem_slab_hdr_alloc(kmem_cache_t *kc)
{
	vmem_addr_t va;

	if (kc->kc_hdrcache != NULL)
		return kmem_slab_alloc(kc->kc_hdrcache, KM_NOSLEEP);
	if (vmem_alloc(kmem_meta_arena, kc->kc_hdrsize,
	    VM_NOSLEEP | VM_INSTANTFIT, &va) != 0)
		return NULL;
	return (kmem_slab_t *)va;
}

/* Free an external header of a slab of kc. */
static void
kmem_slab_hdr_free(kmem_cache_t *kc, kmem_slab_t *sl)
{

	if (kc->kc_hdrcache != NULL)
		kmem_slab_free(kc->kc_hdrcache, sl);
	else
		vmem_free(kmem_meta_arena, (vmem_addr_t)sl, kc->kc_hdrsize);
}

/*
 * Make a slab of wholly free buffers, or NULL if the arena has no space
 * for it or its header without sleeping (kmem proper reaps, waits and
 * asks again).
 * => slab lock not held; never sleeps.
 */
static kmem_slab_t *
kmem_slab_create(kmem_cache_t *kc)
{
	kmem_bufctl_t *bc;
	kmem_slab_t *sl;
	vmem_addr_t base;
	size_t color;
	u_int i, n;

	if (vmem_xalloc(kc->kc_source, kc->kc_slabsize, 0, 0, 0,
	    VMEM_ADDR_MIN, VMEM_ADDR_MAX, VM_NOSLEEP | VM_INSTANTFIT,
	    &base) != 0)
		return NULL;
	if ((kc->kc_flags & KMF_EXTSLAB) != 0) {
		if ((sl = kmem_slab_hdr_alloc(kc)) == NULL) {
			vmem_xfree(kc->kc_source, base, kc->kc_slabsize);
			return NULL;
		}
	} else
		sl = (kmem_slab_t *)(base + PAGE_SIZE - sizeof(kmem_slab_t));
	mutex_spin_enter(&kc->kc_slab_lock);
	color = kc->kc_color;
	kc->kc_color = color + kc->kc_align > kc->kc_maxcolor ? 0 :
	    color + kc->kc_align;
	mutex_spin_exit(&kc->kc_slab_lock);

	sl->sl_cache = kc;
	sl->sl_check = (uintptr_t)sl ^ KMEM_SLAB_MAGIC;
	sl->sl_base = base;
	sl->sl_start = base + color;
	sl->sl_free = NULL;
	sl->sl_refcnt = 0;
	sl->sl_chunks = kc->kc_chunks;
	sl->sl_nfresh = 0;
	if ((kc->kc_flags & (KMF_EXTSLAB | KMF_BUFCTL)) == KMF_EXTSLAB) {
		n = kmem_slab_ntags(kc, base);
		for (i = 0; i < n; i++) {
			sl->sl_bufctl[i].bc_addr = ((base >>
			    kc->kc_hashshift) + i) << kc->kc_hashshift;
			sl->sl_bufctl[i].bc_slab = sl;
		}
		memset(&sl->sl_bufctl[kc->kc_hashents], 0,
		    howmany(kc->kc_chunks, 64) * sizeof(uint64_t));
	}
	if (sl->sl_start == 0) {
		/* Integer 0 reads as failure: a quantum cache skips it. */
		sl->sl_start = kc->kc_bufsize;
		sl->sl_chunks--;
	}
	if ((kc->kc_flags & KMF_BUFCTL) == 0) {
		sl->sl_nfresh = sl->sl_chunks;
		return sl;
	}
	for (i = sl->sl_chunks; i-- > 0;) {
		bc = &sl->sl_bufctl[i];
		bc->bc_addr = sl->sl_start + i * kc->kc_bufsize;
		if ((kc->kc_flags & KMF_DEBUG) != 0)
			kmem_debug_slab_init(kc, (void *)bc->bc_addr);
		bc->bc_slab = sl;
		bc->bc_next = sl->sl_free;
		sl->sl_free = bc;
	}
	return sl;
}

/*
 * Take sl's first fresh buffer, made a valid free buffer for a debugging
 * cache as it first leaves the slab.
 * => slab lock held; sl has a fresh buffer.
 */
static uintptr_t
kmem_slab_fresh_take(kmem_cache_t *kc, kmem_slab_t *sl)
{
	uintptr_t buf;

	KASSERT(mutex_owned(&kc->kc_slab_lock));
	KASSERT(sl->sl_nfresh > 0);
	buf = sl->sl_start + (sl->sl_chunks - sl->sl_nfresh--) *
	    kc->kc_bufsize;
	if ((kc->kc_flags & KMF_DEBUG) != 0)
		kmem_debug_slab_init(kc, (void *)buf);
	return buf;
}

/*
 * Hand out sl's first fresh buffer; if the last fresh buffer went to
 * another CPU, first move the fresh buffers that start before the next
 * KMEM_SLAB_LINE boundary to the free list (keeping one to hand out).
 * => slab lock held; sl has a fresh buffer and an empty free list.
 */
static void *
kmem_slab_fresh(kmem_cache_t *kc, kmem_slab_t *sl)
{
	u_int cpu = cpu_index(curcpu());
	uintptr_t next, line;

	KASSERT(sl->sl_free == NULL);
	next = sl->sl_start + (sl->sl_chunks - sl->sl_nfresh) *
	    kc->kc_bufsize;
	line = roundup2(next, KMEM_SLAB_LINE);
	if (cpu != kc->kc_fresh_cpu && sl->sl_nfresh < sl->sl_chunks) {
		while (next < line && sl->sl_nfresh > 1) {
			next = kmem_slab_fresh_take(kc, sl);
			*kmem_slab_link(kc, next) = sl->sl_free;
			sl->sl_free = (void *)next;
			next += kc->kc_bufsize;
		}
	}
	kc->kc_fresh_cpu = cpu;
	return (void *)kmem_slab_fresh_take(kc, sl);
}

/* Give a wholly free slab back to the arena. */
static void
kmem_slab_destroy(kmem_cache_t *kc, kmem_slab_t *sl)
{
	vmem_addr_t base = sl->sl_base;

	KASSERT(sl->sl_refcnt == 0);
	sl->sl_check = 0;
	if ((kc->kc_flags & KMF_EXTSLAB) != 0)
		kmem_slab_hdr_free(kc, sl);
	vmem_xfree(kc->kc_source, base, kc->kc_slabsize);
}

/*
 * Take a free buffer from sl, and move sl to the list it now belongs on.
 * => slab lock held.
 */
static void *
kmem_slab_take(kmem_cache_t *kc, kmem_slab_t *sl)
{
	kmem_bufctl_t *bc, **bcp;
	uint64_t *word, bit;
	void *buf;

	KASSERT(mutex_owned(&kc->kc_slab_lock));
	KASSERT(sl->sl_refcnt < sl->sl_chunks &&
	    (sl->sl_free != NULL || sl->sl_nfresh > 0));
	if (sl->sl_free == NULL)
		buf = kmem_slab_fresh(kc, sl);
	else if ((kc->kc_flags & KMF_BUFCTL) != 0) {
		bc = sl->sl_free;
		sl->sl_free = bc->bc_next;
		bcp = kmem_hash_bucket(kc, bc->bc_addr);
		bc->bc_next = *bcp;
		*bcp = bc;
		buf = (void *)bc->bc_addr;
	} else {
		buf = sl->sl_free;
		sl->sl_free = *kmem_slab_link(kc, (uintptr_t)buf);
	}
	if ((kc->kc_flags & (KMF_EXTSLAB | KMF_BUFCTL)) == KMF_EXTSLAB) {
		word = kmem_slab_map(kc, sl, (u_int)(((uintptr_t)buf -
		    sl->sl_start) / kc->kc_bufsize), &bit);
		*word |= bit;
	}
	if (sl->sl_refcnt++ == 0) {
		kc->kc_nempty--;
		LIST_REMOVE(sl, sl_link);
		LIST_INSERT_HEAD(&kc->kc_partial, sl, sl_link);
	}
	if (sl->sl_refcnt == sl->sl_chunks) {
		LIST_REMOVE(sl, sl_link);
		LIST_INSERT_HEAD(&kc->kc_complete, sl, sl_link);
	}
	kc->kc_slab_alloc++;
	return buf;
}

/*
 * Make a slab and put it on the empty list; false if the arena has no
 * space for it without sleeping.
 * => slab lock held; dropped while the slab is made, and held again on
 *    return if true, not held if false.
 */
static bool
kmem_slab_grow(kmem_cache_t *kc)
{
	kmem_slab_t *sl;

	KASSERT(mutex_owned(&kc->kc_slab_lock));
	mutex_spin_exit(&kc->kc_slab_lock);
	if ((sl = kmem_slab_create(kc)) == NULL)
		return false;
	if ((kc->kc_flags & KMF_EXTSLAB) != 0)
		kmem_hash_grow(kc);
	mutex_spin_enter(&kc->kc_slab_lock);
	kmem_slab_hash(kc, sl, true);
	LIST_INSERT_HEAD(&kc->kc_emptylist, sl, sl_link);
	kc->kc_nslabs++;
	kc->kc_nempty++;
	kc->kc_slab_create++;
	return true;
}

/*
 * Take the next k fresh buffers of sl into bufs, for the CPU that took
 * the last fresh buffer (so no line is skipped): what k calls of
 * kmem_slab_take would do, with the list moves and counts done once.
 * => slab lock held; sl has an empty free list and k fresh buffers.
 */
static void
kmem_slab_take_run(kmem_cache_t *kc, kmem_slab_t *sl, void **bufs, u_int k)
{
	uint64_t *word, bit;
	u_int i, first;

	KASSERT(mutex_owned(&kc->kc_slab_lock));
	KASSERT(sl->sl_free == NULL && k > 0 && k <= sl->sl_nfresh);
	first = sl->sl_chunks - sl->sl_nfresh;
	for (i = 0; i < k; i++) {
		bufs[i] = (void *)kmem_slab_fresh_take(kc, sl);
		if ((kc->kc_flags & (KMF_EXTSLAB | KMF_BUFCTL)) ==
		    KMF_EXTSLAB) {
			word = kmem_slab_map(kc, sl, first + i, &bit);
			*word |= bit;
		}
	}
	if (sl->sl_refcnt == 0) {
		kc->kc_nempty--;
		LIST_REMOVE(sl, sl_link);
		LIST_INSERT_HEAD(&kc->kc_partial, sl, sl_link);
	}
	sl->sl_refcnt += k;
	if (sl->sl_refcnt == sl->sl_chunks) {
		LIST_REMOVE(sl, sl_link);
		LIST_INSERT_HEAD(&kc->kc_complete, sl, sl_link);
	}
	kc->kc_slab_alloc += k;
}

/*
 * kmem_slab_alloc: an unconstructed buffer from kc's slabs, or NULL if
 * none is free and the arena has no space for a slab without sleeping.
 * => never sleeps (kmflags is the caller's, for the record).
 */
void *
kmem_slab_alloc(kmem_cache_t *kc, int kmflags)
{
	kmem_slab_t *sl;
	void *buf;

	mutex_spin_enter(&kc->kc_slab_lock);
	while ((sl = LIST_FIRST(&kc->kc_partial)) == NULL &&
	    (sl = LIST_FIRST(&kc->kc_emptylist)) == NULL) {
		if (!kmem_slab_grow(kc))
			return NULL;
	}
	buf = kmem_slab_take(kc, sl);
	mutex_spin_exit(&kc->kc_slab_lock);
	return buf;
}

/*
 * kmem_slab_alloc_batch: up to n unconstructed buffers from kc's slabs
 * into bufs, in one hold of the slab lock (but while a slab is made);
 * a slab is made only when none has a free buffer and none was taken
 * yet.  Returns the number taken, 0 if the arena has no space for a
 * slab without sleeping.
 * => never sleeps.
 */
u_int
kmem_slab_alloc_batch(kmem_cache_t *kc, void **bufs, u_int n)
{
	kmem_slab_t *sl;
	u_int i = 0, k;

	mutex_spin_enter(&kc->kc_slab_lock);
	while (i < n) {
		if ((sl = LIST_FIRST(&kc->kc_partial)) == NULL &&
		    (sl = LIST_FIRST(&kc->kc_emptylist)) == NULL) {
			if (i > 0)
				break;
			if (!kmem_slab_grow(kc))
				return 0;
			continue;
		}
		bufs[i++] = kmem_slab_take(kc, sl);
		if (i < n && sl->sl_free == NULL && sl->sl_nfresh > 0 &&
		    kc->kc_fresh_cpu == cpu_index(curcpu())) {
			k = MIN(n - i, sl->sl_nfresh);
			kmem_slab_take_run(kc, sl, bufs + i, k);
			i += k;
		}
	}
	mutex_spin_exit(&kc->kc_slab_lock);
	return i;
}

/*
 * Give an unconstructed buffer back to its slab; panics if it is not an
 * allocated buffer of kc.
 * => slab lock held.
 */
static void
kmem_slab_put(kmem_cache_t *kc, void *buf)
{
	kmem_bufctl_t *bc;
	kmem_slab_t *sl;

	KASSERT(mutex_owned(&kc->kc_slab_lock));
	sl = kmem_slab_find(kc, (uintptr_t)buf, true, "kmem_cache_free", &bc);
	if (bc != NULL) {
		bc->bc_next = sl->sl_free;
		sl->sl_free = bc;
	} else {
		*kmem_slab_link(kc, (uintptr_t)buf) = sl->sl_free;
		sl->sl_free = buf;
	}
	if (sl->sl_refcnt-- == sl->sl_chunks) {
		LIST_REMOVE(sl, sl_link);
		LIST_INSERT_HEAD(&kc->kc_partial, sl, sl_link);
	}
	if (sl->sl_refcnt == 0) {
		LIST_REMOVE(sl, sl_link);
		LIST_INSERT_HEAD(&kc->kc_emptylist, sl, sl_link);
		kc->kc_nempty++;
	}
	kc->kc_slab_free++;
}

/*
 * kmem_slab_free: give an unconstructed buffer back to its slab; panics
 * if it is not an allocated buffer of kc.
 */
void
kmem_slab_free(kmem_cache_t *kc, void *buf)
{

	mutex_spin_enter(&kc->kc_slab_lock);
	kmem_slab_put(kc, buf);
	mutex_spin_exit(&kc->kc_slab_lock);
}

/*
 * kmem_slab_free_batch: give the n unconstructed buffers of bufs back to
 * their slabs in one hold of the slab lock, as kmem_slab_alloc_batch
 * takes them (n is at most a magazine's rounds); panics at the first
 * that is not an allocated buffer of kc.
 */
void
kmem_slab_free_batch(kmem_cache_t *kc, void **bufs, u_int n)
{
	u_int i;

	mutex_spin_enter(&kc->kc_slab_lock);
	for (i = 0; i < n; i++)
		kmem_slab_put(kc, bufs[i]);
	mutex_spin_exit(&kc->kc_slab_lock);
}

/*
 * True if addr lies in a segment of kc's source arena that could be one
 * of its slabs (allocated, starting less than a slab below addr): a
 * slab with its header inside is found by reading memory near addr,
 * which must be mapped.
 */
static bool
kmem_slab_in_source(kmem_cache_t *kc, uintptr_t addr)
{

	return vmem_busy_covers(kc->kc_source, addr, kc->kc_slabsize - 1);
}

/*
 * kmem_slab_verify: panic unless buf is an allocated buffer of kc
 * (the debugging free path checks before it writes into the buffer).
 * => thread or interrupt context; no lock held.
 */
void
kmem_slab_verify(kmem_cache_t *kc, void *buf, const char *func)
{
	kmem_bufctl_t *bc;

	if ((kc->kc_flags & KMF_EXTSLAB) == 0 &&
	    !kmem_slab_in_source(kc, (uintptr_t)buf))
		kmem_slab_misuse(kc, buf, func, "not in the cache's source "
		    "arena (a foreign, stack or unmapped pointer)");
	mutex_spin_enter(&kc->kc_slab_lock);
	(void)kmem_slab_find(kc, (uintptr_t)buf, false, func, &bc);
	mutex_spin_exit(&kc->kc_slab_lock);
}

/*
 * kmem_slab_walk: call func(kc, buf, arg) for every buffer of every slab
 * of kc that has buffers allocated, free or not, but for the fresh end
 * no buffer was carved from yet (never written, perhaps never touched).
 * => slab lock not held; func runs with it held: it must not sleep,
 *    lock, or call kmem.
 */
void
kmem_slab_walk(kmem_cache_t *kc, void (*func)(kmem_cache_t *, void *,
    void *), void *arg)
{
	struct kmem_slablist *lists[] = { &kc->kc_partial, &kc->kc_complete };
	kmem_slab_t *sl;
	u_int i, j;

	mutex_spin_enter(&kc->kc_slab_lock);
	for (i = 0; i < __arraycount(lists); i++) {
		LIST_FOREACH(sl, lists[i], sl_link) {
			for (j = 0; j < sl->sl_chunks - sl->sl_nfresh; j++)
				(*func)(kc, (void *)(sl->sl_start +
				    j * kc->kc_bufsize), arg);
		}
	}
	mutex_spin_exit(&kc->kc_slab_lock);
}

/*
 * kmem_slab_reap: give every wholly free slab of kc back to its arena.
 * => thread context; slab lock not held.
 */
void
kmem_slab_reap(kmem_cache_t *kc)
{
	struct kmem_slablist list;
	kmem_slab_t *sl;

	LIST_INIT(&list);
	mutex_spin_enter(&kc->kc_slab_lock);
	while ((sl = LIST_FIRST(&kc->kc_emptylist)) != NULL) {
		LIST_REMOVE(sl, sl_link);
		kmem_slab_hash(kc, sl, false);
		LIST_INSERT_HEAD(&list, sl, sl_link);
	}
	kc->kc_nslabs -= kc->kc_nempty;
	kc->kc_slab_destroy += kc->kc_nempty;
	kc->kc_nempty = 0;
	mutex_spin_exit(&kc->kc_slab_lock);
	while ((sl = LIST_FIRST(&list)) != NULL) {
		LIST_REMOVE(sl, sl_link);
		kmem_slab_destroy(kc, sl);
	}
}

/*
 * kmem_slab_fini: tear down the slab layer of a cache whose buffers are
 * all free.
 */
void
kmem_slab_fini(kmem_cache_t *kc)
{

	kmem_slab_reap(kc);
	KASSERTMSG(kc->kc_nslabs == 0, "cache %s: %u slabs left",
	    kc->kc_name, kc->kc_nslabs);
	if (kc->kc_hash != kc->kc_hash0)
		vmem_free(kmem_meta_arena, (vmem_addr_t)kc->kc_hash,
		    (kc->kc_hashmask + 1) * sizeof(*kc->kc_hash));
	mutex_destroy(&kc->kc_slab_lock);
}

/*
 * kmem_slab_reap_headers: give the header caches' wholly free slabs back
 * to kmem_meta_arena.
 * => thread context; after the caches' own reap, which frees headers.
 */
void
kmem_slab_reap_headers(void)
{
	u_int i;

	for (i = 0; i < KMEM_SLAB_NHDR; i++)
		kmem_slab_reap(&kmem_slab_hdr_caches[i]);
}
