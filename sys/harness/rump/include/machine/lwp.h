/*
 * machine/lwp.h: the host platform's per-thread kernel state.
 *
 * Each host thread that enters the kernel runs on a virtual CPU of its own.
 * Preemption, the interrupt priority level and the mutex hold count are
 * per-thread words that only the thread itself (and signal handlers on it)
 * touch, so the per-CPU fast paths cost no lock and no atomic operation.
 * A cross call to a busy virtual CPU is delivered as a signal, the host's
 * inter-processor interrupt, and deferred until the thread is at a point
 * where no per-CPU section and no mutex is open.
 */

#ifndef _RUMP_MACHINE_LWP_H_
#define _RUMP_MACHINE_LWP_H_

struct cpu_info;

struct rump_lwpstate {
	struct cpu_info	*rl_cpu;	/* virtual CPU, or NULL */
	int		rl_nopreempt;	/* kpreempt_disable depth */
	int		rl_ipl;		/* current interrupt priority level */
	int		rl_nmutex;	/* kernel mutexes held */
	int		rl_spinsave;	/* IPL before the first spin mutex */
	int		rl_nspin;	/* spin mutexes held */
	int		rl_intr;	/* in a simulated interrupt handler */
	volatile int	rl_xcpending;	/* a cross call waits for us */
};

extern __thread struct rump_lwpstate rump_lwp
    __attribute__((__tls_model__("initial-exec")));

void	rump_xc_deferred(void);
struct cpu_info *rump_cpu_attach(void);

/* Run deferred cross calls once nothing per-CPU is open. */
static __inline void
rump_lwp_settle(void)
{

	if (__predict_false(rump_lwp.rl_xcpending) &&
	    rump_lwp.rl_nopreempt == 0 && rump_lwp.rl_ipl == 0 &&
	    rump_lwp.rl_nmutex == 0)
		rump_xc_deferred();
}

#endif /* !_RUMP_MACHINE_LWP_H_ */
