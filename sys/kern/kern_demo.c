/*
 * kern_demo.c: the demonstration workload of "make run".
 */

#include <sys/param.h>
#include <sys/cpu.h>
#include <sys/kernel.h>
#include <sys/systm.h>

void
demo_run(void)
{
	struct cpu_info *ci;
	CPU_INFO_ITERATOR cii;

	for (CPU_INFO_FOREACH(cii, ci))
		printf("cpu%u: hart %lu\n", ci->ci_index, ci->ci_hartid);
}
