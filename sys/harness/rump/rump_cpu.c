/*
 * rump_cpu.c: virtual CPUs and cross calls on the host platform.
 *
 * A host thread that enters the kernel is given a virtual CPU of its own
 * the first time it asks curcpu(), and gives it back when it exits, so
 * per-CPU code runs for real and in parallel.  A virtual CPU whose thread
 * has exited keeps its per-CPU state (magazines, say) for the next thread
 * that takes it, as a real CPU would.
 *
 * A cross call borrows no thread of the program: no signal is sent.  The
 * caller runs the function itself, as the target CPU, whenever that CPU's
 * thread has no per-CPU section open (preemption enabled, IPL_NONE) and
 * holds no kernel mutex; that is always so of a thread that is outside
 * the library, whatever it does there (sleeps, blocks signals, never
 * calls in again).  The two threads decide without a lock on the owner's
 * side, as an asymmetric Dekker handshake: the owner opens a section with
 * a plain store to its section word and then reads rl_xcrun
 * (rump_lwp_open); the caller sets the owner's rl_xcrun, runs
 * membarrier(2), which puts a full barrier on every thread of the
 * process, and then reads the owner's section words.  So either the
 * caller sees the section open and leaves the call pending, or the owner
 * sees rl_xcrun and waits until the call is done; never neither.  A
 * pending call is run by the owner when it closes its last section
 * (kpreempt_enable, splx, mutex_exit) or by the caller, which tries again
 * every RUMP_XC_RETRY_NS until the owner has left its sections: the delay
 * a cross call can suffer is bounded by the longest section plus that
 * period.  A cross call to a CPU without a thread is run by the caller,
 * as that CPU, with the CPU's host lock held so that no thread can take it
 * meanwhile.
 *
 * Cross calls are serialized by one host lock: there is at most one
 * request per CPU in flight.
 */

#include <errno.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rump_host.h"

#define	RUMP_XC_RETRY_NS	(1000 * 1000)	/* a pending call retried */

/* Set a section word of this thread without opening a section. */
#define	RUMP_LWP_ADD(field, d)	RUMP_LWP_SET(field, rump_lwp.field + (d))

__thread struct rump_lwpstate rump_lwp
    __attribute__((__tls_model__("initial-exec")));

struct rump_cpu rump_cpus[MAXCPUS];
u_int ncpu = MAXCPUS;

static pthread_key_t rump_cpu_key;
static pthread_mutex_t rump_cpu_attach_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t rump_xc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rump_xc_cv = PTHREAD_COND_INITIALIZER;
static uint64_t rump_xc_tickets;

static int rump_membarrier_cmd;

static void rump_cpu_detach(void *);

