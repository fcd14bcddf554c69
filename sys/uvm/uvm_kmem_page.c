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
 * ---- Boundary tag pages
 *
 * uvm_km_page_alloc hands vmem a zeroed, wired page for its boundary
 * tags at addresses outside every arena, so that a refill of vmem's tag
 * stock never needs a tag itself (subr_vmem_bt.c, theory 2.1).  It
 * takes the page from uvm_pagealloc as uvm_km_back does, and reaches it
 * in one of two ways, chosen once, below:
 *
 * A port with a direct map (PMAP_MAP_POOLPAGE: amd64, aarch64, alpha,
 * the ports on uvm/pmap ...) uses the page's direct-mapped address,
 * and needs no kernel virtual addresses at all.
 *
 * A port without one (i386, the m68k ports, sparc ...) maps the page in
 * a window of kernel virtual addresses set aside for tag pages when
 * vmem_subsystem_init calls uvm_km_page_init.  The window is an entry
 * of kernel_map, not an arena.  It is entered with uvm_map_prepare and
 * uvm_map_enter and a static map entry, as uvm_km_bootstrap enters
 * kmem's range: uvm_km_alloc would take a map entry from a pool cache
 * that uvm_init sets up only after uvm_km_bootstrap has called
 * vmem_subsystem_init, and the first tag page may be asked for in an
 * interrupt handler, where kernel_map's lock cannot be taken.  Entering
 * it in kernel_map also grows the kernel's page tables over it
 * (PMAP_GROWKERNEL), so that pmap_kenter_pa never needs a page table
 * page later.  The window's first pages, wired at once, hold a bitmap
 * with a bit per slot (a page-sized piece of the window); the slots
 * follow.  uvm_km_page_alloc takes a free slot, then a page, and maps
 * it there (pmap_kenter_pa, pmap_update); uvm_km_page_free unmaps the
 * slot on every CPU (pmap_kremove, pmap_update), frees the page, and
 * only then frees the slot.  A spin mutex at IPL_VM guards the bitmap,
 * since the tag stock is refilled wherever a VM_NOSLEEP vmem or kmem
 * request may run: at IPL_VM and below.
 *
 * How many slots.  Let N be the pages of kmem_arena, the root arena
 * vmem_subsystem_init stacks the wired arenas on (nkmempages in NetBSD).
 * vmem gives every span and every segment, allocated or free, a tag, so
 * an arena holding P pages in S spans, with a quantum of a page as all
 * of kmem's arenas have, needs at most P + S tags:
 *
 *	kmem_arena		one span of N pages: N + 1
 *	kmem_va_arena		Pva pages, imported from kmem_arena a page
 *				at a time at worst: 2 Pva
 *	kmem_va_meta_arena	Pvm pages, Pva + Pvm <= N, imported in
 *				spans of at least UVM_KMEM_IMPORT (64
 *				pages): Pvm + Pvm / 64
 *	kmem_meta_arena		at most Pvm pages, in spans of at least 64
 *				pages: Pvm + Pvm / 64
 *
 * so at most N + 1 + 2 N + N / 32 tags, reached with Pvm = N.  A tag is
 * 64 bytes, and a tag page holds PAGE_SIZE / 64 of them less one for its
 * header (VMEM_BT_PERPAGE): 63 with 4 KB pages.  The window has
 * howmany(3 N + N / 32 + 1, UVM_KM_TAGS_PERPAGE) slots for kmem, and
 * UVM_KM_TAGWIN_EXTRA (128) more for what is not kmem's: the tags of
 * the other arenas (extent(9)'s and drivers'), the spares each arena
 * keeps (at most VMEM_BT_SPARE_MAX, 48), the stock's own (fewer than
 * 128 when a page is added), and a page more for each CPU refilling at
 * the same time.  Tag pages are only added when the stock runs low, so
 * however the tags in use are scattered over them, the pages never hold
 * many more tags than were ever in use at once.  An i386 kernel with the
 * largest kmem_arena (360 MB, N = 92160) gets 4435 + 128 = 4563 slots
 * and a page of bitmap: 17.8 MB of addresses, a twentieth of kmem's
 * own, and no pages until tags need them.
 *
 * When every slot is taken uvm_km_page_alloc returns NULL, even for
 * VM_SLEEP: vmem's refill then fails (VM_NOSLEEP), or waits a tick and
 * takes from its stock again (VM_SLEEP), where tags freed meanwhile go;
 * a slot comes back only when vmem_bt_trim gives back a whole page, so
 * sleeping for one would miss them.  Without pages, VM_SLEEP waits for
 * the page daemon as uvm_km_back does.
 *
 * ---- The page daemon
 *
 * The page daemon's pool drainer visits every pool in turn; a pool that
 * never holds an item carries uvm_kmem_reclaim as its drain hook.
 */

#include <sys/param.h>
#include <sys/bitops.h>
#include <sys/errno.h>
#include <sys/mutex.h>
#include <sys/pool.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <uvm/uvm.h>
#include <uvm/uvm_kmem.h>

#define	UVM_KMEM_BATCH	16	/* pages unmapped per pmap_update */

