/*
 * machine/lwp.h: the host platform's per-thread kernel state.
 *
 * Each host thread that enters the kernel runs on a virtual CPU of its own.
 * Preemption, the interrupt priority level and the mutex hold count are
 * per-thread words that only the thread itself writes, with plain stores
 * (release ordering, free on the hosts we run on), so the per-CPU fast
 * paths cost no lock and no atomic read-modify-write.  Another thread
 * that must run a cross call as this thread's CPU reads them (rump_cpu.c);
 * while it does, it sets rl_xcrun, which this thread checks each time it
 * opens a section (rump_lwp_open) and waits out.
 */

#ifndef _RUMP_MACHINE_LWP_H_
#define _RUMP_MACHINE_LWP_H_

struct cpu_info;

struct rump_lwpstate {
	struct cpu_info	*rl_cpu;	/* virtual CPU, or NULL */
	int		rl_nopreempt;	/* kpreempt_disable depth */
	int		rl_ipl;		/* current interrupt priority level */
	int		rl_nmutex;	/* kernel mutexes held */
	int		rl_spinsave;	/* IPL before the first spin mutex */
	int		rl_nspin;	/* spin mutexes held */
	int		rl_intr;	/* in a simulated interrupt handler */
	int		rl_xcpending;	/* a: a cross call waits for us */
	int		rl_xcrun;	/* a: another thread runs one as us */
};

extern __thread struct rump_lwpstate rump_lwp
    __attribute__((__tls_model__("initial-exec")));

void	rump_xc_deferred(void);
void	rump_xc_wait(void);
struct cpu_info *rump_cpu_attach(void);

/*
 * Make a slow-path call that changes no register, so that the fast paths
 * around it need no stack frame, as a kernel's have none (rump_keep.c).
 */
#ifdef __x86_64__
#define	RUMP_KEEP_ASM(fn)						\
	"lea -128(%%rsp), %%rsp\n\tcall " #fn "_keep\n\tlea 128(%%rsp), %%rsp"
#define	RUMP_CALL_KEEP(fn)						\
	__asm volatile(RUMP_KEEP_ASM(fn) : : : "memory", "cc")
#define	RUMP_CALL_KEEP_RET(fn, v)					\
	__asm volatile(RUMP_KEEP_ASM(fn) : "=a" (v) : : "memory", "cc")
#else
#define	RUMP_CALL_KEEP(fn)		fn()
#define	RUMP_CALL_KEEP_RET(fn, v)	((v) = fn())
#endif

/* Set one of this thread's section words, for other threads to read. */
#define	RUMP_LWP_SET(field, v)						\
	__atomic_store_n(&rump_lwp.field, (v), __ATOMIC_RELEASE)

/*
 * A section has just been opened: if another thread is running a cross
 * call as this CPU, wait until it is done before touching anything.
 */
static __inline void
rump_lwp_open(void)
{

	__insn_barrier();
	if (__predict_false(__atomic_load_n(&rump_lwp.rl_xcrun,
	    __ATOMIC_ACQUIRE) != 0))
		RUMP_CALL_KEEP(rump_xc_wait);
}

/* Run deferred cross calls once nothing per-CPU is open. */
static __inline void
rump_lwp_settle(void)
{

	if (__predict_false(__atomic_load_n(&rump_lwp.rl_xcpending,
	    __ATOMIC_RELAXED) != 0) &&
	    rump_lwp.rl_nopreempt == 0 && rump_lwp.rl_ipl == 0 &&
	    rump_lwp.rl_nmutex == 0)
		RUMP_CALL_KEEP(rump_xc_deferred);
}

#endif /* !_RUMP_MACHINE_LWP_H_ */
