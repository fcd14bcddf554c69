/*
 * uvm_kmpage.c: backing kmem's virtual addresses with pages, for the
 * test kernel (the host platform does the same with mmap).
 *
 * uvm_kmem.c builds kmem_meta_arena over kmem_arena; vmem calls uvm_km_back
 * when kmem_meta_arena hands out a segment and uvm_km_unback when one is
 * freed.  Backing takes one page at a time from the page allocator and
 * enters it in the kmem range of the page tables; a VM_NOSLEEP request
 * that runs out of pages undoes what it mapped and fails, a VM_SLEEP one
 * waits in the page allocator.  A new mapping is made visible on this
 * CPU only: the kernel assumes, as QEMU provides and the Svvptc
 * extension promises, that no hart keeps an invalid entry cached, so
 * another CPU that touches the page later walks the tables afresh.
 *
 * Deferred unmapping.  A freed segment must leave every CPU's TLB before
 * its pages or its addresses go to anyone else, and a TLB shootdown is
 * dear: an IPI to every CPU and a wait for each to answer (15-30 ms
 * under QEMU with more vCPUs than host cores).  So uvm_km_unback does
 * not shoot down.  It puts the range on the pending list, still mapped,
 * and tells vmem to keep the segment allocated (VMEM_UNBACK_LATER): no
 * one can be given the range or its pages yet, and a CPU whose TLB still
 * holds it reaches only memory that nobody owns.  The list is threaded
 * through the ranges themselves (struct uvm_km_pend at the start of
 * each, written through its own mapping), so queueing needs no memory,
 * takes one spin lock at IPL_VM, and never waits for another CPU: it is
 * safe in interrupt handlers.
 *
 * uvm_km_purge unmaps the whole list at once: it clears every PTE, sends
 * one shootdown naming the ranges (or flushing everything, past
 * PMAP_TLB_NRANGES ranges or a page count), and only after every CPU has
 * answered frees the pages and calls uvm_km_unback_done, which frees the
 * range in kmem_meta_arena.  The links are read again through the direct
 * map once the ranges are unmapped.  A purge runs
 *
 *	- in the purge daemon, when UVM_KM_PURGE_PAGES pages wait, and once
 *	  a second if any do;
 *	- in the page daemon, before and after kmem_reap;
 *	- in a VM_SLEEP page allocation that would otherwise wait.
 *
 * A VM_SLEEP allocation that waits for addresses in kmem_meta_arena is
 * served by the daemon's next purge: the kmem range is twice the size
 * of RAM and a pending range holds its pages, so pages run short, and
 * purge, well before addresses do.  Purges are serialized by an
 * adaptive mutex and wait in thread context at IPL_NONE, so the clock
 * keeps coming in.
 *
 * uvm_km_page_alloc hands vmem single pages for its boundary tags
 * outside the kmem range, through the direct map, so that a tag page
 * needs no tag of its own; uvm_km_page_free takes them back.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/condvar.h>
#include <sys/cpu.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/kernel.h>
#include <sys/lwp.h>
#include <sys/mutex.h>
#include <sys/systm.h>
#include <sys/vmem.h>

#include <machine/pmap.h>

#include <uvm/uvm_km.h>
#include <uvm/uvm_page.h>

#define	UVM_KM_PURGE_PAGES	64	/* pending pages that start a purge */

/*
 * The head of a range waiting for a purge, in the range's first page.
 * Legend: p uvm_km_pend_lock; f the freeing thread, before queueing.
 */
struct uvm_km_pend {
	struct uvm_km_pend *kp_next;	/* p: the next range */
	vsize_t		kp_size;	/* f: this range's size */
};

/* Legend: p uvm_km_pend_lock, P uvm_km_purge_lock. */
static kmutex_t uvm_km_pend_lock;	/* spin, IPL_VM: the list */
static kcondvar_t uvm_km_purge_cv;	/* the purge daemon waits here */
static struct uvm_km_pend *uvm_km_pend_head;	/* p: ranges to purge */
static size_t uvm_km_pend_npages;	/* p: pages in them */
static bool uvm_km_purge_asked;		/* p: the daemon was woken */
static kmutex_t uvm_km_purge_lock;	/* adaptive: one purge at a time */

/* Remove the mappings of [va, va + size) seen by no other CPU. */
static void
uvm_km_undo(vaddr_t va, vsize_t size)
{
	vaddr_t v;

	pmap_kremove(va, size);
	pmap_update_local(va, size);
	for (v = va; v < va + size; v += PAGE_SIZE)
		uvm_pagefree(pmap_kforget(v));
}

int
uvm_km_back(vaddr_t va, vsize_t size, vm_flag_t flags)
{
	vaddr_t v;
	paddr_t pa;

	KASSERT((va & PAGE_MASK) == 0 && (size & PAGE_MASK) == 0);
	for (v = va; v < va + size; v += PAGE_SIZE) {
		pa = uvm_pagealloc(flags);
		if (pa == UVM_NOPAGE) {
			uvm_km_undo(va, v - va);
			return ENOMEM;
		}
		pmap_kenter_pa(v, pa);
	}
	pmap_update_local(va, size);
	return 0;
}

/*
 * Queue a freed range for the next purge; it stays mapped till then.
 * => any context vmem_free may be called in; never waits for a CPU
 */
