/*
 * machine/mutex.h for the host platform: a kernel mutex is a lock word
 * the host's futex(2) sleeps on (rump_sync.c), so that no C library
 * header is needed here.
 */

#ifndef _RUMP_MACHINE_MUTEX_H_
#define _RUMP_MACHINE_MUTEX_H_

#include <sys/types.h>

struct kmutex {
	unsigned int	mtx_lock;	/* a: 0 free, 1 held, 2 held, waiters */
	int		mtx_spin;	/* I: a spin mutex */
	int		mtx_ipl;	/* I: IPL raised to while held */
	void		*mtx_owner;	/* a: holding thread's state */
};

#endif /* !_RUMP_MACHINE_MUTEX_H_ */
