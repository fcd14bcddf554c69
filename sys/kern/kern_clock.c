/*
 * kern_clock.c: the clock tick and clock hooks of the test kernel.
 *
 * Every CPU takes a clock interrupt hz times a second (the machine code
 * programs its timer) and calls hardclock at IPL_VM.  CPU 0 counts ticks
 * and wakes sleepers whose timeout has come; every CPU runs the clock
 * hooks and tells the scheduler a tick went by.
 *
 * Clock hooks stand in for device interrupt handlers: tests and the demo
 * use them to allocate from interrupt context on every CPU.  The table is
 * read without a lock; establishing publishes the argument before the
 * function, and disestablishing clears the function and then waits for a
 * cross call to have run on every CPU, which cannot happen while any CPU
 * is still inside the interrupt that read the old entry.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/kernel.h>
#include <sys/lwp.h>
#include <sys/systm.h>
#include <sys/xcall.h>

int hz = 100;
volatile uint64_t ticks;

/* Legend: a atomic (see above). */
static struct clockhook {
	void	(*ch_func)(void *);	/* a: NULL when the slot is free */
	void	*ch_arg;		/* a: published before ch_func */
	bool	ch_busy;		/* a: slot taken */
} clockhooks[CLOCKHOOK_MAX];

void
hardclock(void)
{
	struct cpu_info *ci = curcpu();
	void (*func)(void *);
	u_int i;

	if (ci->ci_index == 0) {
		ticks++;
		sleepq_timeout_tick();
	}
	for (i = 0; i < CLOCKHOOK_MAX; i++) {
		func = atomic_load_acquire(&clockhooks[i].ch_func);
		if (func != NULL) {
			(*func)(clockhooks[i].ch_arg);
			ci->ci_nhook++;
		}
	}
	sched_tick();
}

/* Call func(arg) from every CPU's clock interrupt; returns a handle. */
int
clockhook_establish(void (*func)(void *), void *arg)
{
	u_int i;

	for (i = 0; i < CLOCKHOOK_MAX; i++) {
		if (!__atomic_test_and_set(&clockhooks[i].ch_busy,
		    __ATOMIC_ACQUIRE)) {
			clockhooks[i].ch_arg = arg;
			atomic_store_release(&clockhooks[i].ch_func, func);
			return (int)i;
		}
	}
	panic("clockhook_establish: all %d clock hooks are taken",
	    CLOCKHOOK_MAX);
}

/* Remove a hook and wait until no CPU runs it.  => may sleep */
static void
clockhook_barrier(void *a1, void *a2)
{

	(void)a1;
	(void)a2;
}

void
clockhook_disestablish(int h)
{

	KASSERT(h >= 0 && h < CLOCKHOOK_MAX);
	atomic_store_release(&clockhooks[h].ch_func, NULL);
	xc_wait(xc_broadcast(0, clockhook_barrier, NULL, NULL));
	__atomic_clear(&clockhooks[h].ch_busy, __ATOMIC_RELEASE);
}
