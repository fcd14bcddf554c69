/*
 * pmap.c: the kernel's Sv39 page tables and TLB shootdown.
 *
 * Sv39 translates a 39-bit virtual address through three levels of
 * 512-entry tables (1 GiB, 2 MiB and 4 KiB per entry); a leaf may sit at
 * any level.  There is one set of tables, shared by every CPU, since the
 * kernel has no user address spaces:
 *
 *	direct map	every gigabyte holding RAM or devices is mapped at
 *			its physical address by one level-2 leaf, so the
 *			kernel, the boot stack, page tables and the page
 *			allocator's pages need no mapping work (thread
 *			stacks come from kmem, in the kmem range);
 *	kmem range	PMAP_KVA_BASE and up, one gigabyte at most: a
 *			level-1 table and all its level-0 tables are made
 *			at boot, physically contiguous, so the PTEs of the
 *			range form one flat array and mapping a page is one
 *			store (no allocation, no lock: vmem gives each range
 *			to one owner).
 *
 * Removing mappings needs the other CPUs to forget them: the remover
 * stores zeros, then pmap_tlb_shootdown_ranges posts the ranges (up to
 * PMAP_TLB_NRANGES of them; more, or more than PMAP_FLUSH_ALL_PAGES
 * pages, flush the whole TLB) to every other running CPU with an IPI and
 * waits for each to acknowledge it has run sfence.vma.  No lock is held
 * while waiting: each shootdown in flight owns one of PMAP_TLB_NSLOTS
 * request slots, claimed with an atomic operation, and the IPI handler
 * serves every slot that names its CPU.  So shootdowns from several CPUs
 * proceed at once, and the initiator waits at its own IPL: from thread
 * context at IPL_NONE, with the clock let in.  The IPI is taken at any
 * IPL below IPL_HIGH and its handler takes no lock, so a CPU that spins
 * in a spin mutex at IPL_VM still answers.  Callers batch: the kmem
 * page level keeps freed ranges mapped until one shootdown covers many
 * (sys/harness/uvm/uvm_kmpage.c).
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/intr.h>
#include <sys/systm.h>

#include <machine/pmap.h>
#include <machine/riscvreg.h>
#include <machine/virt.h>

#include <uvm/uvm_page.h>

#define	PTE_V		0x001
#define	PTE_R		0x002
#define	PTE_W		0x004
#define	PTE_X		0x008
#define	PTE_G		0x020
#define	PTE_A		0x040
#define	PTE_D		0x080
#define	PTE_PPN_SHIFT	10
#define	PTE_KERN	(PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D)

#define	L2_SHIFT	30
#define	L1_SHIFT	21
#define	PT_ENTRIES	512
#define	PT_INDEX(va, shift)	(((va) >> (shift)) & (PT_ENTRIES - 1))
#define	PTE_FROM_PA(pa)	(((pa) >> PAGE_SHIFT) << PTE_PPN_SHIFT)

#define	PMAP_FLUSH_ALL_PAGES	64	/* beyond this, flush the whole TLB */

typedef uint64_t pt_entry_t;

static pt_entry_t pmap_l2[PT_ENTRIES] __aligned(PAGE_SIZE);	/* I */
static pt_entry_t pmap_kva_l1[PT_ENTRIES] __aligned(PAGE_SIZE);	/* I */
static pt_entry_t *pmap_kva_ptes;	/* I: PTEs of the kmem range */
static vsize_t pmap_kva_size;		/* I */
uint64_t pmap_satp;			/* I: what every CPU loads */

#define	PMAP_TLB_RESEND		1000000	/* spins before asking again */
#define	PMAP_TLB_NSLOTS		8	/* shootdowns in flight at once */

/*
 * A shootdown in flight.  Legend: a atomic; o the initiator that
 * claimed the slot (written before tr_pending is published, read by the
 * CPUs tr_pending names).
 */
struct pmap_tlb_req {
	volatile u_int	tr_pending;	/* a: bit per CPU yet to answer */
	u_int		tr_nranges;	/* o: ranges, or PMAP_TLB_ALL */
	struct pmap_range tr_range[PMAP_TLB_NRANGES];	/* o */
} __aligned(COHERENCY_UNIT);

static struct pmap_tlb_req pmap_tlb_req[PMAP_TLB_NSLOTS];
static volatile u_int pmap_tlb_slots;	/* a: bit per slot claimed */

/* Map the gigabyte at pa at the same address. */
static void
pmap_direct_gigabyte(paddr_t pa, pt_entry_t prot)
{

	pmap_l2[PT_INDEX(pa, L2_SHIFT)] = PTE_FROM_PA(pa) | prot;
}

/*
 * Build the tables for RAM [mem_start, mem_end) and the devices, make
 * the kmem range, and turn paging on for this CPU.
 * => uvm_page_init has run
 */
