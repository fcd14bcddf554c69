/*
 * riscv_machdep.c: bringing up the riscv64 test kernel.
 *
 * The boot hart arrives from locore with paging off, running on the boot
 * stack as lwp0, the idle thread of CPU 0.  init_riscv reads the device
 * tree, starts the scheduler's lock, the page allocator and the page
 * tables, gives every other hart a cpu_info, and calls the
 * machine-independent kernel_main.  Once kmem is up, kernel_main starts
 * the other harts one at a time: each gets an idle thread, whose stack
 * comes from kmem like every thread's, and is started (SBI HSM hart_start
 * at cpu_spinup); it finds its cpu_info by hart id, not by the start call's
 * argument, which the firmware may lose (locore.S says how), turns on
 * paging with the shared tables and enters cpu_hatch as its idle thread
 * on that stack.
 * The boot hart need not be hart 0: CPU 0 is whichever hart booted, and
 * the others take the following indices in device-tree order.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/intr.h>
#include <sys/kernel.h>
#include <sys/lwp.h>
#include <sys/systm.h>

#include <machine/fdt.h>
#include <machine/pmap.h>
#include <machine/riscvreg.h>
#include <machine/sbi.h>

#include <uvm/uvm_page.h>

#define	HATCH_TIMEOUT_US	30000000	/* for a hart to come up */

CTASSERT(offsetof(struct cpu_info, ci_curlwp) == 0);
CTASSERT(offsetof(struct cpu_info, ci_bootsp) == CI_BOOTSP);
CTASSERT(offsetof(struct cpu_info, ci_hartid) == CI_HARTID);
CTASSERT(sizeof(struct cpu_info) == CI_SIZE);
CTASSERT(offsetof(struct lwp, l_cpu) == L_CPU);
CTASSERT(offsetof(struct lwp, l_onfault) == L_ONFAULT);
CTASSERT(offsetof(struct lwp, l_pcb) == L_PCB);

void	init_riscv(u_long, paddr_t) __dead;
void	cpu_hatch(struct cpu_info *) __dead;
void	intr_cpu_init(struct cpu_info *);

extern char __kernel_end[], cpu_spinup[], cpu_trap_vector[];
extern char lwp_trampoline[];
extern uint64_t cpu_timebase;

struct lwp lwp0;			/* CPU 0's idle thread */
char kernel_bootargs[FDT_BOOTARGS_MAX];	/* words split by NULs */
static size_t kernel_bootargs_len;

/* Keep the command line, split into words for kernel_getarg. */
static void
bootargs_init(const char *args)
{
	size_t i;

	strlcpy(kernel_bootargs, args, sizeof(kernel_bootargs));
	kernel_bootargs_len = strlen(kernel_bootargs);
	for (i = 0; i < kernel_bootargs_len; i++)
		if (kernel_bootargs[i] == ' ')
			kernel_bootargs[i] = '\0';
}

/* The value of name=value on the command line ("" for a bare name). */
const char *
kernel_getarg(const char *name)
{
	size_t i, n = strlen(name);
	const char *w;

	for (i = 0; i < kernel_bootargs_len; i += strlen(w) + 1) {
		w = &kernel_bootargs[i];
		if (strncmp(w, name, n) == 0 && w[n] == '=')
			return w + n + 1;
		if (strcmp(w, name) == 0)
			return w + n;
	}
	return NULL;
}

/* Name a CPU; its idle thread comes once kmem can give it a stack. */
static void
cpu_attach(struct cpu_info *ci, u_int idx, u_long hartid)
{

	ci->ci_index = idx;
	ci->ci_hartid = hartid;
	ci->ci_ipl = IPL_HIGH;
}

/* Make CPU ci's idle thread, whose stack the hart starts on. */
static void
cpu_create_idle(struct cpu_info *ci)
{
	char name[16];
	struct lwp *l;

	snprintf(name, sizeof(name), "idle%u", ci->ci_index);
	l = lwp_create(NULL, NULL, ci, PRI_KTHREAD, LW_IDLE, KSTACK_SIZE, name);
	l->l_stat = LSONPROC;
	ci->ci_idlelwp = ci->ci_curlwp = l;
	ci->ci_bootsp = l->l_stack + l->l_stacksize;
}

