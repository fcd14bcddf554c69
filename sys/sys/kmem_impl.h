/*
 * kmem_impl.h: the structures behind kmem(9), for the allocator itself,
 * its tests and debugging tools.  Nothing else should look inside.
 *
 * Legend, for what protects each field:
 *	I	immutable after kmem_cache_create
 *	c	per-CPU: touched only by its own CPU with interrupts blocked
 *		at IPL_VM (splvm), or by a cross call running on that CPU;
 *		counters are read elsewhere with relaxed loads
 *	d	the depot lock, kc_depot_lock
 *	s	the slab lock, kc_slab_lock
 *	g	kmem_cache_lock, the list of all caches
 *	a	atomic, or stored and loaded relaxed
 */

#ifndef _SYS_KMEM_IMPL_H_
#define _SYS_KMEM_IMPL_H_

#include <sys/param.h>
#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/vmem.h>

#define	KMEM_NAME_MAX		31	/* bytes of a cache name, sans NUL */
#define	KMEM_HASH_MIN		64	/* buckets in the built-in table */

/* Internal kmem_cache_create flags, above the public KMC_* ones. */
#define	KMF_DEBUG		0x00010000	/* buffer tags, patterns */
#define	KMF_EXTSLAB		0x00020000	/* header outside the slab */
#define	KMF_BUFCTL		0x00040000	/* bufctls, buffers untouched */
#define	KMF_AUDIT		0x00080000	/* audit records and a log */

#define	KMEM_AUDIT_LOG		1024	/* records in a cache's log */
#define	KMEM_LEAK_MAX		32	/* callers a leak report tells apart */

/* Debugging patterns (KMF_DEBUG caches). */
#define	KMEM_FREE_PATTERN	0xdeadbeefdeadbeefULL	/* free buffers */
#define	KMEM_UNINIT_PATTERN	0xbaddcafebaddcafeULL	/* new, before ctor */
#define	KMEM_REDZONE_PATTERN	0xfeedfacefeedfaceULL	/* bt_redzone */
#define	KMEM_REDZONE_BYTE	0xfe	/* between bt_size and the tag */
#define	KMEM_BUFTAG_ALLOC	0xa110c8edUL	/* bt_state ^ buffer address */
#define	KMEM_BUFTAG_FREE	0xf4eeb0ffUL

struct lwp;

typedef struct kmem_magazine kmem_magazine_t;
typedef struct kmem_cpu_cache kmem_cpu_cache_t;
typedef struct kmem_slab kmem_slab_t;
typedef struct kmem_bufctl kmem_bufctl_t;

/*
 * A magazine: an array of rounds (buffers, constructed unless the cache
 * debugs).  On a CPU its fill is cc_rounds or cc_prounds; in the depot
 * or on the flush list it is mg_rounds.
 */
struct kmem_magazine {
	kmem_magazine_t	*mg_next;	/* d: depot list link */
	u_int		mg_size;	/* I: capacity in rounds */
	u_int		mg_rounds;	/* d: rounds, while off a CPU */
	void		*mg_round[];	/* c, d: the rounds */
};

/* A magazine size, and the cache its magazines come from. */
struct kmem_magtype {
	u_int		mt_rounds;	/* I: rounds a magazine holds */
	size_t		mt_maxbuf;	/* I: first choice up to this size */
	kmem_cache_t	*mt_cache;	/* I: set by kmem_init */
};

/* One list of the depot, with its working-set bookkeeping. */
struct kmem_maglist {
	kmem_magazine_t	*ml_list;	/* d: singly linked */
	u_int		ml_count;	/* d: magazines on the list */
	u_int		ml_min;		/* d: fewest since the last update */
};

/*
 * The per-CPU layer of a cache: a loaded and a previous magazine.
 * (*) counted only with KMEM_STATS (DIAGNOSTIC kernels).
 */