/* Choose the membarrier(2) command the handshake uses: expedited if any. */
static void
rump_membarrier_init(void)
{

	if (syscall(__NR_membarrier,
	    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
		rump_membarrier_cmd = MEMBARRIER_CMD_PRIVATE_EXPEDITED;
	else if (syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0) > 0)
		rump_membarrier_cmd = MEMBARRIER_CMD_GLOBAL;
	else {
		fprintf(stderr, "panic: rump: no membarrier(2) on this host; "
		    "cross calls need it\n");
		abort();
	}
}

/* A full barrier on every thread of the process. */
static void
rump_membarrier(void)
{

	if (syscall(__NR_membarrier, rump_membarrier_cmd, 0, 0) != 0) {
		fprintf(stderr, "panic: rump: membarrier: %s\n",
		    strerror(errno));
		abort();
	}
}

/* Set up the virtual CPUs, before main(). */
__attribute__((__constructor__(101)))
static void
rump_cpu_init(void)
{
	u_int i;

	for (i = 0; i < MAXCPUS; i++) {
		rump_cpus[i].rc_ci.ci_index = i;
		rump_cpus[i].rc_ci.ci_host = &rump_cpus[i];
		pthread_mutex_init(&rump_cpus[i].rc_lock, NULL);
	}
	pthread_key_create(&rump_cpu_key, rump_cpu_detach);
	rump_membarrier_init();
	rump_page_init();
}

/* Give the calling thread a free virtual CPU. */
struct cpu_info *
rump_cpu_attach(void)
{
	struct rump_cpu *rc;
	u_int i;

	RUMP_LWP_ADD(rl_nopreempt, 1);
	pthread_mutex_lock(&rump_cpu_attach_lock);
	for (i = 0; i < MAXCPUS; i++) {
		rc = &rump_cpus[i];
		pthread_mutex_lock(&rc->rc_lock);
		if (!rc->rc_owned) {
			rc->rc_owned = true;
			rc->rc_owner = pthread_self();
			rc->rc_lwp = &rump_lwp;
			pthread_mutex_unlock(&rc->rc_lock);
			break;
		}
		pthread_mutex_unlock(&rc->rc_lock);
	}
	pthread_mutex_unlock(&rump_cpu_attach_lock);
	if (i == MAXCPUS) {
		fprintf(stderr, "panic: rump: more than %d threads in the "
		    "kernel at once; each needs a virtual CPU\n", MAXCPUS);
		abort();
	}
	rump_lwp.rl_cpu = &rc->rc_ci;
	pthread_setspecific(rump_cpu_key, rc);
	RUMP_LWP_ADD(rl_nopreempt, -1);
	return &rc->rc_ci;
}

/* Give a thread's virtual CPU back when the thread exits. */
static void
rump_cpu_detach(void *arg)
{
	struct rump_cpu *rc = arg;

	RUMP_LWP_ADD(rl_nopreempt, 1);
	pthread_mutex_lock(&rc->rc_lock);
	if (rc->rc_xc != NULL) {
		rump_xc_run(rc, rc->rc_xc);
		rc->rc_xc = NULL;
	}
	rc->rc_owned = false;
	pthread_mutex_unlock(&rc->rc_lock);
	rump_lwp.rl_cpu = NULL;
}

struct cpu_info *
cpu_lookup(u_int idx)
{

	return idx < ncpu ? &rump_cpus[idx].rc_ci : NULL;
}

bool
cpu_intr_p(void)
{

	return rump_lwp.rl_intr != 0;
}

/* ---- cross calls */

/* Run one cross call as CPU rc, from whatever thread we are on. */
void
rump_xc_run(struct rump_cpu *rc, struct rump_xc *xc)
{
	struct cpu_info *self = rump_lwp.rl_cpu;

	RUMP_LWP_ADD(rl_nopreempt, 1);
	rump_lwp.rl_cpu = &rc->rc_ci;
	(*xc->xc_func)(xc->xc_arg1, xc->xc_arg2);
	__atomic_fetch_add(&rc->rc_ci.ci_nxcall, 1, __ATOMIC_RELAXED);
	rump_lwp.rl_cpu = self;
	RUMP_LWP_ADD(rl_nopreempt, -1);
	pthread_mutex_lock(&rump_xc_lock);
	xc->xc_done = 1;
	pthread_cond_broadcast(&rump_xc_cv);
	pthread_mutex_unlock(&rump_xc_lock);
}

/* Run the cross call waiting for this thread's CPU, if any. */
void
rump_xc_deferred(void)
{
	struct rump_cpu *rc;
	struct rump_xc *xc;

	__atomic_store_n(&rump_lwp.rl_xcpending, 0, __ATOMIC_RELAXED);
	if (rump_lwp.rl_cpu == NULL)
		return;
	rc = rump_lwp.rl_cpu->ci_host;
	RUMP_LWP_ADD(rl_nopreempt, 1);
	pthread_mutex_lock(&rc->rc_lock);
	xc = rc->rc_xc;
	rc->rc_xc = NULL;
	pthread_mutex_unlock(&rc->rc_lock);
	RUMP_LWP_ADD(rl_nopreempt, -1);
	if (xc != NULL)
		rump_xc_run(rc, xc);
}

/*
 * The calling thread is about to block in the host: if nothing per-CPU is
 * open and no mutex is held, run any cross call waiting for its CPU and
 * let callers run later ones themselves.  Returns whether it did.
 */
bool
rump_cpu_block(void)
{
	struct rump_cpu *rc;
	struct rump_xc *xc;

	if (rump_lwp.rl_cpu == NULL || rump_lwp.rl_nopreempt != 0 ||
	    rump_lwp.rl_ipl != 0 || rump_lwp.rl_nmutex != 0)
		return false;
	rc = rump_lwp.rl_cpu->ci_host;
	RUMP_LWP_ADD(rl_nopreempt, 1);
	pthread_mutex_lock(&rc->rc_lock);
	xc = rc->rc_xc;
	rc->rc_xc = NULL;
	rc->rc_idle = true;
	pthread_mutex_unlock(&rc->rc_lock);
	RUMP_LWP_ADD(rl_nopreempt, -1);
	__atomic_store_n(&rump_lwp.rl_xcpending, 0, __ATOMIC_RELAXED);
	if (xc != NULL)
		rump_xc_run(rc, xc);
	return true;
}

/* Take the CPU back after rump_cpu_block, once no caller runs on it. */
void
rump_cpu_unblock(bool blocked)
{
	struct rump_cpu *rc;

	if (!blocked)
		return;
	rc = rump_lwp.rl_cpu->ci_host;
	RUMP_LWP_ADD(rl_nopreempt, 1);
	pthread_mutex_lock(&rc->rc_lock);
	rc->rc_idle = false;
	pthread_mutex_unlock(&rc->rc_lock);
	RUMP_LWP_ADD(rl_nopreempt, -1);
}

/* Wait while another thread runs a cross call as this thread's CPU. */
void
rump_xc_wait(void)
{

	while (__atomic_load_n(&rump_lwp.rl_xcrun, __ATOMIC_ACQUIRE) != 0)
		sched_yield();
}

/*
 * Run xc as CPU rc, whose owner is another thread, if that thread has no
 * section open: the caller's side of the handshake.  True if it ran.
 * => rc's host lock held.
 */
static bool
rump_xc_try(struct rump_cpu *rc, struct rump_xc *xc)
{
	struct rump_lwpstate *l = rc->rc_lwp;
	bool ran = false;

	__atomic_store_n(&l->rl_xcrun, 1, __ATOMIC_SEQ_CST);
	rump_membarrier();
	if (__atomic_load_n(&l->rl_nopreempt, __ATOMIC_ACQUIRE) == 0 &&
	    __atomic_load_n(&l->rl_ipl, __ATOMIC_ACQUIRE) == 0 &&
	    __atomic_load_n(&l->rl_nmutex, __ATOMIC_ACQUIRE) == 0) {
		rump_xc_run(rc, xc);
		ran = true;
	}
	__atomic_store_n(&l->rl_xcrun, 0, __ATOMIC_RELEASE);
	return ran;
}

/*
 * Deliver xc to CPU rc: run it here if no thread has rc or its thread has
 * no section open, else leave it for that thread.
 */
static void
rump_xc_post(struct rump_cpu *rc, struct rump_xc *xc)
{
	bool self = false;

	xc->xc_cpu = rc;
	RUMP_LWP_ADD(rl_nopreempt, 1);
	pthread_mutex_lock(&rc->rc_lock);
	if (!rc->rc_owned || rc->rc_idle)
		rump_xc_run(rc, xc);
	else if (pthread_equal(rc->rc_owner, pthread_self()))
		self = true;
	else if (!rump_xc_try(rc, xc)) {
		rc->rc_xc = xc;
		__atomic_store_n(&rc->rc_lwp->rl_xcpending, 1,
		    __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&rc->rc_lock);
	RUMP_LWP_ADD(rl_nopreempt, -1);
	if (self)
		rump_xc_run(rc, xc);
}

/* Run xc, still pending, here if its CPU's thread has left its sections. */
static void
rump_xc_retry(struct rump_xc *xc)
{
	struct rump_cpu *rc = xc->xc_cpu;

	RUMP_LWP_ADD(rl_nopreempt, 1);
	pthread_mutex_lock(&rc->rc_lock);
	if (rc->rc_xc == xc) {
		if (!rc->rc_owned || rc->rc_idle) {
			rc->rc_xc = NULL;
			rump_xc_run(rc, xc);
		} else if (rump_xc_try(rc, xc))
			rc->rc_xc = NULL;
	}
	pthread_mutex_unlock(&rc->rc_lock);
	RUMP_LWP_ADD(rl_nopreempt, -1);
}

/*
 * Wait until every call in xcs[0 .. n-1] has run, trying pending ones
 * again every RUMP_XC_RETRY_NS.
 */
static void
rump_xc_await(struct rump_xc *xcs, u_int n)
{
	struct timespec ts;
	u_int i;

	pthread_mutex_lock(&rump_xc_lock);
	for (i = 0; i < n; i++) {
		while (!xcs[i].xc_done) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += RUMP_XC_RETRY_NS;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			if (pthread_cond_timedwait(&rump_xc_cv, &rump_xc_lock,
			    &ts) != ETIMEDOUT)
				continue;
			pthread_mutex_unlock(&rump_xc_lock);
			rump_xc_retry(&xcs[i]);
			pthread_mutex_lock(&rump_xc_lock);
		}
	}
	pthread_mutex_unlock(&rump_xc_lock);
}

static pthread_mutex_t rump_xc_serial = PTHREAD_MUTEX_INITIALIZER;

/*
 * Take the lock that serializes cross calls.  Its holder may be waiting
 * for a call to this thread's CPU, which no other thread may run as
 * this CPU while this thread holds a mutex: run it here, checking every
 * RUMP_XC_RETRY_NS, as a kernel runs a CPU's cross calls while the thread
 * on it is blocked.
 */
static void
rump_xc_serial_enter(void)
{
	struct timespec ts;

	for (;;) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += RUMP_XC_RETRY_NS;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_mutex_timedlock(&rump_xc_serial, &ts) == 0)
			return;
		if (__atomic_load_n(&rump_lwp.rl_xcpending,
		    __ATOMIC_RELAXED) != 0 && rump_lwp.rl_nopreempt == 0 &&
		    rump_lwp.rl_ipl == 0)
			rump_xc_deferred();
	}
}

