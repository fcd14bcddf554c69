/*	machine/cpu.h for the host platform: virtual CPUs.	*/

#ifndef _RUMP_MACHINE_CPU_H_
#define _RUMP_MACHINE_CPU_H_

#include <sys/types.h>

#include <machine/lwp.h>

/*
 * Legend: I immutable, c the CPU itself, x the virtual CPU's host lock,
 * a atomic.
 */
struct cpu_info {
	u_int		ci_index;	/* I: dense index, 0 .. ncpu - 1 */
	void		*ci_host;	/* I: host-side state (rump_cpu.c) */
	uint64_t	ci_nxcall;	/* a: cross calls run as this CPU */
};

/* The running thread, as an opaque handle: its per-thread state. */
struct lwp;
#define	curlwp		((struct lwp *)(void *)&rump_lwp)

static __inline struct cpu_info *
curcpu(void)
{
	struct cpu_info *ci = rump_lwp.rl_cpu;

	if (__predict_false(ci == NULL))
		RUMP_CALL_KEEP_RET(rump_cpu_attach, ci);
	return ci;
}

static __inline void
kpreempt_disable(void)
{

	RUMP_LWP_SET(rl_nopreempt, rump_lwp.rl_nopreempt + 1);
	rump_lwp_open();
}

static __inline void
kpreempt_enable(void)
{

	__insn_barrier();
	RUMP_LWP_SET(rl_nopreempt, rump_lwp.rl_nopreempt - 1);
	rump_lwp_settle();
}

static __inline bool
kpreempt_disabled(void)
{

	return rump_lwp.rl_nopreempt != 0 || rump_lwp.rl_ipl != 0;
}

#endif /* !_RUMP_MACHINE_CPU_H_ */
