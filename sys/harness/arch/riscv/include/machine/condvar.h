/*
 * machine/condvar.h for the riscv64 test kernel: a condition variable is
 * a wait channel on the scheduler's sleep queues (sys/harness/kern/kern_condvar.c).
 */

#ifndef _RISCV_MACHINE_CONDVAR_H_
#define _RISCV_MACHINE_CONDVAR_H_

#include <sys/types.h>

/* Legend: I immutable after cv_init, s sched_mutex. */
struct kcondvar {
	const char	*cv_wmesg;	/* I: what waiters wait for */
	u_int		cv_waiters;	/* s: threads asleep on it */
};

#endif /* !_RISCV_MACHINE_CONDVAR_H_ */
