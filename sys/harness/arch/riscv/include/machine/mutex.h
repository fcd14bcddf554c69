/*
 * machine/mutex.h for the riscv64 test kernel.
 *
 * One word says who holds the mutex: the holding thread for an adaptive
 * mutex (with MTX_WAITERS set once a thread sleeps on it), the holding
 * CPU for a spin mutex.  See sys/harness/kern/kern_mutex.c.
 */

#ifndef _RISCV_MACHINE_MUTEX_H_
#define _RISCV_MACHINE_MUTEX_H_

#include <sys/types.h>

/* Legend: I immutable after mutex_init, a atomic. */
struct kmutex {
	volatile uintptr_t	mtx_owner;	/* a: holder | MTX_WAITERS */
	int			mtx_ipl;	/* I: IPL while held (spin) */
	bool			mtx_spin;	/* I: a spin mutex */
};

#define	MTX_WAITERS		((uintptr_t)1)

#endif /* !_RISCV_MACHINE_MUTEX_H_ */
