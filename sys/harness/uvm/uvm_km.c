/*
 * uvm_km.c: the harnesses' stand-in for NetBSD's uvm_km_bootstrap, the
 * same for the test kernel and the host platform.
 *
 * As in NetBSD, kmem_arena is the address-only root arena over the kernel
 * virtual range the host set aside for kmem; vmem_subsystem_init (the
 * allocator's glue, sys/uvm/uvm_kmem.c) stacks the wired arenas on it;
 * kmem_va_arena then imports bare address space from kmem_arena.  In
 * NetBSD kmem_va_arena serves pool(9), which backs what it takes with
 * uvm_km_kmem_alloc; nothing in the harnesses uses it but the tests that
 * check the layout.  Each host supplies the page functions of uvm_kmem.h:
 * the test kernel in sys/harness/uvm/uvm_kmpage.c, the host platform in
 * sys/harness/rump/rump_misc.c.
 */

#include <sys/param.h>
#include <sys/intr.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <uvm/uvm_km.h>

vmem_t *kmem_arena;
vmem_t *kmem_va_arena;

static vmem_t kmem_arena_store;
static vmem_t kmem_va_arena_store;

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
	if (kmem_arena == NULL)
		panic("uvm_km_bootstrap: cannot create kmem_arena");
	vmem_subsystem_init(kmem_arena);
	kmem_va_arena = vmem_init(&kmem_va_arena_store, "kva", 0, 0,
	    PAGE_SIZE, vmem_alloc, vmem_free, kmem_arena, 0, VM_NOSLEEP,
	    IPL_VM);
	if (kmem_va_arena == NULL)
		panic("uvm_km_bootstrap: cannot create kmem_va_arena");
}

/*
 * uvm_km_page_init: nothing to set aside; the test kernel's tag pages are
 * reached through its direct map, the host platform's come from mmap.
 */
void
uvm_km_page_init(vsize_t kmemsize)
{
}

/*
 * uvm_kmem_reclaim_init: nothing to attach; the test kernel's page daemon
 * calls uvm_kmem_reclaim itself, and the host platform has none.
 */
void
uvm_kmem_reclaim_init(void)
{
}
