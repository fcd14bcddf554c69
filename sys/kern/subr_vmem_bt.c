/*
 * subr_vmem_bt.c: vmem's boundary tags, the stock they come from and the
 * pages that hold them.
 *
 * ---- Theory, part 2: boundary tags (part 1 is in subr_vmem.c)
 *
 * 2.1 Where tags come from.  Every span and segment of every arena has a
 * tag (bt_t, <sys/vmem_impl.h>).  A static reserve of VMEM_BT_STATIC tags
 * serves early boot; once the page level is up (vmem_set_meta) the
 * global stock is refilled a page at a time, when it runs low, with pages
 * the page level hands out directly (through the kernel's direct map, or
 * a window of addresses kept for them), not through an arena.  So a
 * refill needs no tag itself, any thread may refill, and no tag page is
 * ever described by a tag in another tag page.
 *
 * 2.2 The arena's spares.  Each arena keeps spare tags of its own
 * (vm_freetags), topped up to VMEM_BT_KEEP from the stock before its lock
 * is taken, so that no request allocates a tag with the arena lock held.
 * A request tops up from the stock first, refilling the stock without
 * sleeping when it runs low; only a VM_SLEEP request the stock cannot
 * serve sleeps for a page, and tries again until it has its tags.  Fault
 * injection at refills (vmem_mtbf_set with VMEM_MTBF_REFILLS) starves the
 * arenas of tags, to reach the ENOMEM paths.
 *
 * 2.3 How many.  One hold of an arena lock takes at most VMEM_BT_PERHOLD
 * (2) tags from the arena's spares: vmem_carve cuts a free segment into at
 * most three (two new tags), vmem_add1 makes a span and its free segment
 * (two), and the split ends of a partial or run free (subr_vmem_busy.c)
 * are at most two.  Coalescing and releasing only give tags back.  Each
 * such hold is entered through vmem_lock_tags or vmem_busy_run_split,
 * which check for the tags with the lock held, so this bound is what
 * correctness needs.  The longest chain of such holds in one request is
 * vmem_xalloc in an importing arena: the import adds a span (2), then the
 * search carves (2), so 2 * VMEM_BT_PERHOLD.  VMEM_BT_RESERVE, the spares
 * below which a refill has failed, is that chain plus one hold's worth
 * for another request on the same arena between the refill and the lock:
 * 3 * VMEM_BT_PERHOLD = 6, so that a request that refilled seldom has to
 * refill again before its last hold.  VMEM_BT_KEEP, the spares an arena
 * tops up to, is four such reserves, and an arena gives spares back to
 * the stock only when it has more than VMEM_BT_SPARE_MAX (twice that),
 * down to VMEM_BT_KEEP, so that an arena in steady churn takes the
 * global stock's lock (shared by every arena) once in at least
 * VMEM_BT_KEEP - VMEM_BT_RESERVE tags either way rather than for each
 * one; taking a spare and giving one back (bt_alloc, bt_free) are
 * inline.  A refilled page must hold a whole VMEM_BT_KEEP, and the
 * stock's low-water mark must too, so that one arena's top-up never
 * empties a fresh stock.
 *
 * 2.4 Giving pages back.  Each tag page counts its tags in the stock;
 * when every one of them is back there, vmem_bt_trim (which kmem_reap
 * calls) gives the page back, so that a burst of fragmentation does not
 * pin tag pages for ever.  It first moves every arena's spares back to
 * the stock, since a few spares would otherwise pin as many pages.
 *
 * 2.5 Private tags.  An arena made with VM_PRIVTAGS never touches the
 * stock: its spares are the tags its caller gave it (vmem_add_bts, from
 * storage sized with VMEM_EST_BTCOUNT), as a bus driver set up before
 * any allocator does, or one that must not contend with other arenas,
 * wants.  Such tags are not in any tag page, so they must never reach
 * the stock, whose pages count their own tags: the arena keeps every
 * tag it frees, gives none back when trimmed or destroyed, and a
 * request that finds fewer than VMEM_BT_PERHOLD spares fails with ENOMEM
 * (VM_NOSLEEP) or waits a tick at a time, until a free in the same
 * arena or the caller's vmem_add_bts gives it enough (VM_SLEEP).
 *
 * 2.6 Locking.  vmem_bt_lock, a spin mutex at IPL_HIGH, protects the
 * stock and the list of tag pages ("b" below); it comes after any arena
 * lock, and is never held across a call to the page level.
 */

#define	_VMEM_PRIVATE

