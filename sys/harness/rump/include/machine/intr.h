/*
 * machine/intr.h for the host platform: interrupt priority levels are a
 * per-thread word; the only interrupt is the cross-call signal, which
 * waits while the level is raised.
 */

#ifndef _RUMP_MACHINE_INTR_H_
#define _RUMP_MACHINE_INTR_H_

#include <machine/lwp.h>

static __inline int
splraise(int ipl)
{
	int s = rump_lwp.rl_ipl;

	if (ipl > s)
		rump_lwp.rl_ipl = ipl;
	__insn_barrier();
	return s;
}

static __inline void
splx(int s)
{

	__insn_barrier();
	rump_lwp.rl_ipl = s;
	rump_lwp_settle();
}

#endif /* !_RUMP_MACHINE_INTR_H_ */
