/*
 * machine/pcb.h: what cpu_switchto saves of a thread that is not running.
 *
 * Only the callee-saved registers, the return address and the stack
 * pointer: a switch is an ordinary function call, so the caller has saved
 * everything else, and the kernel uses no floating point.
 */

#ifndef _RISCV_MACHINE_PCB_H_
#define _RISCV_MACHINE_PCB_H_

#include <sys/types.h>

struct pcb {
	register_t	pcb_ra;		/* where cpu_switchto returns */
	register_t	pcb_sp;
	register_t	pcb_s[12];	/* s0 .. s11 */
};

#endif /* !_RISCV_MACHINE_PCB_H_ */
