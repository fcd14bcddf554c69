/*
 * subr_vmem_check.c: what looks at a vmem arena without changing it: the
 * misuse checks of its arguments, the queries, printing, and the checker
 * of its invariants.
 *
 * ---- Theory, part 6: checks (part 1 is in subr_vmem.c)
 *
 * 6.1 Misuse.  Every build checks the arguments of each call and panics
 * on misuse (a bad size, alignment or flag, a double free, a free into
 * the wrong arena or of the wrong size), naming the function, the arena,
 * the rule and every argument.  These checks are O(1).  A request that
 * can never be met but may come from a correct caller, a [minaddr,
 * maxaddr] range smaller than the size (a bus driver computes its window
 * at run time), is no misuse: it fails with ENOMEM under VM_NOSLEEP, as in
 * NetBSD, and panics only under VM_SLEEP, which would wait for ever.
 *
 * 6.2 Invariants.  vmem_check walks the whole arena, O(n) in its tags:
 * the segment list tiles each span in address order, free neighbours are
 * coalesced, the totals add up, the free lists and their bitmap agree,
 * the hash holds exactly the busy segments, and both indexes are ordered,
 * red-black (4.2) and complete.  Tests call it directly.  Kernels built
 * with VMEM_DEBUG (the test builds) also run it, as VMEM_CHECK, after
 * changes to an arena, under its lock: after every change while the
 * arena has at most VMEM_CHECK_SPREAD busy segments, and once in every
 * nbusy / VMEM_CHECK_SPREAD changes above that, so that a check costs
 * O(VMEM_CHECK_SPREAD) a change amortized and a test with 100,000
 * segments still runs in seconds.  DIAGNOSTIC alone runs no O(n) check,
 * so that a DIAGNOSTIC kernel's allocations stay O(1).
 *
 * 6.3 Queries and printing: vmem_size, vmem_contains, vmem_walk and
 * vmem_print take the arena lock for the time they read.  The ddb entry
 * points NetBSD has, vmem_print(addr, modif, pr), vmem_printall and
 * vmem_whatis, print through the printer they are given; vmem_whatis
 * walks every segment of every arena, through vmem_foreach, which kmem
 * uses too, to walk the list of arenas (7.2).
 */

#define	_VMEM_PRIVATE

#include <sys/param.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#define	VMEM_CHECK_SPREAD	64	/* 6.2 */

/* ---- misuse */

/* Panic, naming the arena and every argument of a bad vmem_xalloc. */
static void __dead
vmem_xalloc_misuse(vmem_t *vm, const char *func, const char *rule,
    vmem_size_t size,
    vmem_size_t align, vmem_size_t phase, vmem_size_t nocross,
    vmem_addr_t minaddr, vmem_addr_t maxaddr, vm_flag_t flags)
{

	panic("%s: arena %s: %s: size %#zx align %#zx phase %#zx "
	    "nocross %#zx minaddr %#lx maxaddr %#lx flags %#x (quantum %#zx)",
	    func, vm->vm_name, rule, size, align, phase, nocross,
	    (unsigned long)minaddr, (unsigned long)maxaddr, flags,
	    vm->vm_quantum_mask + 1);
}

/*
 * Check a vmem_xalloc request and fill in rq; panic on misuse.  Returns
 * false for a request that can never be met but is no misuse: a range
 * [minaddr, maxaddr] smaller than the size under VM_NOSLEEP (ENOMEM, as
 * in NetBSD, FreeBSD and illumos; under VM_SLEEP it would wait for ever,
 * and panics).  A nocross below the alignment is met by every aligned
 * address once the segment at the phase does not cross it, so rq gets
 * none.
 */
bool
vmem_xalloc_args(vmem_t *vm, const char *func, vmem_size_t size0,
    vmem_size_t align, vmem_size_t phase, vmem_size_t nocross,
    vmem_addr_t minaddr, vmem_addr_t maxaddr, vm_flag_t flags,
    struct vmem_req *rq)
{
	vmem_size_t q = vm->vm_quantum_mask + 1;
	vmem_size_t size = vmem_round(vm, size0);
	const char *rule = NULL;

