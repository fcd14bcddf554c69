/*
 * t_sleeper.h: a kernel thread that makes a call which should sleep, and
 * the check that it does; shared by the vmem(9) and extent(9) tests.
 *
 * The test fills in ts_call and ts_arg, starts the thread with
 * t_sleeper_start (which checks that the call still sleeps hz / 10 ticks
 * after it began), makes room, joins the thread, and checks the call's
 * results and that t_sleeper_state is T_SLEEPER_DONE.
 */

#ifndef _TESTS_KERN_T_SLEEPER_H_
#define _TESTS_KERN_T_SLEEPER_H_

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/kthread.h>
#include <sys/systm.h>

#include <atf-c.h>

#define	T_SLEEPER_STARTED	0	/* thread created */
#define	T_SLEEPER_CALLING	1	/* in the call: sleeping, we hope */
#define	T_SLEEPER_DONE		2	/* the call returned */

struct t_sleeper {
	void		(*ts_call)(void *);	/* the call that should sleep */
	void		*ts_arg;
	volatile int	ts_state;		/* T_SLEEPER_* */
};

/* Where the sleeper is, as of now. */
static inline int
t_sleeper_state(struct t_sleeper *ts)
{

	return atomic_load_acquire(&ts->ts_state);
}

/* The sleeper thread: make the call, and say when it returned. */
static void
t_sleeper_main(void *arg)
{
	struct t_sleeper *ts = arg;

	atomic_store_release(&ts->ts_state, T_SLEEPER_CALLING);
	(*ts->ts_call)(ts->ts_arg);
	atomic_store_release(&ts->ts_state, T_SLEEPER_DONE);
	kthread_exit(0);
}

/* Start a sleeper and check that what is still sleeps a while later. */
static lwp_t *
t_sleeper_start(struct t_sleeper *ts, const char *what)
{
	lwp_t *l;

	ts->ts_state = T_SLEEPER_STARTED;
	ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
	    t_sleeper_main, ts, &l, "sleeper"), 0);
	while (t_sleeper_state(ts) == T_SLEEPER_STARTED)
		kpause("start", false, 1, NULL);
	kpause("sleep", false, hz / 10, NULL);
	ATF_CHECK_EQ_MSG(t_sleeper_state(ts), T_SLEEPER_CALLING,
	    "%s did not wait", what);
	return l;
}

#endif /* !_TESTS_KERN_T_SLEEPER_H_ */
