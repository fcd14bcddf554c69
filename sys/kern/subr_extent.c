/*
 * subr_extent.c: extent(9), the old resource map, as a layer on vmem(9).
 *
 * ---- Theory
 *
 * An extent map manages the numbers [ex_start, ex_end], both inclusive:
 * bus addresses, I/O ports, interrupt numbers.  The vocabulary:
 *
 *	region		an allocated range; in a coalescing map, adjacent
 *			allocations form one region, and any part of a region
 *			may be freed;
 *	fixed extent	a map whose storage the caller provides, for early
 *			boot, before kmem(9) exists;
 *	skew		an allocation starts at an address A with
 *			(A - skew) % alignment == 0;
 *	boundary	a power of 2: an allocation may start on a boundary
 *			line but may not reach or cross the next one; the
 *			lines are at multiples of the boundary from 0
 *			(EX_BOUNDZERO) or from ex_start.
 *
 * Data structures: each map embeds a vmem arena with a quantum of 1 over
 * the same numbers (struct extent, sys/extent.h).  The arena's boundary
 * tags are the region descriptors: a busy segment is one allocation, a
 * free segment a gap.  Nothing else is kept, so the arena is the only
 * record of what is allocated, and vmem_check checks it.  A fixed map
 * lives in the caller's storage and builds its arena there with
 * vmem_init, taking tags from vmem's static reserve; any other map comes
 * from kmem_alloc.
 *
 * Requests map onto vmem_xalloc: alignment and skew are align and phase,
 * the subregion [substart, subend] is [minaddr, maxaddr], the boundary is
 * nocross when its lines fall on multiples of it (always with
 * EX_BOUNDZERO, or when ex_start is a multiple of it).  A boundary not
 * above the alignment either never matters or can never be met, since
 * every candidate start has the same offset from the lines; both are
 * decided once.  The one case vmem cannot express, lines offset from 0
 * and a boundary above the alignment, is served by a walk over the free
 * segments (vmem_walk) that finds the lowest fitting address of each,
 * followed by an exact vmem_xalloc of what it found: O(n), as every
 * extent(9) allocation used to be.  EX_FAST takes vmem's instant fit,
 * anything else best fit, the smallest free segment that holds the
 * request.
 *
 * Freeing: in an EX_NOCOALESCE map only a whole allocation is freed,
 * with vmem_xfree in O(1); it never needs a tag, so it never fails.  In a
 * coalescing map the range may cover parts of k adjacent allocations,
 * and one vmem_xfree_run frees it: vmem finds the allocation holding the
 * first number through its busy index in O(log n), follows the adjacent
 * ones along its segment list, checks that every number is allocated
 * (and panics before anything is freed if not), splits the first and
 * last where the range cuts them (the only step that needs tags: ENOMEM
 * with EX_NOWAIT, and then nothing is freed), and frees the k pieces.
 * So a free costs O(k + log n), whatever the
 * number n of allocations in the map.  extent_destroy frees the lowest
 * allocation until none is left, in O(n log n).
 *
 * The whole number space [0, ~0UL] holds one more number than a vmem
 * size can count, so its arena has two spans: [0, ~0UL - 1] and the top
 * number ~0UL alone.  Fits never need the top number (any other
 * placement of a request of at most ~0UL numbers is as good); a region
 * that ends at ~0UL is allocated as two segments (extent_alloc_top), and
 * a free over them frees both.
 *
 * Errors: every request tries vmem with VM_NOSLEEP, so that sleeping for
 * space and sleeping for memory stay separate, as extent(9) keeps them.
 * When vmem fails, a walk asks whether the request fits: if it does, vmem
 * ran out of boundary tags (memory): ENOMEM with EX_NOWAIT, else a retry
 * a tick later; if it does not, there is no space: EAGAIN, or with
 * EX_WAITSPACE a sleep until the next extent_free.
 *
 * Locking: the arena has its own lock (a spin mutex at IPL_VM, so that
 * maps may be used from interrupt handlers at or below IPL_VM), taken
 * only inside vmem.  ex_lock guards the sleep for space: ex_gen counts
 * the frees, a waiter sleeps only if no free came since its attempt
 * began, and extent_free broadcasts.  ex_lock is never held across a
 * call into vmem, so the two locks are never nested.
 *
 * Early maps (EX_EARLY) serve the kernel's bootstrap, before anything
 * may sleep: they have no ex_lock or ex_cv, take their arena's tags as a
 * bootstrap arena does, and never sleep, for memory or space: EX_WAITOK
 * is then only a hint, and EX_WAITSPACE is misuse.  Region descriptors
 * are vmem's boundary tags, which exist from boot, so extent_init has
 * nothing to set up.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/condvar.h>
#include <sys/errno.h>
#include <sys/extent.h>
#include <sys/intr.h>
#include <sys/kmem.h>
#include <sys/mutex.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#define	EXTENT_FLAGS	(EX_WAITOK | EX_FAST | EX_CATCH | EX_NOCOALESCE | \
			    EX_MALLOCOK | EX_WAITSPACE | EX_BOUNDZERO | \
			    EX_EARLY)

/* How a request is served. */
#define	EXTENT_FIT_VMEM		0	/* one vmem_xalloc */
#define	EXTENT_FIT_WALK		1	/* a walk, then an exact vmem_xalloc */
#define	EXTENT_FIT_NEVER	2	/* the boundary can never be met */

