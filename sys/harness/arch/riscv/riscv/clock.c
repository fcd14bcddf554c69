/*
 * clock.c: the clock interrupt and delay() on riscv64.
 *
 * The time CSR counts at the device tree's timebase-frequency; each CPU
 * asks the SBI to interrupt it at tick boundaries, hz a second, laid on
 * a grid that starts when its clock starts.  The clock keeps time from
 * the time source, not from the interrupts: on entry the handler counts
 * every boundary passed since the last one it counted (more than one
 * when the interrupt came late: the CPU sat at IPL_VM, or QEMU did not
 * run the vCPU), and hardclock advances by that many ticks.  The next
 * interrupt is asked for from the handler's exit, at the first boundary
 * still ahead, so a handler that outlasts a tick is not run again back
 * to back: its work is paced by real time, the count of ticks is not.
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

/* Microseconds since the time source started: for rates and timeouts. */
uint64_t
clock_time_us(void)
{
	uint64_t t = cpu_time();

	return t / cpu_timebase * 1000000 +
	    t % cpu_timebase * 1000000 / cpu_timebase;
}

/* Start this CPU's clock. */
void
cpu_initclocks(struct cpu_info *ci)
{

	ci->ci_clockstart = clock_time_us();
	ci->ci_lastclock = cpu_time();
	ci->ci_nextclock = ci->ci_lastclock + cpu_timebase / hz;
	sbi_set_timer(ci->ci_nextclock);
}

/* The first tick boundary after now, on this CPU's grid. */
static uint64_t
cpu_clock_next(const struct cpu_info *ci, uint64_t now)
{
	uint64_t interval = cpu_timebase / hz;

	return ci->ci_lastclock + ((now - ci->ci_lastclock) / interval + 1) *
	    interval;
}

/*
 * The clock interrupt: count the ticks that passed, run hardclock, then
 * ask for the next boundary after the handler's exit.
 */
void
cpu_clock_intr(struct cpu_info *ci)
{
	uint64_t now = cpu_time(), interval = cpu_timebase / hz, n;

	ci->ci_ntimer++;
	n = (now - ci->ci_lastclock) / interval;
	ci->ci_lastclock += n * interval;
	ci->ci_nticks += n;
	if (n != 0)
		hardclock((u_int)n);
	ci->ci_nextclock = cpu_clock_next(ci, cpu_time());
	sbi_set_timer(ci->ci_nextclock);
}

void
delay(unsigned int us)
{
	uint64_t end = cpu_time() + (uint64_t)us * cpu_timebase / 1000000;

	while (cpu_time() < end)
		continue;
}
