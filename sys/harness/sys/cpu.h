/*
 * cpu.h: the current CPU, the set of CPUs, and kernel preemption.
 *
 * Every CPU has a struct cpu_info (its layout is machine-dependent; the
 * machine-independent field is ci_index, dense from 0 to ncpu - 1).
 * curcpu() is the CPU the caller runs on; it is stable only while
 * preemption is disabled (kpreempt_disable) or interrupts are blocked.
 * cpu_intr_p() is true in a hardware interrupt handler.
 */

#ifndef _SYS_CPU_H_
#define _SYS_CPU_H_

#include <sys/types.h>

#include <machine/cpu.h>	/* struct cpu_info, curcpu(), kpreempt_*() */

extern u_int ncpu;		/* CPUs attached; cpu_index() < ncpu */

#define	cpu_index(ci)		((ci)->ci_index)

typedef u_int CPU_INFO_ITERATOR;
#define	CPU_INFO_FOREACH(cii, ci)					\
	(cii) = 0;							\
	(cii) < ncpu && ((ci) = cpu_lookup(cii)) != NULL; (cii)++

__BEGIN_DECLS
struct cpu_info	*cpu_lookup(u_int);
bool	cpu_intr_p(void);
__END_DECLS

#endif /* !_SYS_CPU_H_ */
