/*
 * machine/condvar.h for the host platform: a sequence word the host's
 * futex(2) sleeps on, and a count of sleepers (rump_sync.c).
 */

#ifndef _RUMP_MACHINE_CONDVAR_H_
#define _RUMP_MACHINE_CONDVAR_H_

#include <sys/types.h>

struct kcondvar {
	unsigned int	cv_seq;		/* a: bumped by every wakeup */
	unsigned int	cv_waiters;	/* a: threads waiting */
	const char	*cv_wmesg;	/* I: what waiters wait for */
};

#endif /* !_RUMP_MACHINE_CONDVAR_H_ */
