/*
 * clock.c: the clock interrupt and delay() on riscv64.
 *
 * The time CSR counts at the device tree's timebase-frequency; each CPU
 * asks the SBI to interrupt it at the next tick, hz times a second, and
 * asks again from the interrupt.  A tick that is already late is
 * rescheduled from now instead of piling up.
 */

#include <sys/param.h>
#include <sys/cpu.h>
#include <sys/kernel.h>
#include <sys/systm.h>

#include <machine/riscvreg.h>
#include <machine/sbi.h>

void	cpu_clock_intr(struct cpu_info *);

uint64_t cpu_timebase = 10000000;	/* I: time CSR ticks a second */

static uint64_t
cpu_time(void)
{

	return csr_read(time);
}

/* Start this CPU's clock. */
void
cpu_initclocks(struct cpu_info *ci)
{

	ci->ci_nextclock = cpu_time() + cpu_timebase / hz;
	sbi_set_timer(ci->ci_nextclock);
}

/* The clock interrupt: program the next tick, then run hardclock. */
void
cpu_clock_intr(struct cpu_info *ci)
{
	uint64_t now = cpu_time(), interval = cpu_timebase / hz;

	ci->ci_ntimer++;
	ci->ci_nextclock += interval;
	if (ci->ci_nextclock <= now)
		ci->ci_nextclock = now + interval;
	sbi_set_timer(ci->ci_nextclock);
	hardclock();
}

void
delay(unsigned int us)
{
	uint64_t end = cpu_time() + (uint64_t)us * cpu_timebase / 1000000;

	while (cpu_time() < end)
		continue;
}