	if (size0 == 0)
		rule = "zero size";
	else if (size < size0)
		rule = "size overflows when rounded to the quantum";
	else if (((flags & VM_SLEEP) != 0) == ((flags & VM_NOSLEEP) != 0))
		rule = "exactly one of VM_SLEEP and VM_NOSLEEP is required";
	else if ((flags & ~(VMEM_FLAGS_ALLOC)) != 0)
		rule = "unknown flags";
	else if ((flags & VM_BESTFIT) != 0 && (flags & VM_NEXTFIT) != 0)
		rule = "more than one fit policy (VM_BESTFIT and VM_NEXTFIT)";
	else if (align != 0 && (!powerof2(align) || (align & (q - 1)) != 0))
		rule = "align is not a power of 2 multiple of the quantum";
	else if ((phase & (q - 1)) != 0)
		rule = "phase is not a multiple of the quantum";
	else if (phase >= MAX(align, q))
		rule = "phase is not below align";
	else if (nocross != 0 && !powerof2(nocross))
		rule = "nocross is not a power of 2";
	else if (nocross != 0 && size > nocross - (phase & (nocross - 1)))
		rule = "size and phase cannot fit between two nocross "
		    "boundaries";
	else if (minaddr > maxaddr)
		rule = "minaddr is above maxaddr";
	else if (maxaddr - minaddr < size - 1 && (flags & VM_SLEEP) != 0)
		rule = "the range [minaddr, maxaddr] is smaller than size, "
		    "and VM_SLEEP would wait for ever";
	else if ((minaddr & (q - 1)) != 0 ||
	    (maxaddr != VMEM_ADDR_MAX && ((maxaddr + 1) & (q - 1)) != 0))
		rule = "minaddr or maxaddr + 1 is not a multiple of the "
		    "quantum";
	if (rule != NULL)
		vmem_xalloc_misuse(vm, func, rule, size0, align, phase, nocross,
		    minaddr, maxaddr, flags);
	rq->rq_size = size;
	rq->rq_align = align != 0 ? align : q;
	rq->rq_phase = phase;
	rq->rq_nocross = nocross >= rq->rq_align ? nocross : 0;
	rq->rq_minaddr = minaddr;
	rq->rq_maxaddr = maxaddr;
	rq->rq_plain = rq->rq_align == q && phase == 0 &&
	    rq->rq_nocross == 0 && minaddr == VMEM_ADDR_MIN &&
	    maxaddr == VMEM_ADDR_MAX;
	return maxaddr - minaddr >= size - 1;
}

/* Panic, naming the arena and arguments of a bad free. */
void __dead
vmem_free_misuse(vmem_t *vm, const char *func, const char *rule,
    vmem_addr_t addr, vmem_size_t size, vmem_size_t actual)
{

	if (actual != 0)
		panic("%s: arena %s: %s: addr %#lx size %#zx, allocated size "
		    "%#zx", func, vm->vm_name, rule, (unsigned long)addr, size,
		    actual);
	panic("%s: arena %s: %s: addr %#lx size %#zx", func, vm->vm_name,
	    rule, (unsigned long)addr, size);
}

/* ---- queries */

/*
 * vmem_foreach: call func(vm, arg) for every arena.
 * => thread context; func runs with the list of arenas locked, and must
 *    not create or destroy arenas.
 */
void
vmem_foreach(void (*func)(vmem_t *, void *), void *arg)
{
	vmem_t *vm;

	mutex_enter(&vmem_list_lock);
	LIST_FOREACH(vm, &vmem_list, vm_alllist)
		(*func)(vm, arg);
	mutex_exit(&vmem_list_lock);
}

/* vmem_roundup_size: size rounded up to the arena's quantum. */
vmem_size_t
vmem_roundup_size(vmem_t *vm, vmem_size_t size)
{

	return vmem_round(vm, size);
}

/*
 * vmem_size: bytes allocated (VMEM_ALLOC), free (VMEM_FREE), or both; a
 * segment freed but still being unbacked is neither.
 */
