/*
 * subr_vmem.c: the vmem resource allocator.
 *
 * ---- Theory
 *
 * An arena manages a set of integer ranges: kernel virtual addresses,
 * I/O ports, interrupt numbers, DMA windows.  The vocabulary, after
 * Bonwick and Adams (USENIX 2001):
 *
 *	span		a range given to the arena, by vmem_create or
 *			vmem_add (static), or imported from a source arena
 *			through importfn (and given back through releasefn
 *			once it is wholly free);
 *	segment		a piece of a span, free or busy (allocated); the
 *			segments of a span tile it exactly;
 *	boundary tag	the descriptor of one span or one segment (bt_t);
 *	quantum		the arena's unit: every size and address it deals
 *			in is a multiple of it;
 *	order		a free segment of n quanta has order floor(log2 n).
 *
 * Data structures, all under the arena lock:
 *
 *	- the segment list: every tag in address order, each span's tag
 *	  just before its segments, so that the neighbours of a segment are
 *	  found in O(1) when it is freed and coalesced;
 *	- the free lists: one per order, and a bitmap (vm_freemap) with bit i
 *	  set while list i is not empty;
 *	- the hash of busy segments, keyed by start address, so that
 *	  vmem_free finds a segment in O(1); it doubles when it holds twice
 *	  as many segments as buckets;
 *	- a private stock of spare tags, so that an allocation never has to
 *	  allocate a tag while it holds the lock;
 *	- the busy index, a treap of busy segments by start address, built
 *	  the first time part of a segment is freed (vmem_xfree_part) or a
 *	  segment is sought by an address inside it (vmem_busy_find, for
 *	  extent_free) and kept from then on, so that the segment around any
 *	  address is found in O(log n); arenas that never do either never
 *	  pay for it;
 *	- the span index, a treap of span tags by start address (in the same
 *	  two links, which span tags do not otherwise use), so that adding
 *	  or importing a span finds its place in the segment list, and
 *	  vmem_contains its span, in O(log n) whatever the number of spans
 *	  and segments.
 *
 * Fit policies:
 *
 *	instant fit	take the head of the first non-empty list of order
 *			at least ceil(log2 n): every segment there is big
 *			enough, and the bitmap finds that list with one
 *			find-first-set, so the cost is O(1) whatever the
 *			number of free segments;
 *	best fit	search the lists from order floor(log2 n) up and take
 *			the smallest segment that fits in the first list that
 *			has one;
 *	next fit	walk the segment list from where the last next-fit
 *			allocation ended (the rotor), wrapping once; this
 *			hands out resource numbers (process IDs, say) in
 *			increasing order.
 *
 * A constrained request (vmem_xalloc: alignment, phase, a boundary not to
 * cross, an address range) checks each candidate segment for a fitting
 * sub-range in O(1) (bt_fit); instant fit then scans the first list that
 * may hold a fitting segment instead of taking its head blindly.
 *
 * Imports: when no segment fits and the arena has a source, the arena
 * imports a span large enough for the request with its constraints (size
 * plus alignment slack plus the boundary), adds it, and searches again.
 * If importfn is vmem_alloc itself, the constraints are passed down to the
 * source with vmem_xalloc, so that an address range is honoured too (in
 * the source's quantum: the span is the cover, in whole source quanta, of
 * an allocation whose offset in a quantum is phase's).  A span that
 * cannot serve the request (another importfn knows no address range) is
 * given back at once, and so is a span that becomes wholly free.
 *
 * Backed arenas: an arena of memory may leave backing (pages, mappings)
 * to the page level instead of importing spans that are already backed
 * (vmem_set_backing).  Its spans are bare address space, imported in
 * large pieces; backfn backs a segment after it is carved and before
 * vmem_xalloc returns it, and unbackfn unbacks a busy segment before
 * vmem_xfree makes it free.  So only busy segments hold pages, a free
 * page inside a span costs nothing, and the tags for a span (and for its
 * segment in the source) are shared by every allocation in it, where an
 * arena that imported each allocation as a backed span of its own would
 * pay two more tags each.  A failed backfn frees the segment again.
 *
 * Sleeping: a VM_SLEEP request that finds no space asks kmem to reclaim,
 * then waits on the arena's condition variable, which vmem_free and
 * vmem_add broadcast; an arena with a source also wakes each tick, since
 * space may come back to the source instead.  It never fails.  A
 * VM_NOSLEEP request never waits and may fail with ENOMEM.
 *
 * Boundary tags: a static reserve serves early boot; once the page level
 * is up (vmem_set_meta) the global stock is refilled a page at a
 * time, when it runs low, with pages the page level hands out directly
 * (the kernel's direct map), not through an arena.  So a refill needs no
 * tag itself, any thread may refill, and no tag page is ever described by
 * a tag in another tag page.  Each arena keeps VMEM_BT_RESERVE spare tags
 * of its own, topped up before its lock is taken: a request needs at most
 * that many, so it never fails for lack of a tag while the arena has
 * space.  A request tops up from the stock first, refilling it without
 * sleeping when it runs low; only a VM_SLEEP request the stock cannot
 * serve sleeps for a page, and tries again until it has its tags.  Each
 * tag page counts its tags in the stock; when every one of them is back
 * there, vmem_bt_trim (which kmem_reap calls) gives the page back, so
 * that a burst of fragmentation does not pin tag pages for ever.  Tests
 * starve an arena of tags (vmem_starve_tags) to reach the ENOMEM paths.
 *
 * Locking: each arena has one lock, a spin mutex at the arena's IPL if
 * that is above IPL_NONE (the arena may then be used from interrupt
 * handlers at or below that IPL) and an adaptive mutex otherwise.  The
 * order is: vmem_list_lock (adaptive: the list of arenas, held while
 * quantum caches are built and while vmem_foreach runs), then an arena
 * lock, then vmem_bt_lock (the global tag stock).  No arena lock is held
 * across importfn, releasefn, backfn, unbackfn or a hook into kmem, so
 * arenas that import from one another never hold two arena locks at
 * once; a segment being backed or unbacked is busy meanwhile, so no one
 * else touches it.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/condvar.h>
#include <sys/cpu.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/kthread.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#define	VMEM_BT_RESERVE		6	/* tags one request may need */
#define	VMEM_BT_KEEP		(4 * VMEM_BT_RESERVE) /* spare tags kept */
#define	VMEM_BT_STATIC		1024	/* tags for early boot */
#define	VMEM_BT_LOWAT		128	/* refill the stock below this */
#define	VMEM_BT_TRIMKEEP	(2 * VMEM_BT_LOWAT) /* trimming keeps these */
#define	VMEM_BT_TRIMBATCH	8	/* pages freed per hold of the lock */
#define	VMEM_STATIC_ARENAS	16	/* arenas vmem_create can make early */

#define	VMEM_FLAGS_ALLOC	(VM_SLEEP | VM_NOSLEEP | VM_FITMASK)

CTASSERT(VMEM_MAXORDER <= 64);
CTASSERT(sizeof(vmem_addr_t) == sizeof(vmem_size_t));

bool vmem_check_enabled = true;

/* Run the invariant checker after a change, in DIAGNOSTIC builds. */
#ifdef DIAGNOSTIC
#define	VMEM_CHECK(vm)	do {						\
	if (vmem_check_enabled)						\
		vmem_check1(vm);					\
} while (0)
#else
#define	VMEM_CHECK(vm)	do { } while (0)
#endif

static void vmem_check1(vmem_t *);
static bt_t *vmem_free1(vmem_t *, bt_t *);
static void vmem_free_done(vmem_t *, bt_t *);

/* ---- the list of arenas and the tag stock (vmem_bt_lock) */

static kmutex_t vmem_list_lock;
static LIST_HEAD(, vmem) vmem_list = LIST_HEAD_INITIALIZER(vmem_list);

/*
 * A page of boundary tags from the page level: this header, then
 * VMEM_BT_PERPAGE tags.  bp_nstock counts those of its tags that are in
 * the global stock; the page can go back once all of them are.
 */
struct bt_page {
	LIST_ENTRY(bt_page) bp_list;	/* b: on vmem_bt_pages */
	size_t		bp_nstock;	/* b: its tags in vmem_bt_stock */
};
LIST_HEAD(bt_pagelist, bt_page);
#define	VMEM_BT_PERPAGE	\
	((PAGE_SIZE - sizeof(struct bt_page)) / sizeof(bt_t))

static kmutex_t vmem_bt_lock;
static struct vmem_freelist vmem_bt_stock;	/* b: spare tags */
static size_t vmem_bt_nstock;			/* b */
static struct bt_pagelist vmem_bt_pages =	/* b: every tag page */
    LIST_HEAD_INITIALIZER(vmem_bt_pages);
static size_t vmem_bt_npages;			/* b */
static vmem_t *vmem_meta_arena;			/* b: arenas, hash tables */
static vmem_pagealloc_t *vmem_bt_pagealloc;	/* b: tag pages come here */
static vmem_pagefree_t *vmem_bt_pagefree;	/* b: and go back here */
static bt_t vmem_bt_static[VMEM_BT_STATIC];

static vmem_t vmem_static_arenas[VMEM_STATIC_ARENAS];
static bool vmem_static_used[VMEM_STATIC_ARENAS];	/* g */
static bool vmem_initialized;

static const struct vmem_qcache_ops *vmem_qcache_ops;

/* Set up the global locks and the static tag reserve, once. */
static void
vmem_bootstrap(void)
{
	size_t i;

	if (vmem_initialized)
		return;
	mutex_init(&vmem_list_lock, MUTEX_DEFAULT, IPL_NONE);
	mutex_init(&vmem_bt_lock, MUTEX_DEFAULT, IPL_HIGH);
	LIST_INIT(&vmem_bt_stock);
	for (i = 0; i < VMEM_BT_STATIC; i++)
		LIST_INSERT_HEAD(&vmem_bt_stock, &vmem_bt_static[i],
		    bt_freelist);
	vmem_bt_nstock = VMEM_BT_STATIC;
	vmem_initialized = true;
}

/*
 * vmem_set_meta: from now on, allocate arenas and hash tables from meta,
 * and refill the tag stock with pages from pagealloc (given back with
 * pagefree), which must not call into vmem.
 * => called once, by the page level's vmem_subsystem_init, when both can
 *    allocate.
 */
void
vmem_set_meta(vmem_t *meta, vmem_pagealloc_t *pagealloc,
    vmem_pagefree_t *pagefree)
{

	mutex_enter(&vmem_bt_lock);
	vmem_meta_arena = meta;
	vmem_bt_pagealloc = pagealloc;
	vmem_bt_pagefree = pagefree;
	mutex_exit(&vmem_bt_lock);
}

/*
 * vmem_set_backing: make vm a backed arena.  backfn backs each segment
 * vmem_xalloc hands out before it returns, unbackfn unbacks each one
 * vmem_xfree is given before it becomes free; so only busy segments are
 * backed, a span costs nothing but the source's space until its segments
 * are allocated, and spans are imported in multiples of import.
 * => once, before the arena has a span; import is a power of 2, at least
 *    the import quantum.
 */