/* One allocation request, checked. */
struct extent_req {
	u_long	rq_size;
	u_long	rq_align;	/* power of 2 */
	u_long	rq_skew;	/* < rq_align */
	u_long	rq_boundary;	/* 0 or a power of 2 >= skew + size */
	u_long	rq_bbase;	/* a boundary line */
	u_long	rq_substart;	/* inclusive */
	u_long	rq_subend;	/* inclusive */
	int	rq_flags;
};

/* ---- storage */

/* Storage for a map that is not fixed, from kmem. */
static struct extent *
extent_storage_alloc(int flags)
{

	return kmem_alloc(sizeof(struct extent),
	    (flags & EX_WAITOK) != 0 ? KM_SLEEP : KM_NOSLEEP);
}

/* Give back the storage of a map that is not fixed. */
static void
extent_storage_free(struct extent *ex)
{

	kmem_free(ex, sizeof(*ex));
}

/* vmem's sleep flag for a request's EX_WAITOK. */
static vm_flag_t
extent_vmflag(int flags)
{

	return (flags & EX_WAITOK) != 0 ? VM_SLEEP : VM_NOSLEEP;
}

/* True if the map is the whole number space, whose top is a span alone. */
static bool
extent_whole(const struct extent *ex)
{

	return ex->ex_start == 0 && ex->ex_end == ~0UL;
}

/* May a request with these flags sleep on ex?  Never on an early map. */
static bool
extent_may_sleep(const struct extent *ex, int flags)
{

	return (flags & EX_WAITOK) != 0 && (ex->ex_flags & EXF_EARLY) == 0;
}

/* ---- sleeping for space */

/* The number of frees so far; read before an attempt. */
static u_long
extent_gen(struct extent *ex)
{

	return atomic_load_acquire(&ex->ex_gen);
}

/*
 * Sleep until a free comes after the attempt that read gen (at most timo
 * ticks if timo is not 0).
 */
static void
extent_wait(struct extent *ex, u_long gen, int timo)
{

	mutex_enter(&ex->ex_lock);
	if (ex->ex_gen == gen) {
		if (timo != 0)
			(void)cv_timedwait(&ex->ex_cv, &ex->ex_lock, timo);
		else
			cv_wait(&ex->ex_cv, &ex->ex_lock);
	}
	mutex_exit(&ex->ex_lock);
}

/* Count a free and wake every waiter for space (an early map has none). */
static void
extent_wakeup(struct extent *ex)
{

	if ((ex->ex_flags & EXF_EARLY) != 0)
		return;
	mutex_enter(&ex->ex_lock);
	atomic_store_release(&ex->ex_gen, ex->ex_gen + 1);
	cv_broadcast(&ex->ex_cv);
	mutex_exit(&ex->ex_lock);
}

/* ---- fitting by walking the free segments */

/* Round a up to the next address congruent to skew modulo align. */
static u_long
extent_align(u_long a, u_long align, u_long skew)
{

	return ((a - skew + align - 1) & -align) + skew;
}