struct kmem_cpu_cache {
	kmem_magazine_t	*cc_loaded;	/* c: rounds come and go here */
	kmem_magazine_t	*cc_prev;	/* c: full or empty, for a swap */
	u_int		cc_rounds;	/* c: rounds in cc_loaded */
	u_int		cc_prounds;	/* c: rounds in cc_prev */
	u_int		cc_magsize;	/* c: cc_loaded's capacity, or 0 */
	u_int		cc_pmagsize;	/* c: capacity of cc_prev, 0 if none */
	uint64_t	cc_alloc;	/* c: allocations from a magazine (*) */
	uint64_t	cc_free;	/* c: frees into a magazine (*) */
	uint64_t	cc_alloc_miss;	/* c: allocations from the slabs */
	uint64_t	cc_free_miss;	/* c: frees to the slabs */
} __aligned(COHERENCY_UNIT);

/*
 * An external slab's tag for one granule it meets, in the hash by
 * granule address (see subr_kmem_slab.c); or, with KMF_BUFCTL, its
 * handle on one buffer: on the free list while free, in the hash by
 * buffer address while allocated.
 */
struct kmem_bufctl {
	kmem_bufctl_t	*bc_next;	/* s: free list, or hash chain */
	uintptr_t	bc_addr;	/* I: the granule, or the buffer */
	kmem_slab_t	*bc_slab;	/* I: its slab */
};

/*
 * A slab: one contiguous piece of the source arena cut into buffers.  Its
 * header sits at the end of the slab for small buffers and is allocated
 * apart for large ones (KMF_EXTSLAB), followed by kc_hashents tags and,
 * without KMF_BUFCTL, a bitmap of allocated buffers.
 */
struct kmem_slab {
	LIST_ENTRY(kmem_slab) sl_link;	/* s: on one of the cache's lists */
	kmem_cache_t	*sl_cache;	/* I: owner */
	uintptr_t	sl_check;	/* I: own address ^ KMEM_SLAB_MAGIC */
	uintptr_t	sl_base;	/* I: start, from the source arena */
	uintptr_t	sl_start;	/* I: first buffer (base + colour) */
	void		*sl_free;	/* s: freed buffers (bufctls) */
	u_int		sl_refcnt;	/* s: buffers allocated from it */
	u_int		sl_chunks;	/* I: buffers in it */
	u_int		sl_nfresh;	/* s: last buffers never handed out */
	kmem_bufctl_t	sl_bufctl[];	/* s: KMF_EXTSLAB only */
};
#define	KMEM_SLAB_MAGIC		((uintptr_t)0x51ab51ab51ab51abULL)

LIST_HEAD(kmem_slablist, kmem_slab);

/*
 * The buffer tag that debugging caches put after each buffer, at
 * kc_tagoff.  The bytes from bt_size to the tag, and bt_redzone, are
 * the redzone.
 */
struct kmem_buftag {
	uint64_t	bt_redzone;	/* KMEM_REDZONE_PATTERN */
	uintptr_t	bt_state;	/* address ^ KMEM_BUFTAG_ALLOC/FREE */
	size_t		bt_size;	/* bytes the caller asked for */
	void		*bt_next;	/* free-list link while in a slab */
};

/*
 * An audit record (KMF_AUDIT): one allocation or free of a buffer, as
 * illumos' kmem_bufctl_audit keeps it.  Each buffer of an auditing cache
 * has two after its tag, its last allocation and its last free, and the
 * cache's log holds the last KMEM_AUDIT_LOG of either kind.
 */
struct kmem_audit {
	void		*ka_buf;	/* the buffer */
	const void	*ka_caller;	/* return address into the caller */
	struct lwp	*ka_thread;	/* curlwp */
	u_int		ka_cpu;		/* cpu_index(curcpu()) */
	u_int		ka_op;		/* KMEM_AUDIT_ALLOC or _FREE */
	uint64_t	ka_time;	/* getticks() */
};
#define	KMEM_AUDIT_ALLOC	1
#define	KMEM_AUDIT_FREE		2

/* The two records after the tag of an audited buffer. */
struct kmem_bufaudit {
	struct kmem_audit ba_alloc;	/* last allocation */
	struct kmem_audit ba_free;	/* last free */
};

