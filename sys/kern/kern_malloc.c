/*
 * kern_malloc.c: malloc(9), the old general-purpose allocator, as a
 * layer on kmem(9).
 *
 * ---- Theory
 *
 * malloc(9) differs from kmem_alloc in that free takes no size.  As in
 * NetBSD today, the type argument of malloc, free and realloc is dropped
 * by the macros in <sys/malloc.h> before it is evaluated, and
 * <sys/mallocvar.h> defines MALLOC_DEFINE and its kin to nothing; so no
 * type reaches this file.  The vocabulary:
 *
 *	small		a request of at most MALLOC_SMALL_MAX bytes; it takes
 *			a kmem_alloc buffer of size + 8 bytes, and the first
 *			8 bytes, the header, hold the size and a tag;
 *	large		a larger request; it takes whole pages straight from
 *			kmem_meta_arena, as kmem_alloc does for such sizes,
 *			with no header in them: the size goes in a record in
 *			the large index instead, so that a request of an exact
 *			number of pages wastes nothing;
 *	tag		MALLOC_TAG mixed with the header's own address, set
 *			by malloc and cleared by free, so that freeing twice,
 *			or freeing what malloc did not hand out, panics.
 *
 * Finding the size on free: a large allocation starts on a page
 * boundary, so free looks a page-aligned address up in the large index
 * (a hash of 64 chains, under malloc_large_lock, a spin mutex at IPL_VM);
 * any other address, and a page-aligned one that is not there, has a
 * header just below it.  Small allocations, the common case, take no
 * lock of their own: kmem_alloc and kmem_free are per-CPU on their fast
 * path, and the header is read without one.
 *
 * Space: a small allocation costs its 8-byte header plus the rounding to
 * kmem's size classes (steps of 8 bytes up to 128, 16 steps a power of 2
 * above); a large one its rounding to pages plus a 32-byte record.  The
 * classic design this replaces rounded every request to a power of 2
 * (pages above two pages); "make bench" compares the two on a size mix.
 *
 * Statistics: with no types to charge, malloc as a whole counts its
 * allocations and bytes outstanding, the high-water mark of the bytes,
 * its requests and its failed M_NOWAIT requests (malloc_stats,
 * malloc_print).  Each CPU counts in a cache line of its own, as kmem's
 * per-CPU layer keeps its magazines, so that malloc and free on several
 * CPUs at once do not write one line; malloc_stats adds the CPUs up,
 * exactly when no CPU is in malloc or free.  The counts are longs, which
 * every port reads and writes whole, so a sum is never torn; on a port
 * whose long has 32 bits, the request counts wrap at 2^32.  The
 * high-water mark needs one total: each CPU adds its change in bytes to
 * a shared one whenever that change reaches MALLOC_FOLD either way, and
 * the mark follows that total.  As the changes other CPUs have not added
 * yet are missing from it, the mark may be above or below the true peak
 * by up to ncpu * MALLOC_FOLD.
 *
 * Auditing: malloc, free and realloc take their kmem memory through the
 * _caller forms of kmem_alloc and kmem_free (<sys/kmem_impl.h>) with
 * their own return address, so that kmem's audit records and leak
 * reports name the code that called malloc(9), not this file.
 *
 * Sleeping: M_WAITOK maps to KM_SLEEP and VM_SLEEP, which never fail;
 * M_NOWAIT to KM_NOSLEEP and VM_NOSLEEP, which never sleep, so malloc
 * with M_NOWAIT and free may be called from interrupt handlers at or
 * below IPL_VM.
 */

#define	_KMEM_PRIVATE

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/intr.h>
#include <sys/kmem.h>
#include <sys/kmem_impl.h>
#include <sys/malloc.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>


/* The header below a small allocation. */
struct malloc_header {
	uint32_t	mh_size;	/* bytes asked for */
	uint32_t	mh_tag;		/* malloc_tag() of the header */
};
CTASSERT(sizeof(struct malloc_header) == KMEM_ALIGN);

#define	MALLOC_HDR		sizeof(struct malloc_header)
#define	MALLOC_SMALL_MAX	(2 * PAGE_SIZE - MALLOC_HDR)
#define	MALLOC_NHASH		64	/* chains of the large index */
#define	MALLOC_TAG		0x6d616c6cU	/* in a live header */
#define	MALLOC_FOLD		(64 * 1024)	/* bytes a CPU counts alone */

/*
 * The legend for what protects each field:
 *	a	atomic operations
 *	c	its CPU's, written at splvm by that CPU alone (malloc and free
 *		run in interrupt handlers at IPL_VM too) with atomic stores;
 *		read by malloc_stats on any CPU at any time
 *	o	its CPU's, at splvm, and read by that CPU alone
 *	h	malloc_large_lock
 */
