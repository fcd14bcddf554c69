/*
 * t_bus_dma.c: DMA-constrained buffers as a bus_dma-style driver takes
 * them from vmem: a DMA arena below 4 GiB importing from the physical
 * address space, descriptor rings aligned to their size that never cross
 * a 64 KiB boundary, and scatter segments under a device's maximum
 * address, allocated and freed with VM_NOSLEEP from threads on several
 * CPUs, at IPL_VM, and from cross calls (which run with preemption off,
 * as an interrupt handler does).
 *
 * The arenas hand out numbers, not memory: an ownership map of the pages
 * below 4 GiB catches any two holders of one page.  Seeds are fixed.  The
 * driver lives in t_bus_dma.h, which the kernel-only t_bus_dma_intr
 * shares to run it in clock interrupts.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/kthread.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>
#include <sys/xcall.h>

#include <atf-c.h>

#include "t_bus_dma.h"

/* A cross call: one round on this CPU, with preemption off. */
static void
t_driver_xc(void *arg1, void *arg2)
{
	uint32_t x = (uint32_t)(uintptr_t)arg1 + cpu_index(curcpu()) * 7919;

	t_driver_round(&x, (uint8_t)(200 + cpu_index(curcpu()) % 50));
}

/* vmem_walk callback: count a span of the DMA arena above 4 GiB. */
static void
t_span_check(void *arg, vmem_addr_t a, vmem_size_t size)
{
	int *nbad = arg;

	if (a + size - 1 > T_DMA_MAX)
		(*nbad)++;
}

ATF_TC(constraints);
ATF_TC_HEAD(constraints, tc)
{

	atf_tc_set_md_var(tc, "descr", "rings are aligned to their size and "
	    "never cross 64 KiB, segments stay under the device's limit, and "
	    "the DMA arena imports only below 4 GiB");
}
ATF_TC_BODY(constraints, tc)
{
	vmem_addr_t a[64];
	uint32_t x = 99;
	int i, nbad = 0;

	t_arenas_create();
	for (i = 0; i < 64; i++)
		ATF_REQUIRE(t_ring_alloc(PAGE_SIZE << (t_rand(&x) % 5), 1,
		    &a[i]));
	vmem_walk(t_dma, VMEM_SPAN, t_span_check, &nbad);
	ATF_CHECK_EQ_MSG(nbad, 0, "%d spans imported above 4 GiB", nbad);
	x = 99;
	for (i = 0; i < 64; i++)
		t_dma_free(a[i], PAGE_SIZE << (t_rand(&x) % 5), 1);
	for (i = 0; i < 64; i++)
		ATF_REQUIRE(t_seg_alloc(PAGE_SIZE, 2, &a[i]));
	for (i = 0; i < 64; i++)
		t_dma_free(a[i], PAGE_SIZE, 2);
	ATF_CHECK_EQ(t_failures, 0);
	t_arenas_destroy();
}

ATF_TC(drivers);
ATF_TC_HEAD(drivers, tc)
{

	atf_tc_set_md_var(tc, "descr", "drivers on several CPUs, at IPL_VM "
	    "and in cross calls, take and give back rings and scatter lists "
	    "with VM_NOSLEEP; no page ever has two holders");
}
ATF_TC_BODY(drivers, tc)
{
	lwp_t *l[T_THREADS];
	int i;

	t_arenas_create();
	for (i = 0; i < T_THREADS; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN,
		    NULL, t_driver_main, (void *)(uintptr_t)(i + 1), &l[i],
		    "driver%d", i), 0);
	for (i = 0; i < 200 / TEST_SCALE; i++)
		xc_wait(xc_broadcast(0, t_driver_xc, (void *)(uintptr_t)i,
		    NULL));
	for (i = 0; i < T_THREADS; i++)
		kthread_join(l[i]);
	ATF_CHECK_EQ_MSG(t_failures, 0, "%u VM_NOSLEEP requests failed in a "
	    "4 GiB arena", t_failures);
	t_arenas_destroy();
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, constraints);
	ATF_TP_ADD_TC(tp, drivers);
	return atf_no_error();
}
