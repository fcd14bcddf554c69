/*
 * subr_vmem_fit.c: vmem's fit policies: which free segment serves a
 * request, and where in it.
 *
 * ---- Theory, part 5: fitting (part 1 is in subr_vmem.c)
 *
 * 5.1 Policies.  Free segments sit on one list per size class, with a
 * bitmap of the lists that are not empty.  A class is an eighth of an
 * order: the sizes of n quanta with the same floor(log2 n) and the same
 * three bits below the leading one (so each size below 16 quanta is a
 * class of its own, then 16 to 17 quanta, 18 to 19, ..., 30 to 31, 32 to
 * 35, ...); orders from VMEM_CLASS_ORDERS up, sizes no arena of pages
 * reaches, are one class each.  Classes are in size order, so the
 * bitmap's first set bit at or after a class is the next class that has
 * free segments, found with at most VMEM_CLASSMAP_WORDS find-first-sets.
 *
 *	instant fit	take the head of the first non-empty list of the
 *			smallest class whose every segment is big enough
 *			(the request's own class if the request is its
 *			smallest size, else the next): O(1) whatever the
 *			number of free segments; the classes being
 *			narrow, it leaves larger segments whole that lists
 *			by order alone would split;
 *	best fit	search the lists from the request's class up and
 *			take the smallest segment that fits in the first
 *			list that has one: no segment of a later class is
 *			smaller, and a list holds an eighth of what a list
 *			by order would;
 *	next fit	walk the segment list from where the last next-fit
 *			allocation ended (the rotor), wrapping once; this
 *			hands out resource numbers (process IDs, say) in
 *			increasing order.
 *
 * 5.2 Constraints.  A constrained request (vmem_xalloc: alignment, phase,
 * a boundary not to cross, an address range; struct vmem_req) checks each
 * candidate segment for a fitting sub-range in O(1) (bt_fit); instant fit
 * then searches the lists from the request's class up for the first
 * fitting segment instead of taking a head blindly.  A plain request
 * fits a segment exactly when it is no larger.
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

/*
 * Where the request fits in the free segment bt: a plain request at its
 * start if it is large enough, any other as bt_fit says.
 */
static bool
bt_fit_req(const bt_t *bt, const struct vmem_req *rq, vmem_addr_t *addrp)
{

	if (!rq->rq_plain)
		return bt_fit(bt, rq, addrp);
	*addrp = bt->bt_start;
	return bt->bt_size >= rq->rq_size;
}

/* Search one free list; with best, the smallest fit, else the first. */
static bt_t *
vmem_fit_list(vmem_t *vm, u_int c, const struct vmem_req *rq, bool best,
    vmem_addr_t *addrp)
{
	bt_t *bt, *found = NULL;
	vmem_addr_t addr;

	LIST_FOREACH(bt, &vm->vm_freelist[c], bt_freelist) {
		if (found != NULL && bt->bt_size >= found->bt_size)
			continue;
		if (!bt_fit_req(bt, rq, &addr))
			continue;
		found = bt;
		*addrp = addr;
		if (!best || bt->bt_size == rq->rq_size)
			break;
	}
	return found;
}

/*
 * Search the lists from class c up; the first fit of the first list that
 * has one, or with best its smallest.
 */
static __noinline bt_t *
vmem_fit_classes(vmem_t *vm, u_int c, const struct vmem_req *rq, bool best,
    vmem_addr_t *addrp)
{
	bt_t *bt;

	for (c = vmem_class_next(vm, c); c < VMEM_NCLASS;
	    c = vmem_class_next(vm, c + 1)) {
		bt = vmem_fit_list(vm, c, rq, best, addrp);
		if (bt != NULL)
			return bt;
	}
	return NULL;
}

/* Next fit: the first fitting free segment at or after the rotor. */
static __noinline bt_t *
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

/*
 * Find a segment for the request under the policy in flags, when the
 * inline instant fit of vmem_fit could not: next fit walks from the
 * rotor; best fit takes the smallest fitting segment of the lowest list
 * with one; instant fit, here because the request is constrained or only
 * its own class may hold it, the first.
 */
bt_t *
vmem_fit_search(vmem_t *vm, const struct vmem_req *rq, vm_flag_t flags,
    vmem_addr_t *addrp)
{

	if ((flags & VM_NEXTFIT) != 0)
		return vmem_fit_next(vm, rq, addrp);
	return vmem_fit_classes(vm, vmem_class(vm, rq->rq_size), rq,
	    (flags & VM_BESTFIT) != 0, addrp);
}

