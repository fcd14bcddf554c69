/*
 * uvm_page.h: the test kernel's physical page allocator and page daemon.
 *
 * Pages are named by physical address and used through the direct map.
 * uvm_pagealloc with VM_SLEEP waits until a page is free and never
 * fails; with VM_NOSLEEP it returns UVM_NOPAGE at once, and it may be
 * called from an interrupt handler at IPL_VM or below.  When free pages
 * drop below uvmexp.freetarg the page daemon wakes up and asks the
 * allocator above to give memory back (kmem_reap).  Freed kmem ranges
 * wait, still mapped, for uvm_km_purge to unmap a batch of them with one
 * TLB shootdown (uvm_kmpage.c); a VM_SLEEP allocation purges before it
 * waits.
 */

#ifndef _UVM_UVM_PAGE_H_
#define _UVM_UVM_PAGE_H_

#include <sys/types.h>
#include <sys/vmem.h>

#define	UVM_NOPAGE	((paddr_t)-1)

/*
 * Legend: I immutable after uvm_page_init, f uvm_fpageq_lock, p the
 * kmem pending list's lock, P the kmem purge lock.
 */
struct uvmexp {
	size_t		npages;		/* I: pages the allocator manages */
	size_t		free;		/* f: pages free now */
	size_t		freemin;	/* f: lowest free count seen */
	size_t		freetarg;	/* I: wake the page daemon below this */
	uint64_t	nallocs;	/* f: pages handed out */
	uint64_t	nfails;		/* f: VM_NOSLEEP requests refused */
	uint64_t	nwaits;		/* f: VM_SLEEP requests that waited */
	uint64_t	pdwakeups;	/* f: times the page daemon ran */
	uint64_t	nbadfree;	/* f: free pages found written */
	size_t		kmpending;	/* p: kmem pages waiting for a purge */
	uint64_t	kmpurges;	/* P: purges (one shootdown each) */
	uint64_t	kmpurged;	/* P: kmem pages they freed */
};

extern struct uvmexp uvmexp;

__BEGIN_DECLS
void	uvm_page_init(paddr_t, paddr_t);
void	uvm_page_reserve(paddr_t, paddr_t);
paddr_t	uvm_pagealloc(vm_flag_t);
void	uvm_pagefree(paddr_t);
paddr_t	uvm_pagealloc_contig(size_t, vm_flag_t);
void	uvm_pagefree_contig(paddr_t, size_t);
void	uvm_pdaemon_init(void);
void	uvm_km_purge_init(void);
void	uvm_km_purge_start(void);
size_t	uvm_km_purge(void);
size_t	uvm_km_pending(void);
__END_DECLS

#endif /* !_UVM_UVM_PAGE_H_ */
