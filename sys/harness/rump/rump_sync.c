/*
 * rump_sync.c: mutex(9) and condvar(9) on POSIX threads.
 *
 * A kernel mutex is a host mutex plus the bookkeeping the kernel expects:
 * its owner for mutex_owned(), the IPL a spin mutex raises to, and the
 * per-thread count of mutexes held, which tells a thread with a cross
 * call for this one whether it may run it as this CPU (rump_cpu.c).  The
 * count goes up before the host mutex is taken, so that a cross call run
 * meanwhile never waits for a mutex this thread holds while this thread
 * waits for it.  A thread asleep in cv_wait holds no mutex for that
 * purpose, since the host releases the interlock; on waking it holds the
 * interlock again before it can say so, and gives it back while a cross
 * call runs as its CPU (cv_relock).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rump_host.h"

_Static_assert(sizeof(pthread_mutex_t) <= sizeof(((struct kmutex *)0)->mtx_host),
    "struct kmutex too small for a host mutex");
_Static_assert(sizeof(pthread_cond_t) <= sizeof(((struct kcondvar *)0)->cv_host),
    "struct kcondvar too small for a host condvar");

#define	HOSTMTX(m)	((pthread_mutex_t *)(void *)(m)->mtx_host)
#define	HOSTCV(c)	((pthread_cond_t *)(void *)(c)->cv_host)

enum { MUTEX_DEFAULT_, MUTEX_SPIN_, MUTEX_ADAPTIVE_ };

int hz = 100;

void	panic(const char *, ...) __attribute__((__noreturn__));

void
mutex_init(struct kmutex *mtx, int type, int ipl)
{

	pthread_mutex_init(HOSTMTX(mtx), NULL);
	mtx->mtx_owner = NULL;
	mtx->mtx_spin = type == MUTEX_SPIN_ ||
	    (type == MUTEX_DEFAULT_ && ipl != RUMP_IPL_NONE);
	mtx->mtx_ipl = ipl;
	if (type == MUTEX_ADAPTIVE_ && ipl != RUMP_IPL_NONE)
		panic("mutex_init: adaptive mutex %p at ipl %d", mtx, ipl);
}

void
mutex_destroy(struct kmutex *mtx)
{

	if (__atomic_load_n(&mtx->mtx_owner, __ATOMIC_RELAXED) != NULL)
		panic("mutex_destroy: mutex %p is held", mtx);
	pthread_mutex_destroy(HOSTMTX(mtx));
}

/* Raise the IPL for a spin mutex, remembering the level to go back to. */
static void
mutex_spin_raise(struct kmutex *mtx)
{
	int s = splraise(mtx->mtx_ipl);

	if (rump_lwp.rl_nspin++ == 0)
		rump_lwp.rl_spinsave = s;
}

void
mutex_enter(struct kmutex *mtx)
{

	if (mtx->mtx_spin)
		mutex_spin_raise(mtx);
	if (__atomic_load_n(&mtx->mtx_owner, __ATOMIC_RELAXED) == &rump_lwp)
		panic("mutex_enter: locking against myself: mutex %p", mtx);
	RUMP_LWP_SET(rl_nmutex, rump_lwp.rl_nmutex + 1);
	rump_lwp_open();
	pthread_mutex_lock(HOSTMTX(mtx));
	__atomic_store_n(&mtx->mtx_owner, &rump_lwp, __ATOMIC_RELAXED);
}

int
mutex_tryenter(struct kmutex *mtx)
{

	if (mtx->mtx_spin)
		mutex_spin_raise(mtx);
	RUMP_LWP_SET(rl_nmutex, rump_lwp.rl_nmutex + 1);
	rump_lwp_open();
	if (pthread_mutex_trylock(HOSTMTX(mtx)) != 0) {
		RUMP_LWP_SET(rl_nmutex, rump_lwp.rl_nmutex - 1);
		if (mtx->mtx_spin && --rump_lwp.rl_nspin == 0)
			splx(rump_lwp.rl_spinsave);
		else
			rump_lwp_settle();
		return 0;
	}
	__atomic_store_n(&mtx->mtx_owner, &rump_lwp, __ATOMIC_RELAXED);
	return 1;
}

