/*
 * machine/virt.h: devices of QEMU's riscv64 "virt" machine that the test
 * kernel drives directly, at their fixed physical addresses.
 */

#ifndef _RISCV_MACHINE_VIRT_H_
#define _RISCV_MACHINE_VIRT_H_

#define	VIRT_TEST_BASE		0x00100000UL	/* sifive,test finisher */
#define	VIRT_UART0_BASE		0x10000000UL	/* ns16550a */
#define	VIRT_RAM_BASE		0x80000000UL

#define	VIRT_TEST_PASS		0x5555		/* exit status 0 */
#define	VIRT_TEST_FAIL		0x3333		/* exit status in bits 16.. */

#define	UART_THR		0		/* transmit holding */
#define	UART_LSR		5		/* line status */
#define	UART_LSR_THRE		0x20		/* room to transmit */

#endif /* !_RISCV_MACHINE_VIRT_H_ */
