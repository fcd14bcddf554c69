/*
 * kern_demo.c: the demonstration workload that "make run" boots into.
 *
 * It uses the allocator the way a kernel does, on every CPU at once,
 * then prints what the allocator and the kernel did:
 *
 *	workers		a thread bound to each CPU allocates and frees
 *			with kmem_alloc, from an object cache and from
 *			kmem_meta_arena with KM_SLEEP/VM_SLEEP, stamping and
 *			checking every buffer, freeing some on other CPUs;
 *	interrupts	a clock hook on every CPU allocates and frees with
 *			KM_NOSLEEP and VM_NOSLEEP, as a network driver's
 *			receive interrupt would, on every tick from the
 *			first phase to the last, counting refusals (freed
 *			pages wait for a batched shootdown, so this costs
 *			no IPI);
 *	driver		a "DMA engine" takes bus-address windows from its
 *			own arena with vmem_xalloc: 64 KiB aligned, never
 *			crossing a 1 MiB boundary, below 16 MiB;
 *	pressure	one thread takes kmem_meta_arena memory until the free
 *			page count falls below the page daemon's target,
 *			so the daemon wakes and runs kmem_reap (which cross
 *			calls every CPU to empty its magazines), then gives
 *			the memory back.
 *
 * The report is kmem's table of caches and arenas (kmem_print, in the
 * style of ::kmastat and vmstat -m), then the per-CPU counters (with the
 * clock's rate: ticks counted, and interrupts taken, per second of
 * elapsed time; shootdowns answered and IPIs re-sent), then the page
 * allocator's, with the purges: pages freed per TLB shootdown.  A damaged stamp or a
 * constraint broken is a panic, so reaching the tables means the run was
 * clean; the machine powers off with status 0.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/intr.h>
#include <sys/kernel.h>
#include <sys/kmem.h>
#include <sys/kthread.h>
#include <sys/lwp.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <uvm/uvm_kmem.h>
#include <uvm/uvm_page.h>

#define	DEMO_ROUNDS		300	/* allocations per worker */
#define	DEMO_LIVE		4	/* buffers a worker holds at once */
#define	DEMO_DMA_BASE		0x00100000UL	/* bus addresses 1 MiB .. */
#define	DEMO_DMA_SIZE		0x01f00000UL	/* .. 32 MiB */
#define	DEMO_DMA_MAX		0x00ffffffUL	/* ISA-style 16 MiB limit */
#define	DEMO_DMA_ALIGN		0x10000UL
#define	DEMO_DMA_NOCROSS	0x100000UL
#define	DEMO_DMA_ROUNDS		2000

/* Legend: a atomic; c the CPU's own clock interrupt. */
static struct demo_cpu {
	uint64_t	dc_intr_ok;	/* c: VM_NOSLEEP successes */
	uint64_t	dc_intr_fail;	/* c: VM_NOSLEEP refusals */
	uint64_t	dc_kintr_ok;	/* c: KM_NOSLEEP successes */
	uint64_t	dc_kintr_fail;	/* c: KM_NOSLEEP refusals */
} __aligned(COHERENCY_UNIT) demo_cpu[MAXCPUS];

#define	DEMO_OBJ_SIZE		192	/* the object cache's objects */

static kmem_cache_t *demo_cache;	/* I: "demo_obj" */

static void	demo_print_arena_header(void);
static void	demo_print_arena(vmem_t *, void *);

static volatile bool demo_intr_on;	/* a: the clock hook allocates */
static volatile u_int demo_bad;		/* a: damaged stamps */

/* ---- stamping buffers */

