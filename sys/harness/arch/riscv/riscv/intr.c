/*
 * intr.c: interrupt priority levels, traps and IPIs on riscv64.
 *
 * The IPL is ci_ipl; the hart's sie register always enables exactly the
 * interrupts that the level lets through (machine/intr.h has the table),
 * so a blocked interrupt stays pending in sip until splx opens it.  The
 * global enable, sstatus.SIE, is on in thread context and off only for a
 * few instructions at a time: inside splraise/splx (so that the thread is
 * not moved to another CPU between reading curcpu() and writing its IPL)
 * and while the trap vector saves or restores registers.
 *
 * cpu_trap runs an interrupt at its level with SIE on again, so an IPI
 * can come in during a clock handler; nested handlers share the stack of
 * the interrupted thread.  On the way out of an interrupt that came in at
 * IPL_NONE with preemption enabled, a pending reschedule is honoured:
 * the thread is switched away right there, its trapframe on its stack.
 * That happens at IPL_NONE with SIE on, so another interrupt may come in
 * first; it must not try the same, or a clock whose handler outlasts a
 * tick would stack one frame per tick until the stack runs out.  The
 * thread's l_intrpreempt marks the window, and an interrupt taken in it
 * leaves preemption to the outer one.  Nesting is thus at most three
 * deep: the preemption window, a clock handler, an IPI.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/kernel.h>
#include <sys/lwp.h>
#include <sys/systm.h>

#include <machine/frame.h>
#include <machine/pmap.h>
#include <machine/riscvreg.h>
#include <machine/sbi.h>

void	cpu_trap(struct trapframe *);
void	cpu_clock_intr(struct cpu_info *);
void	intr_cpu_init(struct cpu_info *);

/* The sie bits each IPL leaves open. */
static const u_long ipl_sie[IPL_HIGH + 1] = {
	[IPL_NONE] = SIE_SSIE | SIE_STIE,
	[IPL_SOFTCLOCK] = SIE_SSIE | SIE_STIE,
	[IPL_SOFTBIO] = SIE_SSIE | SIE_STIE,
	[IPL_SOFTNET] = SIE_SSIE | SIE_STIE,
	[IPL_SOFTSERIAL] = SIE_SSIE | SIE_STIE,
	[IPL_VM] = SIE_SSIE,
	[IPL_SCHED] = SIE_SSIE,
	[IPL_HIGH] = 0,
};

/* Set this CPU's IPL to ipl.  => SIE off */
static void
ipl_set(struct cpu_info *ci, int ipl)
{

	if (ipl_sie[ipl] != ipl_sie[ci->ci_ipl])
		csr_write(sie, ipl_sie[ipl]);
	ci->ci_ipl = ipl;
}

int
splraise(int ipl)
{
	u_long sstatus = csr_read_clear(sstatus, SSTATUS_SIE);
	struct cpu_info *ci = curcpu();
	int s = ci->ci_ipl;

	if (ipl > s)
		ipl_set(ci, ipl);
	if (sstatus & SSTATUS_SIE)
		csr_set(sstatus, SSTATUS_SIE);
	return s;
}

void
splx(int s)
{
	u_long sstatus = csr_read_clear(sstatus, SSTATUS_SIE);
	struct cpu_info *ci = curcpu();

	ipl_set(ci, s);
	if (sstatus & SSTATUS_SIE)
		csr_set(sstatus, SSTATUS_SIE);
	if (s == IPL_NONE && __predict_false(ci->ci_want_resched) &&
	    ci->ci_intr_depth == 0 && (sstatus & SSTATUS_SIE))
		sched_preempt_check();
}

/* Load the IPL state of a CPU coming up: IPL_NONE, interrupts on. */
void
intr_cpu_init(struct cpu_info *ci)
{

	csr_write(sscratch, (u_long)ci);
	ci->ci_ipl = IPL_NONE;
	csr_write(sie, ipl_sie[IPL_NONE]);
	csr_set(sstatus, SSTATUS_SIE);
}

/* ---- inter-processor interrupts */

/* Post the requests in bits to ci and interrupt it. */
void
cpu_send_ipi(struct cpu_info *ci, u_int bits)
{

	if (!ci->ci_running)
		return;
	atomic_or_uint(&ci->ci_ipi_pending, bits);
	__asm volatile("fence rw, rw" ::: "memory");
	sbi_send_ipi(ci->ci_hartid);
}

/* Stop this CPU for good, saying where it was. */
static void __dead
ipi_halt(struct cpu_info *ci, struct trapframe *tf)
{

	printf("cpu%u: stopped in thread %s at pc %#lx, ra %#lx, ipl %d, "
	    "%d spin mutexes held\n", ci->ci_index, ci->ci_curlwp->l_name,
	    (u_long)tf->tf_sepc, (u_long)tf->tf_ra, ci->ci_ipl,
	    ci->ci_mtx_count);
	for (;;)
		__asm volatile("wfi");
}

/* Stop every other CPU, each printing where it was; for panic. */
void
cpu_halt_others(void)
{
	struct cpu_info *ci;
	CPU_INFO_ITERATOR cii;

	for (CPU_INFO_FOREACH(cii, ci))
		if (ci != curcpu())
			cpu_send_ipi(ci, IPI_HALT);
	delay(100000);
}

