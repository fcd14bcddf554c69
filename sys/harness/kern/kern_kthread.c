/*
 * kern_kthread.c: kthread(9) and kpause for the test kernel.
 *
 * A thread's stack is one kmem_alloc block, so it lives in the kmem
 * range like any other kernel memory; the struct lwp sits at its bottom,
 * followed by a guard word that mi_switch checks, and the stack grows
 * down towards them from the top.  An exiting thread cannot free the
 * stack it runs on: the scheduler frees it after switching away (in
 * lwp_reap, with sched_mutex dropped and at IPL_NONE, since kmem_free may
 * release pages and so shoot down TLB entries), or kthread_join does when
 * the thread was created KTHREAD_MUSTJOIN.  Threads are created after
 * kmem_init; even the idle threads are.
 */

#include <sys/param.h>
#include <sys/cpu.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/kthread.h>
#include <sys/lwp.h>
#include <sys/mutex.h>
#include <sys/systm.h>

static char kpause_wchan;	/* nobody wakes it: kpause always times out */

/*
 * Create a thread that runs func(arg), bound to ci unless ci is NULL,
 * with a stack of stacksize bytes from kmem, and make it runnable.
 * => may sleep for memory; kmem_init has run
 */
struct lwp *
lwp_create(void (*func)(void *), void *arg, struct cpu_info *ci, pri_t pri,
    int flags, size_t stacksize, const char *name)
{
	struct lwp *l;

	stacksize = roundup2(stacksize, PAGE_SIZE);
	l = kmem_zalloc(stacksize, KM_SLEEP);
	*(uint64_t *)(l + 1) = LWP_STACK_GUARD;
	l->l_stat = LSIDL;
	l->l_cpu = ci != NULL ? ci : curcpu();
	l->l_bound = ci;
	l->l_pri = pri;
	l->l_flags = flags;
	l->l_func = func;
	l->l_arg = arg;
	l->l_stack = (vaddr_t)l;
	l->l_stacksize = stacksize;
	strlcpy(l->l_name, name, sizeof(l->l_name));
	cpu_lwp_init(l);
	if ((flags & LW_IDLE) == 0) {
		mutex_spin_enter(&sched_mutex);
		sched_setrunnable(l);
		mutex_spin_exit(&sched_mutex);
	}
	return l;
}

/* Free the stack, and so the struct, of a thread that is LSDEAD. */
void
lwp_free(struct lwp *l)
{

	KASSERTMSG(l->l_stat == LSDEAD, "lwp_free: thread %s is in state %d",
	    l->l_name, l->l_stat);
	kmem_free((void *)l->l_stack, l->l_stacksize);
}

int
kthread_create(pri_t pri, int flags, struct cpu_info *ci,
    void (*func)(void *), void *arg, lwp_t **lp, const char *fmt, ...)
{
	char name[sizeof(((struct lwp *)0)->l_name)];
	struct lwp *l;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	l = lwp_create(func, arg, ci, pri == PRI_NONE ? PRI_KTHREAD : pri,
	    (flags & KTHREAD_MUSTJOIN) ? LW_MUSTJOIN : 0, KSTACK_SIZE, name);
	if (lp != NULL)
		*lp = l;
	return 0;
}

void
kthread_exit(int ecode)
{

	(void)ecode;
	lwp_exit();
}

int
kthread_join(lwp_t *l)
{

	if ((l->l_flags & LW_MUSTJOIN) == 0)
		panic("kthread_join: thread %s was not created MUSTJOIN",
		    l->l_name);
	mutex_spin_enter(&sched_mutex);
	while (l->l_stat != LSDEAD) {
		(void)sleepq_block(l, "kjoin", 0);
		mutex_spin_enter(&sched_mutex);
	}
	mutex_spin_exit(&sched_mutex);
	lwp_free(l);
	return 0;
}

int
kpause(const char *wmesg, bool intr, int timo, kmutex_t *mtx)
{

	(void)intr;
	if (mtx != NULL)
		mutex_exit(mtx);
	mutex_spin_enter(&sched_mutex);
	(void)sleepq_block(&kpause_wchan, wmesg, MAX(timo, 1));
	if (mtx != NULL)
		mutex_enter(mtx);
	return EWOULDBLOCK;
}
