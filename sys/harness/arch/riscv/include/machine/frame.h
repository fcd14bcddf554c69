/*
 * machine/frame.h: the registers a trap saves.
 *
 * The kernel runs only in S-mode, so every trap arrives on the stack of
 * the thread it interrupts and pushes one of these there; locore.S and
 * the layout below must agree (TF_* are the byte offsets).
 */

#ifndef _RISCV_MACHINE_FRAME_H_
#define _RISCV_MACHINE_FRAME_H_

#define	TF_RA		(0 * 8)
#define	TF_SP		(1 * 8)
#define	TF_GP		(2 * 8)
#define	TF_TP		(3 * 8)
#define	TF_T(n)		((4 + (n)) * 8)		/* t0 .. t6 */
#define	TF_S(n)		((11 + (n)) * 8)	/* s0 .. s11 */
#define	TF_A(n)		((23 + (n)) * 8)	/* a0 .. a7 */
#define	TF_SEPC		(31 * 8)
#define	TF_SSTATUS	(32 * 8)
#define	TF_STVAL	(33 * 8)
#define	TF_SCAUSE	(34 * 8)
#define	TF_SIZE		(36 * 8)		/* 16-byte aligned */

#ifndef __ASSEMBLER__
#include <sys/types.h>

struct trapframe {
	register_t	tf_ra;
	register_t	tf_sp;
	register_t	tf_gp;
	register_t	tf_tp;
	register_t	tf_t[7];
	register_t	tf_s[12];
	register_t	tf_a[8];
	register_t	tf_sepc;
	register_t	tf_sstatus;
	register_t	tf_stval;
	register_t	tf_scause;
	register_t	tf_pad;
};
#endif

#endif /* !_RISCV_MACHINE_FRAME_H_ */
