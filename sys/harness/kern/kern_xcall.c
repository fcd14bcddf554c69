/*
 * kern_xcall.c: cross calls (xcall(9)) for the test kernel.
 *
 * Each CPU has a cross-call thread, bound to it and of high priority.
 * xc_broadcast and xc_unicast post the function, bump the generation
 * count of each target CPU and wake its thread, whose wakeup reaches the
 * CPU as an IPI; the thread runs the function with preemption disabled,
 * so on that CPU it runs between, never inside, sections that disable
 * preemption or block interrupts.  The caller sleeps until every target
 * has run it, so xc_wait has nothing left to wait for.
 *
 * Cross calls are serialized by xc_lock, an adaptive mutex: one in
 * flight at a time, as in NetBSD's low-priority cross calls.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/intr.h>
#include <sys/kernel.h>
#include <sys/lwp.h>
#include <sys/mutex.h>
#include <sys/systm.h>
#include <sys/xcall.h>

/* Legend: x xc_lock, s sched_mutex. */
static kmutex_t xc_lock;
static xcfunc_t xc_func;		/* x: the call in flight */
static void *xc_arg1;			/* x */
static void *xc_arg2;			/* x */
static u_int xc_pending;		/* s: targets yet to run it */
static uint64_t xc_ticket;		/* x: calls completed */

/* A CPU's cross-call thread: run each call posted to this CPU. */
static void
xc_thread(void *arg)
{
	struct cpu_info *ci = arg;
	u_int served = 0;

	for (;;) {
		mutex_spin_enter(&sched_mutex);
		while (ci->ci_xcgen == served) {
			(void)sleepq_block(&ci->ci_xcgen, "xcall", 0);
			mutex_spin_enter(&sched_mutex);
		}
		served = ci->ci_xcgen;
		mutex_spin_exit(&sched_mutex);
		kpreempt_disable();
		KASSERT(curcpu() == ci);
		(*xc_func)(xc_arg1, xc_arg2);
		ci->ci_nxcall++;
		kpreempt_enable();
		mutex_spin_enter(&sched_mutex);
		if (--xc_pending == 0)
			(void)sleepq_wakeup(&xc_pending, true);
		mutex_spin_exit(&sched_mutex);
	}
}

/* Create every CPU's cross-call thread.  => boot, after CPUs attach */
void
xc_init(void)
{
	struct cpu_info *ci;
	CPU_INFO_ITERATOR cii;

	mutex_init(&xc_lock, MUTEX_DEFAULT, IPL_NONE);
	for (CPU_INFO_FOREACH(cii, ci))
		ci->ci_xclwp = lwp_create(xc_thread, ci, ci, PRI_HIGH,
		    LW_SYSTEM, KSTACK_SIZE, "xcall");
}

/* Run the call on target (every CPU if NULL) and wait until it has run. */
static uint64_t
xc_run(xcfunc_t func, void *arg1, void *arg2, struct cpu_info *target)
{
	struct cpu_info *ci;
	CPU_INFO_ITERATOR cii;
	uint64_t ticket;

	KASSERTMSG(!cpu_intr_p() && !kpreempt_disabled(),
	    "xcall from a context that cannot sleep");
	mutex_enter(&xc_lock);
	xc_func = func;
	xc_arg1 = arg1;
	xc_arg2 = arg2;
	mutex_spin_enter(&sched_mutex);
	xc_pending = target == NULL ? ncpu : 1;
	for (CPU_INFO_FOREACH(cii, ci)) {
		if (target == NULL || ci == target) {
			ci->ci_xcgen++;
			(void)sleepq_wakeup(&ci->ci_xcgen, true);
		}
	}
	while (xc_pending != 0) {
		(void)sleepq_block(&xc_pending, "xcwait", 0);
		mutex_spin_enter(&sched_mutex);
	}
	mutex_spin_exit(&sched_mutex);
	ticket = ++xc_ticket;
	mutex_exit(&xc_lock);
	return ticket;
}

uint64_t
xc_broadcast(u_int flags, xcfunc_t func, void *arg1, void *arg2)
{

	(void)flags;
	return xc_run(func, arg1, arg2, NULL);
}

uint64_t
xc_unicast(u_int flags, xcfunc_t func, void *arg1, void *arg2,
    struct cpu_info *ci)
{

	(void)flags;
	return xc_run(func, arg1, arg2, ci);
}

/* The call of ticket has run everywhere by the time it is returned. */
void
xc_wait(uint64_t ticket)
{

	(void)ticket;
}

