/*
 * extent.h: the extent(9) resource map interface, built on vmem(9).
 *
 * An extent map hands out ranges of a number space [ex_start, ex_end]
 * (both inclusive): bus addresses, I/O ports, interrupt numbers.  Each map
 * is a vmem arena with a quantum of 1 over the same numbers; see extent(9)
 * and the theory comment at the top of sys/kern/subr_extent.c.
 *
 * Legend, for what protects each field:
 *	I	immutable after extent_create
 *	w	ex_lock (waiters for space; never used in an EX_EARLY map)
 *	v	the arena's own lock, inside vmem
 */

#ifndef _SYS_EXTENT_H_
#define _SYS_EXTENT_H_

#include <sys/types.h>
#include <sys/condvar.h>
#include <sys/mutex.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

struct extent {
	struct vmem	ex_vmem;	/* v: the arena over the numbers */
	kmutex_t	ex_lock;	/* waiters for space sleep on ... */
	kcondvar_t	ex_cv;		/* w: ... this, signalled by frees */
	volatile u_long	ex_gen;		/* w: frees so far */
	const char	*ex_name;	/* I: for messages */
	u_long		ex_start;	/* I: first number */
	u_long		ex_end;		/* I: last number, inclusive */
	int		ex_flags;	/* I: EXF_* */
};

/*
 * Storage for a fixed extent, for callers that reserve it by this type
 * (an array of them on the stack, as some NetBSD drivers do).  The map's
 * regions need no room of their own (see EXTENT_FIXED_STORAGE_SIZE).
 */
struct extent_fixed {
	struct extent	fex_extent;	/* the map itself */
};

/* ex_flags: for the extent manager only. */
#define	EXF_FIXED	0x01		/* storage from the caller */
#define	EXF_NOCOALESCE	0x02		/* only whole regions are freed */
#define	EXF_EARLY	0x04		/* no ex_lock, no sleeping */

/* Flags of the extent functions. */
#define	EX_NOWAIT	0x00		/* do not sleep for memory */
#define	EX_WAITOK	0x01		/* may sleep for memory */
#define	EX_FAST		0x02		/* instant fit, not best fit */
#define	EX_CATCH	0x04		/* interruptible sleeps (see CAVEATS) */
#define	EX_NOCOALESCE	0x08		/* extent_create: no partial frees */
#define	EX_MALLOCOK	0x10		/* fixed extent may allocate memory */
#define	EX_WAITSPACE	0x20		/* sleep until the space is free */
#define	EX_BOUNDZERO	0x40		/* boundary lines start at 0 */
#define	EX_EARLY	0x80		/* extent_create: for early boot */

/* Place holders for "no alignment" and "no boundary". */
#define	EX_NOALIGN	1
#define	EX_NOBOUNDARY	0

/*
 * The storage a fixed extent needs.  Its region descriptors are the
 * arena's boundary tags, which come from vmem's static reserve, so the
 * storage holds the map itself whatever the number of regions.
 */
#define	EXTENT_FIXED_STORAGE_SIZE(_nregions)	sizeof(struct extent)

__BEGIN_DECLS
struct extent *extent_create(const char *, u_long, u_long, void *, size_t,
	    int);
void	extent_destroy(struct extent *);
int	extent_alloc(struct extent *, u_long, u_long, u_long, int, u_long *);
int	extent_alloc1(struct extent *, u_long, u_long, u_long, u_long, int,
	    u_long *);
int	extent_alloc_subregion(struct extent *, u_long, u_long, u_long,
	    u_long, u_long, int, u_long *);
int	extent_alloc_subregion1(struct extent *, u_long, u_long, u_long,
	    u_long, u_long, u_long, int, u_long *);
int	extent_alloc_region(struct extent *, u_long, u_long, int);
int	extent_free(struct extent *, u_long, u_long, int);
void	extent_print(struct extent *);
void	extent_init(void);
__END_DECLS

#endif /* !_SYS_EXTENT_H_ */
