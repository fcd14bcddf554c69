/*
 * uvm_page.c: the physical page allocator of the test kernel.
 *
 * Vocabulary.  A page is PAGE_SIZE bytes of RAM named by its physical
 * address; the kernel reaches it through the direct map.
 *
 * Data structure.  One bit per page of the managed range, set while the
 * page is allocated, and a hint: no page below it is free.  A single
 * page is the first clear bit at or after the hint (amortized O(1): the
 * hint only moves back when a lower page is freed); a contiguous run, for
 * the page tables at boot, is a first-fit scan of the bitmap.
 *
 * Locking.  uvm_fpageq_lock, a spin mutex at IPL_VM, protects the bitmap
 * and the counters, so VM_NOSLEEP allocations work in interrupt handlers.
 * VM_SLEEP allocations that find nothing free wait on uvm_fpageq_cv,
 * which every free broadcasts while anyone waits.  The page daemon
 * (uvm_pdaemon.c) is woken when the free count drops below freetarg.
 *
 * Pages come back zeroed from uvm_pagealloc.
 *
 * Debug check (DIAGNOSTIC): a freed page holds a junk word at the start
 * of every 64-byte line and at its end, written when it is freed (a page
 * never allocated since boot holds zeros there instead); uvm_pagealloc
 * finds them intact or counts the page in uvmexp.nbadfree and says
 * where: someone wrote a page after freeing it, or through a stale TLB
 * entry after its kmem range was purged.
 */

#include <sys/param.h>
#include <sys/condvar.h>
#include <sys/cpu.h>
#include <sys/intr.h>
#include <sys/mutex.h>
#include <sys/systm.h>

#include <machine/pmap.h>

#include <uvm/uvm_page.h>

#define	UVM_FREETARG_MIN	64	/* pages */

#ifdef DIAGNOSTIC
#define	UVM_PAGE_JUNK		0x6a756e6b66726565ULL	/* "junkfree" */
#define	UVM_PAGE_JUNK_STEP	64	/* bytes between junk words */
static void	uvm_page_junk(paddr_t, size_t);
static void	uvm_page_junk_check(paddr_t, size_t);
#else
#define	uvm_page_junk(pa, n)		do { } while (0)
#define	uvm_page_junk_check(pa, n)	do { } while (0)
#endif

struct uvmexp uvmexp;

kmutex_t uvm_fpageq_lock;
kcondvar_t uvm_fpageq_cv;		/* pages were freed */
kcondvar_t uvm_pdaemon_cv;		/* free pages ran low */

/* Legend: I immutable after uvm_page_init, f uvm_fpageq_lock. */
static paddr_t uvm_page_base;		/* I: first managed page */
static uint64_t *uvm_page_bitmap;	/* f: set bit = allocated */
static size_t uvm_page_hint;		/* f: no free page below this */
static u_int uvm_page_waiters;		/* f: VM_SLEEP requests waiting */

#define	BITS	64
#define	ISSET(i)	((uvm_page_bitmap[(i) / BITS] >> ((i) % BITS)) & 1)
#define	SETBIT(i)	(uvm_page_bitmap[(i) / BITS] |= 1ULL << ((i) % BITS))
#define	CLRBIT(i)	(uvm_page_bitmap[(i) / BITS] &= ~(1ULL << ((i) % BITS)))

/*
 * Manage the pages of [start, end); the bitmap takes the first of them.
 * => boot, one CPU, before any allocation
 */
