/*
 * uvm_km.c: the kernel memory arenas at the bottom of the allocator.
 *
 * kmem_arena holds the kernel virtual range the host set aside for
 * kmem; nothing in it is mapped.  kmem_va_arena imports spans of it as bare
 * address space, UVM_KM_IMPORT bytes at a time, and is a backed arena
 * (vmem_set_backing): it backs each segment with physical pages as it
 * hands it out (uvm_km_back), and unmaps it and frees the pages before
 * the segment is free again (uvm_km_unback).  The host may defer the
 * unmapping, to shoot down a batch of ranges at once: the segment then
 * stays allocated in kmem_va_arena, its range out of reach of every new
 * allocation, until the host's purge calls uvm_km_unback_done.  So a
 * stale TLB entry on some CPU can only point at memory no one else has
 * been given, and the address space goes back to kmem_arena only once
 * every CPU has flushed it.  So only allocated memory
 * holds pages, and the boundary tags of a span, its own and its segment
 * in kmem_arena, are shared by the many slabs carved from it.  Both
 * are created from static storage with the static tag reserve, so that
 * they exist before any allocator does; kmem_va_arena then becomes the meta
 * arena from which vmem takes arena structures and hash tables, while its
 * boundary tag pages come straight from uvm_km_page_alloc.  Both arenas
 * use spin locks at IPL_VM, so that KM_NOSLEEP requests can reach them
 * from interrupt handlers.
 */

#include <sys/param.h>
#include <sys/intr.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <uvm/uvm_km.h>

#define	UVM_KM_IMPORT	(64 * PAGE_SIZE)	/* kmem_va_arena spans */

vmem_t *kmem_arena;
vmem_t *kmem_meta_arena;
vmem_t *kmem_va_arena;

static vmem_t kmem_arena_store;
static vmem_t kmem_va_arena_store;

/* uvm_km_kmem_back: back a segment of kmem_va_arena as it is allocated. */
int
uvm_km_kmem_back(vmem_t *vm, vmem_addr_t addr, vmem_size_t size,
    vm_flag_t flags)
{

	return uvm_km_back(addr, size, flags);
}

/*
 * uvm_km_kmem_unback: unmap a segment of kmem_va_arena as it is freed,
 * or let the host queue it for a later purge.
 */
int
uvm_km_kmem_unback(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{

	return uvm_km_unback(addr, size) ? VMEM_UNBACK_DONE :
	    VMEM_UNBACK_LATER;
}

/*
 * uvm_km_unback_done: the host's purge has unmapped a range it queued,
 * on every CPU, and freed its pages; the range may be handed out again.
 * => no arena lock held
 */
void
uvm_km_unback_done(vaddr_t va, vsize_t size)
{

	vmem_unback_done(kmem_va_arena, va, size);
}

/*
 * uvm_km_bootstrap: build the kmem arenas over [start, end).
 * => called once by the host's startup, before any allocation.
 */
void
uvm_km_bootstrap(vaddr_t start, vaddr_t end)
{

	kmem_arena = vmem_init(&kmem_arena_store, "kmem", start,
	    end - start, PAGE_SIZE, NULL, NULL, NULL, 0,
	    VM_NOSLEEP | VM_BOOTSTRAP, IPL_VM);
	kmem_va_arena = vmem_init(&kmem_va_arena_store, "kva", 0, 0, PAGE_SIZE,
	    vmem_alloc, vmem_free, kmem_arena, 0,
	    VM_NOSLEEP | VM_BOOTSTRAP, IPL_VM);
	if (kmem_arena == NULL || kmem_va_arena == NULL)
		panic("uvm_km_bootstrap: cannot create the kmem arenas");
	vmem_set_backing(kmem_va_arena, uvm_km_kmem_back, uvm_km_kmem_unback,
	    UVM_KM_IMPORT);
	kmem_meta_arena = kmem_va_arena;
	vmem_subsystem_init(kmem_va_arena, uvm_km_page_alloc, uvm_km_page_free);
}