#include <sys/param.h>
#include <sys/intr.h>
#include <sys/kthread.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#define	VMEM_BT_STATIC		1024	/* tags for early boot */
#define	VMEM_BT_LOWAT		128	/* refill the stock below this */
#define	VMEM_BT_TRIMKEEP	(2 * VMEM_BT_LOWAT) /* trimming keeps these */
#define	VMEM_BT_TRIMBATCH	8	/* pages freed per hold of the lock */

/*
 * A page of boundary tags from the page level: this header, then, from
 * the next tag-aligned offset, VMEM_BT_PERPAGE tags.  bp_nstock counts
 * those of its tags that are in the global stock; the page can go back
 * once all of them are.
 */
struct bt_page {
	LIST_ENTRY(bt_page) bp_list;	/* b: on vmem_bt_pages */
	size_t		bp_nstock;	/* b: its tags in vmem_bt_stock */
};
LIST_HEAD(bt_pagelist, bt_page);
#define	VMEM_BT_PAGEHDR	roundup(sizeof(struct bt_page), sizeof(bt_t))
#define	VMEM_BT_PERPAGE	((PAGE_SIZE - VMEM_BT_PAGEHDR) / sizeof(bt_t))
#define	bt_page_tags(bp) ((bt_t *)((char *)(bp) + VMEM_BT_PAGEHDR))

/* 2.3: the reserve covers the longest chain; a page or the stock, KEEP. */
CTASSERT(VMEM_BT_RESERVE >= 2 * VMEM_BT_PERHOLD);
CTASSERT(VMEM_BT_KEEP > VMEM_BT_RESERVE);
CTASSERT(VMEM_BT_PERPAGE >= VMEM_BT_KEEP);
CTASSERT(VMEM_BT_LOWAT >= VMEM_BT_KEEP);
CTASSERT(VMEM_BT_STATIC >= VMEM_BT_LOWAT);
CTASSERT(sizeof(bt_t) == COHERENCY_UNIT);	/* one line each */

static kmutex_t vmem_bt_lock;
static struct vmem_freelist vmem_bt_stock;	/* b: spare tags */
static size_t vmem_bt_nstock;			/* b */
static struct bt_pagelist vmem_bt_pages =	/* b: every tag page */
    LIST_HEAD_INITIALIZER(vmem_bt_pages);
static size_t vmem_bt_npages;			/* b */
static vmem_pagealloc_t *vmem_bt_pagealloc;	/* b: tag pages come here */
static vmem_pagefree_t *vmem_bt_pagefree;	/* b: and go back here */
static bt_t vmem_bt_static[VMEM_BT_STATIC];

/* bt_bootstrap: set up the stock's lock and the static reserve, once. */
void
bt_bootstrap(void)
{
	size_t i;

	mutex_init(&vmem_bt_lock, MUTEX_DEFAULT, IPL_HIGH);
	LIST_INIT(&vmem_bt_stock);
	for (i = 0; i < VMEM_BT_STATIC; i++)
		LIST_INSERT_HEAD(&vmem_bt_stock, &vmem_bt_static[i],
		    bt_freelist);
	vmem_bt_nstock = VMEM_BT_STATIC;
}

/*
 * bt_set_pagelevel: from now on, refill the stock with pages from
 * pagealloc, and give them back with pagefree (2.1).
 */
void
bt_set_pagelevel(vmem_pagealloc_t *pagealloc, vmem_pagefree_t *pagefree)
{

	mutex_enter(&vmem_bt_lock);
	vmem_bt_pagealloc = pagealloc;
	vmem_bt_pagefree = pagefree;
	mutex_exit(&vmem_bt_lock);
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
	bt = bt_page_tags(bp);
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
		bt = bt_page_tags(bp);
		for (i = 0; i < VMEM_BT_PERPAGE; i++)
			LIST_REMOVE(&bt[i], bt_freelist);
		vmem_bt_nstock -= VMEM_BT_PERPAGE;
		vmem_bt_npages--;
		LIST_REMOVE(bp, bp_list);
		LIST_INSERT_HEAD(gone, bp, bp_list);
		n++;
	}
}

/*
 * Move all of the arena's spare tags to the global stock; a private-tag
 * arena's stay its own (2.5).
 */
void
bt_spares_put(vmem_t *vm)
{
	bt_t *bt;

	KASSERT(mutex_owned(&vm->vm_lock));
	if ((vm->vm_flags & VM_PRIVTAGS) != 0)
		return;
	mutex_enter(&vmem_bt_lock);
	while ((bt = SLIST_FIRST(&vm->vm_freetags)) != NULL) {
		SLIST_REMOVE_HEAD(&vm->vm_freetags, bt_sparelist);
		bt_stock_put(bt);
	}
	vm->vm_nfreetags = 0;
	mutex_exit(&vmem_bt_lock);
}