void
uvm_page_init(paddr_t start, paddr_t end)
{
	size_t npages, mapbytes, i;

	start = roundup2(start, PAGE_SIZE);
	end = rounddown2(end, PAGE_SIZE);
	npages = (end - start) >> PAGE_SHIFT;
	mapbytes = roundup2(howmany(npages, BITS) * sizeof(uint64_t),
	    PAGE_SIZE);
	uvm_page_bitmap = (uint64_t *)PMAP_DIRECT_MAP(start);
	memset(uvm_page_bitmap, 0, mapbytes);
	uvm_page_base = start;
	uvmexp.npages = npages;
	uvmexp.free = npages;
	for (i = npages; i < mapbytes * NBBY; i++)
		SETBIT(i);
	mutex_init(&uvm_fpageq_lock, MUTEX_DEFAULT, IPL_VM);
	cv_init(&uvm_fpageq_cv, "pgwait");
	cv_init(&uvm_pdaemon_cv, "pdaemon");
	uvm_page_reserve(start, start + mapbytes);
	uvmexp.freetarg = MAX(UVM_FREETARG_MIN, uvmexp.npages / 32);
	uvmexp.freemin = uvmexp.free;
}

/* Mark the managed pages of [start, end) allocated for good. */
void
uvm_page_reserve(paddr_t start, paddr_t end)
{
	size_t i;

	start = MAX(rounddown2(start, PAGE_SIZE), uvm_page_base);
	end = MIN(roundup2(end, PAGE_SIZE),
	    uvm_page_base + (uvmexp.npages << PAGE_SHIFT));
	mutex_spin_enter(&uvm_fpageq_lock);
	for (; start < end; start += PAGE_SIZE) {
		i = (start - uvm_page_base) >> PAGE_SHIFT;
		if (!ISSET(i)) {
			SETBIT(i);
			uvmexp.free--;
		}
	}
	mutex_spin_exit(&uvm_fpageq_lock);
}

/* The first free page at or after the hint, or npages.  => f held */
static size_t
uvm_page_find(void)
{
	size_t w, nwords = howmany(uvmexp.npages, BITS);

	for (w = uvm_page_hint / BITS; w < nwords; w++) {
		if (uvm_page_bitmap[w] != ~0ULL) {
			uvm_page_hint = w * BITS;
			return w * BITS + __builtin_ctzll(~uvm_page_bitmap[w]);
		}
	}
	uvm_page_hint = nwords * BITS;
	return uvmexp.npages;
}

/* The first run of n free pages, or npages.  => f held */
static size_t
uvm_page_find_run(size_t n)
{
	size_t i, run = 0;

	for (i = uvm_page_hint; i < uvmexp.npages; i++) {
		run = ISSET(i) ? 0 : run + 1;
		if (run == n)
			return i + 1 - n;
	}
	return uvmexp.npages;
}

/* Account for n pages handed out; wake the page daemon if low. */
static void
uvm_page_taken(size_t n)
{

	uvmexp.free -= n;
	uvmexp.nallocs += n;
	if (uvmexp.free < uvmexp.freemin)
		uvmexp.freemin = uvmexp.free;
	if (uvmexp.free < uvmexp.freetarg)
		cv_signal(&uvm_pdaemon_cv);
}

/* Wait for pages to be freed, or fail.  => f held; false if VM_NOSLEEP */
static bool
uvm_page_wait(vm_flag_t flags)
{

	if (flags & VM_NOSLEEP) {
		uvmexp.nfails++;
		return false;
	}
	KASSERTMSG(!cpu_intr_p(), "uvm_pagealloc: VM_SLEEP in an interrupt");
	if (uvm_km_pending() != 0) {
		mutex_spin_exit(&uvm_fpageq_lock);
		(void)uvm_km_purge();
		mutex_spin_enter(&uvm_fpageq_lock);
		return true;
	}
	uvmexp.nwaits++;
	uvm_page_waiters++;
	cv_signal(&uvm_pdaemon_cv);
	cv_wait(&uvm_fpageq_cv, &uvm_fpageq_lock);
	uvm_page_waiters--;
	return true;
}

