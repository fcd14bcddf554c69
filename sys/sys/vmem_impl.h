/*
 * vmem_impl.h: the structures behind vmem(9), for the allocator itself,
 * its tests and debugging tools.  Nothing else should look inside.
 *
 * Legend, for what protects each field:
 *	I	immutable after vmem_create
 *	l	the arena lock, vm_lock
 *	g	vmem_list_lock (the list of all arenas)
 *
 * The part under _VMEM_PRIVATE is shared between the files of vmem
 * (sys/kern/subr_vmem*.c) and nothing else.
 */

#ifndef _SYS_VMEM_IMPL_H_
#define _SYS_VMEM_IMPL_H_

#include <sys/param.h>
#include <sys/types.h>
#include <sys/atomic.h>
#include <sys/condvar.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/vmem.h>

#define	VMEM_MAXORDER		(sizeof(vmem_size_t) * 8)

/*
 * The free lists (5.1): one per size class.  A class is an order (sizes
 * of 2^k to 2^(k+1) - 1 quanta) cut into VMEM_CLASS_PERORDER slices of
 * equal width by the VMEM_CLASS_SHIFT bits below the leading one, for
 * the orders below VMEM_CLASS_ORDERS; each order above is one class.
 */
#define	VMEM_CLASS_SHIFT	3
#define	VMEM_CLASS_PERORDER	(1 << VMEM_CLASS_SHIFT)
#define	VMEM_CLASS_ORDERS	32
#define	VMEM_NCLASS		(VMEM_CLASS_ORDERS * VMEM_CLASS_PERORDER + \
				 VMEM_MAXORDER - VMEM_CLASS_ORDERS)
#define	VMEM_CLASSMAP_WORDS	((VMEM_NCLASS + 63) / 64)
#define	VMEM_HASHSIZE_MIN	16	/* buckets in the built-in table */
#define	VMEM_NAME_MAX		16
#define	VMEM_QCACHE_IDX_MAX	16	/* quantum caches at most */

typedef struct vmem_btag bt_t;

/*
 * The page level's hooks for boundary tag pages (vmem_set_meta):
 * one wired, mapped, page-aligned page, or NULL if none can be had (a
 * VM_SLEEP request then waits a tick and asks again); and its return.
 * They must not call into vmem.
 */
typedef void *(vmem_pagealloc_t)(vm_flag_t);
typedef void (vmem_pagefree_t)(void *);

/*
 * A backed arena's hooks (vmem_set_backing): give the range backing
 * before it is handed out, or fail (the request then fails if VM_NOSLEEP,
 * or reclaims, waits a tick and tries again if VM_SLEEP); take it away
 * before the range becomes free, wherever vmem_free may be called.  The
 * unbackfn returns VMEM_UNBACK_DONE when the backing is gone, or
 * VMEM_UNBACK_LATER when it will finish later (a batched TLB shootdown)
 * and then call vmem_unback_done: the range stays allocated till then.
 */
typedef int (vmem_back_t)(vmem_t *, vmem_addr_t, vmem_size_t, vm_flag_t);
typedef int (vmem_unback_t)(vmem_t *, vmem_addr_t, vmem_size_t);

#define	VMEM_UNBACK_DONE	0	/* the range may become free now */
#define	VMEM_UNBACK_LATER	1	/* vmem_unback_done will follow */

TAILQ_HEAD(vmem_seglist, vmem_btag);
LIST_HEAD(vmem_freelist, vmem_btag);
SLIST_HEAD(vmem_hashlist, vmem_btag);
SLIST_HEAD(vmem_sparelist, vmem_btag);

/*
 * A boundary tag describes one span or one segment.  Every tag of an
 * arena is on the address-ordered segment list; a span's tag comes just
 * before the segments that tile it.  A free segment is also on the free
 * list of its size class, a busy segment on its hash chain (and in the
 * busy index, if kept), a span in the span index.  In a backed
 * arena a segment being freed is BT_TYPE_UNBACKING while its backing goes
 * (with the lock dropped): still hashed and indexed, but no longer
 * allocated, so a second free of it is caught as one.  A tag is one
 * cache line, aligned, so that each tag a request touches costs one line.
 */