uint64_t
xc_broadcast(u_int flags, void (*func)(void *, void *), void *arg1,
    void *arg2)
{
	static struct rump_xc xcs[MAXCPUS];
	uint64_t ticket;
	u_int i;

	(void)flags;
	(void)curcpu();
	rump_xc_serial_enter();
	for (i = 0; i < ncpu; i++) {
		xcs[i] = (struct rump_xc){ func, arg1, arg2, NULL, 0 };
		rump_xc_post(&rump_cpus[i], &xcs[i]);
	}
	rump_xc_await(xcs, ncpu);
	ticket = ++rump_xc_tickets;
	pthread_mutex_unlock(&rump_xc_serial);
	return ticket;
}

uint64_t
xc_unicast(u_int flags, void (*func)(void *, void *), void *arg1,
    void *arg2, struct cpu_info *ci)
{
	struct rump_xc xc = { func, arg1, arg2, NULL, 0 };
	uint64_t ticket;

	(void)flags;
	(void)curcpu();
	rump_xc_serial_enter();
	rump_xc_post(ci->ci_host, &xc);
	rump_xc_await(&xc, 1);
	ticket = ++rump_xc_tickets;
	pthread_mutex_unlock(&rump_xc_serial);
	return ticket;
}

void
xc_wait(uint64_t ticket)
{

	/* xc_broadcast and xc_unicast return only once the calls ran. */
	(void)ticket;
}
