/*
 * locore.S: the riscv64 test kernel's entry points, trap vector and
 * context switch.
 *
 * OpenSBI enters start with a0 = hart id and a1 = the device tree, on one
 * hart, in S-mode with paging off; the kernel is linked where it is loaded
 * and later mapped at the same addresses, so it runs unchanged when
 * init_riscv turns paging on.  Other harts enter cpu_spinup (SBI HSM
 * hart_start) and find their struct cpu_info by hart id; a1 is not used
 * (see cpu_spinup for why).
 *
 * The kernel never leaves S-mode, so a trap always arrives on the stack
 * of whatever it interrupted: the vector pushes a trapframe there and
 * calls cpu_trap.  tp holds curlwp everywhere and is never changed by a
 * trap.
 */

#include <machine/param.h>
#include <machine/cpu.h>
#include <machine/frame.h>
#include <machine/riscvreg.h>

#define	SBI_EXT_HSM_ASM	0x48534D	/* "HSM"; function 1 is hart_stop */

	.option	norelax

	.section .text.boot, "ax"
	.globl	start
start:
	csrw	sie, zero
	csrw	sip, zero
	la	t0, boot_lottery
	li	t1, 1
	amoswap.w t1, t1, (t0)
	bnez	t1, 9f
	la	sp, boot_stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	tp, lwp0
	call	init_riscv
3:	wfi
	j	3b

/* A hart that loses the lottery is a secondary let in here (cpu_spinup). */
9:	j	cpu_spinup

	.data
	.align	2
boot_lottery:
	.word	0

/*
 * A secondary hart's entry, a0 = its hart id, from SBI HSM hart_start or
 * from start above.
 *
 * The firmware QEMU 7.2 ships (OpenSBI v1.1) publishes a hart's
 * START_PENDING state in sbi_hsm_hart_start before it stores the start
 * address and a1 for it, and the hart waiting in the firmware may see the
 * state and leave with the old values: the firmware's first entry point,
 * start, and the device tree as a1, or a mix of old and new.  The waiting
 * harts poll rather than sleep (their machine software interrupt was seen
 * pending while they waited, so the firmware's wfi returns at once); this
 * happens whenever the starting vCPU thread loses the host CPU inside
 * that window: a few boots in a thousand with a host load of 10 to 20 on
 * two cores, seen with the QEMU monitor as a hart that had entered start.
 * Newer OpenSBI stores the values first.
 *
 * So a1 is never trusted: the hart takes the cpu_info whose ci_hartid is
 * a0 (the firmware sets a0 from mhartid) and whose idle stack exists,
 * which cpu_boot_secondary_processors makes before starting the hart; the
 * fence orders these loads after the firmware's read of the hart state.
 * A hart with none (one the kernel does not use) gives itself back to the
 * SBI with HSM hart_stop.
 */
	.text
	.globl	cpu_spinup
cpu_spinup:
	csrw	sie, zero
	csrw	sip, zero
	fence	rw, rw
	la	a1, cpu_info_store
	li	t1, MAXCPUS - 1
	li	t2, CI_SIZE
5:	add	a1, a1, t2
	ld	t0, CI_HARTID(a1)
	bne	t0, a0, 6f
	ld	sp, CI_BOOTSP(a1)
	bnez	sp, 7f
6:	addi	t1, t1, -1
	bnez	t1, 5b
	li	a7, SBI_EXT_HSM_ASM
	li	a6, 1
	ecall
8:	wfi
	j	8b
7:	ld	tp, 0(a1)
	la	t0, pmap_satp
	ld	t0, 0(t0)
	sfence.vma
	csrw	satp, t0
	sfence.vma
	mv	a0, a1
	call	cpu_hatch
4:	wfi
	j	4b

/* ---- traps */

	.align	4
	.globl	cpu_trap_vector