struct vmem_btag {
	TAILQ_ENTRY(vmem_btag) bt_seglist;	/* l: all tags, by address */
	union {
		LIST_ENTRY(vmem_btag) u_freelist; /* l: BT_TYPE_FREE */
		SLIST_ENTRY(vmem_btag) u_sparelist; /* l: an arena's spare */
		struct {
			SLIST_ENTRY(vmem_btag) u_hashlist; /* l: BT_ISBUSY_P */
			struct vmem_btag *u_tchild[2];	/* l: busy or span
							   index: lower,
							   higher */
		} u_s;
	} bt_u;
	vmem_addr_t	bt_start;		/* l: first address */
	vmem_size_t	bt_size;		/* l: length, > 0 */
	int		bt_type;		/* l: BT_TYPE_* */
	uint16_t	bt_class;		/* l: BT_TYPE_FREE: its list */
	bool		bt_tred;		/* l: red in its index */
} __aligned(COHERENCY_UNIT);
#define	bt_freelist	bt_u.u_freelist
#define	bt_sparelist	bt_u.u_sparelist
#define	bt_hashlist	bt_u.u_s.u_hashlist
#define	bt_tchild	bt_u.u_s.u_tchild

#define	BT_TYPE_SPAN		1	/* imported span, may be released */
#define	BT_TYPE_SPAN_STATIC	2	/* span from vmem_create/vmem_add */
#define	BT_TYPE_FREE		3	/* free segment */
#define	BT_TYPE_BUSY		4	/* allocated segment */
#define	BT_TYPE_UNBACKING	5	/* busy, being unbacked to be freed */
#define	BT_ISBUSY_P(bt)		((bt)->bt_type >= BT_TYPE_BUSY)
#define	BT_ISSPAN_P(bt)		((bt)->bt_type <= BT_TYPE_SPAN_STATIC)

/* An index of tags by start address, a red-black tree (subr_vmem_tree.c). */
struct bt_tree {
	struct vmem_btag	*tr_root;
};

/* Last address of a tag's range; never overflows. */
#define	BT_END(bt)		((bt)->bt_start + (bt)->bt_size - 1)

struct vmem {
	kmutex_t		vm_lock;
	kcondvar_t		vm_cv;		/* l: waiters for space */
	vm_flag_t		vm_flags;	/* I: VM_* of vmem_[x]create */
	int			vm_ipl;		/* I */
	vmem_import_t		*vm_importfn;	/* I */
	vmem_release_t		*vm_releasefn;	/* I */
	vmem_t			*vm_source;	/* I: arena imported from */
	vmem_back_t		*vm_backfn;	/* I: backs busy segments */
	vmem_unback_t		*vm_unbackfn;	/* I: unbacks freed ones */
	vmem_size_t		vm_quantum_mask; /* I: quantum - 1 */
	int			vm_quantum_shift; /* I: log2(quantum) */
	vmem_size_t		vm_import_quantum; /* I: import granule */
	vmem_size_t		vm_qcache_max;	/* I: largest cached size */
	void			*vm_qcache[VMEM_QCACHE_IDX_MAX]; /* I */

	struct vmem_seglist	vm_seglist;	/* l: every tag, by address */
	struct vmem_freelist	vm_freelist[VMEM_NCLASS]; /* l: by class */
	uint64_t		vm_freemap[VMEM_CLASSMAP_WORDS]; /* l: bit i:
						   list i not empty */
	struct vmem_hashlist	*vm_hashlist;	/* l: busy segments */
	size_t			vm_hashmask;	/* l: buckets - 1 */
	size_t			vm_nbusytag;	/* l: busy segments */
	bool			vm_rehashing;	/* l: a table is being grown */
	struct vmem_hashlist	vm_hash0[VMEM_HASHSIZE_MIN]; /* l */
	bt_t			*vm_rotor;	/* l: next fit resumes here */
	struct bt_tree		vm_busytree;	/* l: busy segments by start */
	struct bt_tree		vm_spantree;	/* l: span tags by start */
	bool			vm_ordered;	/* l: vm_busytree maintained */

