/*
 * uvm_pdaemon.c: the page daemon of the test kernel.
 *
 * The kernel has no pageable memory, so the daemon's levers are the
 * kmem ranges waiting to be unmapped and the allocator above: when the
 * free page count drops below uvmexp.freetarg, or a VM_SLEEP allocation
 * waits for a page, the daemon purges the pending ranges (uvm_km_purge),
 * runs the glue's reclaim hook, uvm_kmem_reclaim: kmem_reap(), which
 * purges idle magazines and returns empty slabs to the pending list
 * through uvm_km_unback, and purges again; the pages freed wake the
 * waiters.  It also wakes once a
 * second to run kmem_update, kmem's periodic upkeep (magazines and slabs
 * the working set no longer needs), and to catch a shortage whose signal
 * it missed.
 */

#include <sys/param.h>
#include <sys/condvar.h>
#include <sys/kernel.h>
#include <sys/kmem.h>
#include <sys/kthread.h>
#include <sys/lwp.h>
#include <sys/mutex.h>
#include <sys/systm.h>

#include <uvm/uvm_kmem.h>
#include <uvm/uvm_page.h>

extern kmutex_t uvm_fpageq_lock;
extern kcondvar_t uvm_pdaemon_cv;

/* Whether memory is short.  => uvm_fpageq_lock held */
static bool
uvm_pdaemon_needed(void)
{

	return uvmexp.free < uvmexp.freetarg;
}

/* The daemon: once a second keep kmem tidy; on a shortage, reclaim. */
static void
uvm_pdaemon(void *arg)
{
	bool shortage;

	(void)arg;
	for (;;) {
		mutex_spin_enter(&uvm_fpageq_lock);
		if (!uvm_pdaemon_needed())
			(void)cv_timedwait(&uvm_pdaemon_cv, &uvm_fpageq_lock,
			    hz);
		shortage = uvm_pdaemon_needed();
		if (shortage)
			uvmexp.pdwakeups++;
		mutex_spin_exit(&uvm_fpageq_lock);
		if (!shortage) {
			kmem_update();
			continue;
		}
		(void)uvm_km_purge();
		uvm_kmem_reclaim(NULL, 0);
		(void)uvm_km_purge();
		(void)kpause("pdpause", false, MAX(hz / 10, 1), NULL);
	}
}

/* Start the page daemon and the kmem purge daemon. */
void
uvm_pdaemon_init(void)
{

	(void)lwp_create(uvm_pdaemon, NULL, NULL, PRI_HIGH, LW_SYSTEM,
	    KSTACK_SIZE, "pagedaemon");
	uvm_km_purge_start();
}
