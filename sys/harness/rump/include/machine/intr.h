/*
 * machine/intr.h for the host platform: interrupt priority levels are a
 * per-thread word; the only interrupt is a cross call, which waits while
 * the level is raised.
 */

#ifndef _RUMP_MACHINE_INTR_H_
#define _RUMP_MACHINE_INTR_H_

#include <machine/lwp.h>

static __inline int
splraise(int ipl)
{
	int s = rump_lwp.rl_ipl;

	if (ipl > s) {
		RUMP_LWP_SET(rl_ipl, ipl);
		if (s == 0)
			rump_lwp_open();
	}
	__insn_barrier();
	return s;
}

static __inline void
splx(int s)
{

	__insn_barrier();
	RUMP_LWP_SET(rl_ipl, s);
	rump_lwp_settle();
}

#endif /* !_RUMP_MACHINE_INTR_H_ */