/*
 * The lowest start in the free range [fs, fl] that meets the request,
 * lines at rq_bbase + k * rq_boundary included.  Returns false if none.
 */
static bool
extent_fit_range(const struct extent_req *rq, u_long fs, u_long fl,
    u_long *startp)
{
	u_long start, end, s, line, b = rq->rq_boundary;
	int tries;

	start = MAX(fs, rq->rq_substart);
	end = MIN(fl, rq->rq_subend);
	if (start > end)
		return false;
	s = extent_align(start, rq->rq_align, rq->rq_skew);
	if (s < start)
		return false;
	for (tries = 0; b != 0; tries++) {
		line = ((s - rq->rq_bbase) & -b) + rq->rq_bbase + b;
		/* No line after s, or one far enough. */
		if (line <= s || line - s >= rq->rq_size)
			break;
		if (tries == 1)
			return false;	/* the offset from a line is fixed */
		s = extent_align(line, rq->rq_align, rq->rq_skew);
		if (s < line)
			return false;
	}
	if (s + (rq->rq_size - 1) < s || s + (rq->rq_size - 1) > end)
		return false;
	*startp = s;
	return true;
}

/* What a walk over the free segments is looking for, and has found. */
struct extent_fitwalk {
	const struct extent_req *fw_rq;
	bool		fw_best;	/* smallest segment, else lowest */
	bool		fw_found;
	u_long		fw_start;	/* where it fits */
	vmem_size_t	fw_segsize;	/* in a free segment of this size */
};

/* vmem_walk callback: consider one free segment. */
static void
extent_fitwalk_seg(void *arg, vmem_addr_t addr, vmem_size_t size)
{
	struct extent_fitwalk *fw = arg;
	u_long s;

	if (fw->fw_found && (!fw->fw_best || size >= fw->fw_segsize))
		return;
	if (!extent_fit_range(fw->fw_rq, addr, addr + (size - 1), &s))
		return;
	fw->fw_found = true;
	fw->fw_start = s;
	fw->fw_segsize = size;
}

/* Find where the request fits now, without allocating; O(n). */
static bool
extent_fit_walk(struct extent *ex, const struct extent_req *rq, bool best,
    u_long *startp)
{
	struct extent_fitwalk fw = { .fw_rq = rq, .fw_best = best };

	vmem_walk(&ex->ex_vmem, VMEM_FREE, extent_fitwalk_seg, &fw);
	*startp = fw.fw_start;
	return fw.fw_found;
}

/* ---- allocation */

/*
 * Decide how the request is served; for EXTENT_FIT_VMEM, set the
 * nocross to pass to vmem_xalloc.
 */
static int
extent_fit_mode(const struct extent_req *rq, vmem_size_t *nocrossp)
{
	u_long b = rq->rq_boundary, off;

	*nocrossp = 0;
	if (b == 0)
		return EXTENT_FIT_VMEM;
	if ((rq->rq_bbase & (b - 1)) == 0 && b >= rq->rq_align) {
		*nocrossp = b;
		return EXTENT_FIT_VMEM;
	}
	if (b > rq->rq_align)
		return EXTENT_FIT_WALK;
	/* Every start is off the lines by the same amount. */
	off = (rq->rq_skew - rq->rq_bbase) & (b - 1);
	return off + rq->rq_size > b ? EXTENT_FIT_NEVER : EXTENT_FIT_VMEM;
}

/* One attempt that never sleeps; 0 or ENOMEM. */
static int
extent_try(struct extent *ex, const struct extent_req *rq, int mode,
    vmem_size_t nocross, u_long *resultp)
{
	vm_flag_t fit = (rq->rq_flags & EX_FAST) != 0 ? VM_INSTANTFIT :
	    VM_BESTFIT;
	vmem_addr_t addr;
	u_long s;

	switch (mode) {
	case EXTENT_FIT_VMEM:
		if (vmem_xalloc(&ex->ex_vmem, rq->rq_size, rq->rq_align,
		    rq->rq_skew, nocross, rq->rq_substart, rq->rq_subend,
		    VM_NOSLEEP | fit, &addr) != 0)
			return ENOMEM;
		break;
	case EXTENT_FIT_WALK:
		if (!extent_fit_walk(ex, rq, fit == VM_BESTFIT, &s) ||
		    vmem_xalloc(&ex->ex_vmem, rq->rq_size, 0, 0, 0, s,
		    s + (rq->rq_size - 1), VM_NOSLEEP, &addr) != 0)
			return ENOMEM;
		break;
	default:
		return ENOMEM;
	}
	*resultp = addr;
	return 0;
}

