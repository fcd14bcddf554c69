/*
 * subr_vmem_fit.c: vmem's fit policies: which free segment serves a
 * request, and where in it.
 *
 * ---- Theory, part 5: fitting (part 1 is in subr_vmem.c)
 *
 * 5.1 Policies.  Free segments sit on one list per order (1.2), with a
 * bitmap of the lists that are not empty.
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
 * 5.2 Constraints.  A constrained request (vmem_xalloc: alignment, phase,
 * a boundary not to cross, an address range; struct vmem_req) checks each
 * candidate segment for a fitting sub-range in O(1) (bt_fit); instant fit
 * then scans the first list that may hold a fitting segment instead of
 * taking its head blindly.
 *
 * Nothing here changes the arena: vmem_carve (subr_vmem.c) cuts the
 * segment found.  Called with the arena lock held.
 */

#define	_VMEM_PRIVATE

#include <sys/param.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

/* The lowest order whose every segment holds size: ceil(log2(quanta)). */
static int
vmem_order_ceil(const vmem_t *vm, vmem_size_t size)
{
	vmem_size_t q = size >> vm->vm_quantum_shift;
	int order = vmem_order(vm, size);

	return powerof2(q) ? order : order + 1;
}

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
bool
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
bt_t *
vmem_fit(vmem_t *vm, const struct vmem_req *rq, vm_flag_t flags,
    vmem_addr_t *addrp)
{

	if ((flags & VM_NEXTFIT) != 0)
		return vmem_fit_next(vm, rq, addrp);
	if ((flags & VM_BESTFIT) != 0)
		return vmem_fit_best(vm, rq, addrp);
	return vmem_fit_instant(vm, rq, addrp);
}

