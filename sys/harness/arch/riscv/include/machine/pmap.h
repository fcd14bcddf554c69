/*
 * machine/pmap.h: Sv39 page tables of the riscv64 test kernel.
 *
 * All of physical memory and the devices are mapped once, with gigapages,
 * at their physical addresses (the direct map): PMAP_DIRECT_MAP(pa) is a
 * kernel virtual address for any physical one.  Kernel virtual addresses
 * for kmem live in one range of the upper half, mapped page by page with
 * pmap_kenter_pa and pmap_kremove; see sys/harness/arch/riscv/riscv/pmap.c.
 */

#ifndef _RISCV_MACHINE_PMAP_H_
#define _RISCV_MACHINE_PMAP_H_

#include <sys/types.h>

#define	PMAP_DIRECT_MAP(pa)	((vaddr_t)(pa))
#define	PMAP_DIRECT_UNMAP(va)	((paddr_t)(va))

#define	PMAP_KVA_BASE		0xffffffc000000000UL	/* the upper half */
#define	PMAP_KVA_MAXSIZE	(1UL << 30)

#define	PMAP_TLB_NRANGES	16	/* ranges one shootdown names */
#define	PMAP_TLB_ALL		(~0U)	/* a shootdown of every entry */

/* A range of kernel virtual addresses for a shootdown. */
struct pmap_range {
	vaddr_t		pr_va;
	vsize_t		pr_size;
};

__BEGIN_DECLS
void	pmap_bootstrap(paddr_t, paddr_t);
void	pmap_kva_range(vaddr_t *, vaddr_t *);
void	pmap_kenter_pa(vaddr_t, paddr_t);
void	pmap_kremove(vaddr_t, vsize_t);
paddr_t	pmap_kextract(vaddr_t);
paddr_t	pmap_kforget(vaddr_t);
void	pmap_update_local(vaddr_t, vsize_t);
void	pmap_tlb_shootdown(vaddr_t, vsize_t);
void	pmap_tlb_shootdown_ranges(const struct pmap_range *, u_int);
void	pmap_tlb_shootdown_ipi(void);
__END_DECLS

#endif /* !_RISCV_MACHINE_PMAP_H_ */
