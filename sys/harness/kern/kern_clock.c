/*
 * kern_clock.c: the clock tick and clock hooks of the test kernel.
 *
 * Every CPU takes a clock interrupt hz times a second (the machine code
 * programs its timer) and calls hardclock at IPL_VM with the number of
 * ticks that passed since its last call, counted from the time source:
 * more than one if the interrupt came late.  CPU 0 advances ticks by
 * that many and wakes sleepers whose timeout has come; every CPU runs
 * the clock hooks once and tells the scheduler a tick went by.
 *
 * Clock hooks stand in for device interrupt handlers: tests and the demo
 * use them to allocate from interrupt context on every CPU.  Each hook is
 * a kmem_alloc'ed record on a singly linked list that the clock walks
 * without a lock.  Writers take clockhook_lock; establishing fills the
 * record before publishing it at the head, and disestablishing unlinks
 * it, then waits for a cross call to have run on every CPU, which cannot
 * happen while any CPU is still inside the interrupt that may have read
 * the old link; only then is the record freed.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/intr.h>
#include <sys/kernel.h>
#include <sys/kmem.h>
#include <sys/lwp.h>
#include <sys/mutex.h>
#include <sys/systm.h>
#include <sys/xcall.h>

int hz = 100;
volatile uint64_t ticks;

/* Legend: a atomic (see above), h clockhook_lock, I immutable. */
struct clockhook {
	void		(*ch_func)(void *);	/* I */
	void		*ch_arg;		/* I */
	struct clockhook *ch_next;		/* a, h: the next hook */
};

static kmutex_t clockhook_lock;
static struct clockhook *clockhook_list;	/* a, h: the first hook */

void
hardclock(u_int n)
{
	struct cpu_info *ci = curcpu();
	struct clockhook *ch;

	if (ci->ci_index == 0) {
		ticks += n;
		sleepq_timeout_tick();
	}
	for (ch = atomic_load_acquire(&clockhook_list); ch != NULL;
	    ch = atomic_load_acquire(&ch->ch_next)) {
		(*ch->ch_func)(ch->ch_arg);
		ci->ci_nhook++;
	}
	sched_tick();
}

/* Set up the hook list; before the first clock interrupt. */
void
clockhook_init(void)
{

	mutex_init(&clockhook_lock, MUTEX_DEFAULT, IPL_NONE);
}

/*
 * Call func(arg) from every CPU's clock interrupt; returns the handle for
 * clockhook_disestablish.  => thread context, may sleep for memory
 */
void *
clockhook_establish(void (*func)(void *), void *arg)
{
	struct clockhook *ch;

	ch = kmem_alloc(sizeof(*ch), KM_SLEEP);
	ch->ch_func = func;
	ch->ch_arg = arg;
	mutex_enter(&clockhook_lock);
	ch->ch_next = clockhook_list;
	atomic_store_release(&clockhook_list, ch);
	mutex_exit(&clockhook_lock);
	return ch;
}

/* The cross call that shows a CPU has left any clock interrupt. */
static void
clockhook_barrier(void *a1, void *a2)
{

	(void)a1;
	(void)a2;
}

/* Remove a hook and wait until no CPU runs it.  => may sleep */
void
clockhook_disestablish(void *cookie)
{
	struct clockhook *ch = cookie, **chp;

	mutex_enter(&clockhook_lock);
	for (chp = &clockhook_list; *chp != ch; chp = &(*chp)->ch_next)
		if (*chp == NULL)
			panic("clockhook_disestablish: %p is not a clock hook",
			    ch);
	atomic_store_release(chp, ch->ch_next);
	mutex_exit(&clockhook_lock);
	xc_wait(xc_broadcast(0, clockhook_barrier, NULL, NULL));
	kmem_free(ch, sizeof(*ch));
}
