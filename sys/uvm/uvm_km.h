/*
 * uvm_km.h: the page level under the kernel memory allocator.
 *
 * The machine-independent part (uvm_km.c) builds the bottom arenas:
 *
 *	kmem_arena	kernel virtual addresses reserved for kmem, quantum
 *			PAGE_SIZE, nothing mapped;
 *	kmem_va_arena	wired, mapped kernel memory: it imports address
 *			space from kmem_arena and backs each segment it
 *			hands out with physical pages (uvm_km_back); freeing
 *			a segment unmaps it on every CPU and frees the pages
 *			(uvm_km_unback), at once or in a later batch.
 *
 * <sys/vmem.h> declares the arenas, and kmem_meta_arena, which is
 * kmem_va_arena here.
 *
 * Each host supplies uvm_km_back and uvm_km_unback: the test kernel with
 * its physical page allocator and pmap, the host platform with mmap.
 * uvm_km_back with VM_SLEEP waits for free pages and never fails; with
 * VM_NOSLEEP it fails with ENOMEM when no page is free.  uvm_km_unback
 * returns true when the range is unbacked, or false when it has only
 * queued it: a kernel that batches TLB shootdowns keeps the range mapped
 * until a purge unmaps many with one shootdown, and then calls
 * uvm_km_unback_done, which frees the range in kmem_va_arena; until
 * then the range is not handed out again.  Each also
 * supplies uvm_km_page_alloc and uvm_km_page_free, one wired page outside
 * every arena (the kernel's direct map), for vmem's boundary tags: a tag
 * page that came from an arena would need tags of its own.
 */

#ifndef _UVM_UVM_KM_H_
#define _UVM_UVM_KM_H_

#include <sys/types.h>
#include <sys/vmem.h>

__BEGIN_DECLS
void	uvm_km_bootstrap(vaddr_t, vaddr_t);
int	uvm_km_kmem_back(vmem_t *, vmem_addr_t, vmem_size_t, vm_flag_t);
int	uvm_km_kmem_unback(vmem_t *, vmem_addr_t, vmem_size_t);
void	uvm_km_unback_done(vaddr_t, vsize_t);

/* Supplied by the host. */
int	uvm_km_back(vaddr_t, vsize_t, vm_flag_t);
bool	uvm_km_unback(vaddr_t, vsize_t);
void	*uvm_km_page_alloc(vm_flag_t);
void	uvm_km_page_free(void *);
__END_DECLS

#endif /* !_UVM_UVM_KM_H_ */