/* One line of a leak report: the buffers one caller left allocated. */
struct kmem_leak {
	const void	*kl_caller;	/* allocating caller; NULL: unknown */
	uint64_t	kl_count;	/* buffers */
	uint64_t	kl_bytes;	/* bytes asked for */
};

struct kmem_cache {
	/* The fast path reads only these and kc_cpu[]. */
	int		kc_flags;	/* I: KMC_* and KMF_* */
	size_t		kc_size;	/* I: object size asked for */

	char		kc_name[KMEM_NAME_MAX + 1];	/* I */
	size_t		kc_align;	/* I: buffer alignment */
	size_t		kc_bufsize;	/* I: stride of buffers in a slab */
	size_t		kc_tagoff;	/* I: buffer tag offset (KMF_DEBUG) */
	size_t		kc_linkoff;	/* I: free-list link offset in a slab */
	int		(*kc_ctor)(void *, void *, int);	/* I */
	void		(*kc_dtor)(void *, void *);	/* I */
	void		(*kc_reclaim)(void *);		/* I */
	void		*kc_arg;	/* I: for ctor, dtor, reclaim */
	vmem_t		*kc_source;	/* I: where slabs come from */
	size_t		kc_slabsize;	/* I: bytes in a slab */
	u_int		kc_chunks;	/* I: buffers in a slab */
	size_t		kc_maxcolor;	/* I: largest slab colour */
	size_t		kc_hdrsize;	/* I: external slab header size */
	kmem_cache_t	*kc_hdrcache;	/* I: where its headers come from */
	int		kc_hashshift;	/* I: log2 of what the hash keys */
	u_int		kc_hashents;	/* I: hash entries a slab */

	/* The slab layer. */
	kmutex_t	kc_slab_lock;	/* spin, IPL_VM */
	struct kmem_slablist kc_partial; /* s: some buffers free */
	struct kmem_slablist kc_complete; /* s: every buffer allocated */
	struct kmem_slablist kc_emptylist; /* s: every buffer free */
	size_t		kc_color;	/* s: colour of the next slab */
	u_int		kc_nslabs;	/* s: slabs held */
	u_int		kc_nempty;	/* s: of which wholly free */
	u_int		kc_fresh_cpu;	/* s: CPU of the last fresh buffer */
	uint64_t	kc_slab_alloc;	/* s: buffers taken from slabs */
	uint64_t	kc_slab_free;	/* s: buffers given back */
	uint64_t	kc_slab_create;	/* s: slabs made */
	uint64_t	kc_slab_destroy; /* s: slabs given back */
	kmem_bufctl_t	**kc_hash;	/* s: granule tags or bufctls */
	size_t		kc_hashmask;	/* s: buckets - 1 */
	kmem_bufctl_t	*kc_hash0[KMEM_HASH_MIN]; /* s: the first table */

	/* The depot. */
	kmutex_t	kc_depot_lock;	/* spin, IPL_VM */
	struct kmem_maglist kc_full;	/* d: full magazines */
	struct kmem_maglist kc_empty;	/* d: empty magazines */
	kmem_magazine_t	*kc_flushed;	/* d: taken off CPUs, to destroy */
	const struct kmem_magtype *kc_magtype; /* d, a: size of new magazines */
	uint64_t	kc_depot_ops;	/* d: depot lock acquisitions */
	uint64_t	kc_depot_contention; /* d: of which had to wait */
	uint64_t	kc_depot_window; /* d: contention at the window start */

	/* The transaction log (KMF_AUDIT). */
	struct kmem_audit *kc_log;	/* I: KMEM_AUDIT_LOG records */
	volatile u_long	kc_logpos;	/* a: records ever written */

	LIST_ENTRY(kmem_cache) kc_list;	/* g: all caches */
	struct kmem_cpu_cache kc_cpu[];	/* c: MAXCPUS of them */
};

