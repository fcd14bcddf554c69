/*
 * xcall.h: cross calls, as in NetBSD's xcall(9).
 *
 * xc_broadcast runs func(arg1, arg2) once on every CPU, xc_unicast on one;
 * each returns a ticket for xc_wait, which sleeps until every call of that
 * ticket has returned.  The function runs on the target CPU in thread
 * context, with that CPU's per-CPU state to itself: it cannot interleave
 * with code that runs there with preemption disabled or interrupts
 * blocked.  It must not sleep.  The caller must be able to sleep.
 */

#ifndef _SYS_XCALL_H_
#define _SYS_XCALL_H_

#include <sys/types.h>

struct cpu_info;

typedef void (*xcfunc_t)(void *, void *);

#define	XC_HIGHPRI	0x01	/* accepted for compatibility; no effect */

__BEGIN_DECLS
uint64_t	xc_broadcast(u_int, xcfunc_t, void *, void *);
uint64_t	xc_unicast(u_int, xcfunc_t, void *, void *,
		    struct cpu_info *);
void		xc_wait(uint64_t);
__END_DECLS

#endif /* !_SYS_XCALL_H_ */