/*
 * Allocate for a checked request: try, then tell a lack of memory from a
 * lack of space, and sleep for either if the flags allow.
 */
static int
extent_xalloc(struct extent *ex, const struct extent_req *rq,
    u_long *resultp)
{
	vmem_size_t nocross;
	bool retried = false;
	u_long gen;
	int mode;
	u_long s;

	mode = extent_fit_mode(rq, &nocross);
	for (;;) {
		gen = extent_gen(ex);
		if (extent_try(ex, rq, mode, nocross, resultp) == 0)
			return 0;
		if (mode != EXTENT_FIT_NEVER &&
		    extent_fit_walk(ex, rq, false, &s)) {
			/* Space, but no tag: or a free came in between. */
			if (!retried) {
				retried = true;
				continue;
			}
			if (!extent_may_sleep(ex, rq->rq_flags))
				return ENOMEM;
			extent_wait(ex, gen, 1);
			retried = false;
			continue;
		}
		if ((rq->rq_flags & EX_WAITSPACE) == 0)
			return EAGAIN;
		extent_wait(ex, gen, 0);
	}
}

/* Panic, naming the map and every argument of a bad allocation. */
static void __dead
extent_alloc_misuse(struct extent *ex, const char *rule,
    const struct extent_req *rq)
{

	panic("extent_alloc_subregion1: extent %s [%#lx, %#lx]: %s: "
	    "substart %#lx subend %#lx size %#lx alignment %#lx skew %#lx "
	    "boundary %#lx flags %#x", ex->ex_name, ex->ex_start, ex->ex_end,
	    rule, rq->rq_substart, rq->rq_subend, rq->rq_size, rq->rq_align,
	    rq->rq_skew, rq->rq_boundary, rq->rq_flags);
}

/* Check a request against the rules of extent(9); panic on misuse. */
static void
extent_alloc_args(struct extent *ex, const struct extent_req *rq)
{
	const char *rule = NULL;

	if (rq->rq_substart > rq->rq_subend || rq->rq_substart < ex->ex_start ||
	    rq->rq_subend > ex->ex_end)
		rule = "subregion is empty or not inside the extent";
	else if (rq->rq_size == 0 ||
	    rq->rq_size - 1 > rq->rq_subend - rq->rq_substart)
		rule = "size is 0 or larger than the subregion";
	else if (rq->rq_align == 0 || !powerof2(rq->rq_align))
		rule = "alignment is not a power of 2";
	else if (rq->rq_skew >= rq->rq_align)
		rule = "skew is not below the alignment";
	else if (rq->rq_boundary != 0 && !powerof2(rq->rq_boundary))
		rule = "boundary is not a power of 2";
	else if (rq->rq_boundary != 0 &&
	    (rq->rq_boundary < rq->rq_size ||
	    rq->rq_boundary - rq->rq_size < rq->rq_skew))
		rule = "boundary is smaller than skew plus size";
	else if ((rq->rq_flags & ~EXTENT_FLAGS) != 0)
		rule = "unknown flags";
	else if ((rq->rq_flags & EX_WAITSPACE) != 0 &&
	    (ex->ex_flags & EXF_EARLY) != 0)
		rule = "EX_WAITSPACE on an EX_EARLY extent, which never sleeps";
	if (rule != NULL)
		extent_alloc_misuse(ex, rule, rq);
}

/*
 * extent_alloc_subregion1: allocate size numbers inside [substart,
 * subend], starting at A with (A - skew) % alignment == 0, not reaching
 * or crossing a boundary line.
 * => may sleep if flags has EX_WAITOK or EX_WAITSPACE.
 * Returns 0 and sets *resultp, ENOMEM (EX_NOWAIT, no memory for the
 * region), EAGAIN (no space, no EX_WAITSPACE), or EINVAL (no address at or
 * after substart meets the alignment without wrapping past the top).
 */
