/*
 * subr_vmem_arena.c: making and destroying vmem arenas, the list of
 * arenas, and the hooks the page level and kmem install once.
 *
 * ---- Theory, part 7: arenas (part 1 is in subr_vmem.c)
 *
 * 7.1 Making an arena.  vmem_init makes one in storage the caller gives,
 * so that the page level can make its arenas from static storage before
 * any allocator exists, as extent(9) maps were made in early boot.
 * vmem_create takes the storage itself: one of VMEM_STATIC_ARENAS static
 * slots while they last, then a page of the meta arena, so that the
 * arenas made before the meta arena exists need no allocator either.
 * vmem_xcreate is vmem_create with an import function that may return a
 * larger span than it was asked for (1.4).  A first span, if any, is
 * added as vmem_add adds one, and the arena joins the list of arenas.
 *
 * 7.2 The list of arenas, under vmem_list_lock (1.8), serves kmem: it
 * builds the quantum caches of every arena that asked for them once its
 * hooks are installed (vmem_set_qcache_ops); vmem_foreach (6.3) walks it
 * for the printers, and the tag trimmer walks it itself (part 2).  The
 * hooks are set once, early: the meta arena and the page level's tag
 * pages (vmem_set_meta, called by the page level's vmem_subsystem_init),
 * and a backed arena's backfn and unbackfn (vmem_set_backing, 1.5),
 * before that arena has a span.
 *
 * 7.3 Destroying an arena.  vmem_destroy leaves the list first, so that
 * kmem no longer reaps its quantum caches, destroys them, and panics if a
 * segment is still allocated; otherwise it gives imported spans back to
 * the source, its tags to the stock, its hash table to the meta arena,
 * and its storage to where 7.1 took it from.
 */

#define	_VMEM_PRIVATE

#include <sys/param.h>
#include <sys/condvar.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#define	VMEM_STATIC_ARENAS	16	/* arenas vmem_create can make early */

/* ---- the list of arenas */

kmutex_t vmem_list_lock;
struct vmem_list vmem_list = LIST_HEAD_INITIALIZER(vmem_list);

vmem_t *vmem_meta_arena;		/* arenas, hash tables: set once */
static vmem_t vmem_static_arenas[VMEM_STATIC_ARENAS];
static bool vmem_static_used[VMEM_STATIC_ARENAS];	/* g */
static bool vmem_initialized;

const struct vmem_qcache_ops *vmem_qcache_ops;	/* set once */

/* Set up the global locks and the static tag reserve, once. */
static void
vmem_bootstrap(void)
{

	if (vmem_initialized)
		return;
	mutex_init(&vmem_list_lock, MUTEX_DEFAULT, IPL_NONE);
	bt_bootstrap();
	vmem_initialized = true;
}

/*
 * vmem_set_meta: from now on, allocate arenas and hash tables from meta,
 * and refill the tag stock with pages from pagealloc (given back with
 * pagefree), which must not call into vmem.
 * => called once, by the page level's vmem_subsystem_init, when both can
 *    allocate.
 */
void
vmem_set_meta(vmem_t *meta, vmem_pagealloc_t *pagealloc,
    vmem_pagefree_t *pagefree)
{

	vmem_meta_arena = meta;
	bt_set_pagelevel(pagealloc, pagefree);
}

/*
 * vmem_set_backing: make vm a backed arena.  backfn backs each segment
 * vmem_xalloc hands out before it returns, unbackfn unbacks each one
 * vmem_xfree is given before it becomes free; so only busy segments are
 * backed, a span costs nothing but the source's space until its segments
 * are allocated, and spans are imported in multiples of import.
 * => once, before the arena has a span; import is a power of 2, at least
 *    the import quantum.
 */
void
vmem_set_backing(vmem_t *vm, vmem_back_t *backfn, vmem_unback_t *unbackfn,
    vmem_size_t import)
{

	if (backfn == NULL || unbackfn == NULL || !powerof2(import) ||
	    import < vm->vm_import_quantum || !TAILQ_EMPTY(&vm->vm_seglist))
		panic("vmem_set_backing: arena %s: backfn %p unbackfn %p "
		    "import %#zx (import quantum %#zx), or it has spans",
		    vm->vm_name, backfn, unbackfn, import,
		    vm->vm_import_quantum);
	vm->vm_backfn = backfn;
	vm->vm_unbackfn = unbackfn;
	vm->vm_import_quantum = import;
}

