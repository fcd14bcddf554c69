/*
 * t_bus_dma_intr.c: the bus_dma-style driver of t_bus_dma.h in real
 * interrupt handlers, in the test kernel.
 *
 * A driver's completion interrupt takes new rings and scatter segments
 * and gives old ones back with VM_NOSLEEP; vmem's arena locks are spin
 * mutexes at the arena's IPL (IPL_VM here), so that is safe.  The clock
 * interrupt of every CPU plays that handler while driver threads on
 * every CPU do the same at IPL_NONE and IPL_VM; the ownership map
 * catches any page handed to two holders, and every constraint is
 * checked on every allocation.
 *
 * Kernel-only: it uses the test kernel's clock hooks (sys/kernel.h).
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/kernel.h>
#include <sys/kthread.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <atf-c.h>

#include "t_bus_dma.h"

#define	T_HOOK_ROUNDS	100	/* clock interrupts that take buffers */
#define	T_WAIT_TICKS	(30 * hz)	/* patience for the other CPUs */

static volatile u_int t_hook_rounds[MAXCPUS];	/* by each CPU's clock */
static volatile u_int t_hook_stray;	/* hook calls outside interrupts */

/* Clock hook: one driver round, as a completion interrupt would. */
static void
t_hook_driver(void *arg)
{
	u_int i = cpu_index(curcpu());
	uint32_t x;

	(void)arg;
	if (t_hook_rounds[i] >= T_HOOK_ROUNDS)
		return;
	if (!cpu_intr_p())
		t_hook_stray++;
	x = (t_hook_rounds[i] + 1) * 40503u + i;
	t_driver_round(&x, (uint8_t)(100 + i));
	t_hook_rounds[i]++;
}

/* Whether every CPU's clock has done T_HOOK_ROUNDS rounds, waiting. */
static bool
t_hooks_done(void)
{
	uint64_t end = ticks + T_WAIT_TICKS;
	u_int i, done;

	while (ticks < end) {
		for (i = 0, done = 0; i < ncpu; i++)
			if (t_hook_rounds[i] >= T_HOOK_ROUNDS)
				done++;
		if (done == ncpu)
			return true;
		(void)kpause("tdma", false, 1, NULL);
	}
	return false;
}

ATF_TC(intr_drivers);
ATF_TC_HEAD(intr_drivers, tc)
{

	atf_tc_set_md_var(tc, "descr", "every CPU's clock interrupt takes "
	    "and gives back DMA rings and segments with VM_NOSLEEP while "
	    "driver threads do the same; every constraint holds and no "
	    "page ever has two holders");
}
ATF_TC_BODY(intr_drivers, tc)
{
	lwp_t *l[T_THREADS];
	void *h;
	u_int i;

	t_arenas_create();
	h = clockhook_establish(t_hook_driver, NULL);
	for (i = 0; i < T_THREADS; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN,
		    NULL, t_driver_main, (void *)(uintptr_t)(i + 1), &l[i],
		    "driver%u", i), 0);
	for (i = 0; i < T_THREADS; i++)
		kthread_join(l[i]);
	ATF_CHECK_MSG(t_hooks_done(), "the clock interrupts did not finish "
	    "their rounds");
	clockhook_disestablish(h);
	for (i = 0; i < ncpu; i++)
		printf("cpu%u: %u driver rounds in the clock interrupt\n", i,
		    t_hook_rounds[i]);
	ATF_CHECK_EQ(t_hook_stray, 0);
	ATF_CHECK_EQ_MSG(t_failures, 0, "%u VM_NOSLEEP requests failed in a "
	    "4 GiB arena", t_failures);
	t_arenas_destroy();
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, intr_drivers);
	return atf_no_error();
}
