/*	machine/param.h for the host platform.	*/

#ifndef _RUMP_MACHINE_PARAM_H_
#define _RUMP_MACHINE_PARAM_H_

#define	PAGE_SHIFT		12
#define	MAXCPUS			64	/* virtual CPUs, one a thread */
#define	COHERENCY_UNIT		64	/* cache line */
#define	CACHE_LINE_SIZE		64

#endif /* !_RUMP_MACHINE_PARAM_H_ */
