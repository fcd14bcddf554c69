/*
 * subr_vmem.c: the vmem resource allocator: arenas, allocation, freeing,
 * imports.
 *
 * ---- Theory, part 1: the arena core
 *
 * 1.1 Vocabulary.  An arena manages a set of integer ranges: kernel
 * virtual addresses, I/O ports, interrupt numbers, DMA windows.  After
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
 *	order		a free segment of n quanta has order floor(log2 n);
 *	size class	an eighth of an order: the sizes whose three bits
 *			below the leading one are the same (5.1).
 *
 * 1.2 Data structures, all under the arena lock:
 *
 *	- the segment list: every tag in address order, each span's tag
 *	  just before its segments, so that the neighbours of a segment are
 *	  found in O(1) when it is freed and coalesced;
 *	- the free lists: one per size class, and a bitmap (vm_freemap)
 *	  with bit i set while list i is not empty (part 5,
 *	  subr_vmem_fit.c);
 *	- the hash of busy segments, keyed by start address, so that
 *	  vmem_free finds a segment in O(1); it doubles when it holds more
 *	  segments than buckets, so that a lookup reads about one tag
 *	  besides the one it finds (each a likely cache miss); its chains
 *	  are singly linked, so that a busy tag fits one cache line;
 *	- the arena's spare tags, so that an allocation never has to
 *	  allocate a tag while it holds the lock (part 2, subr_vmem_bt.c);
 *	- the span index, a red-black tree of span tags by start address
 *	  (part 4, subr_vmem_tree.c), so that adding or importing a span
 *	  finds its place in the segment list, and vmem_contains its span,
 *	  in O(log n) whatever the number of spans and segments;
 *	- the busy index, the same kind of tree over busy segments, kept
 *	  only in arenas that free part of a segment (part 3,
 *	  subr_vmem_busy.c).
 *
 * 1.3 Allocation.  vmem_xalloc checks its arguments (part 6), takes the
 * arena lock with VMEM_BT_PERHOLD spare tags on hand (2.3), asks the fit
 * policy for a segment (part 5), and carves the request out of it
 * (vmem_carve): the pieces before and after stay free.  vmem_alloc serves
 * small sizes from the arena's quantum caches (kmem caches in front of
 * the arena, through vmem_qcache_ops) and the rest as vmem_xalloc does.
 *
 * 1.4 Imports.  When no segment fits and the arena has an importfn, the
 * arena imports a span large enough for the request with its constraints
 * (size plus alignment slack plus the boundary), adds it, and searches
 * again.  If importfn is vmem_alloc itself, the constraints are passed
 * down to the source with vmem_xalloc, so that an address range is
 * honoured too (in the source's quantum: the span is the cover, in whole
 * source quanta, of an allocation whose offset in a quantum is phase's).
 * A span that cannot serve the request (another importfn knows no
 * address range) is given back at once, and so is a span that becomes
 * wholly free.  As in NetBSD, the source is only importfn's argument, and
 * may be NULL; VM_LARGEIMPORT asks importfn for 16 times the size (with
 * vmem_alloc, for plain requests only), and an arena from vmem_xcreate
 * (VM_XIMPORT) has an importfn that may return a larger span and says how
 * large.
 *
 * 1.5 Backed arenas.  An arena of memory may leave backing (pages,
 * mappings) to the page level instead of importing spans that are already
 * backed (vmem_set_backing).  Its spans are bare address space, imported
 * in large pieces; backfn backs a segment after it is carved and before
 * vmem_xalloc returns it, and unbackfn unbacks a busy segment before
 * vmem_xfree makes it free.  So only busy segments hold pages, a free
 * page inside a span costs nothing, and the tags for a span (and for its
 * segment in the source) are shared by every allocation in it, where an
 * arena that imported each allocation as a backed span of its own would
 * pay two more tags each.  A failed backfn frees the segment again.
 * An unbackfn may defer its work (VMEM_UNBACK_LATER), as a kernel that
 * batches TLB shootdowns does: the segment then stays hashed and
 * UNBACKING, its range neither free nor reusable, until the page level
 * calls vmem_unback_done; vmem_size counts it neither allocated nor free.
 *
 * 1.6 Sleeping.  A VM_SLEEP request that finds no space asks kmem to
 * reclaim, then waits on the arena's condition variable, which vmem_free
 * and vmem_add broadcast; an arena that imports also wakes each tick,
 * since space may come back to its source instead.  It never fails.  A
 * VM_NOSLEEP request never waits and may fail with ENOMEM.
 *
 * 1.7 Freeing.  vmem_xfree finds the busy segment by its start in the
 * hash, unbacks it in a backed arena, marks it free, coalesces it with
 * free neighbours on the segment list, puts it on its free list, and
 * gives its span back to the source if the span became wholly free.
 *
 * 1.8 Locking.  Each arena has one lock, a spin mutex at the arena's IPL
 * if that is above IPL_NONE (the arena may then be used from interrupt
 * handlers at or below that IPL) and an adaptive mutex otherwise.  The
 * order is: vmem_list_lock (adaptive: the list of arenas, held while
 * quantum caches are built and while vmem_foreach runs), then an arena
 * lock, then vmem_bt_lock (the global tag stock, 2.6).  No arena lock is
 * held across importfn, releasefn, backfn, unbackfn or a hook into kmem,
 * so arenas that import from one another never hold two arena locks at
 * once; a segment being backed or unbacked is busy meanwhile, so no one
 * else touches it.
 *
 * 1.9 The files.  Calls between them go one way, down this list:
 *
 *	subr_vmem_arena.c	part 7: making and destroying arenas
 *	subr_vmem_busy.c	part 3: partial and run frees
 *	subr_vmem.c		part 1: this file
 *	subr_vmem_bt.c		part 2: boundary tags
 *	subr_vmem_fit.c		part 5: fit policies
 *	subr_vmem_check.c	part 6: misuse, queries, the checker
 *	subr_vmem_tree.c	part 4: the ordered indexes
 *	subr_vmem_mtbf.c	fault injection
 *
 * and what they share is in the _VMEM_PRIVATE part of <sys/vmem_impl.h>.
 */

