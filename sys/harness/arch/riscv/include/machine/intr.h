/*
 * machine/intr.h for the riscv64 test kernel.
 *
 * The IPL is a per-CPU word; the hart's sie register follows it so that
 * a blocked interrupt is never taken:
 *
 *	IPL_NONE .. IPL_SOFTSERIAL	clock and IPIs enabled
 *	IPL_VM, IPL_SCHED		clock blocked, IPIs enabled
 *	IPL_HIGH			everything blocked
 *
 * The clock interrupt runs at IPL_VM, so its handlers may take the
 * allocator's IPL_VM spin mutexes.  IPIs stay open up to IPL_HIGH because
 * their handler takes no lock: a CPU waiting for a TLB shootdown while
 * holding an IPL_VM mutex is always answered.
 */

#ifndef _RISCV_MACHINE_INTR_H_
#define _RISCV_MACHINE_INTR_H_

__BEGIN_DECLS
int	splraise(int);
void	splx(int);
__END_DECLS

#endif /* !_RISCV_MACHINE_INTR_H_ */
