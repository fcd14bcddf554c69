/*
 * kthread.h: kernel threads, as in NetBSD's kthread(9).
 *
 * kthread_create starts func(arg) in a new thread, bound to ci when ci is
 * not NULL; with KTHREAD_MUSTJOIN the creator must collect it with
 * kthread_join.  kpause sleeps for timo ticks (at least one) with mtx,
 * if given, released meanwhile.
 */

#ifndef _SYS_KTHREAD_H_
#define _SYS_KTHREAD_H_

#include <sys/types.h>

struct cpu_info;
struct kmutex;
typedef struct lwp lwp_t;

#define	KTHREAD_MUSTJOIN	0x01	/* kthread_join will collect it */
#define	PRI_NONE		(-1)	/* default priority */

__BEGIN_DECLS
int	kthread_create(pri_t, int, struct cpu_info *, void (*)(void *),
	    void *, lwp_t **, const char *, ...) __printflike(7, 8);
void	kthread_exit(int) __dead;
int	kthread_join(lwp_t *);
int	kpause(const char *, bool, int, struct kmutex *);
__END_DECLS

#endif /* !_SYS_KTHREAD_H_ */
