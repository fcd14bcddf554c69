/*
 * machine/riscvreg.h: supervisor control and status registers.
 *
 * Only what the kernel uses: the interrupt enable bits of sstatus and
 * sie, the trap causes, and accessors for CSRs by name.
 */

#ifndef _RISCV_MACHINE_RISCVREG_H_
#define _RISCV_MACHINE_RISCVREG_H_

#define	SSTATUS_SIE		0x00000002UL	/* interrupts enabled */
#define	SSTATUS_SPIE		0x00000020UL	/* SIE before the trap */
#define	SSTATUS_SPP		0x00000100UL	/* trapped from S-mode */
#define	SSTATUS_SUM		0x00040000UL	/* S-mode may touch U pages */

#define	SIE_SSIE		0x002UL		/* software (IPI) */
#define	SIE_STIE		0x020UL		/* timer */
#define	SIE_SEIE		0x200UL		/* external */
#define	SIP_SSIP		SIE_SSIE

#define	SCAUSE_INTR		(1UL << 63)
#define	SCAUSE_CODE(c)		((c) & ~SCAUSE_INTR)
#define	IRQ_SOFT		1
#define	IRQ_TIMER		5
#define	EXC_INSN_FAULT		1
#define	EXC_ILLEGAL		2
#define	EXC_BREAKPOINT		3
#define	EXC_LOAD_FAULT		5
#define	EXC_STORE_FAULT		7
#define	EXC_INSN_PAGE_FAULT	12
#define	EXC_LOAD_PAGE_FAULT	13
#define	EXC_STORE_PAGE_FAULT	15

#define	SATP_MODE_SV39		(8UL << 60)

#ifndef __ASSEMBLER__
#define	csr_read(csr) __extension__ ({					\
	unsigned long __v;						\
	__asm volatile("csrr %0, " #csr : "=r"(__v) :: "memory");	\
	__v;								\
})
#define	csr_write(csr, v)						\
	__asm volatile("csrw " #csr ", %0" :: "rK"(v) : "memory")
#define	csr_set(csr, v)							\
	__asm volatile("csrs " #csr ", %0" :: "rK"(v) : "memory")
#define	csr_clear(csr, v)						\
	__asm volatile("csrc " #csr ", %0" :: "rK"(v) : "memory")
#define	csr_read_clear(csr, v) __extension__ ({				\
	unsigned long __o;						\
	__asm volatile("csrrc %0, " #csr ", %1"				\
	    : "=r"(__o) : "rK"(v) : "memory");				\
	__o;								\
})
#endif

#endif /* !_RISCV_MACHINE_RISCVREG_H_ */
