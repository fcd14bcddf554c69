/*
 * subr_vmem_busy.c: vmem's busy segments by address: freeing part of an
 * allocation or a run of them, and finding the one around an address.
 *
 * ---- Theory, part 3: busy segments by address (part 1 is in subr_vmem.c)
 *
 * 3.1 Why.  vmem(9) as in NetBSD and illumos frees only whole segments,
 * found by their start in the hash (1.2).  extent(9), which vmem replaces,
 * can free any part of a region and any range over several regions, and
 * must find the region around an address; these functions give it that.
 *
 * 3.2 The busy index.  The first partial free or interior lookup in an
 * arena builds the busy index, a red-black tree of its busy segments by
 * start address (vm_busytree, part 4 in subr_vmem_tree.c), from the
 * segment list in O(n log n); from then on bt_insbusy and bt_rembusy keep
 * it (vm_ordered), so that the segment around any address is found in
 * O(log n).  Arenas that never free in part never pay for it.
 *
 * 3.3 Partial and run frees.  vmem_xfree_part frees a quantum-aligned
 * part of one busy segment; vmem_xfree_run a range over a run of adjacent
 * busy segments (span tags between them aside).  Either finds the run
 * (O(1) through the hash if the range starts a segment, O(log n) through
 * the index otherwise, plus a step for each further segment), splits its
 * first and last segments where the range begins and ends (at most
 * VMEM_BT_PERHOLD tags, 2.3, taken in the same hold of the lock), and
 * frees the segments in it one by one as vmem_xfree would (1.7).  It is
 * all or nothing: a range not wholly allocated panics before anything is
 * freed, and a request that cannot have its tags frees nothing.
 *
 * Locking: the arena lock, as in part 1.
 */

#define	_VMEM_PRIVATE

#include <sys/param.h>
#include <sys/errno.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

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
			bt_tree_insert(&vm->vm_busytree, bt);
	}
	vm->vm_ordered = true;
}

/*
 * Split a busy piece [addr, BT_END(bt)] off the busy segment bt.  bt
 * keeps its start, so its hash chain and its place in the busy index;
 * only the piece is entered, and the bytes in use do not change.
 */
static bt_t *
vmem_split_busy(vmem_t *vm, bt_t *bt, vmem_addr_t addr)
{
	bt_t *piece;

	KASSERT(bt->bt_type == BT_TYPE_BUSY);
	KASSERT(addr > bt->bt_start && addr <= BT_END(bt));
	piece = bt_alloc(vm);
	piece->bt_type = BT_TYPE_BUSY;
	piece->bt_start = addr;
	piece->bt_size = BT_END(bt) - addr + 1;
	bt->bt_size -= piece->bt_size;
	TAILQ_INSERT_AFTER(&vm->vm_seglist, bt, piece, bt_seglist);
	vm->vm_inuse -= piece->bt_size;
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
		bt = bt_tree_floor(&vm->vm_busytree, addr);
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
		KASSERT(need <= VMEM_BT_PERHOLD);
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
			vmem_free_misuse(vm, func, "part of the range was "
			    "freed meanwhile", next, last - next + 1, 0);
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
 * vmem_busy_covers: is addr inside a busy segment that starts at most
 * span bytes below it?  Looks up in the hash the segment starting at each
 * quantum from addr down, O(span / quantum), and leaves the busy index
 * alone: vmem_busy_find builds it, and then every later allocation and
 * free in the arena pays to keep it.  The first busy segment found
 * decides, since any that starts below it also ends below it.
 * => arena lock must not be held.
 */
bool
vmem_busy_covers(vmem_t *vm, vmem_addr_t addr, vmem_size_t span)
{
	vmem_addr_t a = addr & ~vm->vm_quantum_mask;
	bool covered = false;
	bt_t *bt;

	mutex_enter(&vm->vm_lock);
	for (;;) {
		if ((bt = bt_lookupbusy(vm, a)) != NULL) {
			covered = addr <= BT_END(bt);
			break;
		}
		if (addr - a >= span || a < vm->vm_quantum_mask + 1)
			break;
		a -= vm->vm_quantum_mask + 1;
	}
	mutex_exit(&vm->vm_lock);
	return covered;
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
		bt = bt_tree_floor(&vm->vm_busytree, addr);
		if (bt == NULL || BT_END(bt) < addr ||
		    bt->bt_type != BT_TYPE_BUSY)
			bt = bt_tree_above(&vm->vm_busytree, addr);
		/* A freed segment still being unbacked is not allocated. */
		while (bt != NULL && bt->bt_type != BT_TYPE_BUSY)
			bt = bt_tree_above(&vm->vm_busytree, BT_END(bt));
	}
	if (bt != NULL) {
		*startp = bt->bt_start;
		*sizep = bt->bt_size;
	}
	mutex_exit(&vm->vm_lock);
	return bt != NULL;
}
