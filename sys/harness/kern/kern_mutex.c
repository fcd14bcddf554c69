/*
 * kern_mutex.c: spin and adaptive mutexes for the test kernel.
 *
 * A mutex is one word, mtx_owner, changed with compare-and-swap.
 *
 * Spin mutexes.  mutex_spin_enter raises the CPU to the mutex's IPL and
 * then spins until it swaps 0 for its own cpu_info.  The CPU counts the
 * spin mutexes it holds and remembers the IPL from before the first, so
 * that they may be released in any order and the IPL drops only when the
 * last goes (as in NetBSD).  Raising first means no interrupt handler at
 * or below that IPL can run here and ask for the same mutex.  A CPU that
 * holds no other spin mutex waits for a contended one at its old IPL, as
 * illumos' lock_set_spl does, and raises again only to try the swap: it
 * holds nothing an interrupt handler could want meanwhile, and the clock
 * keeps coming in however long the wait.  Preemption stays off while it
 * waits, so the caller is never moved to another CPU inside the call.
 *
 * Adaptive mutexes.  The owner word holds the owning thread.  A
 * contender spins while the owner is running on a CPU (some CPU's
 * ci_curlwp is the owner: the thread itself is never looked at, since
 * it may be gone), since it should let go soon; otherwise it sets
 * MTX_WAITERS and sleeps on the mutex's address.  Both the flag and the sleep happen under sched_mutex, and
 * mutex_exit takes sched_mutex whenever it finds the flag, so a release
 * can never slip between a contender's last look and its sleep.
 * mutex_exit may be called with sched_mutex already held: cv_wait does
 * so to release its interlock after it has queued itself.
 *
 * Adaptive mutexes may be taken only in thread context.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/intr.h>
#include <sys/lwp.h>
#include <sys/mutex.h>
#include <sys/systm.h>

#define	MUTEX_SPIN_LIMIT	4000000000UL	/* a minute under emulation */

void
mutex_init(kmutex_t *mtx, kmutex_type_t type, int ipl)
{

	if (type == MUTEX_ADAPTIVE && ipl != IPL_NONE)
		panic("mutex_init: adaptive mutex %p at ipl %d", mtx, ipl);
	mtx->mtx_owner = 0;
	mtx->mtx_spin = type == MUTEX_SPIN ||
	    (type == MUTEX_DEFAULT && ipl != IPL_NONE);
	mtx->mtx_ipl = MAX(ipl, IPL_SOFTCLOCK);
}

void
mutex_destroy(kmutex_t *mtx)
{

	if (mtx->mtx_owner != 0)
		panic("mutex_destroy: mutex %p is held", mtx);
}

/* ---- spin mutexes */

void
mutex_spin_enter(kmutex_t *mtx)
{
	struct cpu_info *ci;
	u_long spins = 0;
	int s;

	s = splraise(mtx->mtx_ipl);
	ci = curcpu();
	while (atomic_cas_ulong((volatile u_long *)&mtx->mtx_owner, 0,
	    (u_long)ci) != 0) {
		if (mtx->mtx_owner == (uintptr_t)ci)
			panic("mutex_spin_enter: locking against myself: "
			    "mutex %p, cpu %u", mtx, ci->ci_index);
		curlwp->l_nopreempt++;	/* stay on this CPU, out of splx */
		if (ci->ci_mtx_count == 0)
			splx(s);
		while (atomic_load_relaxed(&mtx->mtx_owner) != 0) {
			if (++spins == MUTEX_SPIN_LIMIT)
				panic("mutex_spin_enter: spin mutex %p held "
				    "too long by cpu %p", mtx,
				    (void *)mtx->mtx_owner);
		}
		(void)splraise(mtx->mtx_ipl);
		curlwp->l_nopreempt--;
	}
	if (ci->ci_mtx_count++ == 0)
		ci->ci_mtx_oldspl = s;
	membar_acquire();
}

void
mutex_spin_exit(kmutex_t *mtx)
{
	struct cpu_info *ci = curcpu();

	if (mtx->mtx_owner != (uintptr_t)ci)
		panic("mutex_spin_exit: mutex %p not held by cpu %u",
		    mtx, ci->ci_index);
	atomic_store_release(&mtx->mtx_owner, 0);
	if (--ci->ci_mtx_count == 0)
		splx(ci->ci_mtx_oldspl);
}