void
pmap_bootstrap(paddr_t mem_start, paddr_t mem_end)
{
	paddr_t pa, ptes;
	size_t npt, i;

	pmap_direct_gigabyte(0, PTE_KERN);
	for (pa = rounddown2(mem_start, 1UL << L2_SHIFT); pa < mem_end;
	    pa += 1UL << L2_SHIFT)
		pmap_direct_gigabyte(pa, PTE_KERN | PTE_X);

	pmap_kva_size = MIN(PMAP_KVA_MAXSIZE,
	    roundup2(2 * (mem_end - mem_start), 1UL << L1_SHIFT));
	npt = pmap_kva_size >> L1_SHIFT;
	ptes = uvm_pagealloc_contig(npt, VM_NOSLEEP);
	if (ptes == UVM_NOPAGE)
		panic("pmap_bootstrap: no %zu pages for page tables", npt);
	pmap_kva_ptes = (pt_entry_t *)PMAP_DIRECT_MAP(ptes);
	memset(pmap_kva_ptes, 0, npt * PAGE_SIZE);
	for (i = 0; i < npt; i++)
		pmap_kva_l1[i] = PTE_FROM_PA(ptes + i * PAGE_SIZE) | PTE_V;
	pmap_l2[PT_INDEX(PMAP_KVA_BASE, L2_SHIFT)] =
	    PTE_FROM_PA((paddr_t)(vaddr_t)pmap_kva_l1) | PTE_V;

	pmap_satp = SATP_MODE_SV39 | ((paddr_t)(vaddr_t)pmap_l2 >> PAGE_SHIFT);
	__asm volatile("sfence.vma" ::: "memory");
	csr_write(satp, pmap_satp);
	__asm volatile("sfence.vma" ::: "memory");
}

/* The kernel virtual range kmem may use: [*startp, *endp). */
void
pmap_kva_range(vaddr_t *startp, vaddr_t *endp)
{

	*startp = PMAP_KVA_BASE;
	*endp = PMAP_KVA_BASE + pmap_kva_size;
}

/* The PTE for va in the kmem range. */
static volatile pt_entry_t *
pmap_kva_pte(vaddr_t va)
{

	KASSERTMSG(va >= PMAP_KVA_BASE &&
	    va - PMAP_KVA_BASE < pmap_kva_size,
	    "pmap: %#lx is outside the kmem range", (u_long)va);
	return &pmap_kva_ptes[(va - PMAP_KVA_BASE) >> PAGE_SHIFT];
}

/* Map the page at pa at va, read and write.  => va was unmapped */
void
pmap_kenter_pa(vaddr_t va, paddr_t pa)
{
	volatile pt_entry_t *pte = pmap_kva_pte(va);

	KASSERTMSG(*pte == 0, "pmap_kenter_pa: %#lx is already mapped",
	    (u_long)va);
	*pte = PTE_FROM_PA(pa) | PTE_KERN;
}

/*
 * Unmap [va, va + size) here; pmap_tlb_shootdown tells the others.  The
 * entries keep their page frames, invalid, until pmap_kforget.
 */
void
pmap_kremove(vaddr_t va, vsize_t size)
{
	vaddr_t end = va + size;
	volatile pt_entry_t *pte;

	for (; va < end; va += PAGE_SIZE) {
		pte = pmap_kva_pte(va);
		KASSERTMSG(*pte & PTE_V, "pmap_kremove: %#lx is not mapped",
		    (u_long)va);
		*pte &= ~(pt_entry_t)PTE_V;
	}
}

/* The page frame a removed mapping at va had; clears the entry. */
paddr_t
pmap_kforget(vaddr_t va)
{
	volatile pt_entry_t *pte = pmap_kva_pte(va);
	pt_entry_t old = *pte;

	KASSERTMSG(old != 0 && (old & PTE_V) == 0,
	    "pmap_kforget: %#lx was not removed", (u_long)va);
	*pte = 0;
	return (old >> PTE_PPN_SHIFT) << PAGE_SHIFT;
}

/* The physical address mapped at va, or UVM_NOPAGE. */
paddr_t
pmap_kextract(vaddr_t va)
{
	pt_entry_t pte = *pmap_kva_pte(va);

	if ((pte & PTE_V) == 0)
		return UVM_NOPAGE;
	return (pte >> PTE_PPN_SHIFT) << PAGE_SHIFT;
}

/* Make this CPU see the page tables' current state for the range. */
void
pmap_update_local(vaddr_t va, vsize_t size)
{
	vaddr_t end = va + size;

	__asm volatile("fence rw, rw" ::: "memory");
	if (size > PMAP_FLUSH_ALL_PAGES * PAGE_SIZE) {
		__asm volatile("sfence.vma" ::: "memory");
		return;
	}
	for (; va < end; va += PAGE_SIZE)
		__asm volatile("sfence.vma %0" :: "r"(va) : "memory");
}