static struct pool uvm_kmem_reclaim_pool;

#if defined(PMAP_MAP_POOLPAGE) && defined(PMAP_UNMAP_POOLPAGE)

/* ---- tag pages through the direct map */

/* uvm_km_page_init: nothing to set aside; the direct map reaches all. */
void
uvm_km_page_init(vsize_t kmemsize)
{
}

/* uvm_km_tagva_get: no address to take; a page brings its own. */
static bool
uvm_km_tagva_get(vaddr_t *vap)
{

	*vap = 0;
	return true;
}

/* uvm_km_tagva_put: no address to give back. */
static void
uvm_km_tagva_put(vaddr_t va)
{
}

/* uvm_km_tagpage_enter: the direct-mapped address of pg. */
static vaddr_t
uvm_km_tagpage_enter(vaddr_t va, struct vm_page *pg)
{

	return PMAP_MAP_POOLPAGE(VM_PAGE_TO_PHYS(pg));
}

/* uvm_km_tagpage_remove: the page behind a direct-mapped address. */
static struct vm_page *
uvm_km_tagpage_remove(vaddr_t va)
{

	return PHYS_TO_VM_PAGE(PMAP_UNMAP_POOLPAGE(va));
}

#else /* !PMAP_MAP_POOLPAGE */

/* ---- tag pages in a window of kernel_map */

#define	UVM_KM_TAGS_PERPAGE	(PAGE_SIZE / sizeof(bt_t) - 1)
#define	UVM_KM_TAGWIN_EXTRA	128	/* slots for what is not kmem's */
#define	UVM_KM_TAGWIN_BITS	32	/* slots per word of the bitmap */

CTASSERT(sizeof(bt_t) == 64);

/*
 * The window.  I: set by uvm_km_page_init, then immutable; w: tw_lock.
 */
static struct uvm_km_tagwin {
	kmutex_t	tw_lock;	/* spin, IPL_VM */
	vaddr_t		tw_va;		/* I: the first slot */
	size_t		tw_nslots;	/* I: tag pages it can map */
	size_t		tw_nwords;	/* I: words in tw_used */
	uint32_t	*tw_used;	/* w: a bit per slot, set if taken */
	size_t		tw_hint;	/* w: the words below it are full */
	size_t		tw_ntaken;	/* w: slots taken */
} uvm_km_tagwin;

/* kernel_map's entry for the window (kernel_map's lock); never freed. */
static struct vm_map_entry uvm_km_tagwin_entry;

/*
 * uvm_km_tagwin_reserve: enter size bytes of addresses in kernel_map,
 * with nothing mapped, and return the first.
 * => boot, thread context; kernel_map set up, its entry cache need not be.
 */
static vaddr_t
uvm_km_tagwin_reserve(vsize_t size)
{
	struct uvm_map_args args;

	if (uvm_map_prepare(kernel_map, vm_map_min(kernel_map), size, NULL,
	    UVM_UNKNOWN_OFFSET, 0, UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW,
	    UVM_INH_NONE, UVM_ADV_RANDOM, UVM_FLAG_NOMERGE), &args) != 0)
		panic("uvm_km_page_init: no room in kernel_map for a tag "
		    "window of %#" PRIxVSIZE " bytes", size);
	uvm_km_tagwin_entry.flags = UVM_MAP_KERNEL | UVM_MAP_STATIC |
	    UVM_MAP_NOMERGE;
	if (uvm_map_enter(kernel_map, &args, &uvm_km_tagwin_entry) != 0)
		panic("uvm_km_page_init: cannot enter the tag window "
		    "[%#" PRIxVADDR ", %#" PRIxVADDR ") in kernel_map",
		    args.uma_start, args.uma_start + size);
	return args.uma_start;
}

/*
 * uvm_km_page_init: set aside the window for kmem_arena's kmemsize
 * bytes (theory above): its bitmap, wired now, and its slots.
 * => called once, from vmem_subsystem_init, before vmem_set_meta.
 */
void
uvm_km_page_init(vsize_t kmemsize)
{
	struct uvm_km_tagwin *tw = &uvm_km_tagwin;
	size_t n = kmemsize >> PAGE_SHIFT, mapsize;
	vaddr_t va;

	tw->tw_nslots = howmany(3 * n + n / 32 + 1, UVM_KM_TAGS_PERPAGE) +
	    UVM_KM_TAGWIN_EXTRA;
	tw->tw_nwords = howmany(tw->tw_nslots, UVM_KM_TAGWIN_BITS);
	mapsize = round_page(tw->tw_nwords * sizeof(uint32_t));
	va = uvm_km_tagwin_reserve(mapsize + ptoa(tw->tw_nslots));
	(void)uvm_km_back(va, mapsize, VM_SLEEP);
	tw->tw_used = (uint32_t *)va;
	memset(tw->tw_used, 0, mapsize);
	/* The bits past the last slot are taken for good. */
	if (tw->tw_nslots % UVM_KM_TAGWIN_BITS != 0)
		tw->tw_used[tw->tw_nwords - 1] =
		    ~(uint32_t)0 << (tw->tw_nslots % UVM_KM_TAGWIN_BITS);
	tw->tw_va = va + mapsize;
	tw->tw_hint = 0;
	tw->tw_ntaken = 0;
	mutex_init(&tw->tw_lock, MUTEX_DEFAULT, IPL_VM);
}

