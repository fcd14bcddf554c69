/*
 * init_main.c: the machine-independent startup of the test kernel.
 *
 * The machine code calls kernel_main on the boot CPU once the page
 * allocator, the page tables and the CPU set exist.  kernel_main builds
 * the kmem arenas on the kernel virtual range and kmem's caches on them,
 * starts the service threads (cross calls, page daemon), starts the
 * other CPUs and the clock, and leaves the work to a "main" thread: the
 * ATF test case named by atf= on the command line, or else the
 * demonstration workload.  The main thread powers the machine off when
 * it is done; the boot CPU becomes idle.
 */

#include <sys/param.h>
#include <sys/cpu.h>
#include <sys/kernel.h>
#include <sys/kmem.h>
#include <sys/lwp.h>
#include <sys/systm.h>

#include <machine/pmap.h>

#include <uvm/uvm_km.h>
#include <uvm/uvm_page.h>

#define	MAIN_STACK_SIZE		(256 * 1024)	/* test bodies may be hungry */

/* The main thread: run the test case or the demo, then power off. */
static void
kernel_run(void *arg)
{
	const char *tc;
	int status = 0;

	(void)arg;
	if ((tc = kernel_getarg("atf")) != NULL)
		status = atf_kernel_run(tc);
	else
		demo_run();
	cpu_poweroff(status);
}

void
kernel_main(void)
{
	vaddr_t kva_start, kva_end;

	printf("ukmem test kernel: %u CPUs, %zu MiB of RAM, %zu pages free\n",
	    ncpu, (uvmexp.npages << PAGE_SHIFT) >> 20, uvmexp.free);
	pmap_kva_range(&kva_start, &kva_end);
	uvm_km_purge_init();
	uvm_km_bootstrap(kva_start, kva_end);
	kmem_init();
	xc_init();
	clockhook_init();
	uvm_pdaemon_init();
	cpu_boot_secondary_processors();
	cpu_initclocks(curcpu());
	(void)lwp_create(kernel_run, NULL, NULL, PRI_KTHREAD, 0,
	    MAIN_STACK_SIZE, "main");
	sched_idle();
}