void
mutex_exit(struct kmutex *mtx)
{

	if (__atomic_load_n(&mtx->mtx_owner, __ATOMIC_RELAXED) != &rump_lwp)
		panic("mutex_exit: mutex %p not held by this thread", mtx);
	__atomic_store_n(&mtx->mtx_owner, NULL, __ATOMIC_RELAXED);
	pthread_mutex_unlock(HOSTMTX(mtx));
	RUMP_LWP_SET(rl_nmutex, rump_lwp.rl_nmutex - 1);
	if (mtx->mtx_spin && --rump_lwp.rl_nspin == 0)
		splx(rump_lwp.rl_spinsave);
	else
		rump_lwp_settle();
}

void
mutex_spin_enter(struct kmutex *mtx)
{

	mutex_enter(mtx);
}

void
mutex_spin_exit(struct kmutex *mtx)
{

	mutex_exit(mtx);
}

int
mutex_owned(const struct kmutex *mtx)
{

	return __atomic_load_n(&mtx->mtx_owner, __ATOMIC_RELAXED) ==
	    &rump_lwp;
}

/* ---- condition variables */

void
cv_init(struct kcondvar *cv, const char *wmesg)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(HOSTCV(cv), &attr);
	pthread_condattr_destroy(&attr);
	cv->cv_wmesg = wmesg;
	cv->cv_waiters = 0;
}

void
cv_destroy(struct kcondvar *cv)
{

	if (__atomic_load_n(&cv->cv_waiters, __ATOMIC_RELAXED) != 0)
		panic("cv_destroy: condvar %p (%s) has waiters", cv,
		    cv->cv_wmesg);
	pthread_cond_destroy(HOSTCV(cv));
}

/*
 * The interlock mtx is held again after a sleep: count it, and while a
 * cross call runs as this CPU (it may need mtx), let go of mtx until the
 * call is done.
 */
static void
cv_relock(struct kmutex *mtx)
{

	RUMP_LWP_SET(rl_nmutex, rump_lwp.rl_nmutex + 1);
	__insn_barrier();
	while (__atomic_load_n(&rump_lwp.rl_xcrun, __ATOMIC_ACQUIRE) != 0) {
		pthread_mutex_unlock(HOSTMTX(mtx));
		rump_xc_wait();
		pthread_mutex_lock(HOSTMTX(mtx));
	}
}

/* Sleep on cv until woken or until the absolute time ts, if given. */
static int
cv_sleep(struct kcondvar *cv, struct kmutex *mtx, const struct timespec *ts)
{
	int error;

	if (!mutex_owned(mtx))
		panic("cv_wait: %s: mutex %p not held", cv->cv_wmesg, mtx);
	if (rump_lwp.rl_nopreempt != 0 || rump_lwp.rl_intr != 0)
		panic("cv_wait: %s: sleeping with preemption disabled or in "
		    "an interrupt handler", cv->cv_wmesg);
	__atomic_add_fetch(&cv->cv_waiters, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&mtx->mtx_owner, NULL, __ATOMIC_RELAXED);
	RUMP_LWP_SET(rl_nmutex, rump_lwp.rl_nmutex - 1);
	rump_lwp_settle();
	if (ts == NULL)
		error = pthread_cond_wait(HOSTCV(cv), HOSTMTX(mtx));
	else
		error = pthread_cond_timedwait(HOSTCV(cv), HOSTMTX(mtx), ts);
	cv_relock(mtx);
	__atomic_store_n(&mtx->mtx_owner, &rump_lwp, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&cv->cv_waiters, 1, __ATOMIC_RELAXED);
	return error == ETIMEDOUT ? EWOULDBLOCK : 0;
}

void
cv_wait(struct kcondvar *cv, struct kmutex *mtx)
{

	(void)cv_sleep(cv, mtx, NULL);
}

int
cv_timedwait(struct kcondvar *cv, struct kmutex *mtx, int timo)
{
	struct timespec ts;
	long long ns;

	if (timo <= 0) {
		cv_wait(cv, mtx);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = ts.tv_nsec + (long long)timo * (1000000000LL / hz);
	ts.tv_sec += ns / 1000000000LL;
	ts.tv_nsec = ns % 1000000000LL;
	return cv_sleep(cv, mtx, &ts);
}

void
cv_signal(struct kcondvar *cv)
{

	pthread_cond_signal(HOSTCV(cv));
}

void
cv_broadcast(struct kcondvar *cv)
{

	pthread_cond_broadcast(HOSTCV(cv));
}

bool
cv_has_waiters(struct kcondvar *cv)
{

	return __atomic_load_n(&cv->cv_waiters, __ATOMIC_RELAXED) != 0;
}