vmem_size_t
vmem_size(vmem_t *vm, int typemask)
{
	vmem_size_t size = 0;

	mutex_enter(&vm->vm_lock);
	if ((typemask & VMEM_ALLOC) != 0)
		size += vm->vm_inuse - vm->vm_unbacking;
	if ((typemask & VMEM_FREE) != 0)
		size += vm->vm_size - vm->vm_inuse;
	mutex_exit(&vm->vm_lock);
	return size;
}

/* vmem_contains: is [addr, addr + size) inside one span of the arena? */
bool
vmem_contains(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{
	vmem_addr_t last = addr + (size != 0 ? size - 1 : 0);
	bool found;
	bt_t *bt;

	if (last < addr)
		return false;
	mutex_enter(&vm->vm_lock);
	bt = bt_tree_floor(&vm->vm_spantree, addr);
	found = bt != NULL && last <= BT_END(bt);
	mutex_exit(&vm->vm_lock);
	return found;
}

/*
 * vmem_walk: call func(arg, start, size) for each segment whose type is
 * in typemask (VMEM_ALLOC, VMEM_FREE, VMEM_SPAN), in address order.
 * => func runs with the arena locked and must not call into the arena.
 */
void
vmem_walk(vmem_t *vm, int typemask,
    void (*func)(void *, vmem_addr_t, vmem_size_t), void *arg)
{
	bt_t *bt;
	int type;

	mutex_enter(&vm->vm_lock);
	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		type = BT_ISSPAN_P(bt) ? VMEM_SPAN :
		    bt->bt_type == BT_TYPE_FREE ? VMEM_FREE : VMEM_ALLOC;
		if ((type & typemask) != 0)
			(*func)(arg, bt->bt_start, bt->bt_size);
	}
	mutex_exit(&vm->vm_lock);
}

/* The name of a tag's type, for vmem_print and vmem_whatis. */
static const char *
vmem_bt_typename(const bt_t *bt)
{

	switch (bt->bt_type) {
	case BT_TYPE_SPAN:
		return "span";
	case BT_TYPE_SPAN_STATIC:
		return "static span";
	case BT_TYPE_FREE:
		return "free";
	case BT_TYPE_BUSY:
		return "busy";
	default:
		return "unbacking";
	}
}

/*
 * vmem_print: the arena at addr, its statistics and free-list lengths,
 * through pr; with 'a' in modif, also every span and segment.
 * => takes the arena lock (from ddb, only while nobody holds it).
 */
void
vmem_print(uintptr_t addr, const char *modif,
    void (*pr)(const char *, ...) __printflike(1, 2))
{
	vmem_t *vm = (vmem_t *)addr;
	bool all = false;
	size_t i, n;
	bt_t *bt;

	for (; modif != NULL && *modif != '\0'; modif++)
		all |= *modif == 'a';
	mutex_enter(&vm->vm_lock);
	(*pr)("vmem %s (%p): quantum %#zx size %#zx inuse %#zx "
	    "qcache_max %#zx\n", vm->vm_name, vm, vm->vm_quantum_mask + 1,
	    vm->vm_size, vm->vm_inuse, vm->vm_qcache_max);
	(*pr)("  alloc %llu free %llu fail %llu wait %llu import %llu "
	    "release %llu rehash %llu busy %zu buckets %zu\n",
	    (unsigned long long)vm->vm_nalloc,
	    (unsigned long long)vm->vm_nfree,
	    (unsigned long long)vm->vm_nfail,
	    (unsigned long long)vm->vm_nwait,
	    (unsigned long long)vm->vm_nimport,
	    (unsigned long long)vm->vm_nrelease,
	    (unsigned long long)vm->vm_nrehash, vm->vm_nbusytag,
	    vm->vm_hashmask + 1);
	for (i = 0; i < VMEM_NCLASS; i++) {
		n = 0;
		LIST_FOREACH(bt, &vm->vm_freelist[i], bt_freelist)
			n++;
		if (n != 0)
			(*pr)("  class %3zu: %zu free segments\n", i, n);
	}
	if (all) {
		TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist)
			(*pr)("  %#lx-%#lx %#zx %s\n",
			    (unsigned long)bt->bt_start,
			    (unsigned long)(bt->bt_start + (bt->bt_size - 1)),
			    bt->bt_size, vmem_bt_typename(bt));
	}
	mutex_exit(&vm->vm_lock);
}