int
extent_alloc_subregion1(struct extent *ex, u_long substart, u_long subend,
    u_long size, u_long alignment, u_long skew, u_long boundary, int flags,
    u_long *resultp)
{
	struct extent_req rq = {
		.rq_size = size,
		.rq_align = alignment,
		.rq_skew = skew,
		.rq_boundary = boundary,
		.rq_bbase = (flags & EX_BOUNDZERO) != 0 ? 0 : ex->ex_start,
		.rq_substart = substart,
		.rq_subend = subend,
		.rq_flags = flags,
	};

	extent_alloc_args(ex, &rq);
	if (extent_align(substart, alignment, skew) < substart)
		return EINVAL;
	return extent_xalloc(ex, &rq, resultp);
}

/* extent_alloc_subregion: extent_alloc_subregion1 without a skew. */
int
extent_alloc_subregion(struct extent *ex, u_long substart, u_long subend,
    u_long size, u_long alignment, u_long boundary, int flags,
    u_long *resultp)
{

	return extent_alloc_subregion1(ex, substart, subend, size, alignment,
	    0, boundary, flags, resultp);
}

/* extent_alloc1: extent_alloc_subregion1 over the whole map. */
int
extent_alloc1(struct extent *ex, u_long size, u_long alignment, u_long skew,
    u_long boundary, int flags, u_long *resultp)
{

	return extent_alloc_subregion1(ex, ex->ex_start, ex->ex_end, size,
	    alignment, skew, boundary, flags, resultp);
}

/* extent_alloc: extent_alloc_subregion1 over the whole map, no skew. */
int
extent_alloc(struct extent *ex, u_long size, u_long alignment,
    u_long boundary, int flags, u_long *resultp)
{

	return extent_alloc_subregion1(ex, ex->ex_start, ex->ex_end, size,
	    alignment, 0, boundary, flags, resultp);
}

/*
 * Allocate [start, ~0UL] of a whole-space map, start < ~0UL, as the
 * segments [start, ~0UL - 1] and [~0UL, ~0UL]: the first as any region,
 * then the top number without sleeping; if that is taken, give the
 * first back and fail or wait for a free.
 */
static int
extent_alloc_top(struct extent *ex, struct extent_req *rq)
{
	vmem_addr_t top;
	u_long result;
	u_long gen;
	int error;

	rq->rq_subend = ~0UL - 1;
	rq->rq_size = rq->rq_subend - rq->rq_substart + 1;
	for (;;) {
		if ((error = extent_xalloc(ex, rq, &result)) != 0)
			return error;
		gen = extent_gen(ex);
		if (vmem_xalloc(&ex->ex_vmem, 1, 0, 0, 0, ~0UL, ~0UL,
		    VM_NOSLEEP, &top) == 0)
			return 0;
		vmem_xfree(&ex->ex_vmem, rq->rq_substart, rq->rq_size);
		extent_wakeup(ex);
		if ((rq->rq_flags & EX_WAITSPACE) == 0)
			return EAGAIN;
		/* Our own free counted one; wait unless another came. */
		extent_wait(ex, gen + 1, 0);
	}
}

/*
 * extent_alloc_region: allocate exactly [start, start + size - 1].
 * => may sleep if flags has EX_WAITOK or EX_WAITSPACE.
 * Returns 0, ENOMEM, EAGAIN (some of it is allocated, no EX_WAITSPACE),
 * or EINVAL (the range is not inside the map).  Panics on a size of 0 or
 * a range that wraps.
 */
int
extent_alloc_region(struct extent *ex, u_long start, u_long size, int flags)
{
	u_long end = start + (size - 1);
	struct extent_req rq = {
		.rq_size = size,
		.rq_align = 1,
		.rq_substart = start,
		.rq_subend = end,
		.rq_flags = flags,
	};
	u_long result;

	if (size == 0 || end < start)
		panic("extent_alloc_region: extent %s: start %#lx size %#lx "
		    "is empty or wraps", ex->ex_name, start, size);
	if ((flags & ~EXTENT_FLAGS) != 0 || ((flags & EX_WAITSPACE) != 0 &&
	    (ex->ex_flags & EXF_EARLY) != 0))
		panic("extent_alloc_region: extent %s: start %#lx size %#lx: "
		    "unknown flags %#x, or EX_WAITSPACE on an EX_EARLY extent",
		    ex->ex_name, start, size, flags);
	if (start < ex->ex_start || end > ex->ex_end)
		return EINVAL;
	if (extent_whole(ex) && end == ~0UL && start != end)
		return extent_alloc_top(ex, &rq);
	return extent_xalloc(ex, &rq, &result);
}

