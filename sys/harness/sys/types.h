/*
 * types.h: the integer types the kernel uses.
 *
 * Only the compiler's freestanding headers are included; the kernel links
 * no C library.  Both hosts define the same types so that the allocator
 * compiles unchanged on each.
 */

#ifndef _SYS_TYPES_H_
#define _SYS_TYPES_H_

#include <sys/cdefs.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef unsigned char	u_char;
typedef unsigned short	u_short;
typedef unsigned int	u_int;
typedef unsigned long	u_long;

typedef uintptr_t	vaddr_t;	/* virtual address */
typedef uint64_t	paddr_t;	/* physical address */
typedef size_t		vsize_t;	/* size of a virtual range */
typedef uint64_t	psize_t;	/* size of a physical range */
typedef long		register_t;
typedef int		pri_t;		/* thread priority */
typedef long		ssize_t;

#endif /* !_SYS_TYPES_H_ */