#define	_VMEM_PRIVATE

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/condvar.h>
#include <sys/cpu.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

CTASSERT(VMEM_MAXORDER <= 64);
CTASSERT(VMEM_CLASS_ORDERS <= VMEM_MAXORDER);
CTASSERT(VMEM_NCLASS <= 65536);		/* bt_class */
CTASSERT(sizeof(vmem_addr_t) == sizeof(vmem_size_t));

static bt_t *vmem_free1(vmem_t *, bt_t *);
static void vmem_free_done(vmem_t *, bt_t *);

/* ---- the segment list */

/*
 * The tag before bt on the segment list, or NULL.  TAILQ_PREV would read
 * the tag before that one too, for one more cache miss in each free.
 */
static inline bt_t *
bt_prev(vmem_t *vm, bt_t *bt)
{

	if (bt == TAILQ_FIRST(&vm->vm_seglist))
		return NULL;
	return (bt_t *)((char *)bt->bt_seglist.tqe_prev -
	    offsetof(bt_t, bt_seglist.tqe_next));
}

/* ---- free lists */

/* Put a free segment on the list of its size class. */
static inline void
bt_insfree(vmem_t *vm, bt_t *bt)
{
	u_int c = vmem_class(vm, bt->bt_size);

	KASSERT(bt->bt_type == BT_TYPE_FREE);
	bt->bt_class = c;
	LIST_INSERT_HEAD(&vm->vm_freelist[c], bt, bt_freelist);
	vm->vm_freemap[c / 64] |= (uint64_t)1 << (c % 64);
}