/* ---- freeing */

/* Panic, naming the map and the range of a bad free. */
static void __dead
extent_free_misuse(struct extent *ex, const char *rule, u_long start,
    u_long size)
{

	panic("extent_free: extent %s [%#lx, %#lx]: %s: start %#lx size %#lx",
	    ex->ex_name, ex->ex_start, ex->ex_end, rule, start, size);
}

/*
 * extent_free: free [start, start + size - 1]: in an EX_NOCOALESCE map
 * exactly one earlier allocation, in any other map any allocated range.
 * => may sleep if flags has EX_WAITOK.
 * Returns 0, or ENOMEM (coalescing map, EX_NOWAIT, the range starts or
 * ends inside an allocation and no tag was to be had to split it; then
 * nothing is freed).
 * Panics if the range is empty, wraps, leaves the map, or holds a number
 * that is not allocated, and in an EX_NOCOALESCE map if it is not one
 * whole allocation.
 */
int
extent_free(struct extent *ex, u_long start, u_long size, int flags)
{
	u_long end = start + (size - 1);
	int error = 0;

	if (size == 0 || end < start)
		extent_free_misuse(ex, "range is empty or wraps", start, size);
	if (start < ex->ex_start || end > ex->ex_end)
		extent_free_misuse(ex, "range is not inside the extent", start,
		    size);
	if ((ex->ex_flags & EXF_NOCOALESCE) != 0 && extent_whole(ex) &&
	    end == ~0UL && start != end) {
		vmem_xfree(&ex->ex_vmem, start, size - 1);
		vmem_xfree(&ex->ex_vmem, ~0UL, 1);
	} else if ((ex->ex_flags & EXF_NOCOALESCE) != 0)
		vmem_xfree(&ex->ex_vmem, start, size);
	else
		error = vmem_xfree_run(&ex->ex_vmem, start, size,
		    extent_may_sleep(ex, flags) ? VM_SLEEP : VM_NOSLEEP);
	extent_wakeup(ex);
	return error;
}

/* ---- maps */

/*
 * Add [start, end] to the arena; the whole number space, whose size does
 * not fit in a u_long, goes in as [0, ~0UL - 1] and the top number.
 */
static int
extent_add_span(struct extent *ex, vm_flag_t vmflag)
{

	if (!extent_whole(ex))
		return vmem_add(&ex->ex_vmem, ex->ex_start,
		    ex->ex_end - ex->ex_start + 1, vmflag);
	if (vmem_add(&ex->ex_vmem, 0, ~0UL, vmflag) != 0)
		return ENOMEM;
	return vmem_add(&ex->ex_vmem, ~0UL, 1, vmflag);
}

/*
 * extent_create: make a map of [start, end] named name, in storage of
 * storagesize bytes if storage is not NULL (a fixed extent), else in
 * memory from kmem_alloc; with EX_EARLY, a map for early boot, which
 * never sleeps.
 * => may sleep if flags has EX_WAITOK (and not EX_EARLY).
 * Returns NULL only for a map that is not fixed, with EX_NOWAIT, when no
 * memory was to be had.  Panics on a bad range or bad storage.
 */