/* A pseudo-random step. */
static uint32_t
demo_rand(uint32_t *x)
{

	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Write a stamp at both ends of a buffer. */
static void
demo_stamp(vmem_addr_t va, vmem_size_t size, uint32_t v)
{

	*(volatile uint32_t *)va = v;
	*(volatile uint32_t *)(va + size - sizeof(uint32_t)) = ~v;
}

/* Check a stamp; panic if someone else wrote into the buffer. */
static void
demo_check(vmem_addr_t va, vmem_size_t size, uint32_t v)
{

	if (*(volatile uint32_t *)va != v ||
	    *(volatile uint32_t *)(va + size - sizeof(uint32_t)) != ~v) {
		atomic_inc_uint(&demo_bad);
		panic("demo: buffer %#lx (%zu bytes) lost its stamp",
		    (u_long)va, (size_t)size);
	}
}

/* ---- workers and interrupts */

/* A worker: keep DEMO_LIVE stamped buffers, replacing one at a time. */
static void
demo_worker(void *arg)
{
	uint32_t x = (uint32_t)(uintptr_t)arg * 2654435761u + 7;
	vmem_addr_t va[DEMO_LIVE] = { 0 }, kb[DEMO_LIVE] = { 0 };
	vmem_addr_t ob[DEMO_LIVE] = { 0 };
	vmem_size_t sz[DEMO_LIVE] = { 0 }, ksz[DEMO_LIVE] = { 0 };
	uint32_t tag[DEMO_LIVE] = { 0 };
	int i, k;

	for (i = 0; i < DEMO_ROUNDS + DEMO_LIVE; i++) {
		k = i % DEMO_LIVE;
		if (va[k] != 0) {
			demo_check(va[k], sz[k], tag[k]);
			vmem_free(kmem_meta_arena, va[k], sz[k]);
			demo_check(kb[k], ksz[k], tag[k]);
			kmem_free((void *)kb[k], ksz[k]);
			demo_check(ob[k], DEMO_OBJ_SIZE, tag[k]);
			kmem_cache_free(demo_cache, (void *)ob[k]);
			va[k] = 0;
		}
		if (i >= DEMO_ROUNDS)
			continue;
		sz[k] = (1 + demo_rand(&x) % 4) * PAGE_SIZE;
		ksz[k] = 8 + demo_rand(&x) % 4096;
		tag[k] = demo_rand(&x);
		(void)vmem_alloc(kmem_meta_arena, sz[k], VM_SLEEP, &va[k]);
		demo_stamp(va[k], sz[k], tag[k]);
		kb[k] = (vmem_addr_t)kmem_alloc(ksz[k], KM_SLEEP);
		demo_stamp(kb[k], ksz[k], tag[k]);
		ob[k] = (vmem_addr_t)kmem_cache_alloc(demo_cache, KM_SLEEP);
		demo_stamp(ob[k], DEMO_OBJ_SIZE, tag[k]);
	}
	kthread_exit(0);
}

/* The clock hook: one VM_NOSLEEP page, stamped, checked and freed. */
static void
demo_intr(void *arg)
{
	struct demo_cpu *dc = &demo_cpu[curcpu()->ci_index];
	vmem_addr_t va;

	(void)arg;
	if (!demo_intr_on)
		return;
	if ((va = (vmem_addr_t)kmem_alloc(96, KM_NOSLEEP)) != 0) {
		demo_stamp(va, 96, (uint32_t)va);
		demo_check(va, 96, (uint32_t)va);
		kmem_free((void *)va, 96);
		dc->dc_kintr_ok++;
	} else
		dc->dc_kintr_fail++;
	if (vmem_alloc(kmem_meta_arena, PAGE_SIZE, VM_NOSLEEP, &va) != 0) {
		dc->dc_intr_fail++;
		return;
	}
	demo_stamp(va, PAGE_SIZE, (uint32_t)va);
	demo_check(va, PAGE_SIZE, (uint32_t)va);
	vmem_free(kmem_meta_arena, va, PAGE_SIZE);
	dc->dc_intr_ok++;
}

/* Run a worker on every CPU with the clock hook allocating too. */
static void
demo_phase_workers(void)
{
	lwp_t *l[MAXCPUS];
	u_int i;

	printf("demo: %u workers, %d rounds each of vmem_alloc, kmem_alloc "
	    "and kmem_cache_alloc, and KM_NOSLEEP/VM_NOSLEEP in every CPU's "
	    "clock interrupt\n", ncpu, DEMO_ROUNDS);
	for (i = 0; i < ncpu; i++)
		(void)kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, cpu_lookup(i),
		    demo_worker, (void *)(uintptr_t)(i + 1), &l[i],
		    "worker%u", i);
	for (i = 0; i < ncpu; i++)
		kthread_join(l[i]);
}

/* ---- a driver with DMA constraints */

/* Check that a window meets the DMA engine's constraints. */
static void
demo_dma_check(vmem_addr_t a, vmem_size_t size)
{

	if ((a & (DEMO_DMA_ALIGN - 1)) != 0 || a + size - 1 > DEMO_DMA_MAX ||
	    (a / DEMO_DMA_NOCROSS) != ((a + size - 1) / DEMO_DMA_NOCROSS))
		panic("demo: DMA window [%#lx, %#lx) breaks its constraints",
		    (u_long)a, (u_long)(a + size));
}