struct malloc_large {
	LIST_ENTRY(malloc_large) ml_chain;	/* h: in its hash chain */
	vaddr_t			ml_addr;	/* h: first page */
	size_t			ml_size;	/* h: bytes asked for */
};
LIST_HEAD(malloc_large_chain, malloc_large);
CTASSERT(sizeof(struct malloc_large) <= 32);	/* as malloc(9) states */

static struct malloc_large_chain malloc_large_hash[MALLOC_NHASH]; /* h */
static kmutex_t malloc_large_lock;
static volatile u_int malloc_state;	/* 0, then 1 while set up, then 2 */

/* What a CPU counts, one event at a time. */
enum malloc_event {
	MALLOC_ALLOC,			/* a request that got memory */
	MALLOC_FREE,			/* a free */
	MALLOC_FAIL,			/* an M_NOWAIT request that failed */
	MALLOC_NEVENTS
};

/*
 * One CPU's statistics.  The byte counts go below zero on a CPU that
 * frees what others allocated; added up over the CPUs, they are exact.
 */
struct malloc_cpu {
	volatile u_long	mc_count[MALLOC_NEVENTS]; /* c: events */
	volatile long	mc_memuse;	/* c: bytes allocated less freed */
	long		mc_unfolded;	/* o: of them, not in mt_memuse */
} __aligned(COHERENCY_UNIT);

/* The bytes the CPUs have folded, and their high-water mark. */
struct malloc_total {
	volatile u_long	mt_memuse;	/* a: a long's bits, signed */
	volatile u_long	mt_maxused;	/* a */
} __aligned(COHERENCY_UNIT);

static struct malloc_cpu malloc_cpu[MAXCPUS];
static struct malloc_total malloc_total;

/* ---- setup */

/* Set up the large index, once, whoever gets here first. */
static void
malloc_setup(void)
{
	size_t i;

	if (__predict_true(atomic_load_acquire(&malloc_state) == 2))
		return;
	if (atomic_cas_uint(&malloc_state, 0, 1) == 0) {
		mutex_init(&malloc_large_lock, MUTEX_DEFAULT, IPL_VM);
		for (i = 0; i < MALLOC_NHASH; i++)
			LIST_INIT(&malloc_large_hash[i]);
		atomic_store_release(&malloc_state, 2);
		return;
	}
	while (atomic_load_acquire(&malloc_state) != 2)
		continue;
}

/* The tag of a live small allocation's header at mh. */
static uint32_t
malloc_tag(const struct malloc_header *mh)
{
	uint64_t x = (uintptr_t)mh;

	return (uint32_t)(x ^ (x >> 32)) ^ MALLOC_TAG;
}

/* ---- statistics */

/*
 * Add the calling CPU's unfolded bytes to the shared total and raise the
 * high-water mark to the new total; splvm held.  The total leaves out
 * what other CPUs have not folded yet, so it may even be below zero for
 * a moment; the mark only follows it up.
 */
static __noinline void
malloc_fold(struct malloc_cpu *mc)
{
	long use, max;

	use = (long)atomic_add_long_nv(&malloc_total.mt_memuse,
	    mc->mc_unfolded);
	mc->mc_unfolded = 0;
	while ((max = (long)atomic_load_relaxed(&malloc_total.mt_maxused)) <
	    use && atomic_cas_ulong(&malloc_total.mt_maxused, (u_long)max,
	    (u_long)use) != (u_long)max)
		continue;
}

/* Count an event on the calling CPU, and bytes more (or fewer) in use. */
static inline void
malloc_stat(enum malloc_event ev, long bytes)
{
	struct malloc_cpu *mc;
	int s;

	s = splvm();
	mc = &malloc_cpu[cpu_index(curcpu())];
	atomic_store_relaxed(&mc->mc_count[ev], mc->mc_count[ev] + 1);
	if (bytes != 0) {
		atomic_store_relaxed(&mc->mc_memuse, mc->mc_memuse + bytes);
		mc->mc_unfolded += bytes;
		if (mc->mc_unfolded >= MALLOC_FOLD ||
		    mc->mc_unfolded <= -MALLOC_FOLD)
			malloc_fold(mc);
	}
	splx(s);
}

/* ---- the large index */

/* The chain of the large index for a page-aligned address. */
static struct malloc_large_chain *
malloc_large_chain(vaddr_t va)
{

	return &malloc_large_hash[(va >> PAGE_SHIFT) & (MALLOC_NHASH - 1)];
}

/*
 * Find the large allocation at va and, if remove, take it off the index.
 * Returns NULL if va is not a large allocation.
 */