struct extent *
extent_create(const char *name, u_long start, u_long end, void *storage,
    size_t storagesize, int flags)
{
	bool early = (flags & EX_EARLY) != 0;
	vm_flag_t vmflag = early ? VM_NOSLEEP : extent_vmflag(flags);
	struct extent *ex;

	if (name == NULL || end < start)
		panic("extent_create: extent %s: start %#lx end %#lx: no name, "
		    "or end below start", name != NULL ? name : "(null)",
		    start, end);
	if (storage != NULL && (storagesize < sizeof(struct extent) ||
	    ((uintptr_t)storage & (_Alignof(struct extent) - 1)) != 0))
		panic("extent_create: extent %s: fixed storage %p size %#zx is "
		    "smaller than %#zx or not aligned to %#zx", name, storage,
		    storagesize, sizeof(struct extent),
		    _Alignof(struct extent));
	if (storage == NULL && storagesize != 0)
		panic("extent_create: extent %s: storage size %#zx without "
		    "storage", name, storagesize);
	if ((flags & ~EXTENT_FLAGS) != 0)
		panic("extent_create: extent %s: unknown flags %#x", name,
		    flags);

	ex = storage != NULL ? storage : extent_storage_alloc(flags);
	if (ex == NULL)
		return NULL;
	memset(ex, 0, sizeof(*ex));
	ex->ex_name = name;
	ex->ex_start = start;
	ex->ex_end = end;
	ex->ex_flags = (storage != NULL ? EXF_FIXED : 0) |
	    ((flags & EX_NOCOALESCE) != 0 ? EXF_NOCOALESCE : 0) |
	    (early ? EXF_EARLY : 0);
	if ((ex->ex_flags & EXF_EARLY) == 0) {
		mutex_init(&ex->ex_lock, MUTEX_DEFAULT, IPL_VM);
		cv_init(&ex->ex_cv, "extent");
	}
	(void)vmem_init(&ex->ex_vmem, name, 0, 0, 1, NULL, NULL, NULL, 0,
	    vmflag | (early ? VM_BOOTSTRAP : 0), IPL_VM);
	if (extent_add_span(ex, vmflag) != 0) {
		if (storage != NULL)
			panic("extent_create: extent %s: no boundary tags "
			    "for a fixed extent", name);
		extent_destroy(ex);
		return NULL;
	}
	return ex;
}

/*
 * extent_destroy: free every region and the map itself (unless fixed).
 * => nobody may use the map any more.
 */
void
extent_destroy(struct extent *ex)
{
	vmem_addr_t s;
	vmem_size_t size;

	while (vmem_busy_find(&ex->ex_vmem, ex->ex_start, &s, &size))
		vmem_xfree(&ex->ex_vmem, s, size);
	vmem_destroy(&ex->ex_vmem);
	if ((ex->ex_flags & EXF_EARLY) == 0) {
		cv_destroy(&ex->ex_cv);
		mutex_destroy(&ex->ex_lock);
	}
	if ((ex->ex_flags & EXF_FIXED) == 0)
		extent_storage_free(ex);
}

/* ---- printing */

/* Adjacent busy segments, printed as one region when the map coalesces. */
struct extent_printwalk {
	bool	pw_coalesce;
	bool	pw_open;	/* a region is pending */
	u_long	pw_start;
	u_long	pw_end;
};

/* Print the pending region, if any. */
static void
extent_print_flush(struct extent_printwalk *pw)
{

	if (pw->pw_open)
		printf("     %#lx - %#lx\n", pw->pw_start, pw->pw_end);
	pw->pw_open = false;
}

/* vmem_walk callback: extend the pending region or start a new one. */
static void
extent_printwalk_seg(void *arg, vmem_addr_t addr, vmem_size_t size)
{
	struct extent_printwalk *pw = arg;

	if (pw->pw_open && pw->pw_coalesce && addr == pw->pw_end + 1) {
		pw->pw_end = addr + (size - 1);
		return;
	}
	extent_print_flush(pw);
	pw->pw_open = true;
	pw->pw_start = addr;
	pw->pw_end = addr + (size - 1);
}

/*
 * extent_init: set up extent(9) once at boot, as NetBSD's main() does.
 * Here there is nothing to set up: region descriptors are vmem's boundary
 * tags, available from the first vmem_init, so maps may be created
 * before this is called as well as after.
 */
void
extent_init(void)
{

}

/* extent_print: the map's range and flags, then each region. */
void
extent_print(struct extent *ex)
{
	struct extent_printwalk pw = {
		.pw_coalesce = (ex->ex_flags & EXF_NOCOALESCE) == 0,
	};

	printf("extent `%s' (%#lx - %#lx), flags = %#x\n", ex->ex_name,
	    ex->ex_start, ex->ex_end, ex->ex_flags);
	vmem_walk(&ex->ex_vmem, VMEM_ALLOC, extent_printwalk_seg, &pw);
	extent_print_flush(&pw);
}