/* Take a free segment off its list. */
static inline void
bt_remfree(vmem_t *vm, bt_t *bt)
{
	u_int c = bt->bt_class;

	KASSERT(bt->bt_type == BT_TYPE_FREE);
	KASSERT(c == vmem_class(vm, bt->bt_size));
	LIST_REMOVE(bt, bt_freelist);
	if (LIST_EMPTY(&vm->vm_freelist[c]))
		vm->vm_freemap[c / 64] &= ~((uint64_t)1 << (c % 64));
}

/* ---- busy segments */

/* Enter a busy segment in the hash (and the busy index, if kept). */
inline void
bt_insbusy(vmem_t *vm, bt_t *bt)
{

	KASSERT(bt->bt_type == BT_TYPE_BUSY);
	SLIST_INSERT_HEAD(bt_hashhead(vm, bt->bt_start), bt, bt_hashlist);
	if (__predict_false(vm->vm_ordered))
		bt_tree_insert(&vm->vm_busytree, bt);
	vm->vm_nbusytag++;
	vm->vm_inuse += bt->bt_size;
}

/*
 * Remove a busy segment from the hash (and the busy index, if kept); the
 * chain is singly linked, and short (vmem_rehash).
 */
inline void
bt_rembusy(vmem_t *vm, bt_t *bt)
{
	bt_t **btp;

	KASSERT(BT_ISBUSY_P(bt));
	for (btp = &SLIST_FIRST(bt_hashhead(vm, bt->bt_start)); *btp != bt;
	    btp = &SLIST_NEXT(*btp, bt_hashlist))
		KASSERT(*btp != NULL);
	*btp = SLIST_NEXT(bt, bt_hashlist);
	if (__predict_false(vm->vm_ordered))
		bt_tree_remove(&vm->vm_busytree, bt);
	vm->vm_nbusytag--;
	vm->vm_inuse -= bt->bt_size;
}

/*
 * Double the hash table when it holds more segments than buckets.
 * => arena lock must not be held; the table comes from the meta arena
 *    without sleeping, and a failure leaves the old table in place.
 *    The meta arena's own table comes from itself: vm_rehashing keeps
 *    that allocation from growing the table again underneath.
 */
