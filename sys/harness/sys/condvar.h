/*
 * condvar.h: condition variables, as in NetBSD's condvar(9).
 *
 * cv_wait(cv, mtx) releases mtx, sleeps until cv_signal or cv_broadcast,
 * and takes mtx again; wakeups may be spurious, so callers re-check their
 * condition in a loop.  cv_timedwait gives up after timo clock ticks (hz a
 * second) and then returns EWOULDBLOCK.  Only thread context may wait.
 */

#ifndef _SYS_CONDVAR_H_
#define _SYS_CONDVAR_H_

#include <sys/mutex.h>

#include <machine/condvar.h>	/* struct kcondvar */

typedef struct kcondvar kcondvar_t;

extern int hz;			/* clock ticks a second */

__BEGIN_DECLS
void	cv_init(kcondvar_t *, const char *);
void	cv_destroy(kcondvar_t *);
void	cv_wait(kcondvar_t *, kmutex_t *);
int	cv_timedwait(kcondvar_t *, kmutex_t *, int);
void	cv_signal(kcondvar_t *);
void	cv_broadcast(kcondvar_t *);
bool	cv_has_waiters(kcondvar_t *);
__END_DECLS

#endif /* !_SYS_CONDVAR_H_ */
