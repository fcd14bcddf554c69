/*
 * vmem_impl.h: the structures behind vmem(9), for the allocator itself,
 * its tests and debugging tools.  Nothing else should look inside.
 *
 * Legend, for what protects each field:
 *	I	immutable after vmem_create
 *	l	the arena lock, vm_lock
 *	g	vmem_list_lock (the list of all arenas)
 */

#ifndef _SYS_VMEM_IMPL_H_
#define _SYS_VMEM_IMPL_H_

#include <sys/types.h>
#include <sys/condvar.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/vmem.h>

#define	VMEM_MAXORDER		(sizeof(vmem_size_t) * 8)
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
 * before the range becomes free, wherever vmem_free may be called.
 */
typedef int (vmem_back_t)(vmem_t *, vmem_addr_t, vmem_size_t, vm_flag_t);
typedef void (vmem_unback_t)(vmem_t *, vmem_addr_t, vmem_size_t);

TAILQ_HEAD(vmem_seglist, vmem_btag);
LIST_HEAD(vmem_freelist, vmem_btag);
LIST_HEAD(vmem_hashlist, vmem_btag);

/*
 * A boundary tag describes one span or one segment.  Every tag of an
 * arena is on the address-ordered segment list; a span's tag comes just
 * before the segments that tile it.  A free segment is also on the free
 * list of its size order, a busy segment on its hash chain.  In a backed
 * arena a segment being freed is BT_TYPE_UNBACKING while its backing goes
 * (with the lock dropped): still hashed and indexed, but no longer
 * allocated, so a second free of it is caught as one.
 */
struct vmem_btag {
	TAILQ_ENTRY(vmem_btag) bt_seglist;	/* l: all tags, by address */
	union {
		LIST_ENTRY(vmem_btag) u_freelist; /* l: BT_TYPE_FREE */
		LIST_ENTRY(vmem_btag) u_hashlist; /* l: BT_ISBUSY_P */
	} bt_u;
	struct vmem_btag *bt_tleft;		/* l: busy or span index, lower */
	struct vmem_btag *bt_tright;		/* l: busy or span index, higher */
	vmem_addr_t	bt_start;		/* l: first address */
	vmem_size_t	bt_size;		/* l: length, > 0 */
	int		bt_type;		/* l: BT_TYPE_* */
};
#define	bt_freelist	bt_u.u_freelist
#define	bt_hashlist	bt_u.u_hashlist

#define	BT_TYPE_SPAN		1	/* imported span, may be released */
#define	BT_TYPE_SPAN_STATIC	2	/* span from vmem_create/vmem_add */
#define	BT_TYPE_FREE		3	/* free segment */
#define	BT_TYPE_BUSY		4	/* allocated segment */
#define	BT_TYPE_UNBACKING	5	/* busy, being unbacked to be freed */
#define	BT_ISBUSY_P(bt)		((bt)->bt_type >= BT_TYPE_BUSY)
#define	BT_ISSPAN_P(bt)		((bt)->bt_type <= BT_TYPE_SPAN_STATIC)

/* Last address of a tag's range; never overflows. */
#define	BT_END(bt)		((bt)->bt_start + (bt)->bt_size - 1)

struct vmem {
	kmutex_t		vm_lock;
	kcondvar_t		vm_cv;		/* l: waiters for space */
	vm_flag_t		vm_flags;	/* I: VM_* from vmem_create */
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
	struct vmem_freelist	vm_freelist[VMEM_MAXORDER]; /* l */
	uint64_t		vm_freemap;	/* l: bit i: list i not empty */
	struct vmem_hashlist	*vm_hashlist;	/* l: busy segments */
	size_t			vm_hashmask;	/* l: buckets - 1 */
	size_t			vm_nbusytag;	/* l: busy segments */
	bool			vm_rehashing;	/* l: a table is being grown */
	struct vmem_hashlist	vm_hash0[VMEM_HASHSIZE_MIN]; /* l */
	bt_t			*vm_rotor;	/* l: next fit resumes here */
	bt_t			*vm_busytree;	/* l: busy segments by address */
	bt_t			*vm_spantree;	/* l: span tags by address */
	bool			vm_ordered;	/* l: vm_busytree maintained */

	struct vmem_freelist	vm_freetags;	/* l: private spare tags */
	size_t			vm_nfreetags;	/* l */
	bool			vm_starved;	/* l: no refill (tests) */

	vmem_size_t		vm_size;	/* l: bytes in all spans */
	vmem_size_t		vm_inuse;	/* l: bytes allocated */
	uint64_t		vm_nalloc;	/* l: successful allocations */
	uint64_t		vm_nfree;	/* l: frees */
	uint64_t		vm_nfail;	/* l: failed NOSLEEP requests */
	uint64_t		vm_nwait;	/* l: sleeps for space */
	uint64_t		vm_nimport;	/* l: spans imported */
	uint64_t		vm_nrelease;	/* l: spans released */
	uint64_t		vm_nrehash;	/* l: hash table growths */

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

__BEGIN_DECLS
void	vmem_set_meta(vmem_t *, vmem_pagealloc_t *, vmem_pagefree_t *);
void	vmem_set_backing(vmem_t *, vmem_back_t *, vmem_unback_t *,
	    vmem_size_t);
void	vmem_set_qcache_ops(const struct vmem_qcache_ops *);
void	vmem_check(vmem_t *);
bool	vmem_busy_find(vmem_t *, vmem_addr_t, vmem_addr_t *, vmem_size_t *);
int	vmem_xfree_run(vmem_t *, vmem_addr_t, vmem_size_t, vm_flag_t);
void	vmem_starve_tags(vmem_t *, bool);
void	vmem_bt_trim(void);
void	vmem_bt_stats(size_t *, size_t *);
void	vmem_foreach(void (*)(vmem_t *, void *), void *);
extern bool vmem_check_enabled;
__END_DECLS

#endif /* !_SYS_VMEM_IMPL_H_ */