static struct malloc_large *
malloc_large_lookup(vaddr_t va, bool remove)
{
	struct malloc_large *ml;

	if ((va & PAGE_MASK) != 0)
		return NULL;
	mutex_enter(&malloc_large_lock);
	LIST_FOREACH(ml, malloc_large_chain(va), ml_chain) {
		if (ml->ml_addr == va)
			break;
	}
	if (ml != NULL && remove)
		LIST_REMOVE(ml, ml_chain);
	mutex_exit(&malloc_large_lock);
	return ml;
}

/*
 * Allocate size bytes of whole pages and record them, for the code that
 * returns to caller; NULL on failure.
 */
static void *
malloc_large_alloc(size_t size, int flags, const void *caller)
{
	int km = (flags & M_NOWAIT) != 0 ? KM_NOSLEEP : KM_SLEEP;
	vm_flag_t vmf = (flags & M_NOWAIT) != 0 ? VM_NOSLEEP : VM_SLEEP;
	struct malloc_large *ml;
	vmem_addr_t va;

	ml = kmem_alloc_caller(sizeof(*ml), km, caller);
	if (ml == NULL)
		return NULL;
	if (vmem_xalloc(kmem_meta_arena, roundup2(size, PAGE_SIZE), 0, 0, 0,
	    VMEM_ADDR_MIN, VMEM_ADDR_MAX, vmf | VM_INSTANTFIT, &va) != 0) {
		kmem_free_caller(ml, sizeof(*ml), caller);
		return NULL;
	}
	KASSERT((va & PAGE_MASK) == 0);
	if ((flags & M_ZERO) != 0)
		memset((void *)va, 0, size);
	ml->ml_addr = va;
	ml->ml_size = size;
	mutex_enter(&malloc_large_lock);
	LIST_INSERT_HEAD(malloc_large_chain(va), ml, ml_chain);
	mutex_exit(&malloc_large_lock);
	return (void *)va;
}

/* ---- the interface */

/* kern_malloc for the code that returns to caller (audit records). */
static void *
kern_malloc1(unsigned long size, int flags, const void *caller)
{
	int km = (flags & M_NOWAIT) != 0 ? KM_NOSLEEP : KM_SLEEP;
	struct malloc_header *mh;
	void *p;

	if ((flags & ~(M_NOWAIT | M_ZERO)) != 0 ||
	    size > VMEM_ADDR_MAX - PAGE_SIZE)
		panic("malloc: size %#lx flags %#x: unknown flags, or a size "
		    "no memory can hold", size, flags);
	malloc_setup();
	if (size > MALLOC_SMALL_MAX) {
		p = malloc_large_alloc(size, flags, caller);
	} else {
		mh = (flags & M_ZERO) != 0 ?
		    kmem_zalloc_caller(size + MALLOC_HDR, km, caller) :
		    kmem_alloc_caller(size + MALLOC_HDR, km, caller);
		p = NULL;
		if (mh != NULL) {
			mh->mh_size = (uint32_t)size;
			mh->mh_tag = malloc_tag(mh);
			p = mh + 1;
		}
	}
	if (p == NULL)
		malloc_stat(MALLOC_FAIL, 0);
	else
		malloc_stat(MALLOC_ALLOC, (long)size);
	return p;
}

/*
 * kern_malloc (malloc): size bytes aligned to KMEM_ALIGN; zeroed with
 * M_ZERO.  Size 0 gives a unique address that must not be dereferenced.
 * => M_WAITOK: thread context, may sleep, never fails;
 *    M_NOWAIT: never sleeps, may fail (NULL); safe at IPL_VM and below.
 */
void *
kern_malloc(unsigned long size, int flags)
{

	return kern_malloc1(size, flags, __builtin_return_address(0));
}

/*
 * True if the header of a page-aligned addr, the one case where it lies
 * on another page, is in a segment allocated from kmem_meta_arena that
 * could be a slab of the small classes; a large block freed twice is
 * not in the large index, and the page before it may be unmapped.  The
 * hash alone answers (vmem_busy_covers), so a correct free does not
 * turn on the arena's busy index for good.
 */
static bool
malloc_header_mapped(void *addr)
{
	vmem_size_t slab = 0;
	size_t i;

	if (((uintptr_t)addr & (PAGE_SIZE - 1)) != 0)
		return true;
	/* A small block's header is in its slab: at most a slab below. */
	for (i = 0; i < (MALLOC_SMALL_MAX + MALLOC_HDR) >> KMEM_SHIFT; i++)
		slab = MAX(slab, kmem_class_of[i]->kc_slabsize);
	return vmem_busy_covers(kmem_meta_arena,
	    (vmem_addr_t)addr - MALLOC_HDR, slab - 1);
}

