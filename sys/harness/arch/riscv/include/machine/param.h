/*	machine/param.h for the riscv64 test kernel (QEMU virt, Sv39).	*/

#ifndef _RISCV_MACHINE_PARAM_H_
#define _RISCV_MACHINE_PARAM_H_

#define	PAGE_SHIFT		12
#define	MAXCPUS			8	/* harts the kernel will start */
#define	COHERENCY_UNIT		64	/* cache line */
#define	CACHE_LINE_SIZE		64

#define	KSTACK_SIZE		(32 * 1024)	/* a kernel thread's stack */
#define	KSTACK_RED		(4 * 1024)	/* a trap below this panics */

#endif /* !_RISCV_MACHINE_PARAM_H_ */