	struct vmem_sparelist	vm_freetags;	/* l: the arena's spares (2.2) */
	size_t			vm_nfreetags;	/* l */

	vmem_size_t		vm_size;	/* l: bytes in all spans */
	vmem_size_t		vm_inuse;	/* l: bytes allocated */
	vmem_size_t		vm_unbacking;	/* l: of them, being unbacked */
	uint64_t		vm_nalloc;	/* l: successful allocations */
	uint64_t		vm_nfree;	/* l: frees */
	uint64_t		vm_nfail;	/* l: failed NOSLEEP requests */
	uint64_t		vm_nwait;	/* l: sleeps for space */
	uint64_t		vm_nimport;	/* l: spans imported */
	uint64_t		vm_nrelease;	/* l: spans released */
	uint64_t		vm_nrehash;	/* l: hash table growths */
	size_t			vm_nunchecked;	/* l: changes not yet checked */

	LIST_ENTRY(vmem)	vm_alllist;	/* g: all arenas */
	int			vm_storage;	/* I: VMEM_STORAGE_* */
	char			vm_name[VMEM_NAME_MAX + 1]; /* I */
};

#define	VMEM_STORAGE_CALLER	0	/* vmem_init: the caller's */
#define	VMEM_STORAGE_POOL	1	/* vmem_create: a static slot */
#define	VMEM_STORAGE_META	2	/* vmem_create: a meta-arena page */

/*
 * The quantum-cache and reclaim hooks, filled in by kmem once it is up
 * (kmem_init); until then an arena has no quantum caches and a sleeping
 * request has nothing to reclaim.
 */
struct vmem_qcache_ops {
	void	(*qo_create)(vmem_t *);		/* build vm_qcache[] */
	void	(*qo_destroy)(vmem_t *);	/* tear them down */
	void	*(*qo_alloc)(void *, vm_flag_t);	/* from one cache */
	void	(*qo_free)(void *, void *);	/* back to one cache */
	void	(*qo_reclaim)(void);		/* before a sleep */
};

/*
 * The tags an arena made with VM_PRIVTAGS needs for ns spans and na
 * allocations at once, for the storage its caller gives vmem_add_bts: a
 * span takes two (its own and its free segment), and an allocation at
 * most two more (the ends of the free segment it is carved from).
 */
#define	VMEM_EST_BTCOUNT(ns, na)	(2 * (ns) + 2 * (na))

/*
 * Loads and stores of the 64-bit statistics counters that one CPU (or
 * one lock holder) writes and any CPU may read without a lock: kmem's
 * and malloc's per-CPU counts.  A port with atomic 64-bit loads and
 * stores (__HAVE_ATOMIC64_LOADSTORE: every _LP64 one) uses them.  On one
 * without (i386, and the ports with no 64-bit atomic operations at all,
 * such as 32-bit powerpc, m68k or sh3), they are plain accesses: a read
 * on another CPU may see a counter torn while its CPU updates it, as an
 * evcnt(9) counter may be.  Nothing else in vmem, kmem or malloc needs a
 * 64-bit atomic operation; counts that CPUs share are u_long.
 */
#ifdef __HAVE_ATOMIC64_LOADSTORE
#define	vmem_load64(p)			atomic_load_relaxed(p)
#define	vmem_store64(p, v)		atomic_store_relaxed((p), (v))
#else
#define	vmem_load64(p)			(*(p))
#define	vmem_store64(p, v)		(*(p) = (v))
#endif

__BEGIN_DECLS
void	vmem_add_bts(vmem_t *, struct vmem_btag *, unsigned int);
void	vmem_set_meta(vmem_t *, vmem_pagealloc_t *, vmem_pagefree_t *);
void	vmem_set_backing(vmem_t *, vmem_back_t *, vmem_unback_t *,
	    vmem_size_t);
