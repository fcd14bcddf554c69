/*
 * kern_malloc.c: malloc(9), the old general-purpose allocator, as a
 * layer on kmem(9).
 *
 * ---- Theory
 *
 * malloc(9) differs from kmem_alloc in two ways: free takes no size, and
 * each allocation is charged to a type (struct malloc_type, declared with
 * MALLOC_DEFINE) that keeps statistics.  The vocabulary:
 *
 *	small		a request of at most MALLOC_SMALL_MAX bytes; it takes
 *			a kmem_alloc buffer of size + 8 bytes, and the first
 *			8 bytes, the header, hold the size and a tag of the
 *			type;
 *	large		a larger request; it takes whole pages straight from
 *			kmem_meta_arena, as kmem_alloc does for such sizes,
 *			with no header in them: the size and the type go in a
 *			record in the large index instead, so that a request
 *			of an exact number of pages wastes nothing;
 *	tag		a 32-bit digest of the type's address, kept in the
 *			header, so that free with the wrong type panics.
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
 * above); a large one its rounding to pages plus a 40-byte record.  The
 * classic design this replaces rounded every request to a power of 2
 * (pages above two pages); "make bench" compares the two on a size mix.
 *
 * Statistics: each type counts its allocations and bytes outstanding, the
 * high-water mark of the bytes, its requests and its failed M_NOWAIT
 * requests, with atomic operations.  A type joins the list of types
 * (a lock-free push) on its first request, or by malloc_type_attach;
 * malloc_print walks the list.
 *
 * Sleeping: M_WAITOK maps to KM_SLEEP and VM_SLEEP, which never fail;
 * M_NOWAIT to KM_NOSLEEP and VM_NOSLEEP, which never sleep, so malloc
 * with M_NOWAIT and free may be called from interrupt handlers at or
 * below IPL_VM.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/intr.h>
#include <sys/kmem.h>
#include <sys/malloc.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/systm.h>
#include <sys/vmem.h>


/* The header below a small allocation. */
struct malloc_header {
	uint32_t	mh_size;	/* bytes asked for */
	uint32_t	mh_tag;		/* malloc_tag() of the type */
};
CTASSERT(sizeof(struct malloc_header) == KMEM_ALIGN);

#define	MALLOC_HDR		sizeof(struct malloc_header)
#define	MALLOC_SMALL_MAX	(2 * PAGE_SIZE - MALLOC_HDR)
#define	MALLOC_NHASH		64	/* chains of the large index */

/*
 * The legend for what protects each field:
 *	h	malloc_large_lock
 */
struct malloc_large {
	LIST_ENTRY(malloc_large) ml_chain;	/* h: in its hash chain */
	vaddr_t			ml_addr;	/* h: first page */
	size_t			ml_size;	/* h: bytes asked for */
	struct malloc_type	*ml_type;	/* h */
};
LIST_HEAD(malloc_large_chain, malloc_large);
CTASSERT(sizeof(struct malloc_large) <= 40);	/* as malloc(9) states */

static struct malloc_large_chain malloc_large_hash[MALLOC_NHASH]; /* h */
static kmutex_t malloc_large_lock;
static volatile u_int malloc_state;	/* 0, then 1 while set up, then 2 */
static struct malloc_type *volatile malloc_types;	/* attached types */

MALLOC_DEFINE(M_DEVBUF, "devbuf", "device driver memory");
MALLOC_DEFINE(M_TEMP, "temp", "temporary data buffers");

/* ---- setup and types */

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

/* Panic unless type is a malloc_type. */
static void
malloc_type_check(const struct malloc_type *type, const char *func,
    const void *addr)
{

	if (type == NULL || type->ks_magic != M_MAGIC)
		panic("%s: addr %p: type %p is not a malloc_type (no "
		    "MALLOC_DEFINE?)", func, addr, type);
}

/*
 * malloc_type_attach: put type on the list malloc_print walks; a type is
 * attached by its first request anyway.
 */
void
malloc_type_attach(struct malloc_type *type)
{
	struct malloc_type *head;

	malloc_type_check(type, "malloc_type_attach", NULL);
	if (atomic_load_acquire(&type->ks_attached) != 0 ||
	    atomic_cas_uint(&type->ks_attached, 0, 1) != 0)
		return;
	do {
		head = malloc_types;
		type->ks_next = head;
	} while (atomic_cas_ptr(&malloc_types, head, type) != head);
}

