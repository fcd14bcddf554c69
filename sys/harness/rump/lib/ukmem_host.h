/*
 * ukmem_host.h: what the kernel's <sys/types.h> would give the kernel's
 * <sys/vmem.h> and <sys/kmem.h>, for programs built against the host's
 * C library with the host library (libukmem).
 *
 * The kernel headers include only kernel headers.  For programs outside
 * the kernel, <sys/vmem.h> and <sys/kmem.h> in this directory are
 * wrappers that include this file first: bool, size_t and uintptr_t from
 * the compiler's headers, the C library's <sys/types.h>, and the one
 * kernel attribute it may lack.
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

#endif /* !_UKMEM_HOST_H_ */
