/*
 * uvm_km.c: the kernel memory arenas at the bottom of the allocator.
 *
 * kmem_va_arena holds the kernel virtual range the host set aside for
 * kmem; nothing in it is mapped.  kmem_arena imports spans of it and
 * backs each span with physical pages as it comes in (uvm_km_back), and
 * unmaps and frees the pages as the span goes back (uvm_km_unback).  Both
 * are created from static storage with the static tag reserve, so that
 * they exist before any allocator does; kmem_arena then becomes the meta
 * arena from which vmem takes pages for boundary tags, arena structures
 * and hash tables.  Both use spin locks at IPL_VM, so that KM_NOSLEEP
 * requests can reach them from interrupt handlers.
 */

#include <sys/param.h>
#include <sys/intr.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <uvm/uvm_km.h>

vmem_t *kmem_va_arena;
vmem_t *kmem_arena;

static vmem_t kmem_va_arena_store;
static vmem_t kmem_arena_store;

/*
 * uvm_km_kmem_alloc: import a span into kmem_arena: reserve virtual
 * space, then back it with pages.
 */
int
uvm_km_kmem_alloc(vmem_t *vm, vmem_size_t size, vm_flag_t flags,
    vmem_addr_t *addrp)
{
	vmem_addr_t va;
	int error;

	error = vmem_alloc(vm, size, (flags & (VM_SLEEP | VM_NOSLEEP)) |
	    VM_INSTANTFIT, &va);
	if (error != 0)
		return error;
	error = uvm_km_back(va, size, flags);
	if (error != 0) {
		vmem_free(vm, va, size);
		return error;
	}
	*addrp = va;
	return 0;
}

/* uvm_km_kmem_free: release a span of kmem_arena: unmap, then unreserve. */
void
uvm_km_kmem_free(vmem_t *vm, vmem_addr_t addr, vmem_size_t size)
{

	uvm_km_unback(addr, size);
	vmem_free(vm, addr, size);
}

/*
 * uvm_km_bootstrap: build the kmem arenas over [start, end).
 * => called once by the host's startup, before any allocation.
 */
void
uvm_km_bootstrap(vaddr_t start, vaddr_t end)
{

	kmem_va_arena = vmem_init(&kmem_va_arena_store, "kmem_va", start,
	    end - start, PAGE_SIZE, NULL, NULL, NULL, 0,
	    VM_NOSLEEP | VM_BOOTSTRAP, IPL_VM);
	kmem_arena = vmem_init(&kmem_arena_store, "kmem", 0, 0, PAGE_SIZE,
	    uvm_km_kmem_alloc, uvm_km_kmem_free, kmem_va_arena, 0,
	    VM_NOSLEEP | VM_BOOTSTRAP, IPL_VM);
	if (kmem_va_arena == NULL || kmem_arena == NULL)
		panic("uvm_km_bootstrap: cannot create the kmem arenas");
	vmem_subsystem_init(kmem_arena);
}