void
vmem_set_backing(vmem_t *vm, vmem_back_t *backfn, vmem_unback_t *unbackfn,
    vmem_size_t import)
{

	if (backfn == NULL || unbackfn == NULL || !powerof2(import) ||
	    import < vm->vm_import_quantum || !TAILQ_EMPTY(&vm->vm_seglist))
		panic("vmem_set_backing: arena %s: backfn %p unbackfn %p "
		    "import %#zx (import quantum %#zx), or it has spans",
		    vm->vm_name, backfn, unbackfn, import,
		    vm->vm_import_quantum);
	vm->vm_backfn = backfn;
	vm->vm_unbackfn = unbackfn;
	vm->vm_import_quantum = import;
}

/*
 * vmem_set_qcache_ops: install kmem's quantum-cache and reclaim hooks,
 * and build the quantum caches of the arenas that asked for them.
 */
void
vmem_set_qcache_ops(const struct vmem_qcache_ops *ops)
{
	vmem_t *vm;

	mutex_enter(&vmem_list_lock);
	vmem_qcache_ops = ops;
	LIST_FOREACH(vm, &vmem_list, vm_alllist) {
		if (vm->vm_qcache_max != 0)
			(*ops->qo_create)(vm);
	}
	mutex_exit(&vmem_list_lock);
}

/*
 * vmem_foreach: call func(vm, arg) for every arena.
 * => thread context; func runs with the list of arenas locked, and must
 *    not create or destroy arenas.
 */
void
vmem_foreach(void (*func)(vmem_t *, void *), void *arg)
{
	vmem_t *vm;

	mutex_enter(&vmem_list_lock);
	LIST_FOREACH(vm, &vmem_list, vm_alllist)
		(*func)(vm, arg);
	mutex_exit(&vmem_list_lock);
}

/* ---- boundary tags */

/* Allocate one page for metadata from the meta arena, or fail. */
static void *
vmem_meta_page(vm_flag_t flags)
{
	vmem_addr_t va;

	if (vmem_meta_arena == NULL ||
	    vmem_alloc(vmem_meta_arena, PAGE_SIZE, flags | VM_INSTANTFIT,
	    &va) != 0)
		return NULL;
	return (void *)va;
}

/* The tag page bt lives in, or NULL for a tag of the static reserve. */
static struct bt_page *
bt_page_of(bt_t *bt)
{

	if (bt >= vmem_bt_static && bt < vmem_bt_static + VMEM_BT_STATIC)
		return NULL;
	return (struct bt_page *)((uintptr_t)bt & ~(uintptr_t)PAGE_MASK);
}

/* Put a tag in the global stock. */
static void
bt_stock_put(bt_t *bt)
{
	struct bt_page *bp = bt_page_of(bt);

	KASSERT(mutex_owned(&vmem_bt_lock));
	LIST_INSERT_HEAD(&vmem_bt_stock, bt, bt_freelist);
	vmem_bt_nstock++;
	if (bp != NULL) {
		KASSERTMSG(bp->bp_nstock < VMEM_BT_PERPAGE,
		    "vmem: tag %p put in the stock twice", bt);
		bp->bp_nstock++;
	}
}

/* Take a tag from the global stock, or NULL if it is empty. */
static bt_t *
bt_stock_get(void)
{
	struct bt_page *bp;
	bt_t *bt;

	KASSERT(mutex_owned(&vmem_bt_lock));
	if ((bt = LIST_FIRST(&vmem_bt_stock)) == NULL)
		return NULL;
	LIST_REMOVE(bt, bt_freelist);
	vmem_bt_nstock--;
	if ((bp = bt_page_of(bt)) != NULL)
		bp->bp_nstock--;
	return bt;
}

/*
 * Add a page of tags to the global stock if it holds fewer than min and
 * the page level is up.  Several threads may do so at once.  Returns
 * whether the stock held min or a page was added.
 */
static bool
bt_stock_refill(vm_flag_t flags, size_t min)
{
	vmem_pagealloc_t *pagealloc;
	struct bt_page *bp;
	bt_t *bt;
	size_t i;

	mutex_enter(&vmem_bt_lock);
	pagealloc = vmem_bt_pagealloc;
	if (vmem_bt_nstock >= min || pagealloc == NULL) {
		mutex_exit(&vmem_bt_lock);
		return pagealloc != NULL;
	}
	mutex_exit(&vmem_bt_lock);
	if ((bp = (*pagealloc)(flags)) == NULL)
		return false;
	KASSERT(((uintptr_t)bp & PAGE_MASK) == 0);
	mutex_enter(&vmem_bt_lock);
	bp->bp_nstock = 0;
	LIST_INSERT_HEAD(&vmem_bt_pages, bp, bp_list);
	vmem_bt_npages++;
	bt = (bt_t *)(bp + 1);
	for (i = 0; i < VMEM_BT_PERPAGE; i++)
		bt_stock_put(&bt[i]);
	mutex_exit(&vmem_bt_lock);
	return true;
}

/*
 * Take the tags of up to VMEM_BT_TRIMBATCH wholly stocked pages out of
 * the stock, while more than VMEM_BT_TRIMKEEP would be left, and put the
 * pages on gone; the batch bounds the time the spin lock is held.
 */
static void
bt_trim_collect(struct bt_pagelist *gone)
{
	struct bt_page *bp, *next;
	size_t i, n = 0;
	bt_t *bt;

	KASSERT(mutex_owned(&vmem_bt_lock));
	for (bp = LIST_FIRST(&vmem_bt_pages); bp != NULL &&
	    n < VMEM_BT_TRIMBATCH &&
	    vmem_bt_nstock >= VMEM_BT_TRIMKEEP + VMEM_BT_PERPAGE; bp = next) {
		next = LIST_NEXT(bp, bp_list);
		if (bp->bp_nstock < VMEM_BT_PERPAGE)
			continue;
		bt = (bt_t *)(bp + 1);
		for (i = 0; i < VMEM_BT_PERPAGE; i++)
			LIST_REMOVE(&bt[i], bt_freelist);
		vmem_bt_nstock -= VMEM_BT_PERPAGE;
		vmem_bt_npages--;
		LIST_REMOVE(bp, bp_list);
		LIST_INSERT_HEAD(gone, bp, bp_list);
		n++;
	}
}

/* Move all of the arena's spare tags to the global stock. */
static void
bt_spares_put(vmem_t *vm)
{
	bt_t *bt;

	KASSERT(mutex_owned(&vm->vm_lock));
	mutex_enter(&vmem_bt_lock);
	while ((bt = LIST_FIRST(&vm->vm_freetags)) != NULL) {
		LIST_REMOVE(bt, bt_freelist);
		bt_stock_put(bt);
	}
	vm->vm_nfreetags = 0;
	mutex_exit(&vmem_bt_lock);
}

/*
 * Give every arena's spare tags back to the stock; requests refill.
 * Arenas a test starves keep theirs.  Skipped if the list of arenas is
 * held: its holder may be building quantum caches and waiting for the
 * very memory a reaper (the page daemon) is reclaiming.
 */
static void
bt_spares_return(void)
{
	vmem_t *vm;

	if (!mutex_tryenter(&vmem_list_lock))
		return;
	LIST_FOREACH(vm, &vmem_list, vm_alllist) {
		mutex_enter(&vm->vm_lock);
		if (!vm->vm_starved)
			bt_spares_put(vm);
		mutex_exit(&vm->vm_lock);
	}
	mutex_exit(&vmem_list_lock);
}

/*
 * vmem_bt_trim: give the page level back every tag page whose tags are
 * all in the stock, keeping at least VMEM_BT_TRIMKEEP spare tags.  The
 * arenas' own spares go back to the stock first, since a few of them
 * would otherwise pin as many pages.
 * => thread context, no arena lock held; kmem_reap calls it.
 */
void
vmem_bt_trim(void)
{
	struct bt_pagelist gone = LIST_HEAD_INITIALIZER(gone);
	struct bt_page *bp;

	bt_spares_return();
	for (;;) {
		mutex_enter(&vmem_bt_lock);
		bt_trim_collect(&gone);
		mutex_exit(&vmem_bt_lock);
		if (LIST_EMPTY(&gone))
			break;
		while ((bp = LIST_FIRST(&gone)) != NULL) {
			LIST_REMOVE(bp, bp_list);
			(*vmem_bt_pagefree)(bp);
		}
	}
}

/*
 * vmem_bt_stats: the number of tag pages taken from the page level and
 * of spare tags in the global stock.
 */
void
vmem_bt_stats(size_t *npages, size_t *nstock)
{

	mutex_enter(&vmem_bt_lock);
	*npages = vmem_bt_npages;
	*nstock = vmem_bt_nstock;
	mutex_exit(&vmem_bt_lock);
}

/*
 * Top up the arena's spare tags to VMEM_BT_KEEP from the global stock,
 * refilling the stock without sleeping if it runs low.  If the arena
 * still has fewer than VMEM_BT_RESERVE, a VM_SLEEP request sleeps for a
 * page of tags (or a tick, if the page level gives none) and tries
 * again, unless the page level is not up yet or a test starves the arena.
 * => arena lock must not be held.
 * Returns false if the arena could not get VMEM_BT_RESERVE.
 */
static bool
bt_refill(vmem_t *vm, vm_flag_t flags)
{
	bool ok, again;
	bt_t *bt;

	(void)bt_stock_refill(VM_NOSLEEP, VMEM_BT_LOWAT);
	for (;;) {
		mutex_enter(&vm->vm_lock);
		mutex_enter(&vmem_bt_lock);
		while (!vm->vm_starved && vm->vm_nfreetags < VMEM_BT_KEEP &&
		    (bt = bt_stock_get()) != NULL) {
			LIST_INSERT_HEAD(&vm->vm_freetags, bt, bt_freelist);
			vm->vm_nfreetags++;
		}
		again = (flags & VM_SLEEP) != 0 && !vm->vm_starved &&
		    vmem_bt_pagealloc != NULL;
		mutex_exit(&vmem_bt_lock);
		ok = vm->vm_nfreetags >= VMEM_BT_RESERVE;
		mutex_exit(&vm->vm_lock);
		if (ok || !again)
			return ok;
		/* Tags freed meanwhile are taken on the next pass. */
		if (!bt_stock_refill(VM_SLEEP, VMEM_BT_RESERVE))
			(void)kpause("vmembt", false, 1, NULL);
	}
}

/*
 * vmem_starve_tags: while starve is true, bt_refill gives the arena no
 * tags, so that it runs out of boundary tags once its spare ones are
 * spent; for tests of the ENOMEM paths, which a kernel with memory to
 * spare never takes otherwise.
 * => arena lock must not be held.
 */
void
vmem_starve_tags(vmem_t *vm, bool starve)
{

	mutex_enter(&vm->vm_lock);
	vm->vm_starved = starve;
	mutex_exit(&vm->vm_lock);
}

/* Take a spare tag from the arena. */
static bt_t *
bt_alloc(vmem_t *vm)
{
	bt_t *bt;

	KASSERT(mutex_owned(&vm->vm_lock));
	bt = LIST_FIRST(&vm->vm_freetags);
	KASSERTMSG(bt != NULL, "vmem %s: out of spare tags", vm->vm_name);
	LIST_REMOVE(bt, bt_freelist);
	vm->vm_nfreetags--;
	return bt;
}

