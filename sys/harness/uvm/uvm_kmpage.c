/*
 * uvm_kmpage.c: backing kmem's virtual addresses with pages, for the
 * test kernel (the host platform does the same with mmap).
 *
 * uvm_kmem.c builds kmem_meta_arena over kmem_arena; vmem calls uvm_km_back
 * when kmem_meta_arena hands out a segment and uvm_km_unback when one is
 * freed.  Backing takes one page at a time from the page allocator and
 * enters it in the kmem range of the page tables; a VM_NOSLEEP request
 * that runs out of pages undoes what it mapped and fails, a VM_SLEEP one
 * waits in the page allocator.  Unbacking removes the mappings, shoots
 * them down on every CPU, and only then frees the pages, so no CPU can
 * still reach a page that someone else may already be reusing.  A new
 * mapping is made visible on this CPU only: the kernel assumes, as QEMU
 * provides and the Svvptc extension promises, that no hart keeps an
 * invalid entry cached, so another CPU that touches the page later walks
 * the tables afresh.
 *
 * uvm_km_page_alloc hands vmem single pages for its boundary tags
 * outside the kmem range, through the direct map, so that a tag page
 * needs no tag of its own; uvm_km_page_free takes them back.
 */

#include <sys/param.h>
#include <sys/errno.h>
#include <sys/vmem.h>
#include <sys/systm.h>

#include <machine/pmap.h>

#include <uvm/uvm_km.h>
#include <uvm/uvm_page.h>

int
uvm_km_back(vaddr_t va, vsize_t size, vm_flag_t flags)
{
	vaddr_t v;
	paddr_t pa;

	KASSERT((va & PAGE_MASK) == 0 && (size & PAGE_MASK) == 0);
	for (v = va; v < va + size; v += PAGE_SIZE) {
		pa = uvm_pagealloc(flags);
		if (pa == UVM_NOPAGE) {
			uvm_km_unback(va, v - va);
			return ENOMEM;
		}
		pmap_kenter_pa(v, pa);
	}
	pmap_update_local(va, size);
	return 0;
}

void
uvm_km_unback(vaddr_t va, vsize_t size)
{
	vaddr_t v;

	KASSERT((va & PAGE_MASK) == 0 && (size & PAGE_MASK) == 0);
	pmap_kremove(va, size);
	pmap_tlb_shootdown(va, size);
	for (v = va; v < va + size; v += PAGE_SIZE)
		uvm_pagefree(pmap_kforget(v));
}

/*
 * uvm_km_page_alloc: one zeroed page, wired and reached through the
 * direct map, for vmem's boundary tags; NULL if VM_NOSLEEP finds none.
 */
void *
uvm_km_page_alloc(vm_flag_t flags)
{
	paddr_t pa;

	if ((pa = uvm_pagealloc(flags)) == UVM_NOPAGE)
		return NULL;
	return (void *)PMAP_DIRECT_MAP(pa);
}

/* uvm_km_page_free: give back a page from uvm_km_page_alloc. */
void
uvm_km_page_free(void *va)
{

	uvm_pagefree(PMAP_DIRECT_UNMAP((vaddr_t)va));
}
