/*
 * vmem.h, for programs built against the host's C library: the kernel's
 * <sys/vmem.h>, found further along the include path, after the host's
 * types (ukmem_host.h).  The host library installs it as sys/vmem.h and
 * the kernel's under kernel/sys/ (both directories on pkg-config's
 * include path); the benchmarks use it from this directory.
 */

#ifndef _UKMEM_SYS_VMEM_H_
#define _UKMEM_SYS_VMEM_H_

#include <ukmem_host.h>
#include_next <sys/vmem.h>

#endif /* !_UKMEM_SYS_VMEM_H_ */