/* Give each enabled hart of the device tree a cpu_info. */
static void
cpu_attach_all(const struct fdt_info *fi, u_long boothart)
{
	u_int i, idx;

	for (i = 0; i < fi->fi_nharts; i++) {
		if (fi->fi_harts[i] == boothart || ncpu == MAXCPUS)
			continue;
		idx = ncpu++;
		cpu_attach(&cpu_info_store[idx], idx, fi->fi_harts[i]);
	}
}

/* Set up CPU 0 and lwp0, enough for curcpu() and spl to work. */
static void
cpu0_init(u_long hartid)
{
	struct cpu_info *ci = &cpu_info_store[0];

	lwp0.l_cpu = ci;
	lwp0.l_stat = LSONPROC;
	lwp0.l_flags = LW_IDLE;
	strlcpy(lwp0.l_name, "idle0", sizeof(lwp0.l_name));
	ci->ci_curlwp = ci->ci_idlelwp = &lwp0;
	ci->ci_hartid = hartid;
	ci->ci_ipl = IPL_HIGH;
	csr_write(stvec, (u_long)cpu_trap_vector);
}

/* The boot hart's C entry, from locore. */
void
init_riscv(u_long hartid, paddr_t fdtpa)
{
	struct fdt_info fi;

	cpu0_init(hartid);
	if (fdt_parse((const void *)PMAP_DIRECT_MAP(fdtpa), &fi) != 0 ||
	    fi.fi_mem_end == 0) {
		printf("no usable device tree at %#lx\n", (u_long)fdtpa);
		cpu_poweroff(2);
	}
	bootargs_init(fi.fi_bootargs);
	if (fi.fi_timebase != 0)
		cpu_timebase = fi.fi_timebase;
	sched_init();
	uvm_page_init(roundup2((paddr_t)(vaddr_t)__kernel_end, PAGE_SIZE),
	    fi.fi_mem_end);
	uvm_page_reserve(fi.fi_start, fi.fi_end);
	pmap_bootstrap(fi.fi_mem_start, fi.fi_mem_end);
	cpu_attach_all(&fi, hartid);
	cpu_info_store[0].ci_running = true;
	intr_cpu_init(&cpu_info_store[0]);
	kernel_main();
}

/* Wait until ci's hart runs, for HATCH_TIMEOUT_US of real time at most. */
static bool
cpu_hatch_wait(struct cpu_info *ci)
{
	uint64_t end;

	end = csr_read(time) + HATCH_TIMEOUT_US * cpu_timebase / 1000000;
	while (!atomic_load_acquire(&ci->ci_running))
		if (csr_read(time) > end)
			return false;
	return true;
}

/*
 * Start every other hart and wait until all are up.  The hart finds its
 * cpu_info by hart id, so the start call's argument is not used.
 */
void
cpu_boot_secondary_processors(void)
{
	struct cpu_info *ci;
	u_int i;
	long error;

	for (i = 1; i < ncpu; i++) {
		ci = &cpu_info_store[i];
		cpu_create_idle(ci);
		error = sbi_hart_start(ci->ci_hartid,
		    (paddr_t)(vaddr_t)cpu_spinup, 0);
		if (error != 0)
			panic("cpu%u: hart %lu does not start: SBI error %ld",
			    i, ci->ci_hartid, error);
		if (!cpu_hatch_wait(ci))
			panic("cpu%u: hart %lu started but not up after %u s",
			    i, ci->ci_hartid, HATCH_TIMEOUT_US / 1000000);
	}
}

/* A secondary hart's C entry: paging is on, tp is its idle thread. */
void
cpu_hatch(struct cpu_info *ci)
{

	csr_write(stvec, (u_long)cpu_trap_vector);
	atomic_store_release(&ci->ci_running, true);
	intr_cpu_init(ci);
	cpu_initclocks(ci);
	sched_idle();
}

/* Make a new thread's first switch land in lwp_trampoline. */
void
cpu_lwp_init(struct lwp *l)
{

	l->l_pcb.pcb_ra = (register_t)lwp_trampoline;
	l->l_pcb.pcb_sp = (register_t)(l->l_stack + l->l_stacksize);
}

/* Wait for an interrupt unless a reschedule is already due. */
void
cpu_idle_wait(struct cpu_info *ci)
{
	u_long sstatus = csr_read_clear(sstatus, SSTATUS_SIE);

	if (!atomic_load_relaxed(&ci->ci_want_resched))
		__asm volatile("wfi");
	if (sstatus & SSTATUS_SIE)
		csr_set(sstatus, SSTATUS_SIE);
}