bool
uvm_km_unback(vaddr_t va, vsize_t size)
{
	struct uvm_km_pend *kp = (struct uvm_km_pend *)va;

	KASSERT((va & PAGE_MASK) == 0 && (size & PAGE_MASK) == 0 && size != 0);
	kp->kp_size = size;
	mutex_spin_enter(&uvm_km_pend_lock);
	kp->kp_next = uvm_km_pend_head;
	uvm_km_pend_head = kp;
	uvm_km_pend_npages += size >> PAGE_SHIFT;
	uvmexp.kmpending = uvm_km_pend_npages;
	if (uvm_km_pend_npages >= UVM_KM_PURGE_PAGES && !uvm_km_purge_asked) {
		uvm_km_purge_asked = true;
		cv_signal(&uvm_km_purge_cv);
	}
	mutex_spin_exit(&uvm_km_pend_lock);
	return false;
}

/* Take the whole pending list; *npagesp is its page count. */
static struct uvm_km_pend *
uvm_km_pend_take(size_t *npagesp)
{
	struct uvm_km_pend *list;

	mutex_spin_enter(&uvm_km_pend_lock);
	list = uvm_km_pend_head;
	*npagesp = uvm_km_pend_npages;
	uvm_km_pend_head = NULL;
	uvm_km_pend_npages = 0;
	uvmexp.kmpending = 0;
	uvm_km_purge_asked = false;
	mutex_spin_exit(&uvm_km_pend_lock);
	return list;
}

/*
 * Clear the PTEs of every range on list (frames kept) and note up to
 * PMAP_TLB_NRANGES of them in r; returns how many ranges there were.
 */
static u_int
uvm_km_purge_unmap(struct uvm_km_pend *list, struct pmap_range *r)
{
	struct uvm_km_pend *kp, *next;
	vsize_t size;
	u_int n = 0;

	for (kp = list; kp != NULL; kp = next, n++) {
		next = kp->kp_next;
		size = kp->kp_size;
		if (n < PMAP_TLB_NRANGES) {
			r[n].pr_va = (vaddr_t)kp;
			r[n].pr_size = size;
		}
		pmap_kremove((vaddr_t)kp, size);
	}
	return n;
}

/*
 * Free the pages of every unmapped range on list, reading the links
 * through the direct map, and give the ranges back to kmem_meta_arena.
 */
static void
uvm_km_purge_free(struct uvm_km_pend *list)
{
	const struct uvm_km_pend *kp;
	vaddr_t va, next, v;
	vsize_t size;
	paddr_t pa;

	for (va = (vaddr_t)list; va != 0; va = next) {
		pa = pmap_kforget(va);
		kp = (const struct uvm_km_pend *)PMAP_DIRECT_MAP(pa);
		next = (vaddr_t)kp->kp_next;
		size = kp->kp_size;
		uvm_pagefree(pa);
		for (v = va + PAGE_SIZE; v < va + size; v += PAGE_SIZE)
			uvm_pagefree(pmap_kforget(v));
		uvm_km_unback_done(va, size);
	}
}

/*
 * uvm_km_purge: unmap every pending range with one shootdown, then free
 * their pages and addresses; returns the number of pages freed.
 * => thread context, no spin mutex held; may sleep
 */
size_t
uvm_km_purge(void)
{
	struct pmap_range r[PMAP_TLB_NRANGES];
	struct uvm_km_pend *list;
	size_t npages;
	u_int n;

	KASSERT(!cpu_intr_p());
	mutex_enter(&uvm_km_purge_lock);
	list = uvm_km_pend_take(&npages);
	if (list == NULL) {
		mutex_exit(&uvm_km_purge_lock);
		return 0;
	}
	n = uvm_km_purge_unmap(list, r);
	pmap_tlb_shootdown_ranges(r, n);
	uvm_km_purge_free(list);
	uvmexp.kmpurges++;
	uvmexp.kmpurged += npages;
	mutex_exit(&uvm_km_purge_lock);
	return npages;
}

/* Pages waiting for a purge (a hint: read without the lock). */
size_t
uvm_km_pending(void)
{

	return atomic_load_relaxed(&uvm_km_pend_npages);
}

/* The purge daemon: purge when a batch is full, or once a second. */
static void
uvm_km_purge_daemon(void *arg)
{

	(void)arg;
	for (;;) {
		mutex_spin_enter(&uvm_km_pend_lock);
		if (uvm_km_pend_npages < UVM_KM_PURGE_PAGES)
			(void)cv_timedwait(&uvm_km_purge_cv, &uvm_km_pend_lock,
			    hz);
		mutex_spin_exit(&uvm_km_pend_lock);
		(void)uvm_km_purge();
	}
}

/*
 * uvm_km_purge_init: set up the pending list; the daemon starts later.
 * => boot, before the first free
 */
void
uvm_km_purge_init(void)
{

	mutex_init(&uvm_km_pend_lock, MUTEX_SPIN, IPL_VM);
	mutex_init(&uvm_km_purge_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&uvm_km_purge_cv, "kmpurge");
}

/* Start the purge daemon.  => thread context, at boot */
void
uvm_km_purge_start(void)
{

	(void)lwp_create(uvm_km_purge_daemon, NULL, NULL, PRI_HIGH, LW_SYSTEM,
	    KSTACK_SIZE, "kmpurge");
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