/* Take and give back constrained DMA windows, some held a while. */
static void
demo_phase_driver(void)
{
	vmem_addr_t held[16] = { 0 }, a;
	vmem_size_t hsz[16] = { 0 }, size;
	uint32_t x = 12345;
	vmem_t *dma;
	int i, k;

	printf("demo: DMA driver, %d vmem_xalloc windows (align %#lx, "
	    "nocross %#lx, max %#lx)\n", DEMO_DMA_ROUNDS, DEMO_DMA_ALIGN,
	    DEMO_DMA_NOCROSS, DEMO_DMA_MAX);
	dma = vmem_create("dma32", DEMO_DMA_BASE, DEMO_DMA_SIZE, PAGE_SIZE,
	    NULL, NULL, NULL, 0, VM_SLEEP, IPL_VM);
	for (i = 0; i < DEMO_DMA_ROUNDS; i++) {
		k = (int)(demo_rand(&x) % 16);
		if (held[k] != 0) {
			vmem_xfree(dma, held[k], hsz[k]);
			held[k] = 0;
		}
		size = (1 + demo_rand(&x) % 32) * PAGE_SIZE;
		if (vmem_xalloc(dma, size, DEMO_DMA_ALIGN, 0, DEMO_DMA_NOCROSS,
		    VMEM_ADDR_MIN, DEMO_DMA_MAX, VM_NOSLEEP | VM_BESTFIT,
		    &a) != 0)
			continue;
		demo_dma_check(a, size);
		held[k] = a;
		hsz[k] = size;
	}
	for (k = 0; k < 16; k++)
		if (held[k] != 0)
			vmem_xfree(dma, held[k], hsz[k]);
	demo_print_arena_header();
	demo_print_arena(dma, NULL);
	vmem_destroy(dma);
}

/* ---- memory pressure */

/* Take memory until the page daemon must wake, then give it back. */
static void
demo_phase_pressure(void)
{
	const vmem_size_t chunk = 64 * PAGE_SIZE;
	vmem_addr_t *list = NULL, va;
	uint64_t wakeups = uvmexp.pdwakeups;
	size_t n = 0;

	printf("demo: memory pressure: taking kmem_meta_arena memory until "
	    "fewer than %zu pages are free\n", uvmexp.freetarg);
	while (uvmexp.free > uvmexp.freetarg / 2 &&
	    vmem_alloc(kmem_meta_arena, chunk, VM_NOSLEEP, &va) == 0) {
		*(vmem_addr_t **)va = list;
		list = (vmem_addr_t *)va;
		n++;
	}
	printf("demo: holding %zu MiB, %zu pages free\n",
	    (n * chunk) >> 20, uvmexp.free);
	(void)kpause("demopres", false, hz / 2, NULL);
	while ((va = (vmem_addr_t)list) != 0) {
		list = *(vmem_addr_t **)va;
		vmem_free(kmem_meta_arena, va, chunk);
	}
	printf("demo: released; the page daemon ran %lu times meanwhile\n",
	    (u_long)(uvmexp.pdwakeups - wakeups));
}

/* ---- the report */

static void
demo_print_arena_header(void)
{

	printf("\n%-12s %8s %10s %10s %8s %8s %6s %6s %6s %6s\n",
	    "ARENA", "QUANTUM", "SIZE", "INUSE", "ALLOCS", "FREES", "FAILS",
	    "WAITS", "IMPORT", "RELEAS");
}

/* One arena's line. */
static void
demo_print_arena(vmem_t *vm, void *arg)
{

	(void)arg;
	mutex_enter(&vm->vm_lock);
	printf("%-12s %8lu %10lu %10lu %8lu %8lu %6lu %6lu %6lu %6lu\n",
	    vm->vm_name, (u_long)vm->vm_quantum_mask + 1, (u_long)vm->vm_size,
	    (u_long)vm->vm_inuse, (u_long)vm->vm_nalloc,
	    (u_long)vm->vm_nfree, (u_long)vm->vm_nfail,
	    (u_long)vm->vm_nwait, (u_long)vm->vm_nimport,
	    (u_long)vm->vm_nrelease);
	mutex_exit(&vm->vm_lock);
}