/* The tag of a type, kept in the headers of its small allocations. */
static uint32_t
malloc_tag(const struct malloc_type *type)
{
	uint64_t x = (uintptr_t)type;

	return (uint32_t)(x ^ (x >> 32)) ^ M_MAGIC;
}

/* ---- statistics */

/* Charge an allocation of size bytes to type. */
static void
malloc_stat_alloc(struct malloc_type *type, size_t size)
{
	uint64_t use, max;

	atomic_inc_64(&type->ks_inuse);
	use = atomic_add_64_nv(&type->ks_memuse, size);
	while ((max = atomic_load_relaxed(&type->ks_maxused)) < use &&
	    atomic_cas_64(&type->ks_maxused, max, use) != max)
		continue;
}

/* Take an allocation of size bytes off type. */
static void
malloc_stat_free(struct malloc_type *type, size_t size)
{

	atomic_dec_64(&type->ks_inuse);
	atomic_add_64(&type->ks_memuse, -(uint64_t)size);
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

/* Allocate size bytes of whole pages and record them; NULL on failure. */
static void *
malloc_large_alloc(size_t size, struct malloc_type *type, int flags)
{
	int km = (flags & M_NOWAIT) != 0 ? KM_NOSLEEP : KM_SLEEP;
	vm_flag_t vmf = (flags & M_NOWAIT) != 0 ? VM_NOSLEEP : VM_SLEEP;
	struct malloc_large *ml;
	vmem_addr_t va;

	ml = kmem_alloc(sizeof(*ml), km);
	if (ml == NULL)
		return NULL;
	if (vmem_xalloc(kmem_meta_arena, roundup2(size, PAGE_SIZE), 0, 0, 0,
	    VMEM_ADDR_MIN, VMEM_ADDR_MAX, vmf | VM_INSTANTFIT, &va) != 0) {
		kmem_free(ml, sizeof(*ml));
		return NULL;
	}
	KASSERT((va & PAGE_MASK) == 0);
	if ((flags & M_ZERO) != 0)
		memset((void *)va, 0, size);
	ml->ml_addr = va;
	ml->ml_size = size;
	ml->ml_type = type;
	mutex_enter(&malloc_large_lock);
	LIST_INSERT_HEAD(malloc_large_chain(va), ml, ml_chain);
	mutex_exit(&malloc_large_lock);
	return (void *)va;
}

/* ---- the interface */

/*
 * kern_malloc (malloc): size bytes aligned to KMEM_ALIGN, charged to
 * type; zeroed with M_ZERO.  Size 0 gives a unique address that must
 * not be dereferenced.
 * => M_WAITOK: thread context, may sleep, never fails;
 *    M_NOWAIT: never sleeps, may fail (NULL); safe at IPL_VM and below.
 */
void *
kern_malloc(unsigned long size, struct malloc_type *type, int flags)
{
	int km = (flags & M_NOWAIT) != 0 ? KM_NOSLEEP : KM_SLEEP;
	struct malloc_header *mh;
	void *p;

	malloc_type_check(type, "malloc", NULL);
	if ((flags & ~(M_NOWAIT | M_ZERO)) != 0 ||
	    size > VMEM_ADDR_MAX - PAGE_SIZE)
		panic("malloc: type %s: size %#lx flags %#x: unknown flags, or "
		    "a size no memory can hold", type->ks_shortdesc, size,
		    flags);
	malloc_setup();
	malloc_type_attach(type);
	atomic_inc_64(&type->ks_calls);
	if (size > MALLOC_SMALL_MAX) {
		p = malloc_large_alloc(size, type, flags);
	} else {
		mh = (flags & M_ZERO) != 0 ?
		    kmem_zalloc(size + MALLOC_HDR, km) :
		    kmem_alloc(size + MALLOC_HDR, km);
		p = NULL;
		if (mh != NULL) {
			mh->mh_size = (uint32_t)size;
			mh->mh_tag = malloc_tag(type);
			p = mh + 1;
		}
	}
	if (p == NULL) {
		atomic_inc_64(&type->ks_fails);
		return NULL;
	}
	malloc_stat_alloc(type, size);
	return p;
}

/* The header of the small allocation at addr; panic if it is not type's. */
static struct malloc_header *
malloc_header(void *addr, struct malloc_type *type, const char *func)
{
	struct malloc_header *mh = (struct malloc_header *)addr - 1;

	if (((uintptr_t)addr & (KMEM_ALIGN - 1)) != 0 ||
	    mh->mh_size > MALLOC_SMALL_MAX || mh->mh_tag != malloc_tag(type))
		panic("%s: type %s: addr %p was not allocated with this type, "
		    "or was freed already (header size %#x tag %#x)", func,
		    type->ks_shortdesc, addr, mh->mh_size, mh->mh_tag);
	return mh;
}

/*
 * kern_free (free): give back addr, from malloc with the same type.
 * NULL is ignored.
 * => never sleeps; safe at IPL_VM and below.
 */
void
kern_free(void *addr, struct malloc_type *type)
{
	struct malloc_header *mh;
	struct malloc_large *ml;
	size_t size;

	malloc_type_check(type, "free", addr);
	if (addr == NULL)
		return;
	malloc_setup();
	ml = malloc_large_lookup((vaddr_t)addr, true);
	if (ml != NULL) {
		if (ml->ml_type != type)
			panic("free: type %s: addr %p size %#zx was allocated "
			    "with type %s", type->ks_shortdesc, addr,
			    ml->ml_size, ml->ml_type->ks_shortdesc);
		size = ml->ml_size;
		vmem_xfree(kmem_meta_arena, ml->ml_addr,
		    roundup2(size, PAGE_SIZE));
		kmem_free(ml, sizeof(*ml));
	} else {
		mh = malloc_header(addr, type, "free");
		size = mh->mh_size;
		mh->mh_tag = 0;
		kmem_free(mh, size + MALLOC_HDR);
	}
	malloc_stat_free(type, size);
}

/* The size asked for when addr was allocated; panic if not type's. */
static size_t
malloc_size(void *addr, struct malloc_type *type)
{
	struct malloc_large *ml;

	ml = malloc_large_lookup((vaddr_t)addr, false);
	if (ml == NULL)
		return malloc_header(addr, type, "realloc")->mh_size;
	if (ml->ml_type != type)
		panic("realloc: type %s: addr %p was allocated with type %s",
		    type->ks_shortdesc, addr, ml->ml_type->ks_shortdesc);
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
kern_realloc(void *addr, unsigned long size, struct malloc_type *type,
    int flags)
{
	size_t oldsize;
	void *p;

	if (addr == NULL)
		return kern_malloc(size, type, flags);
	malloc_type_check(type, "realloc", addr);
	if (size == 0) {
		kern_free(addr, type);
		return NULL;
	}
	malloc_setup();
	oldsize = malloc_size(addr, type);
	if (size <= oldsize)
		return addr;
	p = kern_malloc(size, type, flags);
	if (p == NULL)
		return NULL;
	memcpy(p, addr, oldsize);
	kern_free(addr, type);
	return p;
}

/* ---- statistics dump */

/* malloc_type_print: one line of a type's statistics. */
void
malloc_type_print(struct malloc_type *type)
{

	malloc_type_check(type, "malloc_type_print", NULL);
	printf("%-16s %8llu %12llu %12llu %10llu %6llu\n", type->ks_shortdesc,
	    (unsigned long long)atomic_load_relaxed(&type->ks_inuse),
	    (unsigned long long)atomic_load_relaxed(&type->ks_memuse),
	    (unsigned long long)atomic_load_relaxed(&type->ks_maxused),
	    (unsigned long long)atomic_load_relaxed(&type->ks_calls),
	    (unsigned long long)atomic_load_relaxed(&type->ks_fails));
}

/* malloc_print: the statistics of every type that has been used. */
void
malloc_print(void)
{
	struct malloc_type *type;

	printf("%-16s %8s %12s %12s %10s %6s\n", "type", "inuse", "memuse",
	    "highwater", "requests", "fails");
	for (type = atomic_load_acquire(&malloc_types); type != NULL;
	    type = type->ks_next)
		malloc_type_print(type);
}
