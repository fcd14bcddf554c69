/*
 * vmem.h: the vmem(9) resource arena interface.
 *
 * An arena hands out ranges of integers: kernel virtual addresses, I/O
 * ports, interrupt numbers, DMA windows.  See vmem(9) and the theory
 * comment at the top of sys/kern/subr_vmem.c.
 *
 * It is a kernel header: it includes only <sys/types.h>, which supplies
 * bool, size_t, uintptr_t and __printflike.  The host library installs a
 * wrapper of the same name that supplies them from the C compiler's
 * headers first, so that programs outside the tree include it as is.
 *
 * The names, types and flag values are NetBSD's, so that a module built
 * against NetBSD's <sys/vmem.h> asks for what it means; vmem(9) lists
 * what this arena adds (VM_NEXTFIT, vmem_init, vmem_xfree_part, ...).
 */

#ifndef _SYS_VMEM_H_
#define _SYS_VMEM_H_

#include <sys/types.h>

typedef struct vmem vmem_t;
typedef unsigned int vm_flag_t;
typedef uintptr_t vmem_addr_t;
typedef size_t vmem_size_t;

#define	VMEM_ADDR_MIN	0
#define	VMEM_ADDR_MAX	(~(vmem_addr_t)0)

/* Import a span from a source arena; release it back. */
typedef int (vmem_import_t)(vmem_t *, vmem_size_t, vm_flag_t, vmem_addr_t *);
typedef void (vmem_release_t)(vmem_t *, vmem_addr_t, vmem_size_t);
/* An import that may return more than it was asked for (vmem_xcreate). */
typedef int (vmem_ximport_t)(vmem_t *, vmem_size_t, vmem_size_t *, vm_flag_t,
    vmem_addr_t *);

/* Allocation flags: exactly one of VM_SLEEP and VM_NOSLEEP. */
#define	VM_SLEEP	0x00000001	/* may sleep; never fails */
#define	VM_NOSLEEP	0x00000002	/* never sleeps; may fail */
#define	VM_INSTANTFIT	0x00001000	/* first segment of a large list */
#define	VM_BESTFIT	0x00002000	/* smallest segment that fits */
#define	VM_NEXTFIT	0x00004000	/* first fit after the last one */
#define	VM_FITMASK	(VM_INSTANTFIT | VM_BESTFIT | VM_NEXTFIT)

/* vmem_create flags (vmem(9) says what each means here). */
#define	VM_BOOTSTRAP	0x00010000	/* tags only from the static reserve */
#define	VM_POPULATING	0x00040000	/* accepted; tags never recurse here */
#define	VM_LARGEIMPORT	0x00080000	/* import spans of many quanta */
#define	VM_XIMPORT	0x00100000	/* the import is a vmem_ximport_t */
#define	VM_PRIVTAGS	0x00200000	/* tags only from vmem_add_bts */

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
vmem_t	*vmem_xcreate(const char *, vmem_addr_t, vmem_size_t, vmem_size_t,
	    vmem_ximport_t *, vmem_release_t *, vmem_t *, vmem_size_t,
	    vm_flag_t, int);
vmem_t	*vmem_init(vmem_t *, const char *, vmem_addr_t, vmem_size_t,
	    vmem_size_t, vmem_import_t *, vmem_release_t *, vmem_t *,
	    vmem_size_t, vm_flag_t, int);
void	vmem_destroy(vmem_t *);
int	vmem_alloc(vmem_t *, vmem_size_t, vm_flag_t, vmem_addr_t *);
void	vmem_free(vmem_t *, vmem_addr_t, vmem_size_t);
int	vmem_xalloc(vmem_t *, vmem_size_t, vmem_size_t, vmem_size_t,
	    vmem_size_t, vmem_addr_t, vmem_addr_t, vm_flag_t, vmem_addr_t *);
int	vmem_xalloc_addr(vmem_t *, vmem_addr_t, vmem_size_t, vm_flag_t);
void	vmem_xfree(vmem_t *, vmem_addr_t, vmem_size_t);
void	vmem_xfreeall(vmem_t *);
int	vmem_xfree_part(vmem_t *, vmem_addr_t, vmem_size_t, vm_flag_t);
int	vmem_add(vmem_t *, vmem_addr_t, vmem_size_t, vm_flag_t);
vmem_size_t vmem_roundup_size(vmem_t *, vmem_size_t);
vmem_size_t vmem_size(vmem_t *, int);
bool	vmem_contains(vmem_t *, vmem_addr_t, vmem_size_t);
void	vmem_walk(vmem_t *, int,
	    void (*)(void *, vmem_addr_t, vmem_size_t), void *);
void	vmem_rehash_start(void);

/* For ddb: pr is db_printf, or printf. */
void	vmem_whatis(uintptr_t, void (*)(const char *, ...) __printflike(1, 2));
void	vmem_print(uintptr_t, const char *,
	    void (*)(const char *, ...) __printflike(1, 2));
void	vmem_printall(const char *,
	    void (*)(const char *, ...) __printflike(1, 2));
#ifdef __cplusplus
}
#endif

#endif /* !_SYS_VMEM_H_ */
