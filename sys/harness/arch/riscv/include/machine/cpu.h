/*
 * machine/cpu.h for the riscv64 test kernel: harts as CPUs.
 *
 * The tp register always holds the running thread (curlwp); the thread
 * records the CPU it runs on, so curcpu() is two loads and no CSR.  A
 * thread's kpreempt_disable depth lives in the thread, because only that
 * thread changes it; the CPU's interrupt priority level and the count of
 * spin mutexes held live in the CPU, because they belong to the hart.
 */

#ifndef _RISCV_MACHINE_CPU_H_
#define _RISCV_MACHINE_CPU_H_

/* Offsets that locore.S uses; CTASSERTed in riscv_machdep.c. */
#define	CI_BOOTSP	8
#define	CI_HARTID	24
#define	CI_SIZE		192	/* sizeof(struct cpu_info) */
#define	L_CPU		0
#define	L_ONFAULT	16
#define	L_PCB		24

/* Inter-processor interrupt requests (ci_ipi_pending). */
#define	IPI_RESCHED	0x01	/* look at the run queue */
#define	IPI_SHOOTDOWN	0x02	/* flush the TLB, then acknowledge */
#define	IPI_HALT	0x04	/* stop: another CPU panicked */

#ifndef __ASSEMBLER__
#include <sys/types.h>

#include <machine/param.h>

struct lwp;

/*
 * Legend: I immutable once the CPU runs, c only the CPU itself (with
 * interrupts blocked where an interrupt handler also writes it),
 * s sched_mutex, a atomic.
 */
struct cpu_info {
	struct lwp	*ci_curlwp;	/* s, a: the running thread */
	vaddr_t		ci_bootsp;	/* I: stack of the hart's first code */
	u_int		ci_index;	/* I: dense index, 0 .. ncpu - 1 */
	u_long		ci_hartid;	/* I: the SBI's name for the hart */
	struct lwp	*ci_idlelwp;	/* I: runs when nothing else can */
	volatile int	ci_ipl;		/* c: interrupt priority level */
	int		ci_mtx_count;	/* c: spin mutexes held */
	int		ci_mtx_oldspl;	/* c: IPL before the first of them */
	int		ci_intr_depth;	/* c: nested interrupt handlers */
	volatile u_int	ci_want_resched; /* a: switch at the next chance */
	volatile u_int	ci_ipi_pending;	/* a: IPI_* requests */
	volatile bool	ci_running;	/* a: the hart has come up */
	uint64_t	ci_ntimer;	/* c: clock interrupts taken */
	uint64_t	ci_nipi;	/* c: IPIs taken */
	uint64_t	ci_nswitch;	/* s: context switches */
	uint64_t	ci_nxcall;	/* c: cross calls run here */
	uint64_t	ci_nshootdown;	/* c: TLB shootdowns answered */
	volatile uint64_t ci_ntlbresend; /* a: shootdown IPIs sent again */
	uint64_t	ci_nhook;	/* c: clock hooks run */
	uint64_t	ci_nextclock;	/* c: time of the next clock tick */
	uint64_t	ci_lastclock;	/* c: time of the last tick counted */
	uint64_t	ci_clockstart;	/* c: clock_time_us() at its start */
	uint64_t	ci_nticks;	/* c: ticks counted, late ones too */
	struct lwp	*ci_xclwp;	/* I: runs cross calls here */
	u_int		ci_xcgen;	/* s: cross calls asked of this CPU */
} __aligned(64);

#include <sys/lwp.h>

static __inline struct lwp *
riscv_curlwp(void)
{
	struct lwp *l;

	__asm volatile("mv %0, tp" : "=r"(l));
	return l;
}
#define	curlwp		riscv_curlwp()

static __inline struct cpu_info *
curcpu(void)
{

	return riscv_curlwp()->l_cpu;
}

static __inline void
kpreempt_disable(void)
{

	riscv_curlwp()->l_nopreempt++;
	__insn_barrier();
}

static __inline void
kpreempt_enable(void)
{
	struct lwp *l = riscv_curlwp();

	__insn_barrier();
	if (--l->l_nopreempt == 0 &&
	    __predict_false(l->l_cpu->ci_want_resched))
		sched_preempt_check();
}

static __inline bool
kpreempt_disabled(void)
{
	struct lwp *l = riscv_curlwp();

	return l->l_nopreempt != 0 || l->l_cpu->ci_ipl != 0 ||
	    l->l_cpu->ci_intr_depth != 0;
}

extern struct cpu_info cpu_info_store[MAXCPUS];

__BEGIN_DECLS
void	cpu_send_ipi(struct cpu_info *, u_int);
struct lwp *cpu_switchto(struct lwp *, struct lwp *);
void	cpu_lwp_init(struct lwp *);
void	cpu_idle_wait(struct cpu_info *);
void	cpu_boot_secondary_processors(void);
void	cpu_initclocks(struct cpu_info *);
void	cpu_poweroff(int) __dead;
void	cpu_halt_others(void);
int	cpu_probe_read(vaddr_t, uint8_t *);
__END_DECLS
#endif /* !__ASSEMBLER__ */

#endif /* !_RISCV_MACHINE_CPU_H_ */