/* The per-CPU counters. */
static void
demo_print_cpus(void)
{
	struct cpu_info *ci;
	CPU_INFO_ITERATOR cii;

	uint64_t now = clock_time_us(), us;

	printf("\n%-5s %4s %7s %6s %6s %7s %7s %6s %7s %6s %8s %8s %8s %8s\n",
	    "CPU", "HART", "CLOCK", "TICK/S", "INTR/S", "IPI", "SWITCH",
	    "XCALL", "SHOOTDN", "RESEND", "VMINTROK", "VMINTRNO", "KMINTROK",
	    "KMINTRNO");
	for (CPU_INFO_FOREACH(cii, ci)) {
		us = MAX(now - ci->ci_clockstart, 1);
		printf("cpu%-2u %4lu %7lu %6lu %6lu %7lu %7lu %6lu %7lu %6lu "
		    "%8lu %8lu %8lu %8lu\n", ci->ci_index, ci->ci_hartid,
		    (u_long)ci->ci_ntimer,
		    (u_long)(ci->ci_nticks * 1000000 / us),
		    (u_long)(ci->ci_ntimer * 1000000 / us),
		    (u_long)ci->ci_nipi,
		    (u_long)ci->ci_nswitch, (u_long)ci->ci_nxcall,
		    (u_long)ci->ci_nshootdown, (u_long)ci->ci_ntlbresend,
		    (u_long)demo_cpu[ci->ci_index].dc_intr_ok,
		    (u_long)demo_cpu[ci->ci_index].dc_intr_fail,
		    (u_long)demo_cpu[ci->ci_index].dc_kintr_ok,
		    (u_long)demo_cpu[ci->ci_index].dc_kintr_fail);
	}
	printf("(hz %d; TICK/S counts ticks kept from the time source, "
	    "INTR/S clock interrupts taken)\n", hz);
}

/* The page allocator's counters. */
static void
demo_print_pages(void)
{

	printf("\npages: %zu managed, %zu free (lowest %zu, daemon target "
	    "%zu); %lu handed out, %lu VM_NOSLEEP refused, %lu VM_SLEEP "
	    "waits; page daemon ran %lu times\n", uvmexp.npages, uvmexp.free,
	    uvmexp.freemin, uvmexp.freetarg, (u_long)uvmexp.nallocs,
	    (u_long)uvmexp.nfails, (u_long)uvmexp.nwaits,
	    (u_long)uvmexp.pdwakeups);
	printf("kmem purges: %lu TLB shootdowns unmapped %lu freed pages "
	    "(%lu pages per shootdown), %zu pages pending; %lu free pages "
	    "found written\n", (u_long)uvmexp.kmpurges,
	    (u_long)uvmexp.kmpurged,
	    (u_long)(uvmexp.kmpurged / MAX(uvmexp.kmpurges, 1)),
	    uvmexp.kmpending, (u_long)uvmexp.nbadfree);
}

/* demo_run: run the demonstration; the number of damaged buffers. */
u_int
demo_run(void)
{
	uint64_t start = clock_time_us();
	void *h;

	printf("demo: the allocator on %u CPUs\n", ncpu);
	demo_cache = kmem_cache_create("demo_obj", DEMO_OBJ_SIZE, 0, NULL,
	    NULL, NULL, NULL, NULL, 0);
	h = clockhook_establish(demo_intr, NULL);
	demo_intr_on = true;
	demo_phase_workers();
	printf("demo: workers done after %lu ms; %lu TLB shootdowns so far "
	    "unmapped %lu freed pages, %zu pages pending\n",
	    (u_long)((clock_time_us() - start) / 1000),
	    (u_long)uvmexp.kmpurges, (u_long)uvmexp.kmpurged,
	    uvmexp.kmpending);
	demo_phase_driver();
	demo_phase_pressure();
	demo_intr_on = false;
	clockhook_disestablish(h);
	printf("demo: the workload took %lu ms; a last purge unmapped %zu "
	    "freed pages\n", (u_long)((clock_time_us() - start) / 1000),
	    uvm_km_purge());
	printf("\n");
	kmem_print();
	demo_print_cpus();
	demo_print_pages();
	printf("\ndemo: done, %u damaged buffers\n", demo_bad);
	return demo_bad;
}
