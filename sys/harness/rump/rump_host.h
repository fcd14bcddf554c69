/*
 * rump_host.h: what the host-platform glue shares.
 *
 * The glue files are ordinary host C: they include the C library and
 * POSIX threads, then the kernel's machine headers for the layouts they
 * implement (struct kmutex, struct cpu_info, the per-thread state).  The
 * few kernel macros those headers use are supplied here, since the C
 * library's <sys/cdefs.h> and <sys/types.h> stand in for the kernel's.
 */

#ifndef _RUMP_HOST_H_
#define _RUMP_HOST_H_

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef __predict_false
#define	__predict_true(x)	__builtin_expect(((x) != 0), 1)
#define	__predict_false(x)	__builtin_expect(((x) != 0), 0)
#endif
#define	__insn_barrier()	__asm volatile("" ::: "memory")

#include <machine/param.h>
#include <machine/cpu.h>
#include <machine/intr.h>
#include <machine/condvar.h>
#include <machine/mutex.h>

#define	RUMP_IPL_NONE	0

/* Host-side state of a virtual CPU. */
struct rump_cpu {
	struct cpu_info	rc_ci;		/* I: what the kernel sees */
	pthread_mutex_t	rc_lock;	/* the lock for the fields below */
	bool		rc_owned;	/* a thread runs on this CPU */
	pthread_t	rc_owner;	/* that thread */
	struct rump_lwpstate *rc_lwp;	/* that thread's section words */
	struct rump_xc	*rc_xc;		/* a cross call to run here */
	bool		rc_idle;	/* owner blocked outside the kernel */
};

/* A cross call in flight to one virtual CPU. */
struct rump_xc {
	void		(*xc_func)(void *, void *);
	void		*xc_arg1;
	void		*xc_arg2;
	struct rump_cpu	*xc_cpu;	/* the CPU it runs as */
	volatile int	xc_done;	/* set once it has run */
};

extern struct rump_cpu rump_cpus[MAXCPUS];

void	mutex_enter(struct kmutex *);
void	mutex_exit(struct kmutex *);
void	rump_xc_run(struct rump_cpu *, struct rump_xc *);
bool	rump_cpu_block(void);
void	rump_cpu_unblock(bool);
void	rump_page_init(void);
void	rump_panic_hook(void);

#endif /* !_RUMP_HOST_H_ */