/* ---- adaptive mutexes */

/*
 * Whether the thread owner names is running on a CPU right now.  The
 * answer comes from the CPUs, never from the thread: by the time we look
 * it may have released the mutex, exited and had its stack (where struct
 * lwp lives) freed and unmapped.  A stale answer only costs a spin more
 * or a trip to the sleep path, which looks at the owner word again under
 * sched_mutex before it sleeps.
 */
static bool
mutex_owner_running(uintptr_t owner)
{
	struct lwp *l = (struct lwp *)(owner & ~MTX_WAITERS);
	struct cpu_info *ci;
	CPU_INFO_ITERATOR cii;

	for (CPU_INFO_FOREACH(cii, ci))
		if (atomic_load_relaxed(&ci->ci_curlwp) == l)
			return true;
	return false;
}

/* Contended mutex_enter: spin while the owner runs, else sleep. */
static void
mutex_adaptive_wait(kmutex_t *mtx)
{
	uintptr_t owner, self = (uintptr_t)curlwp;

	for (;;) {
		owner = atomic_load_relaxed(&mtx->mtx_owner);
		if (owner == 0) {
			if (atomic_cas_ulong((volatile u_long *)&mtx->mtx_owner,
			    0, self) == 0)
				return;
			continue;
		}
		if ((owner & ~MTX_WAITERS) == self)
			panic("mutex_enter: locking against myself: mutex %p",
			    mtx);
		if (mutex_owner_running(owner))
			continue;
		mutex_spin_enter(&sched_mutex);
		owner = atomic_load_relaxed(&mtx->mtx_owner);
		if (owner == 0 || ((owner & MTX_WAITERS) == 0 &&
		    atomic_cas_ulong((volatile u_long *)&mtx->mtx_owner,
		    owner, owner | MTX_WAITERS) != owner)) {
			mutex_spin_exit(&sched_mutex);
			continue;
		}
		(void)sleepq_block(mtx, "mutex", 0);
	}
}

void
mutex_enter(kmutex_t *mtx)
{

	if (mtx->mtx_spin) {
		mutex_spin_enter(mtx);
		return;
	}
	KASSERTMSG(!cpu_intr_p(), "adaptive mutex %p taken in an interrupt",
	    mtx);
	if (atomic_cas_ulong((volatile u_long *)&mtx->mtx_owner, 0,
	    (u_long)curlwp) != 0)
		mutex_adaptive_wait(mtx);
	membar_acquire();
}

int
mutex_tryenter(kmutex_t *mtx)
{
	struct cpu_info *ci;
	int s;

	if (!mtx->mtx_spin)
		return atomic_cas_ulong((volatile u_long *)&mtx->mtx_owner, 0,
		    (u_long)curlwp) == 0;
	s = splraise(mtx->mtx_ipl);
	ci = curcpu();
	if (atomic_cas_ulong((volatile u_long *)&mtx->mtx_owner, 0,
	    (u_long)ci) != 0) {
		splx(s);
		return 0;
	}
	if (ci->ci_mtx_count++ == 0)
		ci->ci_mtx_oldspl = s;
	return 1;
}

void
mutex_exit(kmutex_t *mtx)
{
	uintptr_t self = (uintptr_t)curlwp;
	bool locked;

	if (mtx->mtx_spin) {
		mutex_spin_exit(mtx);
		return;
	}
	if ((mtx->mtx_owner & ~MTX_WAITERS) != self)
		panic("mutex_exit: mutex %p not held by thread %s", mtx,
		    curlwp->l_name);
	membar_release();
	if (atomic_cas_ulong((volatile u_long *)&mtx->mtx_owner, self, 0) ==
	    self)
		return;
	locked = mutex_owned(&sched_mutex);
	if (!locked)
		mutex_spin_enter(&sched_mutex);
	atomic_store_relaxed(&mtx->mtx_owner, 0);
	sleepq_wakeup(mtx, true);
	if (!locked)
		mutex_spin_exit(&sched_mutex);
}

int
mutex_owned(const kmutex_t *mtx)
{
	uintptr_t owner = atomic_load_relaxed(&mtx->mtx_owner);

	if (mtx->mtx_spin)
		return owner == (uintptr_t)curcpu();
	return (owner & ~MTX_WAITERS) == (uintptr_t)curlwp;
}
