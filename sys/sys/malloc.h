/*
 * malloc.h: the malloc(9) interface, built on kmem(9).
 *
 * malloc(size, type, flags) returns memory that free(addr, type) takes
 * back without being told the size; each type (MALLOC_DEFINE) keeps
 * statistics.  See malloc(9) and the theory comment at the top of
 * sys/kern/kern_malloc.c.
 *
 * The kernel functions are kern_malloc, kern_free and kern_realloc, and
 * malloc, free and realloc are macros for them with the kernel's three
 * and two arguments: on the host platform the kernel shares a process
 * with the C library, whose malloc, free and realloc keep their names.
 *
 * Legend, for what protects each field:
 *	I	immutable after MALLOC_DEFINE
 *	a	atomic operations
 */

#ifndef _SYS_MALLOC_H_
#define _SYS_MALLOC_H_

#include <sys/types.h>

/* Flags. */
#define	M_WAITOK	0x0000		/* may sleep; never fails */
#define	M_NOWAIT	0x0001		/* never sleeps; may fail */
#define	M_ZERO		0x0100		/* zero the memory */

#define	M_MAGIC		0x6d616c6c	/* in every malloc_type */

struct malloc_type {
	struct malloc_type *ks_next;	/* a: the list of attached types */
	u_int		ks_magic;	/* I: M_MAGIC */
	u_int		ks_attached;	/* a: on the list */
	const char	*ks_shortdesc;	/* I: the name */
	volatile uint64_t ks_inuse;	/* a: allocations outstanding */
	volatile uint64_t ks_memuse;	/* a: bytes outstanding */
	volatile uint64_t ks_maxused;	/* a: high-water mark of ks_memuse */
	volatile uint64_t ks_calls;	/* a: requests, failed ones too */
	volatile uint64_t ks_fails;	/* a: M_NOWAIT requests that failed */
};

#define	MALLOC_DECLARE(type)						\
	extern struct malloc_type type[1]
#define	MALLOC_DEFINE(type, shortdesc, longdesc)			\
	struct malloc_type type[1] = {					\
		{ .ks_magic = M_MAGIC, .ks_shortdesc = (shortdesc) }	\
	}

MALLOC_DECLARE(M_DEVBUF);
MALLOC_DECLARE(M_TEMP);

#define	malloc(size, type, flags)	kern_malloc((size), (type), (flags))
#define	free(addr, type)		kern_free((addr), (type))
#define	realloc(addr, size, type, flags)				\
	kern_realloc((addr), (size), (type), (flags))

__BEGIN_DECLS
void	*kern_malloc(unsigned long, struct malloc_type *, int);
void	kern_free(void *, struct malloc_type *);
void	*kern_realloc(void *, unsigned long, struct malloc_type *, int);
void	malloc_type_attach(struct malloc_type *);
void	malloc_type_print(struct malloc_type *);
void	malloc_print(void);
__END_DECLS

#endif /* !_SYS_MALLOC_H_ */
