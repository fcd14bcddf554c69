/*
 * rump_sync.c: mutex(9) and condvar(9) on the host's futex(2).
 *
 * A kernel mutex is a lock word plus the bookkeeping the kernel expects:
 * its owner for mutex_owned(), the IPL a spin mutex raises to, and the
 * per-thread count of mutexes held, which tells a thread with a cross
 * call for this one whether it may run it as this CPU (rump_cpu.c).  The
 * count goes up before the lock word is taken, so that a cross call run
 * meanwhile never waits for a mutex this thread holds while this thread
 * waits for it.  A thread asleep in cv_wait holds no mutex for that
 * purpose, since it has released the interlock; on waking it holds the
 * interlock again before it can say so, and gives it back while a cross
 * call runs as its CPU (cv_relock).
 *
 * The lock word is 0 (free), 1 (held) or 2 (held, and a thread may be
 * asleep on it).  Taking a free mutex is one compare-and-swap, and
 * releasing one no thread sleeps on is one exchange, with no system call
 * and none of the host mutex's type and robustness checks: the arena and
 * cache locks are taken on every allocation, and are what the kernel's
 * own mutexes cost there.  A thread that finds the mutex held spins a
 * little, then marks it 2 and sleeps on the word; whoever releases a 2
 * wakes one sleeper.  The acquire and release orders of these atomic
 * operations are the mutex's memory ordering, and what ThreadSanitizer
 * sees of it.
 *
 * A condition variable is a sequence word and a count of waiters.  A
 * waiter reads the sequence with the mutex held, releases the mutex and
 * sleeps while the word still holds what it read; cv_signal and
 * cv_broadcast bump the word and wake one or all sleepers, and do
 * nothing at all when no thread waits (a waiter counts itself before it
 * releases the mutex, so a waker that changed the condition under the
 * mutex sees it).  Wakeups may be spurious, as cv_wait allows.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <linux/futex.h>
#include <sys/syscall.h>

#include "rump_host.h"

#define	MUTEX_SPINS	100	/* tries before sleeping on a held mutex */

#if defined(__x86_64__) || defined(__i386__)
#define	spin_relax()	__builtin_ia32_pause()
#else
#define	spin_relax()	__asm volatile("" ::: "memory")
#endif

enum { MUTEX_DEFAULT_, MUTEX_SPIN_, MUTEX_ADAPTIVE_ };

int hz = 100;

void	panic(const char *, ...) __attribute__((__noreturn__));

void
mutex_init(struct kmutex *mtx, int type, int ipl)
{

	mtx->mtx_lock = 0;
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
}

/* ---- the lock word */

/*
 * Sleep while *word holds val, until woken, or until the absolute
 * CLOCK_MONOTONIC time ts if given; ETIMEDOUT if that passed, else 0.
 * The caller's errno is left as it was.
 */
static int
futex_wait(unsigned int *word, unsigned int val, const struct timespec *ts)
{
	int error, saved = errno;
	long r;

	if (ts == NULL)
		r = syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, NULL,
		    NULL, 0);
	else
		r = syscall(SYS_futex, word, FUTEX_WAIT_BITSET_PRIVATE, val,
		    ts, NULL, FUTEX_BITSET_MATCH_ANY);
	error = r == -1 && errno == ETIMEDOUT ? ETIMEDOUT : 0;
	errno = saved;
	return error;
}

/* Wake up to n threads asleep on word; errno is left as it was. */
static __attribute__((__noinline__)) void
futex_wake(unsigned int *word, int n)
{
	int saved = errno;

	(void)syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
	errno = saved;
}

