/*	machine/condvar.h for the host platform: wraps a host condvar.	*/

#ifndef _RUMP_MACHINE_CONDVAR_H_
#define _RUMP_MACHINE_CONDVAR_H_

#include <sys/types.h>

struct kcondvar {
	uint64_t	cv_host[6];	/* host condvar (pthread_cond_t) */
	const char	*cv_wmesg;	/* I: what waiters wait for */
	unsigned int	cv_waiters;	/* a: threads waiting */
};

#endif /* !_RUMP_MACHINE_CONDVAR_H_ */
