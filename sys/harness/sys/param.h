/*	param.h: machine-independent constants and arithmetic macros.	*/

#ifndef _SYS_PARAM_H_
#define _SYS_PARAM_H_

#include <sys/types.h>

#include <machine/param.h>	/* PAGE_SHIFT, MAXCPUS, COHERENCY_UNIT */

#define	PAGE_SIZE		(1UL << PAGE_SHIFT)
#define	PAGE_MASK		(PAGE_SIZE - 1)

#define	MIN(a, b)		((a) < (b) ? (a) : (b))
#define	MAX(a, b)		((a) > (b) ? (a) : (b))
#define	howmany(x, y)		(((x) + ((y) - 1)) / (y))
#define	roundup(x, y)		((((x) + ((y) - 1)) / (y)) * (y))
#define	rounddown(x, y)		(((x) / (y)) * (y))
#define	roundup2(x, m)		(((x) + ((m) - 1)) & ~((m) - 1))
#define	rounddown2(x, m)	((x) & ~((m) - 1))
#define	powerof2(x)		((((x) - 1) & (x)) == 0)
#define	__arraycount(a)		(sizeof(a) / sizeof((a)[0]))

#define	NBBY			8	/* bits in a byte */

#endif /* !_SYS_PARAM_H_ */
