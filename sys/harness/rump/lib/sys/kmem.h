/*
 * kmem.h, as the host library installs it: the kernel's <sys/kmem.h>
 * (kernel/sys/kmem.h beside this directory) after the host's types
 * (ukmem_host.h), so that a program outside the tree includes it as it
 * would in the kernel.
 */

#ifndef _UKMEM_SYS_KMEM_H_
#define _UKMEM_SYS_KMEM_H_

#include "../kernel/ukmem_host.h"
#include "../kernel/sys/kmem.h"

#endif /* !_UKMEM_SYS_KMEM_H_ */
