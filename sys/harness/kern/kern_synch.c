/*
 * kern_synch.c: the scheduler and the sleep queues of the test kernel.
 *
 * Vocabulary.  A thread (struct lwp) is ONPROC on one CPU, RUN on the run
 * queue, SLEEP on a sleep queue, or ZOMB/DEAD after it exits.  A wait
 * channel is any address a thread sleeps on (a condition variable, a
 * mutex, a thread being joined).  Every CPU has an idle thread that runs
 * when the run queue holds nothing the CPU may take.
 *
 * Data structures.  One run queue per priority (service threads such as
 * the cross-call threads first), FIFO within a priority; a thread bound
 * to a CPU stays on the shared queue and only that CPU takes it, which
 * with a handful of CPUs costs a short scan.  Sleep queues are hashed by
 * wait channel; threads sleeping with a timeout are also on one list that
 * CPU 0's clock scans each tick.
 *
 * Locking.  sched_mutex, a spin mutex at IPL_SCHED, protects all of it.
 * It is the innermost lock but for the console's: anyone may wake a
 * thread while holding a spin mutex at IPL_VM.  A thread switches away
 * holding sched_mutex (mi_switch); the thread switched to releases it,
 * so no CPU can take a thread off a queue before its registers are saved.
 * The IPL to return to when sched_mutex is dropped belongs to the thread,
 * not the CPU, and mi_switch carries it across the switch.
 *
 * Preemption.  The clock marks a CPU ci_want_resched when the run queue
 * holds work for it, and so do wakeups aimed at it (with an IPI if it is
 * another CPU).  The mark is acted on where the running thread may be
 * switched: at the end of an interrupt that came in at IPL_NONE, and in
 * kpreempt_enable and splx when they bring the CPU back to that state.
 *
 * Cost.  Wakeup and switch are O(1) plus the scan for a bound thread;
 * the timeout scan is O(sleepers with a timeout) once a tick.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/kernel.h>
#include <sys/kthread.h>
#include <sys/lwp.h>
#include <sys/mutex.h>
#include <sys/systm.h>

#define	SLEEPQ_HASHSIZE		64
#define	SLEEPQ_HASH(wchan)						\
	((((uintptr_t)(wchan)) >> 4) & (SLEEPQ_HASHSIZE - 1))

TAILQ_HEAD(lwpq, lwp);

kmutex_t sched_mutex;

static struct lwpq sched_runq[PRI_HIGH + 1];	/* s */
static struct lwpq sleepq_hash[SLEEPQ_HASHSIZE];	/* s */
static struct lwpq sleepq_timed;		/* s: l_timeq */
static struct lwpq lwp_deadq;			/* s: exited, unjoined */

/* Set up the queues and sched_mutex; before any thread is created. */
void
sched_init(void)
{
	u_int i;

	mutex_init(&sched_mutex, MUTEX_SPIN, IPL_SCHED);
	for (i = 0; i < __arraycount(sched_runq); i++)
		TAILQ_INIT(&sched_runq[i]);
	for (i = 0; i < SLEEPQ_HASHSIZE; i++)
		TAILQ_INIT(&sleepq_hash[i]);
	TAILQ_INIT(&sleepq_timed);
	TAILQ_INIT(&lwp_deadq);
}

/* ---- the run queue */

/* The first thread ci may run, taken off the run queue, or NULL. */
static struct lwp *
sched_take(struct cpu_info *ci)
{
	struct lwp *l;
	int pri;

	KASSERT(mutex_owned(&sched_mutex));
	for (pri = PRI_HIGH; pri >= 0; pri--) {
		TAILQ_FOREACH(l, &sched_runq[pri], l_runq) {
			if (l->l_bound == NULL || l->l_bound == ci) {
				TAILQ_REMOVE(&sched_runq[pri], l, l_runq);
				return l;
			}
		}
	}
	return NULL;
}

/* Whether the run queue holds a thread ci may run. */
static bool
sched_has_work(struct cpu_info *ci)
{
	struct lwp *l;
	int pri;

	KASSERT(mutex_owned(&sched_mutex));
	for (pri = PRI_HIGH; pri >= 0; pri--) {
		TAILQ_FOREACH(l, &sched_runq[pri], l_runq) {
			if (l->l_bound == NULL || l->l_bound == ci)
				return true;
		}
	}
	return false;
}

/* Ask ci to look at the run queue soon. */
static void
sched_kick(struct cpu_info *ci)
{

	atomic_store_relaxed(&ci->ci_want_resched, 1);
	if (ci != curcpu())
		cpu_send_ipi(ci, IPI_RESCHED);
}

/* An idle CPU other than the caller's, or NULL. */
static struct cpu_info *
sched_idle_cpu(void)
{
	struct cpu_info *ci;
	CPU_INFO_ITERATOR cii;

	for (CPU_INFO_FOREACH(cii, ci)) {
		if (ci != curcpu() && ci->ci_running &&
		    ci->ci_curlwp == ci->ci_idlelwp)
			return ci;
	}
	return NULL;
}