/* What vmem_printall and vmem_whatis pass to each arena. */
struct vmem_ddb {
	const char	*vd_modif;
	uintptr_t	vd_addr;
	void		(*vd_pr)(const char *, ...) __printflike(1, 2);
};

/* vmem_foreach callback: vmem_print one arena. */
static void
vmem_printall_one(vmem_t *vm, void *arg)
{
	const struct vmem_ddb *vd = arg;

	vmem_print((uintptr_t)vm, vd->vd_modif, vd->vd_pr);
}

/*
 * vmem_printall: vmem_print every arena.
 * => thread context; takes the list of arenas and each arena's lock.
 */
void
vmem_printall(const char *modif,
    void (*pr)(const char *, ...) __printflike(1, 2))
{
	struct vmem_ddb vd = { .vd_modif = modif, .vd_pr = pr };

	vmem_foreach(vmem_printall_one, &vd);
}

/* vmem_foreach callback: the segment of one arena that holds the address. */
static void
vmem_whatis_one(vmem_t *vm, void *arg)
{
	const struct vmem_ddb *vd = arg;
	bt_t *bt;

	mutex_enter(&vm->vm_lock);
	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		if (BT_ISSPAN_P(bt) || vd->vd_addr < bt->bt_start ||
		    vd->vd_addr - bt->bt_start >= bt->bt_size)
			continue;
		(*vd->vd_pr)("%#lx is %#lx+%#lx in vmem %s (%s)\n",
		    (unsigned long)vd->vd_addr, (unsigned long)bt->bt_start,
		    (unsigned long)(vd->vd_addr - bt->bt_start), vm->vm_name,
		    bt->bt_type == BT_TYPE_FREE ? "free" : "allocated");
		break;
	}
	mutex_exit(&vm->vm_lock);
}

/*
 * vmem_whatis: through pr, each arena segment that holds addr, and
 * whether it is allocated or free; O(segments) in every arena.
 * => thread context; takes the list of arenas and each arena's lock.
 */
void
vmem_whatis(uintptr_t addr, void (*pr)(const char *, ...) __printflike(1, 2))
{
	struct vmem_ddb vd = { .vd_addr = addr, .vd_pr = pr };

	vmem_foreach(vmem_whatis_one, &vd);
}

/* ---- invariants */

/* Panic with the arena's name if an invariant does not hold. */
#define	VMEM_INVARIANT(vm, e, fmt, ...) do {				\
	if (!(e))							\
		panic("vmem_check: arena %s: %s: " fmt, (vm)->vm_name,	\
		    #e, ##__VA_ARGS__);					\
} while (0)