/*
 * uvm_km_tagva_get: take a free slot of the window for a tag page;
 * false if every slot is taken.
 * => any context up to IPL_VM; never sleeps.
 */
static bool
uvm_km_tagva_get(vaddr_t *vap)
{
	struct uvm_km_tagwin *tw = &uvm_km_tagwin;
	size_t i, bit;

	mutex_enter(&tw->tw_lock);
	if (tw->tw_ntaken == tw->tw_nslots) {
		mutex_exit(&tw->tw_lock);
		return false;
	}
	for (i = tw->tw_hint; tw->tw_used[i] == ~(uint32_t)0; i++)
		KASSERT(i + 1 < tw->tw_nwords);
	tw->tw_hint = i;
	bit = ffs32(~tw->tw_used[i]) - 1;	/* the lowest free slot */
	tw->tw_used[i] |= (uint32_t)1 << bit;
	tw->tw_ntaken++;
	mutex_exit(&tw->tw_lock);
	*vap = tw->tw_va + ptoa(i * UVM_KM_TAGWIN_BITS + bit);
	return true;
}

/*
 * uvm_km_tagva_put: give back the slot at va, taken and now unmapped.
 * => any context up to IPL_VM; never sleeps.
 */
static void
uvm_km_tagva_put(vaddr_t va)
{
	struct uvm_km_tagwin *tw = &uvm_km_tagwin;
	size_t slot = atop(va - tw->tw_va);
	size_t i = slot / UVM_KM_TAGWIN_BITS;
	uint32_t bit = (uint32_t)1 << (slot % UVM_KM_TAGWIN_BITS);

	KASSERT(slot < tw->tw_nslots);
	mutex_enter(&tw->tw_lock);
	if ((tw->tw_used[i] & bit) == 0)
		panic("uvm_km_page_free: tag window slot %#" PRIxVADDR
		    " freed twice", va);
	tw->tw_used[i] &= ~bit;
	tw->tw_ntaken--;
	tw->tw_hint = MIN(tw->tw_hint, i);
	mutex_exit(&tw->tw_lock);
}

/* uvm_km_tagpage_enter: map pg at the slot va, on this CPU at once. */
static vaddr_t
uvm_km_tagpage_enter(vaddr_t va, struct vm_page *pg)
{

	pmap_kenter_pa(va, VM_PAGE_TO_PHYS(pg), VM_PROT_READ | VM_PROT_WRITE,
	    PMAP_KMPAGE);
	pmap_update(pmap_kernel());
	return va;
}

/*
 * uvm_km_tagpage_remove: unmap the tag page at va on every CPU and
 * return its page; panics if va is no mapped slot of the window.
 */
static struct vm_page *
uvm_km_tagpage_remove(vaddr_t va)
{
	struct uvm_km_tagwin *tw = &uvm_km_tagwin;
	paddr_t pa;

	if (va < tw->tw_va || va >= tw->tw_va + ptoa(tw->tw_nslots) ||
	    (va & PAGE_MASK) != 0 || !pmap_extract(pmap_kernel(), va, &pa))
		panic("uvm_km_page_free: %#" PRIxVADDR " is not a mapped "
		    "tag page of the window [%#" PRIxVADDR ", %#" PRIxVADDR
		    ")", va, tw->tw_va, tw->tw_va + ptoa(tw->tw_nslots));
	pmap_kremove(va, PAGE_SIZE);
	pmap_update(pmap_kernel());
	return PHYS_TO_VM_PAGE(pa);
}

#endif /* !PMAP_MAP_POOLPAGE */

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
 * uvm_km_page_alloc: one zeroed, wired page for vmem's boundary tags,
 * outside every arena; NULL if VM_NOSLEEP finds no page, or if the tag
 * window, on a port without a direct map, is full.
 * => any context up to IPL_VM if VM_NOSLEEP; may sleep if VM_SLEEP.
 */
void *
uvm_km_page_alloc(vm_flag_t flags)
{
	struct vm_page *pg;
	vaddr_t va;

	if (!uvm_km_tagva_get(&va))
		return NULL;
	while ((pg = uvm_pagealloc(NULL, 0, NULL,
	    uvm_kmem_pgflags(flags) | UVM_PGA_ZERO)) == NULL) {
		if ((flags & VM_SLEEP) == 0) {
			uvm_km_tagva_put(va);
			return NULL;
		}
		uvm_wait("kmemtag");
	}
	pg->flags &= ~PG_BUSY;
	UVM_PAGE_OWN(pg, NULL);
	return (void *)uvm_km_tagpage_enter(va, pg);
}

/* uvm_km_page_free: give back a page from uvm_km_page_alloc. */
void
uvm_km_page_free(void *va)
{

	uvm_pagefree(uvm_km_tagpage_remove((vaddr_t)va));
	uvm_km_tagva_put((vaddr_t)va);
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
