/*
 * ukmem_host.h: what the kernel's <sys/types.h> would give the kernel's
 * <sys/vmem.h> and <sys/kmem.h>, for programs built against the host's
 * C library with the host library (libukmem), and what the kernel's
 * <sys/param.h> would give <sys/kmem_impl.h>.
 *
 * The kernel headers include only kernel headers.  For programs outside
 * the kernel, <sys/vmem.h> and <sys/kmem.h> in this directory (and
 * <sys/kmem_impl.h>, for the benchmarks) are wrappers that include this
 * file first: bool, size_t and uintptr_t from the compiler's headers, the
 * C library's <sys/types.h>, and the kernel attributes it may lack; for
 * <sys/kmem_impl.h> also the coherency unit that the library's
 * structures are aligned to.
 */

#ifndef _UKMEM_HOST_H_
#define _UKMEM_HOST_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef __printflike
#define	__printflike(f, a)	__attribute__((__format__(__printf__, f, a)))
#endif
#ifndef __aligned
#define	__aligned(x)		__attribute__((__aligned__(x)))
#endif
#ifndef COHERENCY_UNIT
#define	COHERENCY_UNIT		64	/* as the host's <machine/param.h> */
#endif

#endif /* !_UKMEM_HOST_H_ */
