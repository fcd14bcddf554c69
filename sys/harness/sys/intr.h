/*
 * intr.h: interrupt priority levels.
 *
 * splraise(ipl) blocks interrupts at and below ipl on the current CPU and
 * returns the previous level; splx(s) restores it.  Levels only rise while
 * nested.  A spin mutex initialized at an IPL raises to that IPL while held.
 */

#ifndef _SYS_INTR_H_
#define _SYS_INTR_H_

#include <sys/types.h>

#define	IPL_NONE	0	/* nothing blocked */
#define	IPL_SOFTCLOCK	1	/* software interrupts */
#define	IPL_SOFTBIO	2
#define	IPL_SOFTNET	3
#define	IPL_SOFTSERIAL	4
#define	IPL_VM		5	/* devices that allocate memory */
#define	IPL_SCHED	6	/* clock, inter-processor interrupts */
#define	IPL_HIGH	7	/* everything blocked */

#include <machine/intr.h>	/* splraise(), splx() */

#define	splvm()		splraise(IPL_VM)
#define	splsched()	splraise(IPL_SCHED)
#define	splhigh()	splraise(IPL_HIGH)

#endif /* !_SYS_INTR_H_ */