void	vmem_unback_done(vmem_t *, vmem_addr_t, vmem_size_t);
void	vmem_set_qcache_ops(const struct vmem_qcache_ops *);
void	vmem_check(vmem_t *);
bool	vmem_busy_find(vmem_t *, vmem_addr_t, vmem_addr_t *, vmem_size_t *);
bool	vmem_busy_covers(vmem_t *, vmem_addr_t, vmem_size_t);
int	vmem_xfree_run(vmem_t *, vmem_addr_t, vmem_size_t, vm_flag_t);
void	vmem_bt_trim(void);
void	vmem_bt_stats(size_t *, size_t *);
void	vmem_foreach(void (*)(vmem_t *, void *), void *);

/* Fault injection (subr_vmem_mtbf.c): NOSLEEP requests made to fail. */
#define	VMEM_MTBF_EVERY		0x0	/* every n-th request */
#define	VMEM_MTBF_RANDOM	0x1	/* 1 in n, from a seeded sequence */
#define	VMEM_MTBF_REFILLS	0x2	/* arenas' tag refills, not requests */
#define	VMEM_MTBF_FAIL()						\
	(__predict_false(vmem_mtbf != 0) && vmem_mtbf_fail(false))
#define	VMEM_MTBF_REFILL_FAIL()						\
	(__predict_false(vmem_mtbf != 0) && vmem_mtbf_fail(true))
extern volatile u_int vmem_mtbf;
void	vmem_mtbf_set(u_int, u_int, uint64_t);
bool	vmem_mtbf_fail(bool);
bool	vmem_mtbf_refills(void);
uint64_t vmem_mtbf_injected(void);

#ifdef _VMEM_PRIVATE
/* ---- between the vmem source files */

/* The most tags one hold of an arena lock takes, and the spares (2.3). */
#define	VMEM_BT_PERHOLD		2
#define	VMEM_BT_RESERVE		(3 * VMEM_BT_PERHOLD) /* below: refill */
#define	VMEM_BT_KEEP		(4 * VMEM_BT_RESERVE) /* refilled up to */
#define	VMEM_BT_SPARE_MAX	(2 * VMEM_BT_KEEP) /* above: give back */

/* The constraints of one request (5.2). */
struct vmem_req {
	vmem_size_t	rq_size;	/* rounded to the quantum */
	vmem_size_t	rq_align;	/* power of 2, >= quantum */
	vmem_size_t	rq_phase;	/* < rq_align */
	vmem_size_t	rq_nocross;	/* 0 or a power of 2 >= size */
	vmem_addr_t	rq_minaddr;	/* inclusive */
	vmem_addr_t	rq_maxaddr;	/* inclusive */
	bool		rq_plain;	/* none of the above but the size */
};

/* The flags a vmem_xalloc or vmem_alloc may carry (6.1). */
#define	VMEM_FLAGS_ALLOC	(VM_SLEEP | VM_NOSLEEP | VM_FITMASK)

LIST_HEAD(vmem_list, vmem);
extern kmutex_t vmem_list_lock;
extern struct vmem_list vmem_list;		/* g: every arena */
extern vmem_t *vmem_meta_arena;			/* arenas, hash tables */
extern const struct vmem_qcache_ops *vmem_qcache_ops;	/* kmem's hooks */

/*
 * VMEM_DEBUG (the test builds): check every invariant of an arena after
 * changes to it, O(n) under its lock, as often as 6.2 says.
 */
#ifdef VMEM_DEBUG
#define	VMEM_CHECK(vm)	vmem_check_some(vm)
#else
#define	VMEM_CHECK(vm)	do { } while (0)
#endif

/*
 * The size class of a size (5.1); with up, the smallest class whose
 * every segment holds size.
 */
static inline u_int
vmem_class_round(const vmem_t *vm, vmem_size_t size, bool up)
{
	vmem_size_t q = size >> vm->vm_quantum_shift;
	int order, shift;

	KASSERT(q > 0);
	order = (int)(sizeof(q) * NBBY - 1) - __builtin_clzl(q);
	if (__predict_false(order >= VMEM_CLASS_ORDERS))
		return VMEM_CLASS_ORDERS * VMEM_CLASS_PERORDER + order -
		    VMEM_CLASS_ORDERS + (up && (q & (q - 1)) != 0);
	shift = MAX(order - VMEM_CLASS_SHIFT, 0);
	return order * VMEM_CLASS_PERORDER +
	    ((q >> shift) & (VMEM_CLASS_PERORDER - 1)) +
	    (up && (q & (((vmem_size_t)1 << shift) - 1)) != 0);
}