cpu_trap_vector:
	addi	sp, sp, -TF_SIZE
	sd	ra, TF_RA(sp)
	sd	gp, TF_GP(sp)
	sd	tp, TF_TP(sp)
	sd	t0, TF_T(0)(sp)
	sd	t1, TF_T(1)(sp)
	sd	t2, TF_T(2)(sp)
	sd	t3, TF_T(3)(sp)
	sd	t4, TF_T(4)(sp)
	sd	t5, TF_T(5)(sp)
	sd	t6, TF_T(6)(sp)
	sd	s0, TF_S(0)(sp)
	sd	s1, TF_S(1)(sp)
	sd	s2, TF_S(2)(sp)
	sd	s3, TF_S(3)(sp)
	sd	s4, TF_S(4)(sp)
	sd	s5, TF_S(5)(sp)
	sd	s6, TF_S(6)(sp)
	sd	s7, TF_S(7)(sp)
	sd	s8, TF_S(8)(sp)
	sd	s9, TF_S(9)(sp)
	sd	s10, TF_S(10)(sp)
	sd	s11, TF_S(11)(sp)
	sd	a0, TF_A(0)(sp)
	sd	a1, TF_A(1)(sp)
	sd	a2, TF_A(2)(sp)
	sd	a3, TF_A(3)(sp)
	sd	a4, TF_A(4)(sp)
	sd	a5, TF_A(5)(sp)
	sd	a6, TF_A(6)(sp)
	sd	a7, TF_A(7)(sp)
	addi	t0, sp, TF_SIZE
	sd	t0, TF_SP(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)

	mv	a0, sp
	call	cpu_trap

	csrci	sstatus, SSTATUS_SIE
	ld	t0, TF_SSTATUS(sp)
	csrw	sstatus, t0
	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	ra, TF_RA(sp)
	ld	gp, TF_GP(sp)
	ld	t0, TF_T(0)(sp)
	ld	t1, TF_T(1)(sp)
	ld	t2, TF_T(2)(sp)
	ld	t3, TF_T(3)(sp)
	ld	t4, TF_T(4)(sp)
	ld	t5, TF_T(5)(sp)
	ld	t6, TF_T(6)(sp)
	ld	s0, TF_S(0)(sp)
	ld	s1, TF_S(1)(sp)
	ld	s2, TF_S(2)(sp)
	ld	s3, TF_S(3)(sp)
	ld	s4, TF_S(4)(sp)
	ld	s5, TF_S(5)(sp)
	ld	s6, TF_S(6)(sp)
	ld	s7, TF_S(7)(sp)
	ld	s8, TF_S(8)(sp)
	ld	s9, TF_S(9)(sp)
	ld	s10, TF_S(10)(sp)
	ld	s11, TF_S(11)(sp)
	ld	a0, TF_A(0)(sp)
	ld	a1, TF_A(1)(sp)
	ld	a2, TF_A(2)(sp)
	ld	a3, TF_A(3)(sp)
	ld	a4, TF_A(4)(sp)
	ld	a5, TF_A(5)(sp)
	ld	a6, TF_A(6)(sp)
	ld	a7, TF_A(7)(sp)
	addi	sp, sp, TF_SIZE
	sret

/* ---- context switch */

/*
 * struct lwp *cpu_switchto(struct lwp *old, struct lwp *new)
 *
 * Save old's callee-saved registers in its pcb, load new's, and return,
 * as new, the thread we came from.  Interrupts stay as they are, but
 * for the two instructions that move sp and tp to the new thread: a trap
 * between them would push its frame on one thread's stack while curlwp
 * still names the other, and cpu_trap checks that the two agree.
 */
#define	PCB(n)	(L_PCB + (n) * 8)
	.globl	cpu_switchto
cpu_switchto:
	sd	ra, PCB(0)(a0)
	sd	sp, PCB(1)(a0)
	sd	s0, PCB(2)(a0)
	sd	s1, PCB(3)(a0)
	sd	s2, PCB(4)(a0)
	sd	s3, PCB(5)(a0)
	sd	s4, PCB(6)(a0)
	sd	s5, PCB(7)(a0)
	sd	s6, PCB(8)(a0)
	sd	s7, PCB(9)(a0)
	sd	s8, PCB(10)(a0)
	sd	s9, PCB(11)(a0)
	sd	s10, PCB(12)(a0)
	sd	s11, PCB(13)(a0)
	ld	ra, PCB(0)(a1)
	ld	s0, PCB(2)(a1)
	ld	s1, PCB(3)(a1)
	ld	s2, PCB(4)(a1)
	ld	s3, PCB(5)(a1)
	ld	s4, PCB(6)(a1)
	ld	s5, PCB(7)(a1)
	ld	s6, PCB(8)(a1)
	ld	s7, PCB(9)(a1)
	ld	s8, PCB(10)(a1)
	ld	s9, PCB(11)(a1)
	ld	s10, PCB(12)(a1)
	ld	s11, PCB(13)(a1)
	csrrci	t0, sstatus, SSTATUS_SIE
	ld	sp, PCB(1)(a1)
	mv	tp, a1
	andi	t0, t0, SSTATUS_SIE
	csrs	sstatus, t0
	ret

/* A new thread's first return from cpu_switchto lands here. */
	.globl	lwp_trampoline
lwp_trampoline:
	call	lwp_startup
5:	j	5b

/* ---- probing memory */

/*
 * int cpu_probe_read(vaddr_t va, uint8_t *valp)
 *
 * Read the byte at va; return 0, or EFAULT (14) if the access faults:
 * cpu_trap resumes at l_onfault instead of panicking.
 */
	.globl	cpu_probe_read
cpu_probe_read:
	la	t0, 6f
	sd	t0, L_ONFAULT(tp)
	lb	t1, 0(a0)
	sb	t1, 0(a1)
	sd	zero, L_ONFAULT(tp)
	li	a0, 0
	ret
6:	sd	zero, L_ONFAULT(tp)
	li	a0, 14
	ret

	.section .bss
	.align	12
boot_stack:
	.space	KSTACK_SIZE
boot_stack_top:
