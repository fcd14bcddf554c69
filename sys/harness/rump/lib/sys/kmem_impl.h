/*
 * kmem_impl.h, for programs built against the host's C library: the
 * kernel's <sys/kmem_impl.h>, found further along the include path, after
 * the host's types and the two kernel definitions its structures are laid
 * out with (ukmem_host.h).  Without them the C library's <sys/param.h>
 * leaves __aligned and COHERENCY_UNIT undefined, and a program would see
 * the per-CPU layer of a cache smaller than the library made it.  The
 * benchmarks use it from this directory; the host library does not
 * install it.
 */

#ifndef _UKMEM_SYS_KMEM_IMPL_H_
#define _UKMEM_SYS_KMEM_IMPL_H_

#include <ukmem_host.h>
#include_next <sys/kmem_impl.h>

#endif /* !_UKMEM_SYS_KMEM_IMPL_H_ */