/*
 * Give every arena's spare tags back to the stock; requests refill.
 * Arenas keep theirs while refills are made to fail.  Skipped if the list
 * of arenas is held: its holder may be building quantum caches and
 * waiting for the very memory a reaper (the page daemon) is reclaiming.
 */
static void
bt_spares_return(void)
{
	vmem_t *vm;

	if (vmem_mtbf_refills() || !mutex_tryenter(&vmem_list_lock))
		return;
	LIST_FOREACH(vm, &vmem_list, vm_alllist) {
		mutex_enter(&vm->vm_lock);
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
 * A private-tag arena's refill (2.5): nothing to take, only to wait for,
 * a tick at a time, if VM_SLEEP.
 * Returns false if the arena has fewer than VMEM_BT_PERHOLD spares.
 */
static bool
bt_refill_private(vmem_t *vm, vm_flag_t flags)
{
	bool ok;

	for (;;) {
		mutex_enter(&vm->vm_lock);
		ok = vm->vm_nfreetags >= VMEM_BT_PERHOLD;
		mutex_exit(&vm->vm_lock);
		if (ok || (flags & VM_SLEEP) == 0)
			return ok;
		(void)kpause("vmembtp", false, 1, NULL);
	}
}

/*
 * vmem_add_bts: give an arena made with VM_PRIVTAGS nbts tags of the
 * caller's storage, which stays the arena's for its life (2.5).
 * => may be called before any allocator is up; never sleeps.
 * Panics on an arena without VM_PRIVTAGS: its tags go to the stock.
 */
void
vmem_add_bts(vmem_t *vm, struct vmem_btag *bts, unsigned int nbts)
{
	unsigned int i;

	if ((vm->vm_flags & VM_PRIVTAGS) == 0)
		panic("vmem_add_bts: arena %s: tags %p (%u): the arena was "
		    "not made with VM_PRIVTAGS, so they would reach the "
		    "shared stock", vm->vm_name, bts, nbts);
	mutex_enter(&vm->vm_lock);
	for (i = 0; i < nbts; i++) {
		memset(&bts[i], 0, sizeof(bts[i]));
		SLIST_INSERT_HEAD(&vm->vm_freetags, &bts[i], bt_sparelist);
	}
	vm->vm_nfreetags += nbts;
	mutex_exit(&vm->vm_lock);
}

/*
 * Top up the arena's spare tags to VMEM_BT_KEEP from the global stock,
 * refilling the stock without sleeping if it runs low.  If the arena
 * still has fewer than VMEM_BT_RESERVE, a VM_SLEEP request sleeps for a
 * page of tags (or a tick, if the page level gives none) and tries
 * again, unless the page level is not up yet.  Fault injection may make a
 * VM_NOSLEEP refill fail (VMEM_MTBF_REFILLS).
 * => arena lock must not be held.
 * Returns false if the arena could not get VMEM_BT_RESERVE.
 */
bool
bt_refill(vmem_t *vm, vm_flag_t flags)
{
	bool ok, again, fail;
	bt_t *bt;

	if ((vm->vm_flags & VM_PRIVTAGS) != 0)
		return bt_refill_private(vm, flags);
	(void)bt_stock_refill(VM_NOSLEEP, VMEM_BT_LOWAT);
	for (;;) {
		fail = (flags & VM_NOSLEEP) != 0 && VMEM_MTBF_REFILL_FAIL();
		mutex_enter(&vm->vm_lock);
		mutex_enter(&vmem_bt_lock);
		while (!fail && vm->vm_nfreetags < VMEM_BT_KEEP &&
		    (bt = bt_stock_get()) != NULL) {
			SLIST_INSERT_HEAD(&vm->vm_freetags, bt, bt_sparelist);
			vm->vm_nfreetags++;
		}
		again = (flags & VM_SLEEP) != 0 && !fail &&
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

/* Move the arena's spare tags beyond VMEM_BT_KEEP to the global stock. */
void
bt_spares_trim(vmem_t *vm)
{
	bt_t *bt;

	KASSERT(mutex_owned(&vm->vm_lock));
	mutex_enter(&vmem_bt_lock);
	while (vm->vm_nfreetags > VMEM_BT_KEEP) {
		bt = SLIST_FIRST(&vm->vm_freetags);
		SLIST_REMOVE_HEAD(&vm->vm_freetags, bt_sparelist);
		vm->vm_nfreetags--;
		bt_stock_put(bt);
	}
	mutex_exit(&vmem_bt_lock);
}