/* Check the segment list: order, tiling of spans, coalescing, sizes. */
static void
vmem_check_seglist(vmem_t *vm, size_t *nfreep, size_t *nspanp)
{
	vmem_size_t size = 0, inuse = 0;
	vmem_addr_t next = 0;
	bt_t *bt, *span = NULL, *prev = NULL;
	size_t nbusy = 0, nfree = 0, nspan = 0;
	bool rotor = vm->vm_rotor == NULL;

	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		rotor |= bt == vm->vm_rotor;
		VMEM_INVARIANT(vm, bt->bt_size != 0 &&
		    BT_END(bt) >= bt->bt_start &&
		    ((bt->bt_start | bt->bt_size) & vm->vm_quantum_mask) == 0,
		    "tag %p [%#lx, +%#zx]", bt, (unsigned long)bt->bt_start,
		    bt->bt_size);
		if (BT_ISSPAN_P(bt)) {
			VMEM_INVARIANT(vm, span == NULL || next == 0 ||
			    next == BT_END(span) + 1, "span %p not tiled",
			    span);
			VMEM_INVARIANT(vm, span == NULL ||
			    bt->bt_start > BT_END(span),
			    "spans overlap at %#lx",
			    (unsigned long)bt->bt_start);
			VMEM_INVARIANT(vm, bt_tree_floor(&vm->vm_spantree,
			    bt->bt_start) == bt, "span %#lx not indexed",
			    (unsigned long)bt->bt_start);
			span = bt;
			next = bt->bt_start;
			size += bt->bt_size;
			nspan++;
			prev = NULL;
			continue;
		}
		VMEM_INVARIANT(vm, span != NULL && bt->bt_start == next &&
		    BT_END(bt) <= BT_END(span), "segment %#lx out of place",
		    (unsigned long)bt->bt_start);
		VMEM_INVARIANT(vm, prev == NULL ||
		    prev->bt_type != BT_TYPE_FREE ||
		    bt->bt_type != BT_TYPE_FREE, "free segments %#lx and %#lx "
		    "not coalesced", (unsigned long)prev->bt_start,
		    (unsigned long)bt->bt_start);
		if (BT_ISBUSY_P(bt)) {
			VMEM_INVARIANT(vm,
			    bt_lookuphashed(vm, bt->bt_start) == bt,
			    "busy segment %#lx not hashed",
			    (unsigned long)bt->bt_start);
			inuse += bt->bt_size;
			nbusy++;
		} else {
			VMEM_INVARIANT(vm, bt->bt_type == BT_TYPE_FREE,
			    "bad type %d", bt->bt_type);
			nfree++;
		}
		next = bt->bt_start + bt->bt_size;
		prev = bt;
	}
	VMEM_INVARIANT(vm, span == NULL || next == 0 ||
	    next == BT_END(span) + 1, "span %p not tiled", span);
	VMEM_INVARIANT(vm, size == vm->vm_size && inuse == vm->vm_inuse &&
	    nbusy == vm->vm_nbusytag, "totals size %#zx/%#zx inuse %#zx/%#zx "
	    "busy %zu/%zu", size, vm->vm_size, inuse, vm->vm_inuse, nbusy,
	    vm->vm_nbusytag);
	VMEM_INVARIANT(vm, rotor, "next-fit rotor %p is not a tag of the arena",
	    vm->vm_rotor);
	*nfreep = nfree;
	*nspanp = nspan;
}

/* Check the free lists and the bitmap against the segments. */
static void
vmem_check_freelists(vmem_t *vm, size_t nfree)
{
	size_t i, n = 0;
	bt_t *bt;

	for (i = 0; i < VMEM_CLASSMAP_WORDS * 64; i++) {
		VMEM_INVARIANT(vm, (i < VMEM_NCLASS &&
		    !LIST_EMPTY(&vm->vm_freelist[i])) ==
		    ((vm->vm_freemap[i / 64] & ((uint64_t)1 << (i % 64))) != 0),
		    "bitmap bit %zu wrong", i);
		if (i >= VMEM_NCLASS)
			continue;
		LIST_FOREACH(bt, &vm->vm_freelist[i], bt_freelist) {
			VMEM_INVARIANT(vm, bt->bt_type == BT_TYPE_FREE &&
			    vmem_class(vm, bt->bt_size) == i &&
			    bt->bt_class == i,
			    "segment %#lx on list %zu",
			    (unsigned long)bt->bt_start, i);
			n++;
		}
	}
	VMEM_INVARIANT(vm, n == nfree, "%zu free segments listed, %zu exist",
	    n, nfree);
}

/* Check that the hash holds exactly the busy segments. */
static void
vmem_check_hash(vmem_t *vm)
{
	size_t i, n = 0;
	bt_t *bt;

	for (i = 0; i <= vm->vm_hashmask; i++) {
		SLIST_FOREACH(bt, &vm->vm_hashlist[i], bt_hashlist) {
			VMEM_INVARIANT(vm, BT_ISBUSY_P(bt) &&
			    bt_hashhead(vm, bt->bt_start) ==
			    &vm->vm_hashlist[i],
			    "hash chain %zu holds %#lx", i,
			    (unsigned long)bt->bt_start);
			n++;
		}
	}
	VMEM_INVARIANT(vm, n == vm->vm_nbusytag, "%zu hashed, %zu busy", n,
	    vm->vm_nbusytag);
}