/* Statistics of one cache, as kmem_cache_stats reports them. */
struct kmem_cache_stats {
	size_t		ks_size;	/* object size */
	size_t		ks_bufsize;	/* buffer stride in a slab */
	size_t		ks_slabsize;	/* bytes in a slab */
	uint64_t	ks_inuse;	/* buffers held by callers */
	uint64_t	ks_cached;	/* buffers in magazines */
	uint64_t	ks_bufs;	/* buffers in all slabs */
	uint64_t	ks_alloc;	/* allocations (see ks_mag_hits) */
	uint64_t	ks_free;	/* frees (see ks_mag_hits) */
	uint64_t	ks_slabs;	/* slabs held */
	uint64_t	ks_empty_slabs;	/* of which wholly free */
	uint64_t	ks_slab_create;	/* slabs made */
	uint64_t	ks_slab_destroy; /* slabs given back */
	uint64_t	ks_mag_hits;	/* served per CPU; KMEM_STATS only */
	uint64_t	ks_mag_misses;	/* allocs and frees to slabs */
	uint64_t	ks_depot_full;	/* full magazines in the depot */
	uint64_t	ks_depot_empty;	/* empty magazines in the depot */
	uint64_t	ks_depot_contention; /* depot lock waits */
	u_int		ks_magsize;	/* rounds in a new magazine */
	size_t		ks_memory;	/* bytes of slabs held */
};

/*
 * One CPU's share of a cache's traffic, as kmem_cache_cpu_stats reports
 * it: its magazines served kcs_alloc + kcs_free of the allocations and
 * frees made on that CPU, the slabs the rest.  (*) counted only with
 * KMEM_STATS, as in struct kmem_cpu_cache.
 */
struct kmem_cpu_stats {
	uint64_t	kcs_alloc;	/* allocations from a magazine (*) */
	uint64_t	kcs_free;	/* frees into a magazine (*) */
	uint64_t	kcs_alloc_miss;	/* allocations from the slabs */
	uint64_t	kcs_free_miss;	/* frees to the slabs */
	u_int		kcs_rounds;	/* buffers in its two magazines */
};

__BEGIN_DECLS
void	kmem_cache_stats(kmem_cache_t *, struct kmem_cache_stats *);
void	kmem_cache_cpu_stats(kmem_cache_t *, u_int, struct kmem_cpu_stats *);
void	kmem_cache_foreach(void (*)(kmem_cache_t *, void *), void *);
size_t	kmem_size_class(size_t);
u_int	kmem_cache_leaks(kmem_cache_t *, struct kmem_leak *, u_int);
bool	kmem_cache_audit(kmem_cache_t *, void *, struct kmem_bufaudit *);
u_int	kmem_cache_audit_log(kmem_cache_t *, struct kmem_audit *, u_int);

#ifdef _KMEM_PRIVATE
/*
 * ---- between the kmem source files (and kern_malloc.c, and the tests
 * that look inside)
 */

/* Count magazine hits per CPU (a cost on the fast path). */
#if defined(DIAGNOSTIC) && !defined(KMEM_STATS)
#define	KMEM_STATS
#endif

LIST_HEAD(kmem_cachelist, kmem_cache);
extern kmutex_t kmem_cache_lock;
extern struct kmem_cachelist kmem_caches;	/* kmem_cache_lock */
extern const struct vmem_qcache_ops kmem_qcache_ops;
extern struct kmem_magtype kmem_magtypes[];
extern const u_int kmem_nmagtypes;

void	kmem_slab_init(kmem_cache_t *);
void	kmem_slab_fini(kmem_cache_t *);
void	*kmem_slab_alloc(kmem_cache_t *, int);
u_int	kmem_slab_alloc_batch(kmem_cache_t *, void **, u_int);
void	kmem_slab_free(kmem_cache_t *, void *);
void	kmem_slab_free_batch(kmem_cache_t *, void **, u_int);
void	kmem_slab_verify(kmem_cache_t *, void *, const char *);
void	kmem_slab_reap(kmem_cache_t *);
void	kmem_slab_bootstrap(void);
void	kmem_slab_reap_headers(void);

