/*
 * uvm_kmem.c: the allocator's glue to the page level, the same in a
 * NetBSD kernel, the test kernel and the host platform.
 *
 * The page level creates kmem_arena, the address-only root arena over
 * the kernel virtual range kept for kmem, and calls vmem_subsystem_init
 * with it before anything allocates; then it creates kmem_va_arena, an
 * address arena of its own (NetBSD's uvm_km_bootstrap, or a harness's
 * stand-in for it).  vmem_subsystem_init stacks the arenas that hand out
 * wired memory, as NetBSD lays them out:
 *
 *	kmem_va_meta_arena imports address space from kmem_arena, in spans
 *	    of at least UVM_KMEM_IMPORT bytes; nothing in it is mapped.
 *	kmem_meta_arena imports from kmem_va_meta_arena and is a backed
 *	    arena (vmem_set_backing): it backs each segment with pages as it
 *	    hands it out (uvm_km_back), and unmaps it and frees the pages
 *	    before the segment is free again (uvm_km_unback).  So only
 *	    allocated memory holds pages, and the boundary tags of a span
 *	    are shared by the many slabs carved from it.
 *
 * The page level may defer the unmapping, to shoot down a batch of ranges
 * at once (uvm_km_unback returns false): the segment then stays allocated
 * in kmem_meta_arena, out of reach of every new allocation, until the
 * page level's purge calls uvm_km_unback_done.  So a stale TLB entry on
 * some CPU can only point at memory no one else has been given, and the
 * address space goes back to kmem_va_meta_arena only once every CPU has
 * flushed it.
 *
 * Both are created from static storage with the static tag reserve, so
 * that they exist before any allocator does; kmem_meta_arena then becomes
 * the arena vmem takes arena structures and hash tables from, while its
 * boundary tag pages come straight from the page level (uvm_km_page_alloc),
 * outside every arena.  Both use spin locks at IPL_VM, so that KM_NOSLEEP
 * and kmem_intr_alloc requests can reach them from interrupt handlers.
 *
 * uvm_kmem_reclaim is the page daemon's hook: when free pages run low it
 * makes kmem give back what its caches hold (kmem_reap).  A NetBSD kernel
 * attaches it as the drain hook of a pool, which the page daemon's pool
 * drainer visits in turn; the test kernel's page daemon calls it itself.
 */

#include <sys/param.h>
#include <sys/intr.h>
#include <sys/kmem.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <uvm/uvm_kmem.h>

vmem_t *kmem_va_meta_arena;
vmem_t *kmem_meta_arena;

static vmem_t kmem_va_meta_arena_store;
static vmem_t kmem_meta_arena_store;

/* uvm_kmem_back: back a segment of kmem_meta_arena as it is allocated. */
static int
uvm_kmem_back(vmem_t *vm, vmem_addr_t addr, vmem_size_t size,
    vm_flag_t flags)
{

	return uvm_km_back(addr, size, flags);
}

/*
 * uvm_kmem_unback: unmap a segment of kmem_meta_arena as it is freed,
 * or let the page level queue it for a later purge.
 */
static int
uvm_kmem_unback(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{

	return uvm_km_unback(addr, size) ? VMEM_UNBACK_DONE :
	    VMEM_UNBACK_LATER;
}

/*
 * uvm_km_unback_done: the page level's purge has unmapped a range it
 * queued, on every CPU, and freed its pages; the range may be handed out
 * again.
 * => no arena lock held
 */
void
uvm_km_unback_done(vaddr_t va, vsize_t size)
{

	vmem_unback_done(kmem_meta_arena, va, size);
}

/*
 * vmem_subsystem_init: stack the wired arenas on vm, the root arena, and
 * make vmem take its metadata from them.
 * => called once by the page level, after vm exists and before any other
 *    allocation.
 */
void
vmem_subsystem_init(vmem_t *vm)
{

	kmem_va_meta_arena = vmem_init(&kmem_va_meta_arena_store, "vmem-va",
	    0, 0, PAGE_SIZE, vmem_alloc, vmem_free, vm, 0,
	    VM_NOSLEEP | VM_BOOTSTRAP, IPL_VM);
	kmem_meta_arena = vmem_init(&kmem_meta_arena_store, "vmem-meta",
	    0, 0, PAGE_SIZE, vmem_alloc, vmem_free, kmem_va_meta_arena, 0,
	    VM_NOSLEEP | VM_BOOTSTRAP, IPL_VM);
	if (kmem_va_meta_arena == NULL || kmem_meta_arena == NULL)
		panic("vmem_subsystem_init: cannot create the meta arenas "
		    "over %s", vm->vm_name);
	vmem_set_backing(kmem_meta_arena, uvm_kmem_back, uvm_kmem_unback,
	    UVM_KMEM_IMPORT);
	uvm_km_page_init(vmem_size(vm, VMEM_ALLOC | VMEM_FREE));
	vmem_set_meta(kmem_meta_arena, uvm_km_page_alloc, uvm_km_page_free);
	uvm_kmem_reclaim_init();
}

/*
 * uvm_kmem_reclaim: the page daemon's hook; give back the memory kmem's
 * caches hold.  The arguments are those of a pool(9) drain hook.
 * => thread context; may take kmem's locks.
 */
void
uvm_kmem_reclaim(void *arg, int flags)
{

	kmem_reap();
}