/* The size class of a size (5.1). */
static inline u_int
vmem_class(const vmem_t *vm, vmem_size_t size)
{

	return vmem_class_round(vm, size, false);
}

/* A size rounded up to the quantum; below size if that wraps. */
static inline vmem_size_t
vmem_round(const vmem_t *vm, vmem_size_t size)
{

	return (size + vm->vm_quantum_mask) & ~vm->vm_quantum_mask;
}

/*
 * Fill in rq for a request with no constraint but its size, if size and
 * flags are good, and return true; false leaves the verdict to
 * vmem_xalloc_args, which panics.  The common request's checks (6.1),
 * inline.
 */
static inline bool
vmem_req_size(const vmem_t *vm, vmem_size_t size, vm_flag_t flags,
    struct vmem_req *rq)
{
	vmem_size_t rsize = vmem_round(vm, size);
	vm_flag_t sleep = flags & (VM_SLEEP | VM_NOSLEEP);

	if (size == 0 || rsize < size || (flags & ~VMEM_FLAGS_ALLOC) != 0 ||
	    (sleep != VM_SLEEP && sleep != VM_NOSLEEP) ||
	    (flags & (VM_BESTFIT | VM_NEXTFIT)) == (VM_BESTFIT | VM_NEXTFIT))
		return false;
	rq->rq_size = rsize;
	rq->rq_align = vm->vm_quantum_mask + 1;
	rq->rq_phase = 0;
	rq->rq_nocross = 0;
	rq->rq_minaddr = VMEM_ADDR_MIN;
	rq->rq_maxaddr = VMEM_ADDR_MAX;
	rq->rq_plain = true;
	return true;
}

/* The hash chain of a start address. */
static inline struct vmem_hashlist *
bt_hashhead(vmem_t *vm, vmem_addr_t addr)
{
	uint64_t h = (uint64_t)(addr >> vm->vm_quantum_shift);

	h *= 0x9e3779b97f4a7c15ULL;
	return &vm->vm_hashlist[(h >> 32) & vm->vm_hashmask];
}

/* Find the hashed segment that starts at addr, or NULL. */
static inline bt_t *
bt_lookuphashed(vmem_t *vm, vmem_addr_t addr)
{
	bt_t *bt;

	SLIST_FOREACH(bt, bt_hashhead(vm, addr), bt_hashlist) {
		if (bt->bt_start == addr)
			return bt;
	}
	return NULL;
}

/* Find the allocated segment that starts at addr, or NULL. */
static inline bt_t *
bt_lookupbusy(vmem_t *vm, vmem_addr_t addr)
{
	bt_t *bt = bt_lookuphashed(vm, addr);

	return bt != NULL && bt->bt_type == BT_TYPE_BUSY ? bt : NULL;
}

/* subr_vmem.c */
void	bt_insbusy(vmem_t *, bt_t *);
void	bt_rembusy(vmem_t *, bt_t *);
void	vmem_free_busy(vmem_t *, bt_t *);
void	vmem_add1(vmem_t *, vmem_addr_t, vmem_size_t, int);
bool	vmem_overlaps(vmem_t *, vmem_addr_t, vmem_size_t);
bool	vmem_lock_tags_refill(vmem_t *, size_t, vm_flag_t);
void	vmem_span_release(vmem_t *, vmem_addr_t, vmem_size_t);

/* subr_vmem_bt.c */
void	bt_bootstrap(void);
void	bt_set_pagelevel(vmem_pagealloc_t *, vmem_pagefree_t *);
bool	bt_refill(vmem_t *, vm_flag_t);
void	bt_spares_trim(vmem_t *);
void	bt_spares_put(vmem_t *);

/* subr_vmem_fit.c */
bool	bt_fit(const bt_t *, const struct vmem_req *, vmem_addr_t *);
bt_t	*vmem_fit_search(vmem_t *, const struct vmem_req *, vm_flag_t,
	    vmem_addr_t *);