/* Give a tag back to the arena, and extras back to the global stock. */
static void
bt_free(vmem_t *vm, bt_t *bt)
{

	KASSERT(mutex_owned(&vm->vm_lock));
	if (vm->vm_nfreetags < VMEM_BT_KEEP) {
		LIST_INSERT_HEAD(&vm->vm_freetags, bt, bt_freelist);
		vm->vm_nfreetags++;
		return;
	}
	mutex_enter(&vmem_bt_lock);
	bt_stock_put(bt);
	mutex_exit(&vmem_bt_lock);
}

/* ---- free lists */

/* The order of a size: floor(log2(size in quanta)). */
static int
vmem_order(const vmem_t *vm, vmem_size_t size)
{
	vmem_size_t q = size >> vm->vm_quantum_shift;

	KASSERT(q > 0);
	return (int)(sizeof(q) * NBBY - 1) - __builtin_clzl(q);
}

/* The lowest order whose every segment holds size: ceil(log2(quanta)). */
static int
vmem_order_ceil(const vmem_t *vm, vmem_size_t size)
{
	vmem_size_t q = size >> vm->vm_quantum_shift;
	int order = vmem_order(vm, size);

	return powerof2(q) ? order : order + 1;
}

/* Put a free segment on the list of its order. */
static void
bt_insfree(vmem_t *vm, bt_t *bt)
{
	int order = vmem_order(vm, bt->bt_size);

	KASSERT(bt->bt_type == BT_TYPE_FREE);
	LIST_INSERT_HEAD(&vm->vm_freelist[order], bt, bt_freelist);
	vm->vm_freemap |= (uint64_t)1 << order;
}

/* Take a free segment off its list. */
static void
bt_remfree(vmem_t *vm, bt_t *bt)
{
	int order = vmem_order(vm, bt->bt_size);

	KASSERT(bt->bt_type == BT_TYPE_FREE);
	LIST_REMOVE(bt, bt_freelist);
	if (LIST_EMPTY(&vm->vm_freelist[order]))
		vm->vm_freemap &= ~((uint64_t)1 << order);
}

/* ---- hash of busy segments */

/* The hash chain of a start address. */
static struct vmem_hashlist *
bt_hashhead(vmem_t *vm, vmem_addr_t addr)
{
	uint64_t h = (uint64_t)(addr >> vm->vm_quantum_shift);

	h *= 0x9e3779b97f4a7c15ULL;
	return &vm->vm_hashlist[(h >> 32) & vm->vm_hashmask];
}

/* Find the hashed segment that starts at addr, or NULL. */
static bt_t *
bt_lookuphashed(vmem_t *vm, vmem_addr_t addr)
{
	bt_t *bt;

	LIST_FOREACH(bt, bt_hashhead(vm, addr), bt_hashlist) {
		if (bt->bt_start == addr)
			return bt;
	}
	return NULL;
}

/* Find the allocated segment that starts at addr, or NULL. */
static bt_t *
bt_lookupbusy(vmem_t *vm, vmem_addr_t addr)
{
	bt_t *bt = bt_lookuphashed(vm, addr);

	return bt != NULL && bt->bt_type == BT_TYPE_BUSY ? bt : NULL;
}

/* ---- the busy index: a treap of busy segments keyed by start */

/* A segment's treap priority: a hash of its start, fixed for its life. */
static uint64_t
bt_prio(const bt_t *bt)
{
	uint64_t x = (uint64_t)bt->bt_start * 0x9e3779b97f4a7c15ULL;

	return x ^ (x >> 31);
}

/* Split treap t into keys below key (*lp) and the rest (*rp). */
static void
bt_tree_split(bt_t *t, vmem_addr_t key, bt_t **lp, bt_t **rp)
{

	if (t == NULL) {
		*lp = *rp = NULL;
	} else if (t->bt_start < key) {
		bt_tree_split(t->bt_tright, key, &t->bt_tright, rp);
		*lp = t;
	} else {
		bt_tree_split(t->bt_tleft, key, lp, &t->bt_tleft);
		*rp = t;
	}
}

/* Join treaps l and r, every key of l below every key of r. */
static bt_t *
bt_tree_merge(bt_t *l, bt_t *r)
{

	if (l == NULL)
		return r;
	if (r == NULL)
		return l;
	if (bt_prio(l) > bt_prio(r)) {
		l->bt_tright = bt_tree_merge(l->bt_tright, r);
		return l;
	}
	r->bt_tleft = bt_tree_merge(l, r->bt_tleft);
	return r;
}

/* Insert bt into treap t; returns the new root. */
static bt_t *
bt_tree_insert(bt_t *t, bt_t *bt)
{

	if (t == NULL || bt_prio(bt) > bt_prio(t)) {
		bt_tree_split(t, bt->bt_start, &bt->bt_tleft, &bt->bt_tright);
		return bt;
	}
	if (bt->bt_start < t->bt_start)
		t->bt_tleft = bt_tree_insert(t->bt_tleft, bt);
	else
		t->bt_tright = bt_tree_insert(t->bt_tright, bt);
	return t;
}

/* Remove bt from treap t; returns the new root. */
static bt_t *
bt_tree_remove(bt_t *t, bt_t *bt)
{

	KASSERT(t != NULL);
	if (t == bt)
		return bt_tree_merge(bt->bt_tleft, bt->bt_tright);
	if (bt->bt_start < t->bt_start)
		t->bt_tleft = bt_tree_remove(t->bt_tleft, bt);
	else
		t->bt_tright = bt_tree_remove(t->bt_tright, bt);
	return t;
}

/* The tag of treap t with the greatest start at or below addr, or NULL. */
static bt_t *
bt_tree_floor(bt_t *t, vmem_addr_t addr)
{
	bt_t *found = NULL;

	while (t != NULL) {
		if (t->bt_start <= addr) {
			found = t;
			t = t->bt_tright;
		} else
			t = t->bt_tleft;
	}
	return found;
}

/* The tag of treap t with the least start above addr, or NULL. */
static bt_t *
bt_tree_above(bt_t *t, vmem_addr_t addr)
{
	bt_t *found = NULL;

	while (t != NULL) {
		if (t->bt_start > addr) {
			found = t;
			t = t->bt_tleft;
		} else
			t = t->bt_tright;
	}
	return found;
}

/* Build the busy index from the segment list, the first time it is used. */
static void
vmem_order_busy(vmem_t *vm)
{
	bt_t *bt;

	KASSERT(mutex_owned(&vm->vm_lock));
	if (vm->vm_ordered)
		return;
	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		if (BT_ISBUSY_P(bt))
			vm->vm_busytree = bt_tree_insert(vm->vm_busytree, bt);
	}
	vm->vm_ordered = true;
}

/* Enter a busy segment in the hash (and the busy index, if kept). */
static void
bt_insbusy(vmem_t *vm, bt_t *bt)
{

	KASSERT(bt->bt_type == BT_TYPE_BUSY);
	LIST_INSERT_HEAD(bt_hashhead(vm, bt->bt_start), bt, bt_hashlist);
	if (__predict_false(vm->vm_ordered))
		vm->vm_busytree = bt_tree_insert(vm->vm_busytree, bt);
	vm->vm_nbusytag++;
	vm->vm_inuse += bt->bt_size;
}

/* Remove a busy segment from the hash (and the busy index, if kept). */
static void
bt_rembusy(vmem_t *vm, bt_t *bt)
{

	KASSERT(BT_ISBUSY_P(bt));
	LIST_REMOVE(bt, bt_hashlist);
	if (__predict_false(vm->vm_ordered))
		vm->vm_busytree = bt_tree_remove(vm->vm_busytree, bt);
	vm->vm_nbusytag--;
	vm->vm_inuse -= bt->bt_size;
}

/*
 * Double the hash table when it holds twice as many segments as buckets.
 * => arena lock must not be held; the table comes from the meta arena
 *    without sleeping, and a failure leaves the old table in place.
 *    The meta arena's own table comes from itself: vm_rehashing keeps
 *    that allocation from growing the table again underneath.
 */
static void
vmem_rehash(vmem_t *vm)
{
	struct vmem_hashlist *newhash, *oldhash;
	size_t i, nbuckets, oldmask;
	vmem_size_t tablesize;
	vmem_addr_t va;
	bt_t *bt;

	mutex_enter(&vm->vm_lock);
	if (vm->vm_nbusytag <= 2 * (vm->vm_hashmask + 1) ||
	    vmem_meta_arena == NULL || vm->vm_rehashing) {
		mutex_exit(&vm->vm_lock);
		return;
	}
	vm->vm_rehashing = true;
	nbuckets = 2 * (vm->vm_hashmask + 1);
	while (nbuckets < vm->vm_nbusytag)
		nbuckets *= 2;
	mutex_exit(&vm->vm_lock);

	tablesize = roundup2(nbuckets * sizeof(*newhash), PAGE_SIZE);
	if (vmem_alloc(vmem_meta_arena, tablesize, VM_NOSLEEP | VM_INSTANTFIT,
	    &va) != 0) {
		mutex_enter(&vm->vm_lock);
		vm->vm_rehashing = false;
		mutex_exit(&vm->vm_lock);
		return;
	}
	newhash = (void *)va;
	for (i = 0; i < nbuckets; i++)
		LIST_INIT(&newhash[i]);

	mutex_enter(&vm->vm_lock);
	oldhash = vm->vm_hashlist;
	oldmask = vm->vm_hashmask;
	vm->vm_hashlist = newhash;
	vm->vm_hashmask = nbuckets - 1;
	for (i = 0; i <= oldmask; i++) {
		while ((bt = LIST_FIRST(&oldhash[i])) != NULL) {
			LIST_REMOVE(bt, bt_hashlist);
			LIST_INSERT_HEAD(bt_hashhead(vm, bt->bt_start), bt,
			    bt_hashlist);
		}
	}
	vm->vm_nrehash++;
	vm->vm_rehashing = false;
	mutex_exit(&vm->vm_lock);
	if (oldhash != vm->vm_hash0) {
		vmem_free(vmem_meta_arena, (vmem_addr_t)oldhash,
		    roundup2((oldmask + 1) * sizeof(*oldhash), PAGE_SIZE));
	}
}

/* ---- spans */

/*
 * Add the span [addr, addr + size) with one free segment covering it.
 * => arena lock held; two spare tags available.
 */
static void
vmem_add1(vmem_t *vm, vmem_addr_t addr, vmem_size_t size, int spantype)
{
	bt_t *btspan, *btfree, *bt;

	KASSERT(mutex_owned(&vm->vm_lock));
	btspan = bt_alloc(vm);
	btspan->bt_type = spantype;
	btspan->bt_start = addr;
	btspan->bt_size = size;
	btfree = bt_alloc(vm);
	btfree->bt_type = BT_TYPE_FREE;
	btfree->bt_start = addr;
	btfree->bt_size = size;

	/* Keep the segment list in address order: before the next span. */
	bt = bt_tree_above(vm->vm_spantree, addr);
	if (bt == NULL) {
		TAILQ_INSERT_TAIL(&vm->vm_seglist, btspan, bt_seglist);
	} else {
		TAILQ_INSERT_BEFORE(bt, btspan, bt_seglist);
	}
	vm->vm_spantree = bt_tree_insert(vm->vm_spantree, btspan);
	TAILQ_INSERT_AFTER(&vm->vm_seglist, btspan, btfree, bt_seglist);
	bt_insfree(vm, btfree);
	vm->vm_size += size;
}