/* Take an IPI: handle every request posted so far. */
static void
ipi_intr(struct cpu_info *ci, struct trapframe *tf)
{
	u_int bits;

	csr_clear(sip, SIP_SSIP);
	bits = atomic_swap_uint(&ci->ci_ipi_pending, 0);
	ci->ci_nipi++;
	if (bits & IPI_HALT)
		ipi_halt(ci, tf);
	if (bits & IPI_SHOOTDOWN) {
		membar_acquire();
		pmap_tlb_shootdown_ipi();
	}
	if (bits & IPI_RESCHED)
		atomic_store_relaxed(&ci->ci_want_resched, 1);
}

/* ---- traps */

/*
 * Leaving an interrupt that came in at IPL_NONE: switch away if a
 * reschedule is due and the interrupted code may be preempted, unless
 * this interrupt came in while the thread was already doing so.  A
 * reschedule asked for while we were at it (an interrupt in the window
 * leaves it to us) is honoured by going round again, in this frame.
 * => SIE off on entry and return; on while switching (and while reaping
 *    dead threads, which may shoot down TLB entries)
 */
static void
intr_preempt(struct trapframe *tf)
{
	struct lwp *l = curlwp;

	if (l->l_nopreempt != 0 || l->l_intrpreempt ||
	    (tf->tf_sstatus & SSTATUS_SPIE) == 0)
		return;
	l->l_intrpreempt = true;
	while (atomic_load_relaxed(&curcpu()->ci_want_resched)) {
		csr_set(sstatus, SSTATUS_SIE);
		sched_preempt_check();
		csr_clear(sstatus, SSTATUS_SIE);
	}
	l->l_intrpreempt = false;
}

/* Run one interrupt at its level, then preempt if that is due. */
static void
cpu_intr(struct trapframe *tf, u_long irq)
{
	struct cpu_info *ci = curcpu();
	int s = ci->ci_ipl;

	ci->ci_intr_depth++;
	switch (irq) {
	case IRQ_TIMER:
		KASSERTMSG(s < IPL_VM, "clock interrupt at ipl %d", s);
		ipl_set(ci, IPL_VM);
		csr_set(sstatus, SSTATUS_SIE);
		cpu_clock_intr(ci);
		csr_clear(sstatus, SSTATUS_SIE);
		break;
	case IRQ_SOFT:
		KASSERTMSG(s < IPL_HIGH, "IPI at ipl %d", s);
		ipi_intr(ci, tf);
		break;
	default:
		panic("cpu_intr: unexpected interrupt %lu at pc %#lx", irq,
		    (u_long)tf->tf_sepc);
	}
	ipl_set(ci, s);
	ci->ci_intr_depth--;
	if (ci->ci_intr_depth == 0 && s == IPL_NONE)
		intr_preempt(tf);
}

/* What a trap cause is called, for panic messages. */
static const char *
trap_name(u_long code)
{

	switch (code) {
	case EXC_INSN_FAULT:
		return "instruction access fault";
	case EXC_ILLEGAL:
		return "illegal instruction";
	case EXC_BREAKPOINT:
		return "breakpoint";
	case EXC_LOAD_FAULT:
		return "load access fault";
	case EXC_STORE_FAULT:
		return "store access fault";
	case EXC_INSN_PAGE_FAULT:
		return "instruction page fault";
	case EXC_LOAD_PAGE_FAULT:
		return "load page fault";
	case EXC_STORE_PAGE_FAULT:
		return "store page fault";
	default:
		return "exception";
	}
}

/* Whether a fault on a data access may resume at l_onfault. */
static bool
trap_data_fault(u_long code)
{

	return code == EXC_LOAD_FAULT || code == EXC_STORE_FAULT ||
	    code == EXC_LOAD_PAGE_FAULT || code == EXC_STORE_PAGE_FAULT;
}

/*
 * Panic if a trap frame landed in the lowest KSTACK_RED bytes of the
 * thread's stack block: the next nested call could reach struct lwp.
 */
static void
trap_check_stack(const struct lwp *l, const struct trapframe *tf)
{
	vaddr_t sp = (vaddr_t)tf;

	if (l->l_stack == 0)
		return;
	if (sp < l->l_stack + KSTACK_RED || sp >= l->l_stack + l->l_stacksize)
		panic("trap: thread %s has %ld of its %zu stack bytes left "
		    "(frame %p, stack %#lx, pc %#lx)", l->l_name,
		    (long)(sp - l->l_stack), l->l_stacksize, tf,
		    (u_long)l->l_stack, (u_long)tf->tf_sepc);
}

/* Every trap comes here from cpu_trap_vector. */
void
cpu_trap(struct trapframe *tf)
{
	u_long cause = tf->tf_scause;
	struct lwp *l = curlwp;

	KASSERTMSG(l->l_cpu == (struct cpu_info *)csr_read(sscratch),
	    "thread %s (%p) thinks it runs on cpu %p, not on %p; pc %#lx",
	    l->l_name, l, l->l_cpu, (void *)csr_read(sscratch),
	    (u_long)tf->tf_sepc);

	trap_check_stack(l, tf);
	if (cause & SCAUSE_INTR) {
		cpu_intr(tf, SCAUSE_CODE(cause));
		return;
	}
	if (trap_data_fault(cause) && l->l_onfault != 0) {
		tf->tf_sepc = l->l_onfault;
		return;
	}
	panic("trap: %s (scause %lu) at pc %#lx, address %#lx, cpu %u, "
	    "thread %s", trap_name(cause), cause, (u_long)tf->tf_sepc,
	    (u_long)tf->tf_stval, curcpu()->ci_index, l->l_name);
}
