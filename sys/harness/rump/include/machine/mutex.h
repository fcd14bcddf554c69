/*
 * machine/mutex.h for the host platform: a kernel mutex wraps a host
 * mutex, kept opaque here so that no C library header is needed.
 */

#ifndef _RUMP_MACHINE_MUTEX_H_
#define _RUMP_MACHINE_MUTEX_H_

#include <sys/types.h>

struct kmutex {
	uint64_t	mtx_host[6];	/* host mutex (pthread_mutex_t) */
	void		*mtx_owner;	/* a: holding thread's state */
	int		mtx_spin;	/* I: a spin mutex */
	int		mtx_ipl;	/* I: IPL raised to while held */
};

#endif /* !_RUMP_MACHINE_MUTEX_H_ */
