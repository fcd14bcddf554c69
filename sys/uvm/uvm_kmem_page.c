/*
 * uvm_kmem_page.c: the page functions of uvm_kmem.h for a NetBSD kernel,
 * on UVM's page allocator and the kernel pmap.
 *
 * uvm_km_back takes one page at a time (uvm_pagealloc, from the reserve
 * when the caller cannot sleep), enters it in the kernel pmap unmanaged
 * (pmap_kenter_pa) and makes the new mappings visible with one
 * pmap_update.  A VM_SLEEP request that finds no page waits for the page
 * daemon (uvm_wait); a VM_NOSLEEP one undoes what it mapped and fails.
 * uvm_km_unback works in batches: it looks up each page of a batch
 * (pmap_extract), removes the batch's mappings (pmap_kremove), shoots
 * them down on every CPU (pmap_update), and only then frees the pages,
 * so that no CPU can still reach a page that may already be reused.
 *
 * Boundary tag pages come from the direct map (PMAP_MAP_POOLPAGE), so
 * that they need no kernel virtual addresses and so no arena; a port
 * without a direct map needs another source of such pages.
 *
 * The page daemon's pool drainer visits every pool in turn; a pool that
 * never holds an item carries uvm_kmem_reclaim as its drain hook.
 */

#include <sys/param.h>
#include <sys/errno.h>
#include <sys/pool.h>
#include <sys/systm.h>
#include <sys/vmem.h>

#include <uvm/uvm.h>
#include <uvm/uvm_kmem.h>

#if !defined(PMAP_MAP_POOLPAGE) || !defined(PMAP_UNMAP_POOLPAGE)
#error "uvm_kmem_page.c: boundary tag pages need PMAP_MAP_POOLPAGE"
#endif

#define	UVM_KMEM_BATCH	16	/* pages unmapped per pmap_update */

static struct pool uvm_kmem_reclaim_pool;

/* uvm_kmem_pgflags: uvm_pagealloc's flags for a vmem request's. */
static int
uvm_kmem_pgflags(vm_flag_t flags)
{

	return (flags & VM_SLEEP) != 0 ? 0 : UVM_PGA_USERESERVE;
}

/*
 * uvm_km_back: back [va, va + size) with wired pages.
 * => va and size page-aligned; may sleep if VM_SLEEP.
 */
int
uvm_km_back(vaddr_t va, vsize_t size, vm_flag_t flags)
{
	struct vm_page *pg;
	vaddr_t v;

	KASSERT((va & PAGE_MASK) == 0 && (size & PAGE_MASK) == 0);
	for (v = va; v < va + size; v += PAGE_SIZE) {
		while ((pg = uvm_pagealloc(NULL, 0, NULL,
		    uvm_kmem_pgflags(flags))) == NULL) {
			if ((flags & VM_SLEEP) == 0) {
				pmap_update(pmap_kernel());
				(void)uvm_km_unback(va, v - va);
				return ENOMEM;
			}
			uvm_wait("kmemback");
		}
		pg->flags &= ~PG_BUSY;
		UVM_PAGE_OWN(pg, NULL);
		pmap_kenter_pa(v, VM_PAGE_TO_PHYS(pg),
		    VM_PROT_READ | VM_PROT_WRITE, PMAP_KMPAGE);
	}
	pmap_update(pmap_kernel());
	return 0;
}

/*
 * uvm_km_unback: unmap [va, va + size) on every CPU, then free its pages;
 * true: done at once, never queued.
 * => va and size page-aligned; never sleeps.
 */
bool
uvm_km_unback(vaddr_t va, vsize_t size)
{
	paddr_t pa[UVM_KMEM_BATCH];
	vaddr_t v, end;
	size_t i, n;

	KASSERT((va & PAGE_MASK) == 0 && (size & PAGE_MASK) == 0);
	for (v = va; v < va + size; v = end) {
		end = MIN(va + size, v + UVM_KMEM_BATCH * PAGE_SIZE);
		n = (end - v) >> PAGE_SHIFT;
		for (i = 0; i < n; i++) {
			if (!pmap_extract(pmap_kernel(), v + ptoa(i), &pa[i]))
				panic("uvm_km_unback: [%#" PRIxVADDR
				    ", %#" PRIxVADDR "): %#" PRIxVADDR
				    " is not mapped", va, va + size,
				    v + ptoa(i));
		}
		pmap_kremove(v, end - v);
		pmap_update(pmap_kernel());
		for (i = 0; i < n; i++)
			uvm_pagefree(PHYS_TO_VM_PAGE(pa[i]));
	}
	return true;
}

/*
 * uvm_km_page_alloc: one zeroed page, wired and reached through the
 * direct map, for vmem's boundary tags; NULL if VM_NOSLEEP finds none.
 */
void *
uvm_km_page_alloc(vm_flag_t flags)
{
	struct vm_page *pg;

	while ((pg = uvm_pagealloc(NULL, 0, NULL,
	    uvm_kmem_pgflags(flags) | UVM_PGA_ZERO)) == NULL) {
		if ((flags & VM_SLEEP) == 0)
			return NULL;
		uvm_wait("kmemtag");
	}
	pg->flags &= ~PG_BUSY;
	UVM_PAGE_OWN(pg, NULL);
	return (void *)PMAP_MAP_POOLPAGE(VM_PAGE_TO_PHYS(pg));
}

/* uvm_km_page_free: give back a page from uvm_km_page_alloc. */
void
uvm_km_page_free(void *va)
{

	uvm_pagefree(PHYS_TO_VM_PAGE(PMAP_UNMAP_POOLPAGE((vaddr_t)va)));
}

/*
 * uvm_kmem_reclaim_init: attach uvm_kmem_reclaim to the page daemon, as
 * the drain hook of an empty pool.
 * => called once, from vmem_subsystem_init, after pool_subsystem_init.
 */
void
uvm_kmem_reclaim_init(void)
{

	pool_init(&uvm_kmem_reclaim_pool, sizeof(void *), 0, 0, 0,
	    "kmemreclaim", NULL, IPL_NONE);
	pool_set_drain_hook(&uvm_kmem_reclaim_pool, uvm_kmem_reclaim, NULL);
}
