/*
 * t_xcall.c: the kernel interfaces the allocator relies on: per-CPU
 * exclusion under kpreempt_disable and splvm, cross calls reaching every
 * CPU, mutexes and condition variables.  Both hosts run it.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/condvar.h>
#include <sys/cpu.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/kthread.h>
#include <sys/mutex.h>
#include <sys/systm.h>
#include <sys/xcall.h>

#include <atf-c.h>

#ifndef TEST_SCALE
#define	TEST_SCALE	1
#endif

#define	T_THREADS	4

static volatile u_int t_incrit[MAXCPUS];	/* a per-CPU section is open */
static volatile u_int t_calls[MAXCPUS];	/* cross calls run per CPU */
static volatile u_int t_violations;
static volatile u_int t_stop;

/* The cross call: count it, and check no per-CPU section is open here. */
static void
t_xc_func(void *arg1, void *arg2)
{
	u_int idx = cpu_index(curcpu());

	if (t_incrit[idx] != 0)
		atomic_inc_uint(&t_violations);
	atomic_inc_uint(&t_calls[idx]);
}

/* Open and close per-CPU sections until told to stop. */
static void
t_worker(void *arg)
{
	bool spl = (uintptr_t)arg & 1;
	u_int idx;
	int s = 0;

	while (atomic_load_relaxed(&t_stop) == 0) {
		if (spl)
			s = splvm();
		else
			kpreempt_disable();
		idx = cpu_index(curcpu());
		t_incrit[idx] = 1;
		for (volatile int i = 0; i < 100; i++)
			continue;
		t_incrit[idx] = 0;
		if (spl)
			splx(s);
		else
			kpreempt_enable();
	}
	kthread_exit(0);
}

ATF_TC(broadcast_every_cpu);
ATF_TC_HEAD(broadcast_every_cpu, tc)
{

	atf_tc_set_md_var(tc, "descr", "xc_broadcast runs once on every CPU, "
	    "never inside a section opened with kpreempt_disable or splvm");
}
ATF_TC_BODY(broadcast_every_cpu, tc)
{
	lwp_t *l[T_THREADS];
	u_int i, round, rounds = 200 / TEST_SCALE;

	for (i = 0; i < T_THREADS; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
		    t_worker, (void *)(uintptr_t)i, &l[i], "w%u", i), 0);
	for (round = 0; round < rounds; round++)
		xc_wait(xc_broadcast(0, t_xc_func, NULL, NULL));
	atomic_store_relaxed(&t_stop, 1);
	for (i = 0; i < T_THREADS; i++)
		kthread_join(l[i]);
	for (i = 0; i < ncpu; i++)
		ATF_CHECK_EQ_MSG(t_calls[i], rounds, "cpu %u ran %u of %u "
		    "calls", i, t_calls[i], rounds);
	ATF_CHECK_EQ(t_violations, 0);
}

ATF_TC(unicast);
ATF_TC_HEAD(unicast, tc)
{

	atf_tc_set_md_var(tc, "descr", "xc_unicast runs on the CPU it names "
	    "and only there");
}
ATF_TC_BODY(unicast, tc)
{
	struct cpu_info *ci = cpu_lookup(ncpu - 1);
	u_int i;

	xc_wait(xc_unicast(0, t_xc_func, NULL, NULL, ci));
	for (i = 0; i < ncpu; i++)
		ATF_CHECK_EQ(t_calls[i], i == ncpu - 1 ? 1U : 0U);
}

static kmutex_t t_mtx;
static kcondvar_t t_cv;
static u_int t_counter, t_turn;

/* Take turns with the other thread through the condition variable. */
static void
t_pingpong(void *arg)
{
	u_int me = (u_int)(uintptr_t)arg, i;

	for (i = 0; i < 1000 / TEST_SCALE; i++) {
		mutex_enter(&t_mtx);
		while (t_turn != me)
			cv_wait(&t_cv, &t_mtx);
		t_counter++;
		t_turn = 1 - me;
		cv_broadcast(&t_cv);
		mutex_exit(&t_mtx);
	}
	kthread_exit(0);
}

ATF_TC(mutex_condvar);
ATF_TC_HEAD(mutex_condvar, tc)
{

	atf_tc_set_md_var(tc, "descr", "two threads alternate strictly "
	    "through a mutex and a condition variable; cv_timedwait times "
	    "out");
}
ATF_TC_BODY(mutex_condvar, tc)
{
	lwp_t *l[2];
	u_int i;

	mutex_init(&t_mtx, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&t_cv, "pingpong");
	for (i = 0; i < 2; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
		    t_pingpong, (void *)(uintptr_t)i, &l[i], "p%u", i), 0);
	for (i = 0; i < 2; i++)
		kthread_join(l[i]);
	ATF_CHECK_EQ(t_counter, 2 * (1000 / TEST_SCALE));
	mutex_enter(&t_mtx);
	ATF_CHECK(mutex_owned(&t_mtx));
	ATF_CHECK_EQ(cv_timedwait(&t_cv, &t_mtx, 1), EWOULDBLOCK);
	mutex_exit(&t_mtx);
	ATF_CHECK(!mutex_owned(&t_mtx));
	cv_destroy(&t_cv);
	mutex_destroy(&t_mtx);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, broadcast_every_cpu);
	ATF_TP_ADD_TC(tp, unicast);
	ATF_TP_ADD_TC(tp, mutex_condvar);
	return atf_no_error();
}