/* Put l on the run queue and find a CPU for it.  => sched_mutex held */
void
sched_setrunnable(struct lwp *l)
{
	struct cpu_info *ci;

	KASSERT(mutex_owned(&sched_mutex));
	l->l_stat = LSRUN;
	TAILQ_INSERT_TAIL(&sched_runq[l->l_pri], l, l_runq);
	if (l->l_bound != NULL) {
		sched_kick(l->l_bound);
		return;
	}
	if ((ci = sched_idle_cpu()) != NULL)
		sched_kick(ci);
	else if (l->l_pri == PRI_HIGH)
		sched_kick(curcpu());
}

/* ---- switching */

/*
 * Free the stacks of exited threads nobody joins.
 * => thread context, no spin mutex held (kmem_free may shoot down TLBs)
 */
static void
lwp_reap(void)
{
	struct lwpq dead;
	struct lwp *l;

	if (TAILQ_EMPTY(&lwp_deadq))
		return;
	TAILQ_INIT(&dead);
	mutex_spin_enter(&sched_mutex);
	while ((l = TAILQ_FIRST(&lwp_deadq)) != NULL) {
		TAILQ_REMOVE(&lwp_deadq, l, l_runq);
		TAILQ_INSERT_TAIL(&dead, l, l_runq);
	}
	mutex_spin_exit(&sched_mutex);
	while ((l = TAILQ_FIRST(&dead)) != NULL) {
		TAILQ_REMOVE(&dead, l, l_runq);
		lwp_free(l);
	}
}

/* Settle prev, the thread this CPU just switched away from. */
static void
sched_switched(struct lwp *prev)
{

	KASSERT(mutex_owned(&sched_mutex));
	if (prev->l_stat != LSZOMB)
		return;
	prev->l_stat = LSDEAD;
	if (prev->l_flags & LW_MUSTJOIN)
		sleepq_wakeup(prev, true);
	else
		TAILQ_INSERT_TAIL(&lwp_deadq, prev, l_runq);
}

/* Check that a thread has not run off the end of its stack. */
static void
lwp_check_stack(struct lwp *l)
{
	const uint64_t *guard = (const uint64_t *)(l + 1);

	if (l->l_stack != 0 && *guard != LWP_STACK_GUARD)
		panic("thread %s (%p) overflowed its %zu-byte stack",
		    l->l_name, l, l->l_stacksize);
}

/*
 * Switch the CPU to the next thread.  The caller has already put curlwp
 * where it belongs (run queue, sleep queue, zombie).
 * => sched_mutex held, and no other spin mutex; held again on return.
 */
static void
mi_switch(void)
{
	struct lwp *l = curlwp, *nl, *prev;
	struct cpu_info *ci = curcpu();
	int oldspl;

	KASSERT(mutex_owned(&sched_mutex));
	KASSERTMSG(ci->ci_mtx_count == 1, "switching with %d spin mutexes "
	    "held", ci->ci_mtx_count);
	lwp_check_stack(l);
	atomic_store_relaxed(&ci->ci_want_resched, 0);
	if ((nl = sched_take(ci)) == NULL) {
		if (l->l_stat == LSONPROC)
			return;
		nl = ci->ci_idlelwp;
	} else
		KASSERTMSG(nl->l_stat == LSRUN, "thread %s on the run queue "
		    "in state %d", nl->l_name, nl->l_stat);
	KASSERTMSG(nl->l_stack == 0 ||
	    ((vaddr_t)nl->l_pcb.pcb_sp > nl->l_stack &&
	    (vaddr_t)nl->l_pcb.pcb_sp <= nl->l_stack + nl->l_stacksize),
	    "thread %s: saved sp %#lx outside its stack", nl->l_name,
	    (u_long)nl->l_pcb.pcb_sp);
	nl->l_stat = LSONPROC;
	if (nl == l)
		return;
	nl->l_cpu = ci;
	nl->l_ncsw++;
	atomic_store_relaxed(&ci->ci_curlwp, nl);
	ci->ci_nswitch++;
	oldspl = ci->ci_mtx_oldspl;
	prev = cpu_switchto(l, nl);
	curcpu()->ci_mtx_oldspl = oldspl;
	sched_switched(prev);
}

/* First code of every new thread: finish the switch, run, exit. */
void
lwp_startup(struct lwp *prev)
{
	struct lwp *l = curlwp;

	curcpu()->ci_mtx_oldspl = IPL_NONE;
	sched_switched(prev);
	mutex_spin_exit(&sched_mutex);
	lwp_reap();
	(*l->l_func)(l->l_arg);
	kthread_exit(0);
}

/* End the calling thread; another thread frees or joins its stack. */
void
lwp_exit(void)
{
	struct lwp *l = curlwp;

	KASSERTMSG(l->l_nopreempt == 0 && !cpu_intr_p(),
	    "thread %s exits with preemption disabled", l->l_name);
	mutex_spin_enter(&sched_mutex);
	l->l_stat = LSZOMB;
	mi_switch();
	panic("lwp_exit: thread %s ran after it exited", l->l_name);
}

