/*
 * kern_condvar.c: condition variables for the test kernel.
 *
 * A condition variable is a wait channel.  cv_wait queues the thread on
 * the sleep queue of the condvar's address while it still holds the
 * interlock, and only then releases the interlock (mutex_exit knows how
 * to do that with sched_mutex held), so a cv_signal by a thread that took
 * the interlock after us always finds us on the queue.  The interlock may
 * be a spin mutex: cv_wait works at IPL_VM as the allocator needs.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/condvar.h>
#include <sys/cpu.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/lwp.h>
#include <sys/mutex.h>
#include <sys/systm.h>

void
cv_init(kcondvar_t *cv, const char *wmesg)
{

	cv->cv_wmesg = wmesg;
	cv->cv_waiters = 0;
}

void
cv_destroy(kcondvar_t *cv)
{

	if (cv->cv_waiters != 0)
		panic("cv_destroy: condvar %p (%s) has %u waiters", cv,
		    cv->cv_wmesg, cv->cv_waiters);
}

/* Sleep on cv for timo ticks (0: no limit) with mtx released meanwhile. */
static int
cv_sleep(kcondvar_t *cv, kmutex_t *mtx, int timo)
{
	int error;

	if (!mutex_owned(mtx))
		panic("cv_wait: %s: mutex %p not held", cv->cv_wmesg, mtx);
	mutex_spin_enter(&sched_mutex);
	cv->cv_waiters++;
	mutex_exit(mtx);
	error = sleepq_block(cv, cv->cv_wmesg, timo);
	if (error != 0) {
		mutex_spin_enter(&sched_mutex);
		cv->cv_waiters--;
		mutex_spin_exit(&sched_mutex);
	}
	mutex_enter(mtx);
	return error;
}

void
cv_wait(kcondvar_t *cv, kmutex_t *mtx)
{

	(void)cv_sleep(cv, mtx, 0);
}

int
cv_timedwait(kcondvar_t *cv, kmutex_t *mtx, int timo)
{

	return cv_sleep(cv, mtx, timo > 0 ? timo : 0);
}

/* Wake one waiter (all, if all) and account for it. */
static void
cv_wake(kcondvar_t *cv, bool all)
{

	mutex_spin_enter(&sched_mutex);
	if (cv->cv_waiters != 0)
		cv->cv_waiters -= sleepq_wakeup(cv, all);
	mutex_spin_exit(&sched_mutex);
}

void
cv_signal(kcondvar_t *cv)
{

	cv_wake(cv, false);
}

void
cv_broadcast(kcondvar_t *cv)
{

	cv_wake(cv, true);
}

bool
cv_has_waiters(kcondvar_t *cv)
{

	return atomic_load_relaxed(&cv->cv_waiters) != 0;
}
