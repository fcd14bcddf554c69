/*
 * mutex.h: mutual exclusion locks, as in NetBSD's mutex(9).
 *
 * mutex_init(mtx, type, ipl) chooses the kind of lock from the IPL: at
 * IPL_NONE the mutex is adaptive (a contending thread may sleep, so it
 * must not be taken from an interrupt handler); above IPL_NONE it is a
 * spin mutex that raises the CPU to that IPL while held, and may be taken
 * from interrupt handlers running at or below it.  MUTEX_SPIN and
 * MUTEX_ADAPTIVE force a kind.  mutex_owned() is for assertions only.
 */

#ifndef _SYS_MUTEX_H_
#define _SYS_MUTEX_H_

#include <sys/types.h>

#include <machine/mutex.h>	/* struct kmutex */

typedef struct kmutex kmutex_t;

typedef enum kmutex_type {
	MUTEX_DEFAULT,		/* chosen from the IPL */
	MUTEX_SPIN,		/* always spins, raises to the IPL */
	MUTEX_ADAPTIVE		/* may sleep; IPL must be IPL_NONE */
} kmutex_type_t;

__BEGIN_DECLS
void	mutex_init(kmutex_t *, kmutex_type_t, int);
void	mutex_destroy(kmutex_t *);
void	mutex_enter(kmutex_t *);
void	mutex_exit(kmutex_t *);
int	mutex_tryenter(kmutex_t *);
int	mutex_owned(const kmutex_t *);
void	mutex_spin_enter(kmutex_t *);
void	mutex_spin_exit(kmutex_t *);
__END_DECLS

#endif /* !_SYS_MUTEX_H_ */