/*
 * Check the busy index (or, if spans, the span index) below t: search
 * order within [lo, hi], tags of the right kind only, no red tag with a
 * red child, the same number of black tags on every path (4.2).  Returns
 * the number of tags, and the black height in *heightp.
 */
static size_t
vmem_check_tree(vmem_t *vm, const bt_t *t, bool spans, vmem_addr_t lo,
    vmem_addr_t hi, int *heightp)
{
	const char *what = spans ? "span" : "busy";
	int lh, rh;
	size_t n;

	if (t == NULL) {
		*heightp = 0;
		return 0;
	}
	VMEM_INVARIANT(vm, (spans ? BT_ISSPAN_P(t) : BT_ISBUSY_P(t)) &&
	    t->bt_start >= lo && t->bt_start <= hi,
	    "%s index holds %#lx out of order", what,
	    (unsigned long)t->bt_start);
	VMEM_INVARIANT(vm, !t->bt_tred || ((t->bt_tchild[0] == NULL ||
	    !t->bt_tchild[0]->bt_tred) && (t->bt_tchild[1] == NULL ||
	    !t->bt_tchild[1]->bt_tred)), "%s index: red %#lx has a red child",
	    what, (unsigned long)t->bt_start);
	n = 1 + vmem_check_tree(vm, t->bt_tchild[0], spans, lo,
	    t->bt_start - 1, &lh);
	n += vmem_check_tree(vm, t->bt_tchild[1], spans, t->bt_start + 1, hi,
	    &rh);
	VMEM_INVARIANT(vm, lh == rh, "%s index: black heights %d and %d "
	    "below %#lx", what, lh, rh, (unsigned long)t->bt_start);
	*heightp = lh + !t->bt_tred;
	return n;
}

/* Check an index whole: its root is black, and it holds n tags. */
static void
vmem_check_index(vmem_t *vm, const struct bt_tree *tr, bool spans, size_t n)
{
	int height;

	VMEM_INVARIANT(vm, tr->tr_root == NULL || !tr->tr_root->bt_tred,
	    "%s index: red root", spans ? "span" : "busy");
	VMEM_INVARIANT(vm, vmem_check_tree(vm, tr->tr_root, spans,
	    VMEM_ADDR_MIN, VMEM_ADDR_MAX, &height) == n, "%s index does not "
	    "hold every %s", spans ? "span" : "busy",
	    spans ? "span" : "busy segment");
}

/* Check every invariant of a locked arena. */
void
vmem_check_locked(vmem_t *vm)
{
	size_t nfree, nspan;

	KASSERT(mutex_owned(&vm->vm_lock));
	vmem_check_seglist(vm, &nfree, &nspan);
	vmem_check_freelists(vm, nfree);
	vmem_check_hash(vm);
	vmem_check_index(vm, &vm->vm_spantree, true, nspan);
	if (vm->vm_ordered)
		vmem_check_index(vm, &vm->vm_busytree, false, vm->vm_nbusytag);
	else
		VMEM_INVARIANT(vm, vm->vm_busytree.tr_root == NULL,
		    "busy index kept but not in use");
}

/*
 * vmem_check: check every invariant of the arena; panic, naming the arena
 * and the broken rule, if one does not hold.
 * => arena lock must not be held.
 */
void
vmem_check(vmem_t *vm)
{

	mutex_enter(&vm->vm_lock);
	vmem_check_locked(vm);
	mutex_exit(&vm->vm_lock);
}

/*
 * vmem_check_some: VMEM_CHECK, the check after a change (6.2): every
 * invariant, once in every nbusy / VMEM_CHECK_SPREAD changes.
 * => arena lock held.
 */
void
vmem_check_some(vmem_t *vm)
{

	KASSERT(mutex_owned(&vm->vm_lock));
	if (++vm->vm_nunchecked <= vm->vm_nbusytag / VMEM_CHECK_SPREAD)
		return;
	vm->vm_nunchecked = 0;
	vmem_check_locked(vm);
}