/* subr_vmem_check.c */
bool	vmem_xalloc_args(vmem_t *, const char *, vmem_size_t, vmem_size_t,
	    vmem_size_t, vmem_size_t, vmem_addr_t, vmem_addr_t, vm_flag_t,
	    struct vmem_req *);
void	vmem_free_misuse(vmem_t *, const char *, const char *, vmem_addr_t,
	    vmem_size_t, vmem_size_t) __dead;
void	vmem_check_locked(vmem_t *);
void	vmem_check_some(vmem_t *);

/* subr_vmem_tree.c */
void	bt_tree_insert(struct bt_tree *, bt_t *);
void	bt_tree_remove(struct bt_tree *, bt_t *);
bt_t	*bt_tree_floor(const struct bt_tree *, vmem_addr_t);
bt_t	*bt_tree_above(const struct bt_tree *, vmem_addr_t);

/*
 * Take the arena lock with at least n spare tags on hand (2.3), refilling
 * them first if need be.
 * => returns false, unlocked, if no tags could be had.
 */
static inline bool
vmem_lock_tags(vmem_t *vm, size_t n, vm_flag_t flags)
{

	mutex_enter(&vm->vm_lock);
	if (__predict_true(vm->vm_nfreetags >= n))
		return true;
	mutex_exit(&vm->vm_lock);
	return vmem_lock_tags_refill(vm, n, flags);
}

/* The first class from c up whose free list is not empty, or VMEM_NCLASS. */
static inline u_int
vmem_class_next(const vmem_t *vm, u_int c)
{
	u_int w = c / 64;
	uint64_t map;

	if (c >= VMEM_NCLASS)
		return VMEM_NCLASS;
	map = vm->vm_freemap[w] & (~(uint64_t)0 << (c % 64));
	while (map == 0) {
		if (++w == VMEM_CLASSMAP_WORDS)
			return VMEM_NCLASS;
		map = vm->vm_freemap[w];
	}
	return w * 64 + (u_int)__builtin_ctzll(map);
}

/*
 * Find a segment for the request under the policy in flags (part 5,
 * subr_vmem_fit.c).  The common request, plain and instant fit, takes
 * the head of a list here, inline; the rest search in vmem_fit_search.
 */
static inline bt_t *
vmem_fit(vmem_t *vm, const struct vmem_req *rq, vm_flag_t flags,
    vmem_addr_t *addrp)
{
	bt_t *bt;
	u_int c;

	if (rq->rq_plain && (flags & (VM_BESTFIT | VM_NEXTFIT)) == 0) {
		c = vmem_class_next(vm,
		    vmem_class_round(vm, rq->rq_size, true));
		if (c < VMEM_NCLASS) {
			bt = LIST_FIRST(&vm->vm_freelist[c]);
			*addrp = bt->bt_start;
			return bt;
		}
	}
	return vmem_fit_search(vm, rq, flags, addrp);
}

/* Take a spare tag from the arena (2.2). */
static inline bt_t *
bt_alloc(vmem_t *vm)
{
	bt_t *bt;

	KASSERT(mutex_owned(&vm->vm_lock));
	bt = SLIST_FIRST(&vm->vm_freetags);
	KASSERTMSG(bt != NULL, "vmem %s: out of spare tags", vm->vm_name);
	SLIST_REMOVE_HEAD(&vm->vm_freetags, bt_sparelist);
	vm->vm_nfreetags--;
	return bt;
}

/* Give a tag back to the arena's spares, and extras to the stock (2.3). */
static inline void
bt_free(vmem_t *vm, bt_t *bt)
{

	KASSERT(mutex_owned(&vm->vm_lock));
	SLIST_INSERT_HEAD(&vm->vm_freetags, bt, bt_sparelist);
	if (__predict_false(++vm->vm_nfreetags > VMEM_BT_SPARE_MAX) &&
	    (vm->vm_flags & VM_PRIVTAGS) == 0)
		bt_spares_trim(vm);
}
#endif /* _VMEM_PRIVATE */
__END_DECLS

#endif /* !_SYS_VMEM_IMPL_H_ */
