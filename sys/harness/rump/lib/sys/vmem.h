/*
 * vmem.h, as the host library installs it: the kernel's <sys/vmem.h>
 * (kernel/sys/vmem.h beside this directory) after the host's types
 * (ukmem_host.h), so that a program outside the tree includes it as it
 * would in the kernel.
 */

#ifndef _UKMEM_SYS_VMEM_H_
#define _UKMEM_SYS_VMEM_H_

#include "../kernel/ukmem_host.h"
#include "../kernel/sys/vmem.h"

#endif /* !_UKMEM_SYS_VMEM_H_ */