/*
 * vmem_set_qcache_ops: install kmem's quantum-cache and reclaim hooks,
 * and build the quantum caches of the arenas that asked for them.
 */
void
vmem_set_qcache_ops(const struct vmem_qcache_ops *ops)
{
	vmem_t *vm;

	mutex_enter(&vmem_list_lock);
	vmem_qcache_ops = ops;
	LIST_FOREACH(vm, &vmem_list, vm_alllist) {
		if (vm->vm_qcache_max != 0)
			(*ops->qo_create)(vm);
	}
	mutex_exit(&vmem_list_lock);
}

/* Allocate one page for metadata from the meta arena, or fail. */
static void *
vmem_meta_page(vm_flag_t flags)
{
	vmem_addr_t va;

	if (vmem_meta_arena == NULL ||
	    vmem_alloc(vmem_meta_arena, PAGE_SIZE, flags | VM_INSTANTFIT,
	    &va) != 0)
		return NULL;
	return (void *)va;
}

/* ---- spans given by the caller */

/*
 * vmem_add: add the span [addr, addr + size) to the arena.
 * => arena lock must not be held; flags VM_SLEEP or VM_NOSLEEP, for the
 *    boundary tags.  Returns 0 or ENOMEM.
 * Panics if the span is misaligned, wraps, or overlaps a span.
 */
int
vmem_add(vmem_t *vm, vmem_addr_t addr, vmem_size_t size, vm_flag_t flags)
{

	if (size == 0 || addr + (size - 1) < addr ||
	    ((addr | size) & vm->vm_quantum_mask) != 0)
		panic("vmem_add: arena %s: span addr %#lx size %#zx is empty, "
		    "wraps, or is not a multiple of the quantum %#zx",
		    vm->vm_name, (unsigned long)addr, size,
		    vm->vm_quantum_mask + 1);
	if (!vmem_lock_tags(vm, VMEM_BT_PERHOLD, flags))
		return ENOMEM;
	if (vmem_overlaps(vm, addr, size)) {
		mutex_exit(&vm->vm_lock);
		panic("vmem_add: arena %s: span addr %#lx size %#zx overlaps "
		    "a span of the arena", vm->vm_name, (unsigned long)addr,
		    size);
	}
	vmem_add1(vm, addr, size, BT_TYPE_SPAN_STATIC);
	VMEM_CHECK(vm);
	cv_broadcast(&vm->vm_cv);
	mutex_exit(&vm->vm_lock);
	return 0;
}

/* ---- arenas */

/* Take storage for a new arena: a static slot early, then a meta page. */
static vmem_t *
vmem_storage_alloc(int *storagep)
{
	u_int i;

	mutex_enter(&vmem_list_lock);
	for (i = 0; i < VMEM_STATIC_ARENAS; i++) {
		if (!vmem_static_used[i]) {
			vmem_static_used[i] = true;
			mutex_exit(&vmem_list_lock);
			*storagep = VMEM_STORAGE_POOL;
			return &vmem_static_arenas[i];
		}
	}
	mutex_exit(&vmem_list_lock);
	CTASSERT(sizeof(vmem_t) <= PAGE_SIZE);
	*storagep = VMEM_STORAGE_META;
	return vmem_meta_page(VM_SLEEP);
}

/* Give an arena's storage back to where it came from. */
static void
vmem_storage_free(vmem_t *vm)
{

	switch (vm->vm_storage) {
	case VMEM_STORAGE_POOL:
		mutex_enter(&vmem_list_lock);
		vmem_static_used[vm - vmem_static_arenas] = false;
		mutex_exit(&vmem_list_lock);
		break;
	case VMEM_STORAGE_META:
		vmem_free(vmem_meta_arena, (vmem_addr_t)vm, PAGE_SIZE);
		break;
	default:
		break;
	}
}

/* Undo vmem_init of an arena that got no span: its spare tags, its lock. */
static void
vmem_init_undo(vmem_t *vm)
{

	mutex_enter(&vm->vm_lock);
	bt_spares_put(vm);
	mutex_exit(&vm->vm_lock);
	cv_destroy(&vm->vm_cv);
	mutex_destroy(&vm->vm_lock);
}

/* Panic if a caller of fn passed VM_XIMPORT, which vmem_xcreate sets. */
static void
vmem_ximport_refuse(const char *fn, const char *name, vm_flag_t flags)
{

	if ((flags & VM_XIMPORT) != 0)
		panic("%s: arena %s: flags %#x: VM_XIMPORT is set by "
		    "vmem_xcreate itself; no caller may pass it", fn, name,
		    flags);
}