static __noinline void
vmem_rehash(vmem_t *vm)
{
	struct vmem_hashlist *newhash, *oldhash;
	size_t i, nbuckets, oldmask;
	vmem_size_t tablesize;
	vmem_addr_t va;
	bt_t *bt;

	mutex_enter(&vm->vm_lock);
	if (vm->vm_nbusytag <= vm->vm_hashmask + 1 ||
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
		SLIST_INIT(&newhash[i]);

	mutex_enter(&vm->vm_lock);
	oldhash = vm->vm_hashlist;
	oldmask = vm->vm_hashmask;
	vm->vm_hashlist = newhash;
	vm->vm_hashmask = nbuckets - 1;
	for (i = 0; i <= oldmask; i++) {
		while ((bt = SLIST_FIRST(&oldhash[i])) != NULL) {
			SLIST_REMOVE_HEAD(&oldhash[i], bt_hashlist);
			SLIST_INSERT_HEAD(bt_hashhead(vm, bt->bt_start), bt,
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

/* vmem_foreach callback: grow one arena's hash table if it is due. */
static void
vmem_rehash_one(vmem_t *vm, void *arg)
{

	vmem_rehash(vm);
}

/*
 * vmem_rehash_start: grow the busy hash of every arena that holds more
 * segments than buckets, once the kernel is up (NetBSD
 * starts its periodic rehash here).  Arenas grow their tables as they
 * allocate; those filled before the meta arena existed, at boot, could
 * not, and catch up now.
 * => thread context.
 */
void
vmem_rehash_start(void)
{

	vmem_foreach(vmem_rehash_one, NULL);
}

/* ---- spans */

/*
 * Add the span [addr, addr + size) with one free segment covering it.
 * => arena lock held; VMEM_BT_PERHOLD spare tags available (2.3).
 */
void
vmem_add1(vmem_t *vm, vmem_addr_t addr, vmem_size_t size, int spantype)
{
	bt_t *btspan, *btfree, *bt;

	KASSERT(mutex_owned(&vm->vm_lock));
	KASSERT(vm->vm_nfreetags >= VMEM_BT_PERHOLD);
	btspan = bt_alloc(vm);
	btspan->bt_type = spantype;
	btspan->bt_start = addr;
	btspan->bt_size = size;
	btfree = bt_alloc(vm);
	btfree->bt_type = BT_TYPE_FREE;
	btfree->bt_start = addr;
	btfree->bt_size = size;

	/* Keep the segment list in address order: before the next span. */
	bt = bt_tree_above(&vm->vm_spantree, addr);
	if (bt == NULL) {
		TAILQ_INSERT_TAIL(&vm->vm_seglist, btspan, bt_seglist);
	} else {
		TAILQ_INSERT_BEFORE(bt, btspan, bt_seglist);
	}
	bt_tree_insert(&vm->vm_spantree, btspan);
	TAILQ_INSERT_AFTER(&vm->vm_seglist, btspan, btfree, bt_seglist);
	bt_insfree(vm, btfree);
	vm->vm_size += size;
}

/* Is some span of the arena overlapping [addr, addr + size)? */
bool
vmem_overlaps(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{
	bt_t *bt;

	/* The last span that starts in or before the range. */
	bt = bt_tree_floor(&vm->vm_spantree, addr + size - 1);
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
	prev = bt_prev(vm, bt);
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
	bt_tree_remove(&vm->vm_spantree, prev);
	vm->vm_size -= prev->bt_size;
	vm->vm_nrelease++;
	bt_free(vm, bt);
	return prev;
}

/* ---- carving */

/*
 * Carve [addr, addr + size) out of the free segment bt and mark it busy;
 * the pieces before and after stay free.  Returns the busy tag.
 * => arena lock held; VMEM_BT_PERHOLD spare tags available (2.3).
 */
static bt_t *
vmem_carve(vmem_t *vm, bt_t *bt, vmem_addr_t addr, vmem_size_t size)
{
	bt_t *piece;

	KASSERT(mutex_owned(&vm->vm_lock));
	KASSERT(bt->bt_type == BT_TYPE_FREE);
	KASSERT(addr >= bt->bt_start && addr + size - 1 <= BT_END(bt));
	KASSERT(vm->vm_nfreetags >= VMEM_BT_PERHOLD);
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
 * vmem_lock_tags found fewer than n spare tags: refill and lock again.  A
 * refill that fails short of VMEM_BT_RESERVE may still have brought n.
 * => arena lock must not be held; returns true with it held and n spare
 *    tags on hand, or false, unlocked, if no tags could be had.
 */
bool
vmem_lock_tags_refill(vmem_t *vm, size_t n, vm_flag_t flags)
{
	bool refilled;

	for (;;) {
		refilled = bt_refill(vm, flags);
		mutex_enter(&vm->vm_lock);
		if (vm->vm_nfreetags >= n)
			return true;
		mutex_exit(&vm->vm_lock);
		if (!refilled)
			return false;
	}
}

/* Give an imported span back to the source. */
void
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

#define	VMEM_LARGEIMPORT	16	/* VM_LARGEIMPORT's import multiple */

/*
 * Does this request take a large plain span, even from vmem_alloc?  Only
 * in a VM_LARGEIMPORT arena, and only when it has no constraints.
 */
static bool
vmem_import_large(const vmem_t *vm, const struct vmem_req *rq)
{

	return (vm->vm_flags & VM_LARGEIMPORT) != 0 && rq->rq_plain;
}

/* vmem_xcreate's import function, stored in vm_importfn. */
static vmem_ximport_t *
vmem_ximportfn(const vmem_t *vm)
{

	return (vmem_ximport_t *)(void (*)(void))vm->vm_importfn;
}

/*
 * Call the import function for size bytes, 16 times as many with
 * VM_LARGEIMPORT; an x-import (VM_XIMPORT) may return more.  An import
 * from vmem_alloc goes to the source's vmem_xalloc, as vmem_span_release
 * gives it back with vmem_xfree: a span from the source's quantum cache
 * could not be.  *sizep is
 * the size asked for and then the size of the span returned.
 * => arena lock must not be held.  Panics if an x-import returns less
 *    than it was asked for, or not a multiple of the quantum.
 */
static int
vmem_import_call(vmem_t *vm, vmem_size_t *sizep, vm_flag_t flags,
    vmem_addr_t *addrp)
{
	vmem_size_t size = *sizep;
	int error;

	if ((vm->vm_flags & VM_LARGEIMPORT) != 0 &&
	    size <= VMEM_ADDR_MAX / VMEM_LARGEIMPORT)
		size *= VMEM_LARGEIMPORT;
	*sizep = size;
	if (vmem_import_exact(vm))	/* not through its quantum caches */
		return vmem_xalloc(vm->vm_source, size, 0, 0, 0, VMEM_ADDR_MIN,
		    VMEM_ADDR_MAX, flags | VM_INSTANTFIT, addrp);
	if ((vm->vm_flags & VM_XIMPORT) == 0)
		return (*vm->vm_importfn)(vm->vm_source, size, flags, addrp);
	error = (*vmem_ximportfn(vm))(vm->vm_source, size, sizep, flags,
	    addrp);
	if (error == 0 && (*sizep < size ||
	    (*sizep & vm->vm_quantum_mask) != 0))
		panic("vmem_import: arena %s: x-import returned %#zx bytes at "
		    "%#lx for %#zx: fewer, or not a multiple of the quantum "
		    "%#zx", vm->vm_name, *sizep, (unsigned long)*addrp, size,
		    vm->vm_quantum_mask + 1);
	return error;
}

/*
 * Import a span big enough for the request, with its constraints, and
 * add it to the arena.  An arena whose importfn is vmem_alloc imports
 * with vmem_xalloc and the request's constraints (a plain request of a
 * VM_LARGEIMPORT arena excepted, which takes a large plain span); any
 * other importfn gets a size with slack for alignment and one boundary.
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
	if (vmem_import_exact(vm) && !vmem_import_large(vm, rq)) {
		error = vmem_import_xalloc(vm, rq, flags, &addr, &size);
	} else {
		if (rq->rq_align > vm->vm_quantum_mask + 1)
			slack = rq->rq_align;
		slack += rq->rq_nocross;
		size = roundup2(rq->rq_size + slack, vm->vm_import_quantum);
		if (size < rq->rq_size)
			return ENOMEM;
		error = vmem_import_call(vm, &size, flags, &addr);
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
	if (!vmem_lock_tags(vm, VMEM_BT_PERHOLD, flags)) {
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
 * Wait for space to be freed in the arena (or for up to a tick, if
 * onetick or if the arena imports, since space may come back to its
 * source, or pages to the page level, instead).
 * => arena lock held; released and retaken.
 */
static void
vmem_wait(vmem_t *vm, bool onetick)
{

	KASSERT(mutex_owned(&vm->vm_lock));
	vm->vm_nwait++;
	if (onetick || vm->vm_importfn != NULL)
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

/* ---- allocation */

/*
 * Count a failed request and fail it.
 * => arena lock must not be held.
 */
static __noinline int
vmem_xalloc_fail(vmem_t *vm)
{

	mutex_enter(&vm->vm_lock);
	vm->vm_nfail++;
	mutex_exit(&vm->vm_lock);
	return ENOMEM;
}

/*
 * No segment fits: import, or for VM_SLEEP reclaim and wait for space.
 * => arena lock held; released.  Returns 0 to search again, or ENOMEM
 *    for a VM_NOSLEEP request that must fail.
 */
static __noinline int
vmem_xalloc_more(vmem_t *vm, const struct vmem_req *rq, vm_flag_t flags)
{
	vmem_addr_t addr;

	mutex_exit(&vm->vm_lock);
	if (vmem_import(vm, rq, flags) == 0)
		return 0;
	if ((flags & VM_NOSLEEP) != 0)
		return ENOMEM;
	vmem_reclaim();
	mutex_enter(&vm->vm_lock);
	if (vmem_fit(vm, rq, flags, &addr) == NULL)
		vmem_wait(vm, false);
	mutex_exit(&vm->vm_lock);
	return 0;
}

/*
 * The page level could not back the segment at addr: free it again (it
 * holds no backing) and, for VM_SLEEP, reclaim and wait a tick.
 * => arena lock must not be held.  Returns 0 to try again, or ENOMEM for
 *    VM_NOSLEEP.
 */
static __noinline int
vmem_xalloc_unbacked(vmem_t *vm, vmem_addr_t addr, vm_flag_t flags)
{

	mutex_enter(&vm->vm_lock);
	vmem_free_done(vm, vmem_free1(vm, bt_lookupbusy(vm, addr)));
	if ((flags & VM_NOSLEEP) != 0)
		return vmem_xalloc_fail(vm);
	vmem_reclaim();
	mutex_enter(&vm->vm_lock);
	vmem_wait(vm, true);
	mutex_exit(&vm->vm_lock);
	return 0;
}

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
		if (!vmem_lock_tags(vm, VMEM_BT_PERHOLD, flags))
			return vmem_xalloc_fail(vm);
		bt = vmem_fit(vm, rq, flags, &addr);
		if (bt != NULL)
			break;
		if (vmem_xalloc_more(vm, rq, flags) != 0)
			return vmem_xalloc_fail(vm);
	}
	bt = vmem_carve(vm, bt, addr, rq->rq_size);
	if ((flags & VM_NEXTFIT) != 0)
		vm->vm_rotor = TAILQ_NEXT(bt, bt_seglist);
	vm->vm_nalloc++;
	rehash = vm->vm_nbusytag > vm->vm_hashmask + 1;
	VMEM_CHECK(vm);
	mutex_exit(&vm->vm_lock);
	*addrp = addr;
	if (rehash)
		vmem_rehash(vm);
	return 0;
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

	if ((flags & VM_NOSLEEP) != 0 && VMEM_MTBF_FAIL())
		return vmem_xalloc_fail(vm);
	for (;;) {
		if (vmem_xalloc_space(vm, rq, flags, addrp) != 0)
			return ENOMEM;
		if (vm->vm_backfn == NULL ||
		    (*vm->vm_backfn)(vm, *addrp, rq->rq_size, flags) == 0)
			return 0;
		if (vmem_xalloc_unbacked(vm, *addrp, flags) != 0)
			return ENOMEM;
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

	if ((align | phase | nocross) == 0 && minaddr == VMEM_ADDR_MIN &&
	    maxaddr == VMEM_ADDR_MAX && vmem_req_size(vm, size, flags, &rq))
		return vmem_xalloc1(vm, &rq, flags, addrp);
	if (!vmem_xalloc_args(vm, "vmem_xalloc", size, align, phase, nocross,
	    minaddr, maxaddr, flags, &rq))
		return vmem_xalloc_fail(vm);
	return vmem_xalloc1(vm, &rq, flags, addrp);
}

/*
 * vmem_xalloc_addr: allocate exactly [addr, addr + size), size rounded up
 * to the quantum.
 * => arena lock must not be held; with VM_SLEEP, waits until the whole
 *    range is free (for ever if it lies outside the arena's spans).
 * Returns 0, or ENOMEM (VM_NOSLEEP) if any of the range is allocated or
 * outside the arena.
 */
int
vmem_xalloc_addr(vmem_t *vm, vmem_addr_t addr, vmem_size_t size,
    vm_flag_t flags)
{
	vmem_addr_t result;
	int error;

	error = vmem_xalloc(vm, size, 0, 0, 0, addr,
	    addr + (vmem_roundup_size(vm, size) - 1),
	    (flags & ~VM_FITMASK) | VM_BESTFIT, &result);
	KASSERT(error != 0 || result == addr);
	return error;
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

	if (!vmem_req_size(vm, size, flags, &rq))
		(void)vmem_xalloc_args(vm, "vmem_alloc", size, 0, 0, 0,
		    VMEM_ADDR_MIN, VMEM_ADDR_MAX, flags, &rq);
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
	bt_t *prev = bt_prev(vm, bt);

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
static inline bt_t *
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
static inline void
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
inline void
vmem_free_busy(vmem_t *vm, bt_t *bt)
{
	vmem_addr_t addr = bt->bt_start;
	vmem_size_t size = bt->bt_size;

	KASSERT(mutex_owned(&vm->vm_lock));
	if (vm->vm_unbackfn != NULL) {
		bt->bt_type = BT_TYPE_UNBACKING;
		vm->vm_unbacking += size;
		mutex_exit(&vm->vm_lock);
		if ((*vm->vm_unbackfn)(vm, addr, size) == VMEM_UNBACK_LATER)
			return;		/* vmem_unback_done frees it */
		mutex_enter(&vm->vm_lock);
		KASSERT(bt->bt_type == BT_TYPE_UNBACKING &&
		    bt->bt_start == addr && bt->bt_size == size);
		vm->vm_unbacking -= size;
	}
	vmem_free_done(vm, vmem_free1(vm, bt));
}

/*
 * vmem_unback_done: the unbackfn of a backed arena that answered
 * VMEM_UNBACK_LATER for [addr, addr + size) has finished; the segment
 * becomes free and may be handed out again.
 * => arena lock must not be held; wherever vmem_free may be called.
 */
void
vmem_unback_done(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{
	bt_t *bt;

	mutex_enter(&vm->vm_lock);
	bt = bt_lookuphashed(vm, addr);
	if (bt == NULL || bt->bt_type != BT_TYPE_UNBACKING ||
	    bt->bt_size != size) {
		mutex_exit(&vm->vm_lock);
		panic("vmem_unback_done: arena %s: addr %#lx size %#zx is not "
		    "a segment whose unbacking was deferred", vm->vm_name,
		    (unsigned long)addr, size);
	}
	vm->vm_unbacking -= size;
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
	if (bt->bt_size != vmem_round(vm, size)) {
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
	vmem_size_t rsize = vmem_round(vm, size);
	void *qc;

	if (size == 0 || rsize < size)
		vmem_free_misuse(vm, "vmem_free", size == 0 ? "zero size" :
		    "size overflows when rounded to the quantum", addr, size,
		    0);
	if (rsize <= vm->vm_qcache_max && ops != NULL) {
		qc = vm->vm_qcache[(rsize >> vm->vm_quantum_shift) - 1];
		if (qc != NULL) {
			(*ops->qo_free)(qc, (void *)addr);
			return;
		}
	}
	vmem_xfree(vm, addr, size);
}

/*
 * vmem_xfreeall: free every allocated segment, as vmem_xfree would.
 * => arena lock must not be held; nobody else may allocate or free in
 *    the arena meanwhile.  Panics in an arena with quantum caches, whose
 *    small segments only vmem_free may give back.
 */
void
vmem_xfreeall(vmem_t *vm)
{
	vmem_addr_t addr;
	vmem_size_t size;
	bt_t *bt;

	if (vm->vm_qcache_max != 0)
		panic("vmem_xfreeall: arena %s: quantum caches up to %#zx, "
		    "whose segments only vmem_free may free", vm->vm_name,
		    vm->vm_qcache_max);
	for (;;) {
		mutex_enter(&vm->vm_lock);
		TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
			if (bt->bt_type == BT_TYPE_BUSY)
				break;
		}
		if (bt == NULL) {
			mutex_exit(&vm->vm_lock);
			return;
		}
		addr = bt->bt_start;
		size = bt->bt_size;
		mutex_exit(&vm->vm_lock);
		vmem_xfree(vm, addr, size);
	}
}
