/*
 * kern_cpu.c: the set of CPUs, for the test kernel.
 *
 * The machine code fills cpu_info_store[0 .. ncpu - 1] at boot, the boot
 * CPU first, before any other CPU runs; the set never changes after.
 */

#include <sys/param.h>
#include <sys/cpu.h>

u_int ncpu = 1;
struct cpu_info cpu_info_store[MAXCPUS];

struct cpu_info *
cpu_lookup(u_int idx)
{

	return idx < ncpu ? &cpu_info_store[idx] : NULL;
}

bool
cpu_intr_p(void)
{

	return curcpu()->ci_intr_depth != 0;
}