/*
 * vmem_init1: vmem_init, with VM_XIMPORT allowed in flags, so that
 * vmem_xcreate's arena has it before anyone can see the arena.
 */
static vmem_t *
vmem_init1(vmem_t *vm, const char *name, vmem_addr_t base, vmem_size_t size,
    vmem_size_t quantum, vmem_import_t *importfn, vmem_release_t *releasefn,
    vmem_t *source, vmem_size_t qcache_max, vm_flag_t flags, int ipl)
{
	size_t i;

	vmem_bootstrap();
	if (quantum == 0 || !powerof2(quantum))
		panic("vmem_init: arena %s: quantum %#zx is not a power of 2",
		    name, quantum);
	if ((importfn == NULL && (source != NULL || releasefn != NULL)) ||
	    (importfn != NULL && releasefn == NULL && importfn != vmem_alloc) ||
	    (importfn == vmem_alloc && source == NULL))
		panic("vmem_init: arena %s: importfn %p, releasefn %p and "
		    "source %p do not go together", name, importfn,
		    releasefn, source);
	if ((flags & VM_PRIVTAGS) != 0 && size != 0)
		panic("vmem_init: arena %s: VM_PRIVTAGS with a first span "
		    "[%#lx, +%#zx): its tags come only from vmem_add_bts, "
		    "after it is made; add the span with vmem_add then",
		    name, (unsigned long)base, size);
	memset(vm, 0, sizeof(*vm));
	vm->vm_storage = VMEM_STORAGE_CALLER;
	strlcpy(vm->vm_name, name, sizeof(vm->vm_name));
	mutex_init(&vm->vm_lock, MUTEX_DEFAULT, ipl);
	cv_init(&vm->vm_cv, vm->vm_name);
	vm->vm_flags = flags;
	vm->vm_ipl = ipl;
	vm->vm_importfn = importfn;
	vm->vm_releasefn = releasefn;
	vm->vm_source = source;
	vm->vm_quantum_mask = quantum - 1;
	vm->vm_quantum_shift = __builtin_ctzl(quantum);
	vm->vm_import_quantum = source != NULL ?
	    MAX(quantum, source->vm_quantum_mask + 1) : quantum;
	vm->vm_qcache_max = MIN(roundup2(qcache_max, quantum),
	    quantum * VMEM_QCACHE_IDX_MAX);
	TAILQ_INIT(&vm->vm_seglist);
	for (i = 0; i < VMEM_NCLASS; i++)
		LIST_INIT(&vm->vm_freelist[i]);
	for (i = 0; i < VMEM_HASHSIZE_MIN; i++)
		SLIST_INIT(&vm->vm_hash0[i]);
	vm->vm_hashlist = vm->vm_hash0;
	vm->vm_hashmask = VMEM_HASHSIZE_MIN - 1;
	SLIST_INIT(&vm->vm_freetags);

	if (size != 0 && vmem_add(vm, base, size, flags & ~VM_BOOTSTRAP) != 0) {
		vmem_init_undo(vm);
		return NULL;
	}
	mutex_enter(&vmem_list_lock);
	LIST_INSERT_HEAD(&vmem_list, vm, vm_alllist);
	if (vm->vm_qcache_max != 0 && vmem_qcache_ops != NULL)
		(*vmem_qcache_ops->qo_create)(vm);
	mutex_exit(&vmem_list_lock);
	return vm;
}

/*
 * vmem_init: make an arena in storage the caller provides (static
 * storage serves early boot, before any allocator exists).
 * => may sleep if flags has VM_SLEEP (for the first span's tags).
 * Panics on a quantum that is not a power of 2, a span that is not a
 * multiple of it, a first span in an arena made with VM_PRIVTAGS, or
 * VM_XIMPORT in flags.
 */
vmem_t *
vmem_init(vmem_t *vm, const char *name, vmem_addr_t base, vmem_size_t size,
    vmem_size_t quantum, vmem_import_t *importfn, vmem_release_t *releasefn,
    vmem_t *source, vmem_size_t qcache_max, vm_flag_t flags, int ipl)
{

	vmem_ximport_refuse("vmem_init", name, flags);
	return vmem_init1(vm, name, base, size, quantum, importfn, releasefn,
	    source, qcache_max, flags, ipl);
}

