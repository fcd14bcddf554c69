/*
 * kmem_impl.h, for programs built against the host's C library: the
 * kernel's <sys/kmem_impl.h>, found further along the include path, after
 * the host's types (ukmem_host.h) and the two definitions of the kernel's
 * <sys/param.h> that its structures are laid out with: __aligned, and
 * COHERENCY_UNIT from the host platform's own <machine/param.h>, the one
 * the library is built with.  Without them the C library's
 * <sys/param.h> leaves both undefined, and a program would see the
 * per-CPU layer of a cache smaller than the library made it.  The
 * benchmarks use it from this directory; the host library does not
 * install it.
 */

#ifndef _UKMEM_SYS_KMEM_IMPL_H_
#define _UKMEM_SYS_KMEM_IMPL_H_

#include <ukmem_host.h>
#include <machine/param.h>	/* COHERENCY_UNIT */

#ifndef __aligned
#define	__aligned(x)		__attribute__((__aligned__(x)))
#endif

#include_next <sys/kmem_impl.h>

#endif /* !_UKMEM_SYS_KMEM_IMPL_H_ */