void	*kmem_debug_alloc(kmem_cache_t *, void *, size_t, int, const void *);
void	kmem_debug_free(kmem_cache_t *, void *, size_t, const char *,
	    const void *);
void	kmem_slab_walk(kmem_cache_t *, void (*)(kmem_cache_t *, void *,
	    void *), void *);
void	*kmem_cache_alloc_raw(kmem_cache_t *, int);
void	kmem_cache_free_raw(kmem_cache_t *, void *);

kmem_magazine_t	*kmem_magazine_alloc(kmem_cache_t *);
void	kmem_magazine_free(kmem_magazine_t *);
kmem_magazine_t	*kmem_depot_get(kmem_cache_t *, struct kmem_maglist *);
void	kmem_depot_put(kmem_cache_t *, struct kmem_maglist *,
	    kmem_magazine_t *, u_int);
void	kmem_depot_ws_reap(kmem_cache_t *);
void	kmem_depot_purge(kmem_cache_t *);

void	kmem_cache_flush(kmem_cache_t *);
void	kmem_cache_drain_local(kmem_cache_t *);
void	kmem_wait_init(void);
void	kmem_wakeup(void);
int	kmem_source_alloc(vmem_t *, vmem_size_t, int, vmem_addr_t *);

/* kmem_alloc, kmem_zalloc and kmem_free for wrappers: caller is audited. */
void	*kmem_alloc_caller(size_t, km_flag_t, const void *);
void	*kmem_zalloc_caller(size_t, km_flag_t, const void *);
void	kmem_free_caller(void *, size_t, const void *);

#define	KMEM_MAXSIZE		8192	/* largest size class */
#define	KMEM_SHIFT		3	/* class table granule: 8 bytes */
extern kmem_cache_t *kmem_class_of[KMEM_MAXSIZE >> KMEM_SHIFT];

/* ---- the layout of a debugging buffer (subr_kmem_debug.c) */

/* The tag of buf. */
static __inline struct kmem_buftag *
kmem_buftag(kmem_cache_t *kc, void *buf)
{

	return (struct kmem_buftag *)((char *)buf + kc->kc_tagoff);
}

/* The audit records of buf, in an auditing cache. */
static __inline struct kmem_bufaudit *
kmem_bufaudit(kmem_cache_t *kc, void *buf)
{

	return (struct kmem_bufaudit *)((char *)buf + kc->kc_tagoff +
	    sizeof(struct kmem_buftag));
}

/* Fill the words of [buf, buf + len) with pattern; 8 divides len. */
static __inline void
kmem_pattern_fill(void *buf, size_t len, uint64_t pattern)
{
	uint64_t *p = buf, *end = (uint64_t *)((char *)buf + len);

	while (p < end)
		*p++ = pattern;
}

/*
 * kmem_debug_slab_init: make buf, a buffer of a new slab, a valid free
 * buffer: filled with the pattern, tag marked free.  The slab layer
 * runs it on a fresh buffer of a debugging cache; it lives here so that
 * the slab layer need not call up into subr_kmem_debug.c, which calls
 * down into the slab layer (kmem_slab_walk).
 */
static __inline void
kmem_debug_slab_init(kmem_cache_t *kc, void *buf)
{
	struct kmem_buftag *bt = kmem_buftag(kc, buf);

	kmem_pattern_fill(buf, kc->kc_tagoff, KMEM_FREE_PATTERN);
	bt->bt_redzone = KMEM_REDZONE_PATTERN;
	bt->bt_state = (uintptr_t)buf ^ KMEM_BUFTAG_FREE;
	bt->bt_size = kc->kc_size;
	bt->bt_next = NULL;
	if ((kc->kc_flags & KMF_AUDIT) != 0)
		kmem_pattern_fill(kmem_bufaudit(kc, buf),
		    sizeof(struct kmem_bufaudit), 0);
}
#endif /* _KMEM_PRIVATE */
__END_DECLS

#endif /* !_SYS_KMEM_IMPL_H_ */