/* vmem_create1: vmem_create, with VM_XIMPORT allowed in flags. */
static vmem_t *
vmem_create1(const char *name, vmem_addr_t base, vmem_size_t size,
    vmem_size_t quantum, vmem_import_t *importfn, vmem_release_t *releasefn,
    vmem_t *source, vmem_size_t qcache_max, vm_flag_t flags, int ipl)
{
	vmem_t *vm;
	int storage;

	vmem_bootstrap();
	vm = vmem_storage_alloc(&storage);
	if (vm == NULL)
		return NULL;
	if (vmem_init1(vm, name, base, size, quantum, importfn, releasefn,
	    source, qcache_max, flags, ipl) == NULL) {
		vm->vm_storage = storage;
		vmem_storage_free(vm);
		return NULL;
	}
	vm->vm_storage = storage;
	return vm;
}

/*
 * vmem_create: make an arena of the span [base, base + size) (none if
 * size is 0), with the given quantum, importing from source through
 * importfn/releasefn, with quantum caches for sizes up to qcache_max, and
 * a lock usable at ipl.
 * => may sleep if flags has VM_SLEEP.  Returns NULL on failure.
 * Panics, as vmem_init does, on bad arguments and on VM_XIMPORT in flags.
 */
vmem_t *
vmem_create(const char *name, vmem_addr_t base, vmem_size_t size,
    vmem_size_t quantum, vmem_import_t *importfn, vmem_release_t *releasefn,
    vmem_t *source, vmem_size_t qcache_max, vm_flag_t flags, int ipl)
{

	vmem_ximport_refuse("vmem_create", name, flags);
	return vmem_create1(name, base, size, quantum, importfn, releasefn,
	    source, qcache_max, flags, ipl);
}

/*
 * vmem_xcreate: vmem_create with an import function that may return a
 * larger span than it was asked for, and says how large in *sizep.
 * => as vmem_create.
 */
vmem_t *
vmem_xcreate(const char *name, vmem_addr_t base, vmem_size_t size,
    vmem_size_t quantum, vmem_ximport_t *importfn, vmem_release_t *releasefn,
    vmem_t *source, vmem_size_t qcache_max, vm_flag_t flags, int ipl)
{

	if (importfn == NULL)
		panic("vmem_xcreate: arena %s: no import function", name);
	vmem_ximport_refuse("vmem_xcreate", name, flags);
	return vmem_create1(name, base, size, quantum,
	    (vmem_import_t *)(void (*)(void))importfn, releasefn, source,
	    qcache_max, flags | VM_XIMPORT, ipl);
}

/*
 * vmem_destroy: tear down an arena, giving imported spans back.
 * => nothing may be allocated from it; panics otherwise.
 */
void
vmem_destroy(vmem_t *vm)
{
	bt_t *bt;

	mutex_enter(&vmem_list_lock);
	LIST_REMOVE(vm, vm_alllist);
	mutex_exit(&vmem_list_lock);
	if (vm->vm_qcache_max != 0 && vmem_qcache_ops != NULL)
		(*vmem_qcache_ops->qo_destroy)(vm);

	mutex_enter(&vm->vm_lock);
	if (vm->vm_nbusytag != 0) {
		mutex_exit(&vm->vm_lock);
		panic("vmem_destroy: arena %s: %zu segments (%#zx bytes) "
		    "still allocated", vm->vm_name, vm->vm_nbusytag,
		    vm->vm_inuse);
	}
	while ((bt = TAILQ_FIRST(&vm->vm_seglist)) != NULL) {
		TAILQ_REMOVE(&vm->vm_seglist, bt, bt_seglist);
		if (bt->bt_type == BT_TYPE_SPAN) {
			mutex_exit(&vm->vm_lock);
			vmem_span_release(vm, bt->bt_start, bt->bt_size);
			mutex_enter(&vm->vm_lock);
		}
		bt_free(vm, bt);
	}
	vm->vm_spantree.tr_root = NULL;
	bt_spares_put(vm);
	mutex_exit(&vm->vm_lock);
	if (vm->vm_hashlist != vm->vm_hash0)
		vmem_free(vmem_meta_arena, (vmem_addr_t)vm->vm_hashlist,
		    roundup2((vm->vm_hashmask + 1) * sizeof(*vm->vm_hashlist),
		    PAGE_SIZE));
	cv_destroy(&vm->vm_cv);
	mutex_destroy(&vm->vm_lock);
	vmem_storage_free(vm);
}