/* The header of the small allocation at addr; panic if there is none. */
static struct malloc_header *
malloc_header(void *addr, const char *func)
{
	struct malloc_header *mh = (struct malloc_header *)addr - 1;

	if (!malloc_header_mapped(addr))
		panic("%s: addr %p was not allocated by malloc, or was freed "
		    "already (no memory below it)", func, addr);
	if (((uintptr_t)addr & (KMEM_ALIGN - 1)) != 0 ||
	    mh->mh_size > MALLOC_SMALL_MAX || mh->mh_tag != malloc_tag(mh))
		panic("%s: addr %p was not allocated by malloc, or was freed "
		    "already (header size %#x tag %#x)", func, addr,
		    mh->mh_size, mh->mh_tag);
	return mh;
}

/* kern_free for the code that returns to caller (audit records). */
static void
kern_free1(void *addr, const void *caller)
{
	struct malloc_header *mh;
	struct malloc_large *ml;
	size_t size;

	if (addr == NULL)
		return;
	malloc_setup();
	ml = malloc_large_lookup((vaddr_t)addr, true);
	if (ml != NULL) {
		size = ml->ml_size;
		vmem_xfree(kmem_meta_arena, ml->ml_addr,
		    roundup2(size, PAGE_SIZE));
		kmem_free_caller(ml, sizeof(*ml), caller);
	} else {
		mh = malloc_header(addr, "free");
		size = mh->mh_size;
		mh->mh_tag = 0;
		kmem_free_caller(mh, size + MALLOC_HDR, caller);
	}
	malloc_stat(MALLOC_FREE, -(long)size);
}

/*
 * kern_free (free): give back addr, from malloc.  NULL is ignored.
 * => never sleeps; safe at IPL_VM and below.
 */
void
kern_free(void *addr)
{

	kern_free1(addr, __builtin_return_address(0));
}

/* The size asked for when addr was allocated; panic if not malloc's. */
static size_t
malloc_size(void *addr)
{
	struct malloc_large *ml;

	ml = malloc_large_lookup((vaddr_t)addr, false);
	if (ml == NULL)
		return malloc_header(addr, "realloc")->mh_size;
	return ml->ml_size;
}

/*
 * kern_realloc (realloc): resize addr to size bytes.  NULL allocates;
 * size 0 frees and returns NULL; a size not above the current one returns
 * addr unchanged (it keeps its size, in the statistics too); a larger one
 * moves the contents to a new allocation (zero beyond them with M_ZERO).
 * => as kern_malloc; on failure (M_NOWAIT) addr is left as it was.
 */
void *
kern_realloc(void *addr, unsigned long size, int flags)
{
	const void *caller = __builtin_return_address(0);
	size_t oldsize;
	void *p;

	if (addr == NULL)
		return kern_malloc1(size, flags, caller);
	if (size == 0) {
		kern_free1(addr, caller);
		return NULL;
	}
	malloc_setup();
	oldsize = malloc_size(addr);
	if (size <= oldsize)
		return addr;
	p = kern_malloc1(size, flags, caller);
	if (p == NULL)
		return NULL;
	memcpy(p, addr, oldsize);
	kern_free1(addr, caller);
	return p;
}

/* ---- statistics dump */

/*
 * malloc_stats: a snapshot of malloc's statistics: exact while no CPU
 * is in malloc or free; read while some are, the CPUs' counts are from
 * moments apart, and bytes in use below zero read as 0.
 */
void
malloc_stats(struct malloc_stats *ms)
{
	u_long n[MALLOC_NEVENTS] = { 0 }, bytes = 0;
	struct malloc_cpu *mc;
	u_int i, ev;

	for (i = 0; i < ncpu; i++) {
		mc = &malloc_cpu[i];
		for (ev = 0; ev < MALLOC_NEVENTS; ev++)
			n[ev] += atomic_load_relaxed(&mc->mc_count[ev]);
		bytes += (u_long)atomic_load_relaxed(&mc->mc_memuse);
	}
	ms->ms_inuse = n[MALLOC_ALLOC] - n[MALLOC_FREE];
	ms->ms_memuse = (uint64_t)MAX((long)bytes, 0);
	ms->ms_calls = n[MALLOC_ALLOC] + n[MALLOC_FAIL];
	ms->ms_fails = n[MALLOC_FAIL];
	ms->ms_maxused = MAX((uint64_t)MAX((long)atomic_load_relaxed(
	    &malloc_total.mt_maxused), 0), ms->ms_memuse);
}

/* malloc_print: malloc's statistics, one line. */
void
malloc_print(void)
{
	struct malloc_stats ms;

	malloc_stats(&ms);
	printf("%-8s %8s %12s %12s %10s %6s\n", "malloc", "inuse", "memuse",
	    "highwater", "requests", "fails");
	printf("%-8s %8llu %12llu %12llu %10llu %6llu\n", "",
	    (unsigned long long)ms.ms_inuse, (unsigned long long)ms.ms_memuse,
	    (unsigned long long)ms.ms_maxused, (unsigned long long)ms.ms_calls,
	    (unsigned long long)ms.ms_fails);
}