/* Give the CPU to another thread if one is waiting for it. */
void
sched_preempt_check(void)
{
	struct lwp *l = curlwp;
	struct cpu_info *ci;

	if (l->l_nopreempt != 0)
		return;
	mutex_spin_enter(&sched_mutex);
	ci = curcpu();
	if (ci->ci_mtx_count != 1 || ci->ci_mtx_oldspl != IPL_NONE ||
	    ci->ci_intr_depth != 0) {
		mutex_spin_exit(&sched_mutex);
		return;
	}
	if ((l->l_flags & LW_IDLE) == 0) {
		l->l_stat = LSRUN;
		TAILQ_INSERT_TAIL(&sched_runq[l->l_pri], l, l_runq);
	}
	mi_switch();
	mutex_spin_exit(&sched_mutex);
	lwp_reap();
}

/* Let the other runnable threads run first. */
void
sched_yield(void)
{

	atomic_store_relaxed(&curcpu()->ci_want_resched, 1);
	sched_preempt_check();
}

/* Clock tick on this CPU: preempt if another thread may run here. */
void
sched_tick(void)
{
	struct cpu_info *ci = curcpu();

	mutex_spin_enter(&sched_mutex);
	if (sched_has_work(ci))
		atomic_store_relaxed(&ci->ci_want_resched, 1);
	mutex_spin_exit(&sched_mutex);
}

/* The idle loop: run whatever comes, else wait for an interrupt. */
void
sched_idle(void)
{
	struct cpu_info *ci;

	for (;;) {
		mutex_spin_enter(&sched_mutex);
		ci = curcpu();
		atomic_store_relaxed(&ci->ci_want_resched, 0);
		if (sched_has_work(ci))
			mi_switch();
		mutex_spin_exit(&sched_mutex);
		lwp_reap();
		cpu_idle_wait(curcpu());
	}
}

/* ---- sleep queues */

/*
 * Sleep on wchan until woken, or for timo ticks if timo > 0; returns 0,
 * or EWOULDBLOCK if the timeout woke us.
 * => sched_mutex held (and no other spin mutex); released on return
 * => thread context, preemption enabled
 */
int
sleepq_block(const void *wchan, const char *wmesg, int timo)
{
	struct lwp *l = curlwp;
	int error;

	KASSERT(mutex_owned(&sched_mutex));
	KASSERTMSG(!cpu_intr_p() && l->l_nopreempt == 0,
	    "sleeping on %s in an interrupt or with preemption disabled",
	    wmesg);
	l->l_wchan = wchan;
	l->l_wmesg = wmesg;
	l->l_stat = LSSLEEP;
	l->l_nsleep++;
	l->l_timedout = false;
	TAILQ_INSERT_TAIL(&sleepq_hash[SLEEPQ_HASH(wchan)], l, l_runq);
	l->l_timeout = 0;
	if (timo > 0) {
		l->l_timeout = ticks + (uint64_t)timo;
		TAILQ_INSERT_TAIL(&sleepq_timed, l, l_timeq);
	}
	mi_switch();
	error = l->l_timedout ? EWOULDBLOCK : 0;
	mutex_spin_exit(&sched_mutex);
	lwp_reap();
	return error;
}

/* Take l off its sleep queue and make it runnable. */
static void
sleepq_unsleep(struct lwp *l)
{

	KASSERT(l->l_stat == LSSLEEP);
	TAILQ_REMOVE(&sleepq_hash[SLEEPQ_HASH(l->l_wchan)], l, l_runq);
	if (l->l_timeout != 0)
		TAILQ_REMOVE(&sleepq_timed, l, l_timeq);
	l->l_wchan = NULL;
	sched_setrunnable(l);
}

/*
 * Wake one or all threads asleep on wchan; returns how many.
 * => sched_mutex held
 */
u_int
sleepq_wakeup(const void *wchan, bool all)
{
	struct lwpq *sq = &sleepq_hash[SLEEPQ_HASH(wchan)];
	struct lwp *l, *next;
	u_int n = 0;

	KASSERT(mutex_owned(&sched_mutex));
	TAILQ_FOREACH_SAFE(l, sq, l_runq, next) {
		if (l->l_wchan != wchan)
			continue;
		sleepq_unsleep(l);
		n++;
		if (!all)
			break;
	}
	return n;
}

/* Wake the sleepers whose timeout has come; CPU 0's clock, each tick. */
void
sleepq_timeout_tick(void)
{
	struct lwp *l, *next;

	mutex_spin_enter(&sched_mutex);
	TAILQ_FOREACH_SAFE(l, &sleepq_timed, l_timeq, next) {
		if (l->l_timeout <= ticks) {
			l->l_timedout = true;
			sleepq_unsleep(l);
		}
	}
	mutex_spin_exit(&sched_mutex);
}