/* Allocate n physically contiguous zeroed pages; UVM_NOPAGE on failure. */
paddr_t
uvm_pagealloc_contig(size_t n, vm_flag_t flags)
{
	size_t i, first;
	paddr_t pa;

	mutex_spin_enter(&uvm_fpageq_lock);
	for (;;) {
		first = n == 1 ? uvm_page_find() : uvm_page_find_run(n);
		if (first < uvmexp.npages)
			break;
		if (!uvm_page_wait(flags)) {
			mutex_spin_exit(&uvm_fpageq_lock);
			return UVM_NOPAGE;
		}
	}
	for (i = first; i < first + n; i++)
		SETBIT(i);
	uvm_page_taken(n);
	mutex_spin_exit(&uvm_fpageq_lock);
	pa = uvm_page_base + ((paddr_t)first << PAGE_SHIFT);
	uvm_page_junk_check(pa, n);
	memset((void *)PMAP_DIRECT_MAP(pa), 0, n << PAGE_SHIFT);
	return pa;
}

/* Allocate one zeroed page; UVM_NOPAGE on failure (VM_NOSLEEP only). */
paddr_t
uvm_pagealloc(vm_flag_t flags)
{

	return uvm_pagealloc_contig(1, flags);
}

/* Free the n pages at pa and wake whoever waits for pages. */
void
uvm_pagefree_contig(paddr_t pa, size_t n)
{
	size_t i, first = (pa - uvm_page_base) >> PAGE_SHIFT;

	if (pa < uvm_page_base || (pa & PAGE_MASK) != 0 ||
	    first + n > uvmexp.npages)
		panic("uvm_pagefree: %#lx is not a managed page", (u_long)pa);
	uvm_page_junk(pa, n);
	mutex_spin_enter(&uvm_fpageq_lock);
	for (i = first; i < first + n; i++) {
		if (!ISSET(i))
			panic("uvm_pagefree: page %#lx is already free",
			    (u_long)(uvm_page_base + (i << PAGE_SHIFT)));
		CLRBIT(i);
	}
	uvmexp.free += n;
	if (first < uvm_page_hint)
		uvm_page_hint = first;
	if (uvm_page_waiters != 0)
		cv_broadcast(&uvm_fpageq_cv);
	mutex_spin_exit(&uvm_fpageq_lock);
}

void
uvm_pagefree(paddr_t pa)
{

	uvm_pagefree_contig(pa, 1);
}

#ifdef DIAGNOSTIC
/* Write the junk words into the n pages at pa. */
static void
uvm_page_junk(paddr_t pa, size_t n)
{
	volatile uint64_t *p = (volatile uint64_t *)PMAP_DIRECT_MAP(pa);
	size_t i, end = (n << PAGE_SHIFT) / sizeof(*p);

	for (i = 0; i < end; i += UVM_PAGE_JUNK_STEP / sizeof(*p))
		p[i] = UVM_PAGE_JUNK;
	for (i = 1; i <= n; i++)
		p[i * (PAGE_SIZE / sizeof(*p)) - 1] = UVM_PAGE_JUNK;
}

/*
 * Count (and name) each of the n pages at pa written while free: its
 * words must be all junk, or all zero if it was never freed.
 */
static void
uvm_page_junk_check(paddr_t pa, size_t n)
{
	const volatile uint64_t *p;
	size_t i, k, words = PAGE_SIZE / sizeof(*p);
	uint64_t junk;

	for (k = 0; k < n; k++, pa += PAGE_SIZE) {
		p = (const volatile uint64_t *)PMAP_DIRECT_MAP(pa);
		junk = p[0] == 0 ? 0 : UVM_PAGE_JUNK;
		for (i = 0; i < words; i += UVM_PAGE_JUNK_STEP / sizeof(*p))
			if (p[i] != junk)
				break;
		if (i >= words && p[words - 1] == junk)
			continue;
		printf("uvm_pagealloc: free page %#lx was written at offset "
		    "%#zx\n", (u_long)pa, i < words ? i * sizeof(*p) :
		    PAGE_SIZE - sizeof(*p));
		mutex_spin_enter(&uvm_fpageq_lock);
		uvmexp.nbadfree++;
		mutex_spin_exit(&uvm_fpageq_lock);
	}
}
#endif