/* Take a held lock word: spin a little, then sleep on it marked 2. */
static __attribute__((__noinline__)) void
lock_word_wait(unsigned int *word)
{
	unsigned int c;
	int i;

	for (i = 0; i < MUTEX_SPINS; i++) {
		spin_relax();
		c = __atomic_load_n(word, __ATOMIC_RELAXED);
		if (c == 0 && __atomic_compare_exchange_n(word, &c, 1, false,
		    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
	}
	while (__atomic_exchange_n(word, 2, __ATOMIC_ACQUIRE) != 0)
		(void)futex_wait(word, 2, NULL);
}

/* Take the lock word: one compare-and-swap if it is free. */
static inline void
lock_word_enter(unsigned int *word)
{
	unsigned int c = 0;

	if (__predict_false(!__atomic_compare_exchange_n(word, &c, 1, false,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)))
		lock_word_wait(word);
}

/* Release the lock word, waking a sleeper if one may be there. */
static void
lock_word_exit(unsigned int *word)
{

	if (__atomic_exchange_n(word, 0, __ATOMIC_RELEASE) == 2)
		futex_wake(word, 1);
}

/* Raise the IPL for a spin mutex, remembering the level to go back to. */
static void
mutex_spin_raise(struct kmutex *mtx)
{
	int s = splraise(mtx->mtx_ipl);

	if (rump_lwp.rl_nspin++ == 0)
		rump_lwp.rl_spinsave = s;
}

static void cv_relock(struct kmutex *);

/*
 * Wait for a held adaptive mutex counted as holding none, so that a cross
 * call for this CPU can run meanwhile (its caller may hold the mutex and
 * wait for the call), then count it again as cv_relock does.
 */
static void
mutex_enter_blocked(struct kmutex *mtx)
{

	RUMP_LWP_SET(rl_nmutex, rump_lwp.rl_nmutex - 1);
	rump_lwp_settle();
	lock_word_enter(&mtx->mtx_lock);
	cv_relock(mtx);
}

void
mutex_enter(struct kmutex *mtx)
{
	unsigned int c = 0;

	if (mtx->mtx_spin)
		mutex_spin_raise(mtx);
	if (__atomic_load_n(&mtx->mtx_owner, __ATOMIC_RELAXED) == &rump_lwp)
		panic("mutex_enter: locking against myself: mutex %p", mtx);
	RUMP_LWP_SET(rl_nmutex, rump_lwp.rl_nmutex + 1);
	rump_lwp_open();
	if (!__atomic_compare_exchange_n(&mtx->mtx_lock, &c, 1, false,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		if (mtx->mtx_spin)
			lock_word_wait(&mtx->mtx_lock);
		else
			mutex_enter_blocked(mtx);
	}
	__atomic_store_n(&mtx->mtx_owner, &rump_lwp, __ATOMIC_RELAXED);
}

int
mutex_tryenter(struct kmutex *mtx)
{
	unsigned int c;

	if (mtx->mtx_spin)
		mutex_spin_raise(mtx);
	RUMP_LWP_SET(rl_nmutex, rump_lwp.rl_nmutex + 1);
	rump_lwp_open();
	c = 0;
	if (!__atomic_compare_exchange_n(&mtx->mtx_lock, &c, 1, false,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
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
	lock_word_exit(&mtx->mtx_lock);
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

	cv->cv_seq = 0;
	cv->cv_wmesg = wmesg;
	cv->cv_waiters = 0;
}

void
cv_destroy(struct kcondvar *cv)
{

	if (__atomic_load_n(&cv->cv_waiters, __ATOMIC_RELAXED) != 0)
		panic("cv_destroy: condvar %p (%s) has waiters", cv,
		    cv->cv_wmesg);
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
		lock_word_exit(&mtx->mtx_lock);
		rump_xc_wait();
		lock_word_enter(&mtx->mtx_lock);
	}
}

/*
 * Sleep on cv until woken or until the absolute time ts, if given.  A
 * spin mutex's raised IPL is dropped while asleep, as a kernel thread
 * that sleeps leaves its CPU at the level of the next: a cross call for
 * this CPU may run meanwhile.
 */
static int
cv_sleep(struct kcondvar *cv, struct kmutex *mtx, const struct timespec *ts)
{
	bool spin = mtx->mtx_spin && rump_lwp.rl_nspin == 1;
	unsigned int seq;
	int error;

	if (!mutex_owned(mtx))
		panic("cv_wait: %s: mutex %p not held", cv->cv_wmesg, mtx);
	if (rump_lwp.rl_nopreempt != 0 || rump_lwp.rl_intr != 0)
		panic("cv_wait: %s: sleeping with preemption disabled or in "
		    "an interrupt handler", cv->cv_wmesg);
	seq = __atomic_load_n(&cv->cv_seq, __ATOMIC_RELAXED);
	__atomic_add_fetch(&cv->cv_waiters, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&mtx->mtx_owner, NULL, __ATOMIC_RELAXED);
	lock_word_exit(&mtx->mtx_lock);
	RUMP_LWP_SET(rl_nmutex, rump_lwp.rl_nmutex - 1);
	if (spin) {
		rump_lwp.rl_nspin = 0;
		splx(rump_lwp.rl_spinsave);
	} else
		rump_lwp_settle();
	error = futex_wait(&cv->cv_seq, seq, ts);
	if (spin)
		mutex_spin_raise(mtx);
	lock_word_enter(&mtx->mtx_lock);
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

/* Wake up to n waiters on cv, if there are any. */
static void
cv_wake(struct kcondvar *cv, int n)
{

	if (__atomic_load_n(&cv->cv_waiters, __ATOMIC_RELAXED) == 0)
		return;
	__atomic_add_fetch(&cv->cv_seq, 1, __ATOMIC_RELAXED);
	futex_wake(&cv->cv_seq, n);
}

void
cv_signal(struct kcondvar *cv)
{

	cv_wake(cv, 1);
}

void
cv_broadcast(struct kcondvar *cv)
{

	cv_wake(cv, INT_MAX);
}

bool
cv_has_waiters(struct kcondvar *cv)
{

	return __atomic_load_n(&cv->cv_waiters, __ATOMIC_RELAXED) != 0;
}