/* Is some span of the arena overlapping [addr, addr + size)? */
static bool
vmem_overlaps(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{
	bt_t *bt;

	/* The last span that starts in or before the range. */
	bt = bt_tree_floor(vm->vm_spantree, addr + size - 1);
	return bt != NULL && BT_END(bt) >= addr;
}

/*
 * If the free segment bt now covers a whole imported span, unlink both
 * and return the span's tag; the caller releases it after unlocking.
 */
static bt_t *
vmem_span_release_check(vmem_t *vm, bt_t *bt)
{
	bt_t *prev;

	if (vm->vm_importfn == NULL)
		return NULL;
	prev = TAILQ_PREV(bt, vmem_seglist, bt_seglist);
	KASSERT(prev != NULL);
	if (prev->bt_type != BT_TYPE_SPAN || prev->bt_size != bt->bt_size)
		return NULL;
	KASSERT(prev->bt_start == bt->bt_start);
	/* The rotor may rest on either tag; move it past the span. */
	if (vm->vm_rotor == bt || vm->vm_rotor == prev)
		vm->vm_rotor = TAILQ_NEXT(bt, bt_seglist);
	bt_remfree(vm, bt);
	TAILQ_REMOVE(&vm->vm_seglist, bt, bt_seglist);
	TAILQ_REMOVE(&vm->vm_seglist, prev, bt_seglist);
	vm->vm_spantree = bt_tree_remove(vm->vm_spantree, prev);
	vm->vm_size -= prev->bt_size;
	vm->vm_nrelease++;
	bt_free(vm, bt);
	return prev;
}

/* ---- fitting */

/* The constraints of one request. */
struct vmem_req {
	vmem_size_t	rq_size;	/* rounded to the quantum */
	vmem_size_t	rq_align;	/* power of 2, >= quantum */
	vmem_size_t	rq_phase;	/* < rq_align */
	vmem_size_t	rq_nocross;	/* 0 or a power of 2 >= size */
	vmem_addr_t	rq_minaddr;	/* inclusive */
	vmem_addr_t	rq_maxaddr;	/* inclusive */
};

/* Is the request just a size, with no constraint beyond the quantum? */
static bool
vmem_req_plain(const vmem_t *vm, const struct vmem_req *rq)
{

	return rq->rq_align == vm->vm_quantum_mask + 1 &&
	    rq->rq_phase == 0 && rq->rq_nocross == 0 &&
	    rq->rq_minaddr == VMEM_ADDR_MIN && rq->rq_maxaddr == VMEM_ADDR_MAX;
}

/*
 * Find the lowest address in the free segment bt where the request fits;
 * O(1).  Returns false if there is none.
 */
static bool
bt_fit(const bt_t *bt, const struct vmem_req *rq, vmem_addr_t *addrp)
{
	vmem_addr_t start, end, s, last;

	if (bt->bt_size < rq->rq_size)
		return false;
	start = MAX(bt->bt_start, rq->rq_minaddr);
	end = MIN(BT_END(bt), rq->rq_maxaddr);
	if (start > end)
		return false;

	/* Round up to the next address congruent to phase. */
	s = ((start - rq->rq_phase + rq->rq_align - 1) & -rq->rq_align) +
	    rq->rq_phase;
	if (s < start)
		return false;	/* wrapped past the top */
	if (rq->rq_nocross != 0 &&
	    ((s ^ (s + rq->rq_size - 1)) & -rq->rq_nocross) != 0) {
		/* Move to the next boundary, which is aligned, plus phase. */
		s = (s & -rq->rq_nocross) + rq->rq_nocross;
		if (s == 0)
			return false;
		s += rq->rq_phase;
	}
	last = s + rq->rq_size - 1;
	if (last < s || last > end)
		return false;
	*addrp = s;
	return true;
}

/* Search one free list; with best, the smallest fit, else the first. */
static bt_t *
vmem_fit_list(vmem_t *vm, int order, const struct vmem_req *rq, bool best,
    vmem_addr_t *addrp)
{
	bt_t *bt, *found = NULL;
	vmem_addr_t addr;

	LIST_FOREACH(bt, &vm->vm_freelist[order], bt_freelist) {
		if (!bt_fit(bt, rq, &addr))
			continue;
		if (found == NULL || bt->bt_size < found->bt_size) {
			found = bt;
			*addrp = addr;
			if (!best || bt->bt_size == rq->rq_size)
				break;
		}
	}
	return found;
}

/* Instant fit: O(1) for a plain request, one list scan otherwise. */
static bt_t *
vmem_fit_instant(vmem_t *vm, const struct vmem_req *rq, vmem_addr_t *addrp)
{
	uint64_t map;
	int order, first;
	bt_t *bt;

	first = vmem_order_ceil(vm, rq->rq_size);
	if (first < (int)VMEM_MAXORDER && vmem_req_plain(vm, rq)) {
		map = vm->vm_freemap & ~(((uint64_t)1 << first) - 1);
		if (map != 0) {
			bt = LIST_FIRST(&vm->vm_freelist[__builtin_ctzll(map)]);
			*addrp = bt->bt_start;
			return bt;
		}
	}
	/* Constrained, or only the lower list may hold it: scan. */
	map = vm->vm_freemap &
	    ~(((uint64_t)1 << vmem_order(vm, rq->rq_size)) - 1);
	while (map != 0) {
		order = __builtin_ctzll(map);
		bt = vmem_fit_list(vm, order, rq, false, addrp);
		if (bt != NULL)
			return bt;
		map &= map - 1;
	}
	return NULL;
}

/* Best fit: the smallest fitting segment of the lowest list with one. */
static bt_t *
vmem_fit_best(vmem_t *vm, const struct vmem_req *rq, vmem_addr_t *addrp)
{
	uint64_t map;
	int order;
	bt_t *bt;

	map = vm->vm_freemap &
	    ~(((uint64_t)1 << vmem_order(vm, rq->rq_size)) - 1);
	while (map != 0) {
		order = __builtin_ctzll(map);
		bt = vmem_fit_list(vm, order, rq, true, addrp);
		if (bt != NULL)
			return bt;
		map &= map - 1;
	}
	return NULL;
}

/* Next fit: the first fitting free segment at or after the rotor. */
static bt_t *
vmem_fit_next(vmem_t *vm, const struct vmem_req *rq, vmem_addr_t *addrp)
{
	bt_t *start, *bt;

	start = vm->vm_rotor != NULL ? vm->vm_rotor :
	    TAILQ_FIRST(&vm->vm_seglist);
	bt = start;
	while (bt != NULL) {
		if (bt->bt_type == BT_TYPE_FREE && bt_fit(bt, rq, addrp))
			return bt;
		bt = TAILQ_NEXT(bt, bt_seglist);
		if (bt == NULL)
			bt = TAILQ_FIRST(&vm->vm_seglist);
		if (bt == start)
			break;
	}
	return NULL;
}

/* Find a segment for the request under the policy in flags. */
static bt_t *
vmem_fit(vmem_t *vm, const struct vmem_req *rq, vm_flag_t flags,
    vmem_addr_t *addrp)
{

	if ((flags & VM_NEXTFIT) != 0)
		return vmem_fit_next(vm, rq, addrp);
	if ((flags & VM_BESTFIT) != 0)
		return vmem_fit_best(vm, rq, addrp);
	return vmem_fit_instant(vm, rq, addrp);
}

/*
 * Carve [addr, addr + size) out of the free segment bt and mark it busy;
 * the pieces before and after stay free.  Returns the busy tag.
 * => arena lock held; two spare tags available.
 */
static bt_t *
vmem_carve(vmem_t *vm, bt_t *bt, vmem_addr_t addr, vmem_size_t size)
{
	bt_t *piece;

	KASSERT(mutex_owned(&vm->vm_lock));
	KASSERT(bt->bt_type == BT_TYPE_FREE);
	KASSERT(addr >= bt->bt_start && addr + size - 1 <= BT_END(bt));
	bt_remfree(vm, bt);
	if (addr > bt->bt_start) {
		piece = bt_alloc(vm);
		piece->bt_type = BT_TYPE_FREE;
		piece->bt_start = bt->bt_start;
		piece->bt_size = addr - bt->bt_start;
		TAILQ_INSERT_BEFORE(bt, piece, bt_seglist);
		bt_insfree(vm, piece);
		bt->bt_start = addr;
		bt->bt_size -= piece->bt_size;
	}
	if (bt->bt_size > size) {
		piece = bt_alloc(vm);
		piece->bt_type = BT_TYPE_FREE;
		piece->bt_start = addr + size;
		piece->bt_size = bt->bt_size - size;
		TAILQ_INSERT_AFTER(&vm->vm_seglist, bt, piece, bt_seglist);
		bt_insfree(vm, piece);
		bt->bt_size = size;
	}
	bt->bt_type = BT_TYPE_BUSY;
	bt_insbusy(vm, bt);
	return bt;
}

/* ---- imports */

/* Does this arena pass constraints to its source with vmem_xalloc? */
static bool
vmem_import_exact(const vmem_t *vm)
{

	return vm->vm_importfn == vmem_alloc;
}

/*
 * Take the arena lock with at least n spare tags on hand.
 * => returns false, unlocked, if no tags could be had.
 */
static bool
vmem_lock_tags(vmem_t *vm, size_t n, vm_flag_t flags)
{

	for (;;) {
		mutex_enter(&vm->vm_lock);
		if (vm->vm_nfreetags >= n)
			return true;
		mutex_exit(&vm->vm_lock);
		if (!bt_refill(vm, flags))
			return false;
	}
}

/* Give an imported span back to the source. */
static void
vmem_span_release(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{

	if (vmem_import_exact(vm))
		vmem_xfree(vm->vm_source, addr, size);
	else
		(*vm->vm_releasefn)(vm->vm_source, addr, size);
}

/*
 * Import with vmem_xalloc a span of whole import quanta Q that serves the
 * request at an address s with s % Q == phase % Q (every fit has that
 * offset when align >= Q; with a smaller align it is the one chosen).
 * The span starts at s - (phase % Q), so the constraints on s become
 * constraints on the span that the source's quantum can express.
 * => arena lock must not be held.  Returns 0 or ENOMEM.
 */
static int
vmem_import_xalloc(vmem_t *vm, const struct vmem_req *rq, vm_flag_t flags,
    vmem_addr_t *addrp, vmem_size_t *sizep)
{
	vmem_size_t q = vm->vm_import_quantum;
	vmem_size_t p = rq->rq_phase & (q - 1), size;
	vmem_addr_t minaddr, maxaddr, top;

	size = roundup2(p + rq->rq_size, q);
	if (size < rq->rq_size || size == 0 ||
	    rq->rq_maxaddr < p + rq->rq_size - 1)
		return ENOMEM;
	/* The span's start is a multiple of q in [minaddr - p, top]. */
	minaddr = 0;
	if (rq->rq_minaddr > p) {
		minaddr = roundup2(rq->rq_minaddr - p, q);
		if (minaddr == 0)
			return ENOMEM;	/* wrapped past the top */
	}
	top = rounddown2(rq->rq_maxaddr - p - rq->rq_size + 1, q);
	if (minaddr > top)
		return ENOMEM;
	maxaddr = top + size - 1;
	*sizep = size;
	return vmem_xalloc(vm->vm_source, size, MAX(rq->rq_align, q),
	    rq->rq_phase - p, rq->rq_nocross >= q ? rq->rq_nocross : 0,
	    minaddr, maxaddr, flags | VM_INSTANTFIT, addrp);
}

/*
 * Import a span big enough for the request, with its constraints, and
 * add it to the arena.  An arena whose importfn is vmem_alloc imports
 * with vmem_xalloc and the request's constraints; any other importfn gets
 * a size with slack for alignment and one boundary.
 * => arena lock must not be held.  Returns 0 or ENOMEM.
 */
static int
vmem_import(vmem_t *vm, const struct vmem_req *rq, vm_flag_t flags)
{
	vmem_size_t size, slack = 0;
	vmem_addr_t addr, fit;
	bt_t span;
	int error;

	if (vm->vm_importfn == NULL)
		return ENOMEM;
	flags &= VM_SLEEP | VM_NOSLEEP;
	if (vmem_import_exact(vm)) {
		error = vmem_import_xalloc(vm, rq, flags, &addr, &size);
	} else {
		if (rq->rq_align > vm->vm_quantum_mask + 1)
			slack = rq->rq_align;
		slack += rq->rq_nocross;
		size = roundup2(rq->rq_size + slack, vm->vm_import_quantum);
		if (size < rq->rq_size)
			return ENOMEM;
		error = (*vm->vm_importfn)(vm->vm_source, size, flags, &addr);
	}
	if (error != 0)
		return ENOMEM;
	/*
	 * Another importfn knows nothing of minaddr and maxaddr: give back
	 * a span that cannot serve the request rather than keep it free.
	 */
	span.bt_start = addr;
	span.bt_size = size;
	if (!bt_fit(&span, rq, &fit)) {
		vmem_span_release(vm, addr, size);
		return ENOMEM;
	}
	if (!vmem_lock_tags(vm, 2, flags)) {
		vmem_span_release(vm, addr, size);
		return ENOMEM;
	}
	vmem_add1(vm, addr, size, BT_TYPE_SPAN);
	vm->vm_nimport++;
	VMEM_CHECK(vm);
	mutex_exit(&vm->vm_lock);
	return 0;
}

/* ---- sleeping for space */

/*
 * Wait for space to be freed in the arena (or for up to a tick, if tick
 * or if the arena has a source, since space may come back there, or
 * pages to the page level, instead).
 * => arena lock held; released and retaken.
 */
static void
vmem_wait(vmem_t *vm, bool tick)
{

	KASSERT(mutex_owned(&vm->vm_lock));
	vm->vm_nwait++;
	if (tick || vm->vm_source != NULL)
		(void)cv_timedwait(&vm->vm_cv, &vm->vm_lock, 1);
	else
		cv_wait(&vm->vm_cv, &vm->vm_lock);
}

/* Ask kmem to give memory back before sleeping for it. */
static void
vmem_reclaim(void)
{
	const struct vmem_qcache_ops *ops = vmem_qcache_ops;

	if (ops != NULL && ops->qo_reclaim != NULL)
		(*ops->qo_reclaim)();
}

/* ---- argument checks */

/* Panic, naming the arena and every argument of a bad vmem_xalloc. */
static void __dead
vmem_xalloc_misuse(vmem_t *vm, const char *func, const char *rule,
    vmem_size_t size,
    vmem_size_t align, vmem_size_t phase, vmem_size_t nocross,
    vmem_addr_t minaddr, vmem_addr_t maxaddr, vm_flag_t flags)
{

	panic("%s: arena %s: %s: size %#zx align %#zx phase %#zx "
	    "nocross %#zx minaddr %#lx maxaddr %#lx flags %#x (quantum %#zx)",
	    func, vm->vm_name, rule, size, align, phase, nocross,
	    (unsigned long)minaddr, (unsigned long)maxaddr, flags,
	    vm->vm_quantum_mask + 1);
}

/* Check a vmem_xalloc request and fill in rq; panic on misuse. */
static void
vmem_xalloc_args(vmem_t *vm, const char *func, vmem_size_t size0,
    vmem_size_t align, vmem_size_t phase, vmem_size_t nocross,
    vmem_addr_t minaddr, vmem_addr_t maxaddr, vm_flag_t flags,
    struct vmem_req *rq)
{
	vmem_size_t q = vm->vm_quantum_mask + 1;
	vmem_size_t size = vmem_roundup_size(vm, size0);
	const char *rule = NULL;

	if (size0 == 0)
		rule = "zero size";
	else if (size < size0)
		rule = "size overflows when rounded to the quantum";
	else if (((flags & VM_SLEEP) != 0) == ((flags & VM_NOSLEEP) != 0))
		rule = "exactly one of VM_SLEEP and VM_NOSLEEP is required";
	else if ((flags & ~(VMEM_FLAGS_ALLOC)) != 0)
		rule = "unknown flags";
	else if (align != 0 && (!powerof2(align) || (align & (q - 1)) != 0))
		rule = "align is not a power of 2 multiple of the quantum";
	else if ((phase & (q - 1)) != 0)
		rule = "phase is not a multiple of the quantum";
	else if (phase >= MAX(align, q))
		rule = "phase is not below align";
	else if (nocross != 0 && !powerof2(nocross))
		rule = "nocross is not a power of 2";
	else if (nocross != 0 && nocross < MAX(align, q))
		rule = "nocross is below align";
	else if (nocross != 0 && phase + size > nocross)
		rule = "size and phase cannot fit between two nocross "
		    "boundaries";
	else if (minaddr > maxaddr)
		rule = "minaddr is above maxaddr";
	else if (maxaddr - minaddr < size - 1)
		rule = "the range [minaddr, maxaddr] is smaller than size";
	else if ((minaddr & (q - 1)) != 0 ||
	    (maxaddr != VMEM_ADDR_MAX && ((maxaddr + 1) & (q - 1)) != 0))
		rule = "minaddr or maxaddr + 1 is not a multiple of the quantum";
	if (rule != NULL)
		vmem_xalloc_misuse(vm, func, rule, size0, align, phase, nocross,
		    minaddr, maxaddr, flags);
	rq->rq_size = size;
	rq->rq_align = align != 0 ? align : q;
	rq->rq_phase = phase;
	rq->rq_nocross = nocross;
	rq->rq_minaddr = minaddr;
	rq->rq_maxaddr = maxaddr;
}

/* ---- allocation */

/*
 * Find space for a checked request: search, import, sleep, in that order.
 * => arena lock must not be held.
 */
static int
vmem_xalloc_space(vmem_t *vm, const struct vmem_req *rq, vm_flag_t flags,
    vmem_addr_t *addrp)
{
	vmem_addr_t addr;
	bool rehash;
	bt_t *bt;

	for (;;) {
		if (!vmem_lock_tags(vm, 2, flags))
			goto fail;
		bt = vmem_fit(vm, rq, flags, &addr);
		if (bt != NULL)
			break;
		mutex_exit(&vm->vm_lock);
		if (vmem_import(vm, rq, flags) == 0)
			continue;
		if ((flags & VM_NOSLEEP) != 0)
			goto fail;
		vmem_reclaim();
		mutex_enter(&vm->vm_lock);
		if (vmem_fit(vm, rq, flags, &addr) == NULL)
			vmem_wait(vm, false);
		mutex_exit(&vm->vm_lock);
	}
	bt = vmem_carve(vm, bt, addr, rq->rq_size);
	if ((flags & VM_NEXTFIT) != 0)
		vm->vm_rotor = TAILQ_NEXT(bt, bt_seglist);
	vm->vm_nalloc++;
	rehash = vm->vm_nbusytag > 2 * (vm->vm_hashmask + 1);
	VMEM_CHECK(vm);
	mutex_exit(&vm->vm_lock);
	*addrp = addr;
	if (rehash)
		vmem_rehash(vm);
	return 0;

fail:
	mutex_enter(&vm->vm_lock);
	vm->vm_nfail++;
	mutex_exit(&vm->vm_lock);
	return ENOMEM;
}

/*
 * Allocate for a checked request and, in a backed arena, back the segment;
 * if that fails, free it (without unbacking) and, for VM_SLEEP, reclaim,
 * wait a tick and start over.
 * => arena lock must not be held.
 */
static int
vmem_xalloc1(vmem_t *vm, const struct vmem_req *rq, vm_flag_t flags,
    vmem_addr_t *addrp)
{

	for (;;) {
		if (vmem_xalloc_space(vm, rq, flags, addrp) != 0)
			return ENOMEM;
		if (vm->vm_backfn == NULL ||
		    (*vm->vm_backfn)(vm, *addrp, rq->rq_size, flags) == 0)
			return 0;
		mutex_enter(&vm->vm_lock);
		vmem_free_done(vm, vmem_free1(vm, bt_lookupbusy(vm, *addrp)));
		if ((flags & VM_NOSLEEP) != 0) {
			mutex_enter(&vm->vm_lock);
			vm->vm_nfail++;
			mutex_exit(&vm->vm_lock);
			return ENOMEM;
		}
		vmem_reclaim();
		mutex_enter(&vm->vm_lock);
		vmem_wait(vm, true);
		mutex_exit(&vm->vm_lock);
	}
}

/*
 * vmem_xalloc: allocate size bytes at an address addr such that
 * addr % align == phase, [addr, addr + size) does not cross a multiple of
 * nocross, and minaddr <= addr, addr + size - 1 <= maxaddr.
 * => arena lock must not be held; may sleep if VM_SLEEP.
 * => align 0 means the quantum; nocross 0 means no boundary.
 * Returns 0 and sets *addrp, or ENOMEM (VM_NOSLEEP only).
 */
int
vmem_xalloc(vmem_t *vm, vmem_size_t size, vmem_size_t align,
    vmem_size_t phase, vmem_size_t nocross, vmem_addr_t minaddr,
    vmem_addr_t maxaddr, vm_flag_t flags, vmem_addr_t *addrp)
{
	struct vmem_req rq;

	vmem_xalloc_args(vm, "vmem_xalloc", size, align, phase, nocross,
	    minaddr, maxaddr, flags, &rq);
	return vmem_xalloc1(vm, &rq, flags, addrp);
}

/*
 * vmem_alloc: allocate size bytes anywhere in the arena.
 * => arena lock must not be held; may sleep if VM_SLEEP.
 * Small sizes are served by the quantum caches, if the arena has them.
 */
int
vmem_alloc(vmem_t *vm, vmem_size_t size, vm_flag_t flags,
    vmem_addr_t *addrp)
{
	const struct vmem_qcache_ops *ops = vmem_qcache_ops;
	struct vmem_req rq;
	void *p;

	vmem_xalloc_args(vm, "vmem_alloc", size, 0, 0, 0, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, flags, &rq);
	if (rq.rq_size <= vm->vm_qcache_max && ops != NULL) {
		p = vm->vm_qcache[(rq.rq_size >> vm->vm_quantum_shift) - 1];
		if (p != NULL) {
			p = (*ops->qo_alloc)(p, flags);
			if (p == NULL)
				return ENOMEM;
			*addrp = (vmem_addr_t)p;
			return 0;
		}
	}
	return vmem_xalloc1(vm, &rq, flags, addrp);
}

/* ---- freeing */

/* Panic, naming the arena and arguments of a bad free. */
static void __dead
vmem_free_misuse(vmem_t *vm, const char *func, const char *rule,
    vmem_addr_t addr, vmem_size_t size, vmem_size_t actual)
{

	if (actual != 0)
		panic("%s: arena %s: %s: addr %#lx size %#zx, allocated size "
		    "%#zx", func, vm->vm_name, rule, (unsigned long)addr, size,
		    actual);
	panic("%s: arena %s: %s: addr %#lx size %#zx", func, vm->vm_name,
	    rule, (unsigned long)addr, size);
}

/* Merge the free segment bt with a free neighbour that follows it. */
static void
vmem_coalesce_next(vmem_t *vm, bt_t *bt)
{
	bt_t *next = TAILQ_NEXT(bt, bt_seglist);

	if (next == NULL || next->bt_type != BT_TYPE_FREE)
		return;
	bt_remfree(vm, next);
	TAILQ_REMOVE(&vm->vm_seglist, next, bt_seglist);
	bt->bt_size += next->bt_size;
	if (vm->vm_rotor == next)
		vm->vm_rotor = bt;
	bt_free(vm, next);
}

/* Merge the free segment bt into a free neighbour before it. */
static bt_t *
vmem_coalesce_prev(vmem_t *vm, bt_t *bt)
{
	bt_t *prev = TAILQ_PREV(bt, vmem_seglist, bt_seglist);

	if (prev == NULL || prev->bt_type != BT_TYPE_FREE)
		return bt;
	bt_remfree(vm, prev);
	TAILQ_REMOVE(&vm->vm_seglist, bt, bt_seglist);
	prev->bt_size += bt->bt_size;
	if (vm->vm_rotor == bt)
		vm->vm_rotor = prev;
	bt_free(vm, bt);
	return prev;
}

/*
 * Turn the busy segment bt free, coalesce it, and return the span to
 * release if it became wholly free (NULL if none).
 * => arena lock held.
 */
static bt_t *
vmem_free1(vmem_t *vm, bt_t *bt)
{

	KASSERT(mutex_owned(&vm->vm_lock));
	bt_rembusy(vm, bt);
	bt->bt_type = BT_TYPE_FREE;
	vmem_coalesce_next(vm, bt);
	bt = vmem_coalesce_prev(vm, bt);
	bt_insfree(vm, bt);
	vm->vm_nfree++;
	return vmem_span_release_check(vm, bt);
}

/* Unlock the arena, wake waiters, and release a span if there is one. */
static void
vmem_free_done(vmem_t *vm, bt_t *span)
{
	vmem_addr_t addr = 0;
	vmem_size_t size = 0;

	VMEM_CHECK(vm);
	if (span != NULL) {
		addr = span->bt_start;
		size = span->bt_size;
		bt_free(vm, span);
	}
	cv_broadcast(&vm->vm_cv);
	mutex_exit(&vm->vm_lock);
	if (span != NULL)
		vmem_span_release(vm, addr, size);
}

/*
 * Free the busy segment bt, first unbacking it in a backed arena (with
 * the lock dropped: the segment stays hashed but UNBACKING, so no one
 * else touches it and a second free of it is reported as misuse).
 * => arena lock held; released.
 */
static void
vmem_free_busy(vmem_t *vm, bt_t *bt)
{
	vmem_addr_t addr = bt->bt_start;
	vmem_size_t size = bt->bt_size;

	KASSERT(mutex_owned(&vm->vm_lock));
	if (vm->vm_unbackfn != NULL) {
		bt->bt_type = BT_TYPE_UNBACKING;
		mutex_exit(&vm->vm_lock);
		(*vm->vm_unbackfn)(vm, addr, size);
		mutex_enter(&vm->vm_lock);
		KASSERT(bt->bt_type == BT_TYPE_UNBACKING &&
		    bt->bt_start == addr && bt->bt_size == size);
	}
	vmem_free_done(vm, vmem_free1(vm, bt));
}

/*
 * vmem_xfree: free a segment allocated with vmem_xalloc, or with
 * vmem_alloc in an arena without quantum caches.
 * => arena lock must not be held.
 * Panics on an address that is not the start of a busy segment (double
 * free, foreign address) and on a size that is not the allocated one.
 */
void
vmem_xfree(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{
	bt_t *bt;

	mutex_enter(&vm->vm_lock);
	bt = bt_lookupbusy(vm, addr);
	if (bt == NULL) {
		mutex_exit(&vm->vm_lock);
		vmem_free_misuse(vm, "vmem_xfree", vmem_contains(vm, addr, 1) ?
		    "address is not allocated (double free?)" :
		    "address is not in the arena", addr, size, 0);
	}
	if (bt->bt_size != vmem_roundup_size(vm, size)) {
		mutex_exit(&vm->vm_lock);
		vmem_free_misuse(vm, "vmem_xfree", "wrong size", addr, size,
		    bt->bt_size);
	}
	vmem_free_busy(vm, bt);
}

/*
 * vmem_free: free a segment allocated with vmem_alloc.
 * => arena lock must not be held.
 */
void
vmem_free(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{
	const struct vmem_qcache_ops *ops = vmem_qcache_ops;
	vmem_size_t rsize = vmem_roundup_size(vm, size);
	void *qc;

	if (size == 0)
		vmem_free_misuse(vm, "vmem_free", "zero size", addr, size, 0);
	if (rsize <= vm->vm_qcache_max && ops != NULL) {
		qc = vm->vm_qcache[(rsize >> vm->vm_quantum_shift) - 1];
		if (qc != NULL) {
			(*ops->qo_free)(qc, (void *)addr);
			return;
		}
	}
	vmem_xfree(vm, addr, size);
}

/* Split a busy piece [addr, BT_END(bt)] off the busy segment bt. */
static bt_t *
vmem_split_busy(vmem_t *vm, bt_t *bt, vmem_addr_t addr)
{
	bt_t *piece;

	KASSERT(addr > bt->bt_start && addr <= BT_END(bt));
	bt_rembusy(vm, bt);
	piece = bt_alloc(vm);
	piece->bt_type = BT_TYPE_BUSY;
	piece->bt_start = addr;
	piece->bt_size = BT_END(bt) - addr + 1;
	bt->bt_size -= piece->bt_size;
	TAILQ_INSERT_AFTER(&vm->vm_seglist, bt, piece, bt_seglist);
	bt_insbusy(vm, bt);
	bt_insbusy(vm, piece);
	return piece;
}

/*
 * The first allocated segment of the run of adjacent allocated segments
 * (span tags between them aside) that covers [addr, last], with the last
 * one in *lastp; NULL if a number of the range is not allocated, or, if
 * one, if the range leaves the first segment.  O(1) through the hash if
 * the range starts a segment, else O(log n) through the busy index (built
 * here the first time), plus a step for each further segment.
 * => arena lock held
 */
static bt_t *
vmem_busy_run(vmem_t *vm, vmem_addr_t addr, vmem_addr_t last, bool one,
    bt_t **lastp)
{
	bt_t *first, *bt, *next;

	if ((bt = bt_lookupbusy(vm, addr)) == NULL) {
		vmem_order_busy(vm);
		bt = bt_tree_floor(vm->vm_busytree, addr);
		if (bt == NULL || bt->bt_type != BT_TYPE_BUSY ||
		    BT_END(bt) < addr)
			return NULL;
	}
	first = bt;
	while (BT_END(bt) < last) {
		if (one)
			return NULL;
		next = TAILQ_NEXT(bt, bt_seglist);
		while (next != NULL && BT_ISSPAN_P(next) &&
		    next->bt_start == BT_END(bt) + 1)
			next = TAILQ_NEXT(next, bt_seglist);
		if (next == NULL || next->bt_type != BT_TYPE_BUSY ||
		    next->bt_start != BT_END(bt) + 1)
			return NULL;
		bt = next;
	}
	*lastp = bt;
	return first;
}

/*
 * Find the run covering [addr, last] and take the arena lock with the
 * tags its split ends need (a whole run needs none); returns the first
 * segment of the run, split so that it starts at addr, or NULL, unlocked,
 * if the tags could not be had.  Panics (as func) on a bad range.
 */
static bt_t *
vmem_busy_run_split(vmem_t *vm, const char *func, vmem_addr_t addr,
    vmem_size_t size, vm_flag_t flags, bool one)
{
	vmem_addr_t last = addr + size - 1;
	bt_t *first, *lastbt;
	size_t need;

	for (;;) {
		mutex_enter(&vm->vm_lock);
		first = vmem_busy_run(vm, addr, last, one, &lastbt);
		if (first == NULL) {
			mutex_exit(&vm->vm_lock);
			vmem_free_misuse(vm, func, one ? "range is not inside "
			    "one allocated segment" : "range is not wholly "
			    "allocated", addr, size, 0);
		}
		need = (addr > first->bt_start) + (last < BT_END(lastbt));
		if (vm->vm_nfreetags >= need)
			break;
		mutex_exit(&vm->vm_lock);
		if (!bt_refill(vm, flags))
			return NULL;
	}
	if (last < BT_END(lastbt))
		(void)vmem_split_busy(vm, lastbt, last + 1);
	if (addr > first->bt_start)
		first = vmem_split_busy(vm, first, addr);
	return first;
}

/*
 * Free [addr, addr + size): the parts of allocated segments at its ends
 * and the whole segments between them, all or nothing.
 */
static int
vmem_xfree_range(vmem_t *vm, const char *func, vmem_addr_t addr,
    vmem_size_t size, vm_flag_t flags, bool one)
{
	vmem_addr_t next, last = addr + size - 1;
	bt_t *bt;
	bool done;

	if (size == 0 || last < addr ||
	    ((addr | size) & vm->vm_quantum_mask) != 0)
		vmem_free_misuse(vm, func, "range is empty, wraps, or is not "
		    "a multiple of the quantum", addr, size, 0);
	if ((bt = vmem_busy_run_split(vm, func, addr, size, flags, one)) ==
	    NULL)
		return ENOMEM;
	for (;;) {
		done = BT_END(bt) >= last;
		next = BT_END(bt) + 1;
		vmem_free_busy(vm, bt);
		if (done)
			return 0;
		mutex_enter(&vm->vm_lock);
		if ((bt = bt_lookupbusy(vm, next)) == NULL) {
			mutex_exit(&vm->vm_lock);
			vmem_free_misuse(vm, func, "part of the range was freed "
			    "meanwhile", next, last - next + 1, 0);
		}
	}
}

/*
 * vmem_xfree_part: free [addr, addr + size), any quantum-aligned part of
 * one allocated segment; the rest of the segment stays allocated, as up
 * to two segments that are freed separately (with vmem_xfree, or again
 * with vmem_xfree_part).  The segment is found through the busy index in
 * O(log n); the first call in an arena builds the index.
 * => arena lock must not be held; flags VM_SLEEP or VM_NOSLEEP, for the
 *    two boundary tags a split may need.
 * Returns 0, or ENOMEM if VM_NOSLEEP and no tag could be had (nothing
 * is freed then).  Panics if the range is misaligned or not inside one
 * allocated segment.  Not for memory from the quantum caches.
 */
int
vmem_xfree_part(vmem_t *vm, vmem_addr_t addr, vmem_size_t size,
    vm_flag_t flags)
{

	return vmem_xfree_range(vm, "vmem_xfree_part", addr, size, flags,
	    true);
}

/*
 * vmem_xfree_run: free [addr, addr + size), a quantum-aligned range that
 * is wholly allocated, as adjacent segments of which the first and last
 * may be freed in part: in O(log n + k) for k segments, all or nothing.
 * => as vmem_xfree_part; only the split ends need tags, so a range of
 *    whole segments never fails.  Panics if a number of the range is
 *    not allocated.
 */
int
vmem_xfree_run(vmem_t *vm, vmem_addr_t addr, vmem_size_t size,
    vm_flag_t flags)
{

	return vmem_xfree_range(vm, "vmem_xfree_run", addr, size, flags,
	    false);
}

/*
 * vmem_busy_find: the busy segment that holds addr or, if none does, the
 * lowest one above it, as *startp and *sizep: O(1) through the hash when
 * a segment starts at addr, O(log n) through the busy index otherwise
 * (built the first time it is needed, as for vmem_xfree_part).
 * => arena lock must not be held.  Returns false if there is none.
 */
bool
vmem_busy_find(vmem_t *vm, vmem_addr_t addr, vmem_addr_t *startp,
    vmem_size_t *sizep)
{
	bt_t *bt;

	mutex_enter(&vm->vm_lock);
	bt = bt_lookupbusy(vm, addr);
	if (bt == NULL) {
		vmem_order_busy(vm);
		bt = bt_tree_floor(vm->vm_busytree, addr);
		if (bt == NULL || BT_END(bt) < addr)
			bt = bt_tree_above(vm->vm_busytree, addr);
	}
	if (bt != NULL) {
		*startp = bt->bt_start;
		*sizep = bt->bt_size;
	}
	mutex_exit(&vm->vm_lock);
	return bt != NULL;
}

/* ---- spans given by the caller */

/*
 * vmem_add: add the span [addr, addr + size) to the arena.
 * => arena lock must not be held; flags VM_SLEEP or VM_NOSLEEP, for the
 *    boundary tags.  Returns 0 or ENOMEM.
 * Panics if the span is misaligned, wraps, or overlaps a span.
 */
int
vmem_add(vmem_t *vm, vmem_addr_t addr, vmem_size_t size, vm_flag_t flags)
{

	if (size == 0 || addr + (size - 1) < addr ||
	    ((addr | size) & vm->vm_quantum_mask) != 0)
		panic("vmem_add: arena %s: span addr %#lx size %#zx is empty, "
		    "wraps, or is not a multiple of the quantum %#zx",
		    vm->vm_name, (unsigned long)addr, size,
		    vm->vm_quantum_mask + 1);
	if (!vmem_lock_tags(vm, 2, flags))
		return ENOMEM;
	if (vmem_overlaps(vm, addr, size)) {
		mutex_exit(&vm->vm_lock);
		panic("vmem_add: arena %s: span addr %#lx size %#zx overlaps "
		    "a span of the arena", vm->vm_name, (unsigned long)addr,
		    size);
	}
	vmem_add1(vm, addr, size, BT_TYPE_SPAN_STATIC);
	VMEM_CHECK(vm);
	cv_broadcast(&vm->vm_cv);
	mutex_exit(&vm->vm_lock);
	return 0;
}

/* ---- arenas */

/* Take storage for a new arena: a static slot early, then a meta page. */
static vmem_t *
vmem_storage_alloc(int *storagep)
{
	u_int i;

	mutex_enter(&vmem_list_lock);
	for (i = 0; i < VMEM_STATIC_ARENAS; i++) {
		if (!vmem_static_used[i]) {
			vmem_static_used[i] = true;
			mutex_exit(&vmem_list_lock);
			*storagep = VMEM_STORAGE_POOL;
			return &vmem_static_arenas[i];
		}
	}
	mutex_exit(&vmem_list_lock);
	CTASSERT(sizeof(vmem_t) <= PAGE_SIZE);
	*storagep = VMEM_STORAGE_META;
	return vmem_meta_page(VM_SLEEP);
}

/* Give an arena's storage back to where it came from. */
static void
vmem_storage_free(vmem_t *vm)
{

	switch (vm->vm_storage) {
	case VMEM_STORAGE_POOL:
		mutex_enter(&vmem_list_lock);
		vmem_static_used[vm - vmem_static_arenas] = false;
		mutex_exit(&vmem_list_lock);
		break;
	case VMEM_STORAGE_META:
		vmem_free(vmem_meta_arena, (vmem_addr_t)vm, PAGE_SIZE);
		break;
	default:
		break;
	}
}

/*
 * vmem_init: make an arena in storage the caller provides (static
 * storage serves early boot, before any allocator exists).
 * => may sleep if flags has VM_SLEEP (for the first span's tags).
 * Panics on a quantum that is not a power of 2 or a span that is not a
 * multiple of it.
 */
vmem_t *
vmem_init(vmem_t *vm, const char *name, vmem_addr_t base, vmem_size_t size,
    vmem_size_t quantum, vmem_import_t *importfn, vmem_release_t *releasefn,
    vmem_t *source, vmem_size_t qcache_max, vm_flag_t flags, int ipl)
{
	size_t i;

	vmem_bootstrap();
	if (quantum == 0 || !powerof2(quantum))
		panic("vmem_init: arena %s: quantum %#zx is not a power of 2",
		    name, quantum);
	if ((importfn == NULL) != (source == NULL) ||
	    (importfn != NULL && releasefn == NULL && importfn != vmem_alloc))
		panic("vmem_init: arena %s: importfn %p, releasefn %p and "
		    "source %p do not go together", name, importfn,
		    releasefn, source);
	memset(vm, 0, sizeof(*vm));
	vm->vm_storage = VMEM_STORAGE_CALLER;
	strlcpy(vm->vm_name, name, sizeof(vm->vm_name));
	mutex_init(&vm->vm_lock, MUTEX_DEFAULT, ipl);
	cv_init(&vm->vm_cv, vm->vm_name);
	vm->vm_flags = flags;
	vm->vm_ipl = ipl;
	vm->vm_importfn = importfn;
	vm->vm_releasefn = releasefn;
	vm->vm_source = source;
	vm->vm_quantum_mask = quantum - 1;
	vm->vm_quantum_shift = __builtin_ctzl(quantum);
	vm->vm_import_quantum = source != NULL ?
	    MAX(quantum, source->vm_quantum_mask + 1) : quantum;
	vm->vm_qcache_max = MIN(roundup2(qcache_max, quantum),
	    quantum * VMEM_QCACHE_IDX_MAX);
	TAILQ_INIT(&vm->vm_seglist);
	for (i = 0; i < VMEM_MAXORDER; i++)
		LIST_INIT(&vm->vm_freelist[i]);
	for (i = 0; i < VMEM_HASHSIZE_MIN; i++)
		LIST_INIT(&vm->vm_hash0[i]);
	vm->vm_hashlist = vm->vm_hash0;
	vm->vm_hashmask = VMEM_HASHSIZE_MIN - 1;
	LIST_INIT(&vm->vm_freetags);

	if (size != 0 && vmem_add(vm, base, size, flags & ~VM_BOOTSTRAP) != 0)
		return NULL;
	mutex_enter(&vmem_list_lock);
	LIST_INSERT_HEAD(&vmem_list, vm, vm_alllist);
	if (vm->vm_qcache_max != 0 && vmem_qcache_ops != NULL)
		(*vmem_qcache_ops->qo_create)(vm);
	mutex_exit(&vmem_list_lock);
	return vm;
}

/*
 * vmem_create: make an arena of the span [base, base + size) (none if
 * size is 0), with the given quantum, importing from source through
 * importfn/releasefn, with quantum caches for sizes up to qcache_max, and
 * a lock usable at ipl.
 * => may sleep if flags has VM_SLEEP.  Returns NULL on failure.
 */
vmem_t *
vmem_create(const char *name, vmem_addr_t base, vmem_size_t size,
    vmem_size_t quantum, vmem_import_t *importfn, vmem_release_t *releasefn,
    vmem_t *source, vmem_size_t qcache_max, vm_flag_t flags, int ipl)
{
	vmem_t *vm;
	int storage;

	vmem_bootstrap();
	vm = vmem_storage_alloc(&storage);
	if (vm == NULL)
		return NULL;
	if (vmem_init(vm, name, base, size, quantum, importfn, releasefn,
	    source, qcache_max, flags, ipl) == NULL) {
		vm->vm_storage = storage;
		vmem_storage_free(vm);
		return NULL;
	}
	vm->vm_storage = storage;
	return vm;
}

/*
 * vmem_destroy: tear down an arena, giving imported spans back.
 * => nothing may be allocated from it; panics otherwise.
 */
void
vmem_destroy(vmem_t *vm)
{
	bt_t *bt;

	mutex_enter(&vmem_list_lock);
	LIST_REMOVE(vm, vm_alllist);
	mutex_exit(&vmem_list_lock);
	if (vm->vm_qcache_max != 0 && vmem_qcache_ops != NULL)
		(*vmem_qcache_ops->qo_destroy)(vm);

	mutex_enter(&vm->vm_lock);
	if (vm->vm_nbusytag != 0) {
		mutex_exit(&vm->vm_lock);
		panic("vmem_destroy: arena %s: %zu segments (%#zx bytes) "
		    "still allocated", vm->vm_name, vm->vm_nbusytag,
		    vm->vm_inuse);
	}
	while ((bt = TAILQ_FIRST(&vm->vm_seglist)) != NULL) {
		TAILQ_REMOVE(&vm->vm_seglist, bt, bt_seglist);
		if (bt->bt_type == BT_TYPE_SPAN) {
			mutex_exit(&vm->vm_lock);
			vmem_span_release(vm, bt->bt_start, bt->bt_size);
			mutex_enter(&vm->vm_lock);
		}
		bt_free(vm, bt);
	}
	vm->vm_spantree = NULL;
	bt_spares_put(vm);
	mutex_exit(&vm->vm_lock);
	if (vm->vm_hashlist != vm->vm_hash0)
		vmem_free(vmem_meta_arena, (vmem_addr_t)vm->vm_hashlist,
		    roundup2((vm->vm_hashmask + 1) * sizeof(*vm->vm_hashlist),
		    PAGE_SIZE));
	cv_destroy(&vm->vm_cv);
	mutex_destroy(&vm->vm_lock);
	vmem_storage_free(vm);
}

/* ---- queries */

/* vmem_roundup_size: size rounded up to the arena's quantum. */
vmem_size_t
vmem_roundup_size(vmem_t *vm, vmem_size_t size)
{

	return (size + vm->vm_quantum_mask) & ~vm->vm_quantum_mask;
}

/*
 * vmem_size: bytes allocated (VMEM_ALLOC), free (VMEM_FREE), or both.
 */
vmem_size_t
vmem_size(vmem_t *vm, int typemask)
{
	vmem_size_t size = 0;

	mutex_enter(&vm->vm_lock);
	if ((typemask & VMEM_ALLOC) != 0)
		size += vm->vm_inuse;
	if ((typemask & VMEM_FREE) != 0)
		size += vm->vm_size - vm->vm_inuse;
	mutex_exit(&vm->vm_lock);
	return size;
}

/* vmem_contains: is [addr, addr + size) inside one span of the arena? */
bool
vmem_contains(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{
	vmem_addr_t last = addr + (size != 0 ? size - 1 : 0);
	bool found;
	bt_t *bt;

	if (last < addr)
		return false;
	mutex_enter(&vm->vm_lock);
	bt = bt_tree_floor(vm->vm_spantree, addr);
	found = bt != NULL && last <= BT_END(bt);
	mutex_exit(&vm->vm_lock);
	return found;
}

/*
 * vmem_walk: call func(arg, start, size) for each segment whose type is
 * in typemask (VMEM_ALLOC, VMEM_FREE, VMEM_SPAN), in address order.
 * => func runs with the arena locked and must not call into the arena.
 */
void
vmem_walk(vmem_t *vm, int typemask,
    void (*func)(void *, vmem_addr_t, vmem_size_t), void *arg)
{
	bt_t *bt;
	int type;

	mutex_enter(&vm->vm_lock);
	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		type = BT_ISSPAN_P(bt) ? VMEM_SPAN :
		    bt->bt_type == BT_TYPE_FREE ? VMEM_FREE : VMEM_ALLOC;
		if ((type & typemask) != 0)
			(*func)(arg, bt->bt_start, bt->bt_size);
	}
	mutex_exit(&vm->vm_lock);
}

/* vmem_print: the arena's statistics and free-list lengths. */
void
vmem_print(vmem_t *vm)
{
	size_t i, n;
	bt_t *bt;

	mutex_enter(&vm->vm_lock);
	printf("vmem %s: quantum %#zx size %#zx inuse %#zx qcache_max %#zx\n",
	    vm->vm_name, vm->vm_quantum_mask + 1, vm->vm_size, vm->vm_inuse,
	    vm->vm_qcache_max);
	printf("  alloc %llu free %llu fail %llu wait %llu import %llu "
	    "release %llu rehash %llu busy %zu buckets %zu\n",
	    (unsigned long long)vm->vm_nalloc,
	    (unsigned long long)vm->vm_nfree,
	    (unsigned long long)vm->vm_nfail,
	    (unsigned long long)vm->vm_nwait,
	    (unsigned long long)vm->vm_nimport,
	    (unsigned long long)vm->vm_nrelease,
	    (unsigned long long)vm->vm_nrehash, vm->vm_nbusytag,
	    vm->vm_hashmask + 1);
	for (i = 0; i < VMEM_MAXORDER; i++) {
		n = 0;
		LIST_FOREACH(bt, &vm->vm_freelist[i], bt_freelist)
			n++;
		if (n != 0)
			printf("  order %2zu: %zu free segments\n", i, n);
	}
	mutex_exit(&vm->vm_lock);
}

/* ---- invariants */

/* Panic with the arena's name if an invariant does not hold. */
#define	VMEM_INVARIANT(vm, e, fmt, ...) do {				\
	if (!(e))							\
		panic("vmem_check: arena %s: %s: " fmt, (vm)->vm_name,	\
		    #e, ##__VA_ARGS__);					\
} while (0)

/* Check the segment list: order, tiling of spans, coalescing, sizes. */
static void
vmem_check_seglist(vmem_t *vm, size_t *nfreep, size_t *nspanp)
{
	vmem_size_t size = 0, inuse = 0;
	vmem_addr_t next = 0;
	bt_t *bt, *span = NULL, *prev = NULL;
	size_t nbusy = 0, nfree = 0, nspan = 0;
	bool rotor = vm->vm_rotor == NULL;

	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		rotor |= bt == vm->vm_rotor;
		VMEM_INVARIANT(vm, bt->bt_size != 0 &&
		    BT_END(bt) >= bt->bt_start &&
		    ((bt->bt_start | bt->bt_size) & vm->vm_quantum_mask) == 0,
		    "tag %p [%#lx, +%#zx]", bt, (unsigned long)bt->bt_start,
		    bt->bt_size);
		if (BT_ISSPAN_P(bt)) {
			VMEM_INVARIANT(vm, span == NULL || next == 0 ||
			    next == BT_END(span) + 1, "span %p not tiled", span);
			VMEM_INVARIANT(vm, span == NULL ||
			    bt->bt_start > BT_END(span), "spans overlap at %#lx",
			    (unsigned long)bt->bt_start);
			VMEM_INVARIANT(vm, bt_tree_floor(vm->vm_spantree,
			    bt->bt_start) == bt, "span %#lx not indexed",
			    (unsigned long)bt->bt_start);
			span = bt;
			next = bt->bt_start;
			size += bt->bt_size;
			nspan++;
			prev = NULL;
			continue;
		}
		VMEM_INVARIANT(vm, span != NULL && bt->bt_start == next &&
		    BT_END(bt) <= BT_END(span), "segment %#lx out of place",
		    (unsigned long)bt->bt_start);
		VMEM_INVARIANT(vm, prev == NULL ||
		    prev->bt_type != BT_TYPE_FREE ||
		    bt->bt_type != BT_TYPE_FREE, "free segments %#lx and %#lx "
		    "not coalesced", (unsigned long)prev->bt_start,
		    (unsigned long)bt->bt_start);
		if (BT_ISBUSY_P(bt)) {
			VMEM_INVARIANT(vm, bt_lookuphashed(vm, bt->bt_start) == bt,
			    "busy segment %#lx not hashed",
			    (unsigned long)bt->bt_start);
			inuse += bt->bt_size;
			nbusy++;
		} else {
			VMEM_INVARIANT(vm, bt->bt_type == BT_TYPE_FREE,
			    "bad type %d", bt->bt_type);
			nfree++;
		}
		next = bt->bt_start + bt->bt_size;
		prev = bt;
	}
	VMEM_INVARIANT(vm, size == vm->vm_size && inuse == vm->vm_inuse &&
	    nbusy == vm->vm_nbusytag, "totals size %#zx/%#zx inuse %#zx/%#zx "
	    "busy %zu/%zu", size, vm->vm_size, inuse, vm->vm_inuse, nbusy,
	    vm->vm_nbusytag);
	VMEM_INVARIANT(vm, rotor, "next-fit rotor %p is not a tag of the arena",
	    vm->vm_rotor);
	*nfreep = nfree;
	*nspanp = nspan;
}

/* Check the free lists and the bitmap against the segments. */
static void
vmem_check_freelists(vmem_t *vm, size_t nfree)
{
	size_t i, n = 0;
	bt_t *bt;

	for (i = 0; i < VMEM_MAXORDER; i++) {
		VMEM_INVARIANT(vm, LIST_EMPTY(&vm->vm_freelist[i]) ==
		    ((vm->vm_freemap & ((uint64_t)1 << i)) == 0),
		    "bitmap bit %zu wrong", i);
		LIST_FOREACH(bt, &vm->vm_freelist[i], bt_freelist) {
			VMEM_INVARIANT(vm, bt->bt_type == BT_TYPE_FREE &&
			    vmem_order(vm, bt->bt_size) == (int)i,
			    "segment %#lx on list %zu",
			    (unsigned long)bt->bt_start, i);
			n++;
		}
	}
	VMEM_INVARIANT(vm, n == nfree, "%zu free segments listed, %zu exist",
	    n, nfree);
}

/* Check that the hash holds exactly the busy segments. */
static void
vmem_check_hash(vmem_t *vm)
{
	size_t i, n = 0;
	bt_t *bt;

	for (i = 0; i <= vm->vm_hashmask; i++) {
		LIST_FOREACH(bt, &vm->vm_hashlist[i], bt_hashlist) {
			VMEM_INVARIANT(vm, BT_ISBUSY_P(bt) &&
			    bt_hashhead(vm, bt->bt_start) == &vm->vm_hashlist[i],
			    "hash chain %zu holds %#lx", i,
			    (unsigned long)bt->bt_start);
			n++;
		}
	}
	VMEM_INVARIANT(vm, n == vm->vm_nbusytag, "%zu hashed, %zu busy", n,
	    vm->vm_nbusytag);
}

/*
 * Check the busy index (or, if spans, the span index) below t: search
 * order within (lo, hi), heap order of priorities, tags of the right
 * kind only.  Returns the number of nodes.
 */
static size_t
vmem_check_tree(vmem_t *vm, bt_t *t, bool spans, vmem_addr_t lo,
    vmem_addr_t hi)
{

	if (t == NULL)
		return 0;
	VMEM_INVARIANT(vm, (spans ? BT_ISSPAN_P(t) : BT_ISBUSY_P(t)) &&
	    t->bt_start >= lo &&
	    t->bt_start <= hi, "%s index holds %#lx out of order",
	    spans ? "span" : "busy", (unsigned long)t->bt_start);
	VMEM_INVARIANT(vm, (t->bt_tleft == NULL ||
	    bt_prio(t->bt_tleft) <= bt_prio(t)) && (t->bt_tright == NULL ||
	    bt_prio(t->bt_tright) <= bt_prio(t)), "%s index heap order "
	    "broken at %#lx", spans ? "span" : "busy",
	    (unsigned long)t->bt_start);
	return 1 + vmem_check_tree(vm, t->bt_tleft, spans, lo,
	    t->bt_start - 1) +
	    vmem_check_tree(vm, t->bt_tright, spans, t->bt_start + 1, hi);
}

/* Check every invariant of a locked arena. */
static void
vmem_check1(vmem_t *vm)
{
	size_t nfree, nspan;

	KASSERT(mutex_owned(&vm->vm_lock));
	vmem_check_seglist(vm, &nfree, &nspan);
	vmem_check_freelists(vm, nfree);
	vmem_check_hash(vm);
	VMEM_INVARIANT(vm, vmem_check_tree(vm, vm->vm_spantree, true,
	    VMEM_ADDR_MIN, VMEM_ADDR_MAX) == nspan, "span index does not "
	    "hold every span");
	VMEM_INVARIANT(vm, vm->vm_ordered ? vmem_check_tree(vm,
	    vm->vm_busytree, false, VMEM_ADDR_MIN, VMEM_ADDR_MAX) ==
	    vm->vm_nbusytag :
	    vm->vm_busytree == NULL, "busy index does not hold every busy "
	    "segment");
}

/*
 * vmem_check: check every invariant of the arena; panic, naming the arena
 * and the broken rule, if one does not hold.
 * => arena lock must not be held.
 */
void
vmem_check(vmem_t *vm)
{

	mutex_enter(&vm->vm_lock);
	vmem_check1(vm);
	mutex_exit(&vm->vm_lock);
}