/* Flush the ranges of a request (or everything) from this CPU's TLB. */
static void
pmap_tlb_flush(const struct pmap_range *r, u_int n)
{
	vsize_t pages = 0;
	u_int i;

	if (n != PMAP_TLB_ALL)
		for (i = 0; i < n; i++)
			pages += r[i].pr_size >> PAGE_SHIFT;
	if (n == PMAP_TLB_ALL || n > PMAP_TLB_NRANGES ||
	    pages > PMAP_FLUSH_ALL_PAGES) {
		__asm volatile("fence rw, rw; sfence.vma" ::: "memory");
		return;
	}
	for (i = 0; i < n; i++)
		pmap_update_local(r[i].pr_va, r[i].pr_size);
}

/* Claim a free request slot; spins (at the caller's IPL) if none is. */
static u_int
pmap_tlb_claim(void)
{
	u_int busy, slot;

	for (;;) {
		busy = atomic_load_relaxed(&pmap_tlb_slots);
		if (busy == (1U << PMAP_TLB_NSLOTS) - 1)
			continue;
		slot = __builtin_ctz(~busy);
		if (atomic_cas_uint(&pmap_tlb_slots, busy, busy | 1U << slot)
		    == busy)
			return slot;
	}
}

/* Interrupt every CPU in mask for a shootdown in progress. */
static void
pmap_tlb_ask(u_int mask)
{
	struct cpu_info *ci;
	CPU_INFO_ITERATOR cii;

	for (CPU_INFO_FOREACH(cii, ci))
		if (mask & (1U << ci->ci_index))
			cpu_send_ipi(ci, IPI_SHOOTDOWN);
}

/*
 * Flush n ranges (or every entry, if n is PMAP_TLB_ALL) from every
 * running CPU's TLB and wait until all have done so.  An IPI that goes
 * unanswered for long is sent again, and counted in the target's
 * ci_ntlbresend: QEMU 7.2 with several vCPUs has been seen to leave one
 * pending and untaken until another interrupt comes; answering twice is
 * harmless.
 * => not from an interrupt handler; no spin mutex above IPL_VM held (the
 *    IPIs must get through); waits at the caller's IPL, holding no lock
 */
void
pmap_tlb_shootdown_ranges(const struct pmap_range *r, u_int n)
{
	struct cpu_info *ci, *self;
	CPU_INFO_ITERATOR cii;
	struct pmap_tlb_req *tr;
	u_int mask = 0, slot, spins = 0, i;

	KASSERTMSG(!cpu_intr_p() && curcpu()->ci_ipl < IPL_HIGH,
	    "pmap_tlb_shootdown_ranges: in an interrupt or at ipl %d",
	    curcpu()->ci_ipl);
	CTASSERT(MAXCPUS <= 32 && PMAP_TLB_NSLOTS < 32);
	slot = pmap_tlb_claim();
	tr = &pmap_tlb_req[slot];
	tr->tr_nranges = n > PMAP_TLB_NRANGES ? PMAP_TLB_ALL : n;
	for (i = 0; i < n && i < PMAP_TLB_NRANGES; i++)
		tr->tr_range[i] = r[i];
	kpreempt_disable();
	self = curcpu();
	for (CPU_INFO_FOREACH(cii, ci))
		if (ci != self && ci->ci_running)
			mask |= 1U << ci->ci_index;
	atomic_store_release(&tr->tr_pending, mask);
	pmap_tlb_ask(mask);
	pmap_tlb_flush(tr->tr_range, tr->tr_nranges);
	kpreempt_enable();
	while ((mask = atomic_load_acquire(&tr->tr_pending)) != 0) {
		if (++spins % PMAP_TLB_RESEND != 0)
			continue;
		for (CPU_INFO_FOREACH(cii, ci))
			if (mask & (1U << ci->ci_index))
				atomic_inc_64(&ci->ci_ntlbresend);
		pmap_tlb_ask(mask);
	}
	atomic_and_uint(&pmap_tlb_slots, ~(1U << slot));
}

/* Flush [va, va + size) from every running CPU's TLB; as above. */
void
pmap_tlb_shootdown(vaddr_t va, vsize_t size)
{
	struct pmap_range r = { .pr_va = va, .pr_size = size };

	pmap_tlb_shootdown_ranges(&r, 1);
}

/*
 * The IPI side of a shootdown: serve every request that still names this
 * CPU: flush, then acknowledge.  A request is read only after seeing our
 * bit, so an IPI left over from an earlier round can never acknowledge
 * a later one before flushing for it.
 */
void
pmap_tlb_shootdown_ipi(void)
{
	struct cpu_info *ci = curcpu();
	u_int bit = 1U << ci->ci_index, slot;
	struct pmap_tlb_req *tr;

	for (slot = 0; slot < PMAP_TLB_NSLOTS; slot++) {
		tr = &pmap_tlb_req[slot];
		if ((atomic_load_acquire(&tr->tr_pending) & bit) == 0)
			continue;
		pmap_tlb_flush(tr->tr_range, tr->tr_nranges);
		ci->ci_nshootdown++;
		atomic_and_uint(&tr->tr_pending, ~bit);
	}
}
