/*
 * virt.c: the console and the power switch of QEMU's virt machine.
 *
 * The console is the ns16550a UART, written by polling; the power switch
 * is the sifive,test finisher, whose exit codes QEMU passes on as its own
 * exit status (0 for VIRT_TEST_PASS, else the code in bits 16 and up).
 */

#include <sys/param.h>
#include <sys/cpu.h>
#include <sys/kernel.h>
#include <sys/systm.h>

#include <machine/pmap.h>
#include <machine/virt.h>

#define	UART_REG(r)							\
	((volatile uint8_t *)PMAP_DIRECT_MAP(VIRT_UART0_BASE + (r)))

void
cons_putc(int c)
{

	while ((*UART_REG(UART_LSR) & UART_LSR_THRE) == 0)
		continue;
	*UART_REG(UART_THR) = (uint8_t)c;
}

/* Power off; QEMU exits with status (0 .. 255). */
void
cpu_poweroff(int status)
{
	volatile uint32_t *finisher =
	    (volatile uint32_t *)PMAP_DIRECT_MAP(VIRT_TEST_BASE);

	if (status == 0)
		*finisher = VIRT_TEST_PASS;
	else
		*finisher = ((uint32_t)(status & 0xff) << 16) | VIRT_TEST_FAIL;
	for (;;)
		__asm volatile("wfi");
}
