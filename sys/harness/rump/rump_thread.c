/*
 * rump_thread.c: kthread(9) on POSIX threads.
 *
 * A kernel thread is a host thread; it takes a virtual CPU of its own the
 * first time it runs kernel code, so the CPU argument of kthread_create is
 * a hint the host platform does not need.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rump_host.h"

struct lwp {
	pthread_t	l_thread;	/* I: the host thread */
	void		(*l_func)(void *);	/* I */
	void		*l_arg;		/* I */
	int		l_flags;	/* I: KTHREAD_* */
	char		l_name[32];	/* I */
};

#define	KTHREAD_MUSTJOIN_	0x01

void	panic(const char *, ...) __attribute__((__noreturn__));
extern int hz;

static __thread struct lwp *rump_curlwp;

static void *
kthread_trampoline(void *arg)
{
	struct lwp *l = arg;

	rump_curlwp = l;
	(*l->l_func)(l->l_arg);
	return NULL;
}

int
kthread_create(int pri, int flags, struct cpu_info *ci, void (*func)(void *),
    void *arg, struct lwp **lp, const char *fmt, ...)
{
	struct lwp *l;
	va_list ap;
	int error;

	(void)pri;
	(void)ci;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return ENOMEM;
	l->l_func = func;
	l->l_arg = arg;
	l->l_flags = flags;
	va_start(ap, fmt);
	vsnprintf(l->l_name, sizeof(l->l_name), fmt, ap);
	va_end(ap);
	error = pthread_create(&l->l_thread, NULL, kthread_trampoline, l);
	if (error != 0) {
		free(l);
		return error;
	}
	if ((flags & KTHREAD_MUSTJOIN_) == 0)
		pthread_detach(l->l_thread);
	if (lp != NULL)
		*lp = l;
	return 0;
}

void
kthread_exit(int ecode)
{
	struct lwp *l = rump_curlwp;

	(void)ecode;
	if (l != NULL && (l->l_flags & KTHREAD_MUSTJOIN_) == 0)
		free(l);
	pthread_exit(NULL);
}

int
kthread_join(struct lwp *l)
{
	bool blocked;

	if ((l->l_flags & KTHREAD_MUSTJOIN_) == 0)
		panic("kthread_join: thread %s was not created MUSTJOIN",
		    l->l_name);
	blocked = rump_cpu_block();
	pthread_join(l->l_thread, NULL);
	rump_cpu_unblock(blocked);
	free(l);
	return 0;
}

int
kpause(const char *wmesg, bool intr, int timo, struct kmutex *mtx)
{
	struct timespec ts;
	bool blocked;

	(void)wmesg;
	(void)intr;
	if (timo < 1)
		timo = 1;
	ts.tv_sec = timo / hz;
	ts.tv_nsec = (long)(timo % hz) * (1000000000L / hz);
	if (mtx != NULL)
		mutex_exit(mtx);
	blocked = rump_cpu_block();
	nanosleep(&ts, NULL);
	rump_cpu_unblock(blocked);
	if (mtx != NULL)
		mutex_enter(mtx);
	return EWOULDBLOCK;
}
