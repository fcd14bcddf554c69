/*
 * malloc.h: the malloc(9) interface, built on kmem(9), as NetBSD has it
 * today.
 *
 * malloc(size, type, flags) returns memory that free(addr, type) takes
 * back without being told the size.  The type is a name for the reader
 * only: the macros below drop it unevaluated, so it need not be declared
 * at all, and <sys/mallocvar.h> makes MALLOC_DEFINE and its kin define
 * nothing.  See malloc(9) and the theory comment at the top of
 * sys/kern/kern_malloc.c.
 *
 * The kernel functions are kern_malloc, kern_free and kern_realloc, and
 * malloc, free and realloc are macros for them with the kernel's
 * arguments: on the host platform the kernel shares a process with the C
 * library, whose malloc, free and realloc keep their names.
 */

#ifndef _SYS_MALLOC_H_
#define _SYS_MALLOC_H_

#ifdef _KERNEL

#include <sys/types.h>

/* Flags, with NetBSD's values. */
#define	M_WAITOK	0x0000		/* may sleep; never fails */
#define	M_NOWAIT	0x0001		/* never sleeps; may fail */
#define	M_ZERO		0x0002		/* zero the memory */

#include <sys/mallocvar.h>

/*
 * The types NetBSD callers name without declaring them anywhere else
 * (NetBSD's own kern_malloc.c once defined them).
 */
MALLOC_DECLARE(M_DEVBUF);
MALLOC_DECLARE(M_DMAMAP);
MALLOC_DECLARE(M_FREE);
MALLOC_DECLARE(M_TEMP);
MALLOC_DECLARE(M_RTABLE);
MALLOC_DECLARE(M_FTABLE);
MALLOC_DECLARE(M_UFSMNT);
MALLOC_DECLARE(M_NETADDR);
MALLOC_DECLARE(M_MRTABLE);

/*
 * Statistics of malloc as a whole (malloc_stats), counted per CPU and
 * added up; ms_maxused may be above or below the true peak by up to
 * 64 KiB per CPU.
 */
struct malloc_stats {
	uint64_t	ms_inuse;	/* allocations outstanding */
	uint64_t	ms_memuse;	/* bytes asked for, outstanding */
	uint64_t	ms_maxused;	/* high-water mark of ms_memuse */
	uint64_t	ms_calls;	/* requests, failed ones too */
	uint64_t	ms_fails;	/* M_NOWAIT requests that failed */
};

#define	malloc(size, type, flags)	kern_malloc((size), (flags))
#define	free(addr, type)		kern_free((addr))
#define	realloc(addr, size, type, flags)				\
	kern_realloc((addr), (size), (flags))

__BEGIN_DECLS
void	*kern_malloc(unsigned long, int);
void	kern_free(void *);
void	*kern_realloc(void *, unsigned long, int);
void	malloc_stats(struct malloc_stats *);
void	malloc_print(void);
__END_DECLS

#endif /* _KERNEL */

#endif /* !_SYS_MALLOC_H_ */
