/*
 * uvm_kmem.h: the allocator's glue to the page level (uvm_kmem.c).
 *
 * The page level below builds kmem_arena, the address-only root over
 * the kernel virtual range set aside for kmem, and calls
 * vmem_subsystem_init(kmem_arena) (NetBSD's uvm_km_bootstrap does both).
 * The glue then stacks the arenas the allocator takes wired memory from:
 *
 *	kmem_arena		root: addresses only, nothing mapped
 *	  kmem_va_meta_arena	addresses only, imported in large spans
 *	    kmem_meta_arena	wired, mapped memory: each segment is backed
 *				with pages as it is handed out and unbacked
 *				as it is freed (vmem_set_backing)
 *
 * kmem(9)'s slabs and large buffers, malloc(9)'s large blocks, vmem's
 * arena structures and hash tables, and pool(9)'s metadata in a NetBSD
 * kernel all come from kmem_meta_arena.  kmem_va_arena, the quantum-cached
 * address arena that NetBSD's pool(9) backs itself with uvm_km_kmem_alloc,
 * stays the page level's own.
 *
 * Each kernel supplies the page functions below: a NetBSD kernel with
 * uvm_kmem_page.c (uvm_pagealloc, pmap_kenter_pa, pmap_kremove,
 * pmap_update, uvm_pagefree), the test kernel with its page allocator and
 * pmap, the host platform with mmap.  uvm_km_back with VM_SLEEP waits for
 * free pages and never fails; with VM_NOSLEEP it fails with ENOMEM when
 * no page is free, having undone what it mapped.  uvm_km_unback removes
 * the mappings on every CPU before it frees the pages, and returns true;
 * or it only queues the range and returns false: a kernel that batches
 * TLB shootdowns keeps the range mapped until a purge unmaps many with
 * one shootdown and then calls uvm_km_unback_done, which frees the range
 * in kmem_meta_arena; until then the range is not handed out again.
 * uvm_km_page_alloc
 * and uvm_km_page_free give vmem one wired, zeroed page outside every
 * arena for its boundary tags: a tag page that came from an arena would
 * need tags of its own.  uvm_km_page_init, called once with the size of
 * kmem_arena before the first of them, sets up where such pages are
 * mapped (a kernel without a direct map sets aside addresses for them).
 */

#ifndef _UVM_UVM_KMEM_H_
#define _UVM_UVM_KMEM_H_

#include <sys/types.h>
#include <sys/vmem.h>

#define	UVM_KMEM_IMPORT	(64 * PAGE_SIZE)	/* kmem_meta_arena spans */

extern vmem_t *kmem_va_meta_arena;

__BEGIN_DECLS
/* The glue (uvm_kmem.c). */
void	uvm_kmem_reclaim(void *, int);
void	uvm_km_unback_done(vaddr_t, vsize_t);

/* Supplied by each kernel's page level. */
int	uvm_km_back(vaddr_t, vsize_t, vm_flag_t);
bool	uvm_km_unback(vaddr_t, vsize_t);
void	uvm_km_page_init(vsize_t);
void	*uvm_km_page_alloc(vm_flag_t);
void	uvm_km_page_free(void *);
void	uvm_kmem_reclaim_init(void);
__END_DECLS

#endif /* !_UVM_UVM_KMEM_H_ */
