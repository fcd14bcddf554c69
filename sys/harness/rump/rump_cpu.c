/*
 * rump_cpu.c: virtual CPUs and cross calls on the host platform.
 *
 * A host thread that enters the kernel is given a virtual CPU of its own
 * the first time it asks curcpu(), and gives it back when it exits, so
 * per-CPU code runs for real and in parallel.  A virtual CPU whose thread
 * has exited keeps its per-CPU state (magazines, say) for the next thread
 * that takes it, as a real CPU would.
 *
 * A cross call to a CPU that has a thread is an inter-processor interrupt:
 * the signal SIGXCALL is sent to that thread, and its handler runs the
 * function on that thread, as that CPU.  The handler runs the call only at
 * a point where the thread has no per-CPU section open (preemption enabled,
 * IPL_NONE) and holds no kernel mutex other than one it is asleep on;
 * otherwise it leaves the call pending, and the thread runs it when it
 * reaches such a point (kpreempt_enable, splx, mutex_exit, wakeup).  A
 * cross call to a CPU without a thread is run by the caller, as that CPU,
 * with the CPU's host lock held so that no thread can take it meanwhile.
 *
 * Cross calls are serialized by one host lock: there is at most one
 * request per CPU in flight.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rump_host.h"

#define	SIGXCALL	(SIGRTMIN + 3)

__thread struct rump_lwpstate rump_lwp
    __attribute__((__tls_model__("initial-exec")));

struct rump_cpu rump_cpus[MAXCPUS];
u_int ncpu = MAXCPUS;

static pthread_key_t rump_cpu_key;
static pthread_mutex_t rump_cpu_attach_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t rump_xc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rump_xc_cv = PTHREAD_COND_INITIALIZER;
static uint64_t rump_xc_tickets;

static void rump_cpu_detach(void *);
static void rump_xc_signal(int);

/* Set up the virtual CPUs and the cross-call signal, before main(). */
__attribute__((__constructor__(101)))
static void
rump_cpu_init(void)
{
	struct sigaction sa;
	u_int i;

	for (i = 0; i < MAXCPUS; i++) {
		rump_cpus[i].rc_ci.ci_index = i;
		rump_cpus[i].rc_ci.ci_host = &rump_cpus[i];
		pthread_mutex_init(&rump_cpus[i].rc_lock, NULL);
	}
	pthread_key_create(&rump_cpu_key, rump_cpu_detach);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = rump_xc_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGXCALL, &sa, NULL);
	rump_page_init();
}

/* Give the calling thread a free virtual CPU. */
struct cpu_info *
rump_cpu_attach(void)
{
	struct rump_cpu *rc;
	u_int i;

	rump_lwp.rl_nopreempt++;
	pthread_mutex_lock(&rump_cpu_attach_lock);
	for (i = 0; i < MAXCPUS; i++) {
		rc = &rump_cpus[i];
		pthread_mutex_lock(&rc->rc_lock);
		if (!rc->rc_owned) {
			rc->rc_owned = true;
			rc->rc_owner = pthread_self();
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
	rump_lwp.rl_nopreempt--;
	return &rc->rc_ci;
}

/* Give a thread's virtual CPU back when the thread exits. */
static void
rump_cpu_detach(void *arg)
{
	struct rump_cpu *rc = arg;

	rump_lwp.rl_nopreempt++;
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

	rump_lwp.rl_nopreempt++;
	rump_lwp.rl_cpu = &rc->rc_ci;
	(*xc->xc_func)(xc->xc_arg1, xc->xc_arg2);
	__atomic_fetch_add(&rc->rc_ci.ci_nxcall, 1, __ATOMIC_RELAXED);
	rump_lwp.rl_cpu = self;
	rump_lwp.rl_nopreempt--;
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

	rump_lwp.rl_xcpending = 0;
	if (rump_lwp.rl_cpu == NULL)
		return;
	rc = rump_lwp.rl_cpu->ci_host;
	rump_lwp.rl_nopreempt++;
	pthread_mutex_lock(&rc->rc_lock);
	xc = rc->rc_xc;
	rc->rc_xc = NULL;
	pthread_mutex_unlock(&rc->rc_lock);
	rump_lwp.rl_nopreempt--;
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
	rump_lwp.rl_nopreempt++;
	pthread_mutex_lock(&rc->rc_lock);
	xc = rc->rc_xc;
	rc->rc_xc = NULL;
	rc->rc_idle = true;
	pthread_mutex_unlock(&rc->rc_lock);
	rump_lwp.rl_nopreempt--;
	rump_lwp.rl_xcpending = 0;
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
	rump_lwp.rl_nopreempt++;
	pthread_mutex_lock(&rc->rc_lock);
	rc->rc_idle = false;
	pthread_mutex_unlock(&rc->rc_lock);
	rump_lwp.rl_nopreempt--;
}

/* The inter-processor interrupt: run now if this is a safe point. */
static void
rump_xc_signal(int sig)
{
	int error = errno;

	(void)sig;
	rump_lwp.rl_xcpending = 1;
	rump_lwp_settle();
	errno = error;
}

/* Deliver xc to CPU rc: run it here if no thread has rc, else signal. */
static void
rump_xc_post(struct rump_cpu *rc, struct rump_xc *xc)
{
	bool self = false;

	rump_lwp.rl_nopreempt++;
	pthread_mutex_lock(&rc->rc_lock);
	if (!rc->rc_owned || rc->rc_idle)
		rump_xc_run(rc, xc);
	else if (pthread_equal(rc->rc_owner, pthread_self()))
		self = true;
	else {
		rc->rc_xc = xc;
		pthread_kill(rc->rc_owner, SIGXCALL);
	}
	pthread_mutex_unlock(&rc->rc_lock);
	rump_lwp.rl_nopreempt--;
	if (self)
		rump_xc_run(rc, xc);
}

/* Wait until every call in xcs[0 .. n-1] has run. */
static void
rump_xc_await(struct rump_xc *xcs, u_int n)
{
	u_int i;

	pthread_mutex_lock(&rump_xc_lock);
	for (i = 0; i < n; i++) {
		while (!xcs[i].xc_done)
			pthread_cond_wait(&rump_xc_cv, &rump_xc_lock);
	}
	pthread_mutex_unlock(&rump_xc_lock);
}

static pthread_mutex_t rump_xc_serial = PTHREAD_MUTEX_INITIALIZER;

uint64_t
xc_broadcast(u_int flags, void (*func)(void *, void *), void *arg1,
    void *arg2)
{
	static struct rump_xc xcs[MAXCPUS];
	uint64_t ticket;
	u_int i;

	(void)flags;
	(void)curcpu();
	pthread_mutex_lock(&rump_xc_serial);
	for (i = 0; i < ncpu; i++) {
		xcs[i] = (struct rump_xc){ func, arg1, arg2, 0 };
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
	struct rump_xc xc = { func, arg1, arg2, 0 };
	uint64_t ticket;

	(void)flags;
	(void)curcpu();
	pthread_mutex_lock(&rump_xc_serial);
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
