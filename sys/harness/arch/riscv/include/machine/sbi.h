/*
 * machine/sbi.h: calls into the SBI firmware (OpenSBI).
 *
 * An SBI call is an ecall with the extension id in a7, the function id in
 * a6 and arguments in a0..a5; the firmware returns an error in a0 and a
 * value in a1.  The kernel uses the TIME, IPI and HSM extensions of SBI
 * v0.2 and later, which OpenSBI provides.
 */

#ifndef _RISCV_MACHINE_SBI_H_
#define _RISCV_MACHINE_SBI_H_

#include <sys/types.h>

#define	SBI_EXT_TIME		0x54494D45	/* "TIME" */
#define	SBI_EXT_IPI		0x00735049	/* "sPI" */
#define	SBI_EXT_HSM		0x0048534D	/* "HSM" */
#define	SBI_HSM_HART_START	0

struct sbiret {
	long	error;
	long	value;
};

static __inline struct sbiret
sbi_call(long ext, long fid, u_long arg0, u_long arg1, u_long arg2)
{
	register u_long a0 __asm("a0") = arg0;
	register u_long a1 __asm("a1") = arg1;
	register u_long a2 __asm("a2") = arg2;
	register long a6 __asm("a6") = fid;
	register long a7 __asm("a7") = ext;

	__asm volatile("ecall"
	    : "+r"(a0), "+r"(a1)
	    : "r"(a2), "r"(a6), "r"(a7)
	    : "memory");
	return (struct sbiret){ (long)a0, (long)a1 };
}

/* Raise the timer interrupt at the given time (and clear a pending one). */
static __inline void
sbi_set_timer(uint64_t when)
{

	(void)sbi_call(SBI_EXT_TIME, 0, when, 0, 0);
}

/* Raise a software interrupt on one hart. */
static __inline void
sbi_send_ipi(u_long hartid)
{

	(void)sbi_call(SBI_EXT_IPI, 0, 1, hartid, 0);
}

/* Start a stopped hart at pa (paging off) with a1 = opaque. */
static __inline long
sbi_hart_start(u_long hartid, paddr_t pa, u_long opaque)
{

	return sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, pa,
	    opaque).error;
}

#endif /* !_RISCV_MACHINE_SBI_H_ */
