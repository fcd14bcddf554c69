/*
 * mallocvar.h: malloc(9) types, as NetBSD has them today.
 *
 * malloc(size, type, flags) no longer looks at its type (<sys/malloc.h>
 * drops the argument unevaluated), so a type is only a name in the
 * caller's source: MALLOC_DEFINE and MALLOC_JUSTDEFINE define nothing,
 * MALLOC_DECLARE makes the name a null pointer private to the file that
 * declares it, and attaching or detaching a type does nothing.  struct
 * malloc_type is never defined.  Statistics are kept for malloc as a
 * whole instead (malloc_stats in <sys/malloc.h>).
 */

#ifndef _SYS_MALLOCVAR_H_
#define _SYS_MALLOCVAR_H_

#include <sys/types.h>

struct malloc_type;

#ifdef _KERNEL
#define	MALLOC_DEFINE(type, shortdesc, longdesc)
#define	MALLOC_JUSTDEFINE(type, shortdesc, longdesc)
#define	MALLOC_DECLARE(type)						\
	static struct malloc_type *const __unused type = 0

#define	malloc_type_attach(type)	((void)0)
#define	malloc_type_detach(type)	((void)0)
#endif /* _KERNEL */

#endif /* !_SYS_MALLOCVAR_H_ */
