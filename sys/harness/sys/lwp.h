/*
 * lwp.h: kernel threads and the scheduler of the test kernel.
 *
 * A thread (struct lwp) is a kernel stack with a saved register set.  It
 * is ONPROC on exactly one CPU, RUN on the run queue, SLEEP on a sleep
 * queue (waiting on a wait channel, an address), or ZOMB once it has
 * exited.  One spin mutex, sched_mutex at IPL_SCHED, protects the run
 * queue, every sleep queue and every thread's scheduling state; see
 * sys/harness/kern/kern_synch.c.  The struct lives at the bottom of the thread's
 * own stack block.
 */

#ifndef _SYS_LWP_H_
#define _SYS_LWP_H_

#include <sys/types.h>
#include <sys/queue.h>

#include <machine/pcb.h>

struct cpu_info;
struct kmutex;

/* Thread states (l_stat). */
#define	LSIDL		0	/* being created */
#define	LSRUN		1	/* on the run queue */
#define	LSONPROC	2	/* running on l_cpu */
#define	LSSLEEP		3	/* on a sleep queue */
#define	LSZOMB		4	/* exited, still on its stack */
#define	LSDEAD		5	/* off its stack; may be freed */

/* Flags (l_flags). */
#define	LW_MUSTJOIN	0x01	/* kthread_join collects it */
#define	LW_IDLE		0x02	/* a CPU's idle thread */
#define	LW_SYSTEM	0x04	/* a service thread (xcall, pagedaemon) */

/* The word after struct lwp, at the bottom of its stack, while it is sane. */
#define	LWP_STACK_GUARD	0x5354414b47554152ULL

#define	PRI_KTHREAD	0	/* ordinary threads */
#define	PRI_HIGH	1	/* service threads: run before the others */

/*
 * Legend: I immutable after creation, o the thread itself, s sched_mutex.
 * l_cpu, l_nopreempt and l_onfault sit at fixed offsets for machine/cpu.h
 * and locore.S.
 */
struct lwp {
	struct cpu_info	*l_cpu;		/* s: CPU it runs or last ran on */
	int		l_nopreempt;	/* o: kpreempt_disable depth */
	int		l_stat;		/* s: LS* */
	vaddr_t		l_onfault;	/* o: resume here after a fault */
	struct pcb	l_pcb;		/* s: registers while switched out */
	TAILQ_ENTRY(lwp) l_runq;	/* s: run queue or sleep queue */
	TAILQ_ENTRY(lwp) l_timeq;	/* s: sleepers with a timeout */
	const void	*l_wchan;	/* s: what it sleeps on */
	const char	*l_wmesg;	/* s: why it sleeps */
	uint64_t	l_timeout;	/* s: tick to wake at, 0 for none */
	bool		l_timedout;	/* s: woken by the timeout */
	struct cpu_info	*l_bound;	/* I: the only CPU it may run on */
	pri_t		l_pri;		/* I: PRI_* */
	int		l_flags;	/* I: LW_* */
	void		(*l_func)(void *);	/* I: what it runs */
	void		*l_arg;		/* I */
	vaddr_t		l_stack;	/* I: stack block, this struct first */
	size_t		l_stacksize;	/* I */
	uint64_t	l_ncsw;		/* s: times switched in */
	uint64_t	l_nsleep;	/* s: times blocked in sleepq_block */
	bool		l_intrpreempt;	/* o: switching at an interrupt's end */
	char		l_name[24];	/* I */
};

typedef struct lwp lwp_t;

extern struct kmutex	sched_mutex;

__BEGIN_DECLS
struct lwp *lwp_create(void (*)(void *), void *, struct cpu_info *, pri_t,
	    int, size_t, const char *);
void	lwp_startup(struct lwp *);
void	lwp_free(struct lwp *);
void	lwp_exit(void) __dead;
void	sched_init(void);
void	sched_setrunnable(struct lwp *);
void	sched_idle(void) __dead;
void	sched_preempt_check(void);
void	sched_yield(void);
void	sched_tick(void);
int	sleepq_block(const void *, const char *, int);
u_int	sleepq_wakeup(const void *, bool);
void	sleepq_timeout_tick(void);
__END_DECLS

#endif /* !_SYS_LWP_H_ */
