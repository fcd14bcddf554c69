/*
 * vmem.h: the vmem(9) resource arena interface.
 *
 * An arena hands out ranges of integers: kernel virtual addresses, I/O
 * ports, interrupt numbers, DMA windows.  See vmem(9) and the theory
 * comment at the top of sys/kern/subr_vmem.c.
 *
 * This header needs only the compiler's freestanding headers, so that
 * programs outside the tree can include it beside the C library's.
 */

#ifndef _SYS_VMEM_H_
#define _SYS_VMEM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vmem vmem_t;
typedef unsigned int vm_flag_t;
typedef uintptr_t vmem_addr_t;
typedef size_t vmem_size_t;

#define	VMEM_ADDR_MIN	0
#define	VMEM_ADDR_MAX	(~(vmem_addr_t)0)

/* Import a span from a source arena; release it back. */
typedef int (vmem_import_t)(vmem_t *, vmem_size_t, vm_flag_t, vmem_addr_t *);
typedef void (vmem_release_t)(vmem_t *, vmem_addr_t, vmem_size_t);

/* Allocation flags: exactly one of VM_SLEEP and VM_NOSLEEP. */
#define	VM_SLEEP	0x00000001	/* may sleep; never fails */
#define	VM_NOSLEEP	0x00000002	/* never sleeps; may fail */
#define	VM_INSTANTFIT	0x00001000	/* first segment of a large list */
#define	VM_BESTFIT	0x00000100	/* smallest segment that fits */
#define	VM_NEXTFIT	0x00002000	/* first fit after the last one */
#define	VM_FITMASK	(VM_INSTANTFIT | VM_BESTFIT | VM_NEXTFIT)

/* vmem_create flags. */
#define	VM_BOOTSTRAP	0x00010000	/* tags only from the static reserve */

/* Segment types for vmem_size and vmem_walk. */
#define	VMEM_ALLOC	0x01
#define	VMEM_FREE	0x02
#define	VMEM_SPAN	0x10

/*
 * The kernel's memory arenas (the page level and uvm_kmem.c build them):
 * kmem_arena, the address-only root; kmem_va_arena, address space for
 * pool(9); kmem_meta_arena, wired memory for kmem, malloc and vmem.
 */
extern vmem_t *kmem_arena;
extern vmem_t *kmem_meta_arena;
extern vmem_t *kmem_va_arena;

#ifdef __cplusplus
extern "C" {
#endif
void	vmem_subsystem_init(vmem_t *);
vmem_t	*vmem_create(const char *, vmem_addr_t, vmem_size_t, vmem_size_t,
	    vmem_import_t *, vmem_release_t *, vmem_t *, vmem_size_t,
	    vm_flag_t, int);
vmem_t	*vmem_init(vmem_t *, const char *, vmem_addr_t, vmem_size_t,
	    vmem_size_t, vmem_import_t *, vmem_release_t *, vmem_t *,
	    vmem_size_t, vm_flag_t, int);
void	vmem_destroy(vmem_t *);
int	vmem_alloc(vmem_t *, vmem_size_t, vm_flag_t, vmem_addr_t *);
void	vmem_free(vmem_t *, vmem_addr_t, vmem_size_t);
int	vmem_xalloc(vmem_t *, vmem_size_t, vmem_size_t, vmem_size_t,
	    vmem_size_t, vmem_addr_t, vmem_addr_t, vm_flag_t, vmem_addr_t *);
void	vmem_xfree(vmem_t *, vmem_addr_t, vmem_size_t);
int	vmem_xfree_part(vmem_t *, vmem_addr_t, vmem_size_t, vm_flag_t);
int	vmem_add(vmem_t *, vmem_addr_t, vmem_size_t, vm_flag_t);
vmem_size_t vmem_roundup_size(vmem_t *, vmem_size_t);
vmem_size_t vmem_size(vmem_t *, int);
bool	vmem_contains(vmem_t *, vmem_addr_t, vmem_size_t);
void	vmem_walk(vmem_t *, int,
	    void (*)(void *, vmem_addr_t, vmem_size_t), void *);
void	vmem_print(vmem_t *);
#ifdef __cplusplus
}
#endif

#endif /* !_SYS_VMEM_H_ */
