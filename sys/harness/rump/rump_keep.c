/*
 * rump_keep.c: the host platform's slow-path calls that keep every
 * register.
 *
 * A kernel's splvm(), splx() and curcpu() call nothing: they read and
 * write a word of the CPU.  The host's (machine/intr.h, machine/cpu.h)
 * do the same, but each has a rare slow path that must call C: wait for
 * a cross call running as this CPU (rump_xc_wait), run one left pending
 * (rump_xc_deferred), or attach the thread to a virtual CPU on its
 * first entry (rump_cpu_attach).  An ordinary call there clobbers the
 * caller-saved registers, so the compiler keeps what kmem's fast path
 * holds across it in callee-saved ones, and every kmem_alloc and
 * kmem_free then saves and restores them: a frame the kernel's code does
 * not have.  So on x86-64 the inline functions make these calls with
 * RUMP_CALL_KEEP (machine/lwp.h), an asm statement that clobbers no
 * register, through the trampolines below, which save the registers the
 * C calling convention lets a callee change (the general ones and
 * %xmm0-15: the host build uses no wider vector register, which the
 * #error below keeps so), align the stack, call the C function and
 * restore them.  The asm statement steps over the caller's red zone
 * first, since its call pushes a return address there; the trampolines'
 * unwind tables count those 128 bytes into their frame, so that a
 * debugger's or a sanitizer's backtrace from the slow path finds the
 * caller's frame where it is.  rump_cpu_attach_keep returns the CPU in
 * %rax.  The calls are direct: the host library is a static archive.
 * Elsewhere the header calls the C functions directly.
 */

#include "rump_host.h"

#ifdef __x86_64__
#ifdef __AVX__
#error "rump_keep.c saves %xmm0-15 only; build the host without AVX"
#endif

/*
 * Trampoline name for fn; skiprax drops the saved %rax (a result).  On
 * entry the return address is at 0(%rsp) and the caller's stack pointer
 * was 136 bytes above: that is the canonical frame address.
 */
#define	RUMP_KEEP_TRAMPOLINE(name, fn, skiprax)				\
__asm(".pushsection .text\n"						\
"	.globl	" #name "\n"						\
"	.type	" #name ", @function\n"					\
#name ":\n"								\
"	.cfi_startproc\n"						\
"	.cfi_def_cfa_offset 136\n"					\
"	.cfi_offset %rip, -136\n"					\
"	push	%rbp\n"							\
"	.cfi_adjust_cfa_offset 8\n"					\
"	.cfi_offset %rbp, -144\n"					\
"	mov	%rsp, %rbp\n"						\
"	.cfi_def_cfa_register %rbp\n"					\
"	push	%rax\n	push	%rcx\n	push	%rdx\n"			\
"	push	%rsi\n	push	%rdi\n	push	%r8\n"			\
"	push	%r9\n	push	%r10\n	push	%r11\n"			\
"	and	$-16, %rsp\n"						\
"	sub	$256, %rsp\n"						\
"	movdqa	%xmm0, 0(%rsp)\n	movdqa	%xmm1, 16(%rsp)\n"	\
"	movdqa	%xmm2, 32(%rsp)\n	movdqa	%xmm3, 48(%rsp)\n"	\
"	movdqa	%xmm4, 64(%rsp)\n	movdqa	%xmm5, 80(%rsp)\n"	\
"	movdqa	%xmm6, 96(%rsp)\n	movdqa	%xmm7, 112(%rsp)\n"	\
"	movdqa	%xmm8, 128(%rsp)\n	movdqa	%xmm9, 144(%rsp)\n"	\
"	movdqa	%xmm10, 160(%rsp)\n	movdqa	%xmm11, 176(%rsp)\n"	\
"	movdqa	%xmm12, 192(%rsp)\n	movdqa	%xmm13, 208(%rsp)\n"	\
"	movdqa	%xmm14, 224(%rsp)\n	movdqa	%xmm15, 240(%rsp)\n"	\
"	call	" #fn "\n"						\
"	movdqa	0(%rsp), %xmm0\n	movdqa	16(%rsp), %xmm1\n"	\
"	movdqa	32(%rsp), %xmm2\n	movdqa	48(%rsp), %xmm3\n"	\
"	movdqa	64(%rsp), %xmm4\n	movdqa	80(%rsp), %xmm5\n"	\
"	movdqa	96(%rsp), %xmm6\n	movdqa	112(%rsp), %xmm7\n"	\
"	movdqa	128(%rsp), %xmm8\n	movdqa	144(%rsp), %xmm9\n"	\
"	movdqa	160(%rsp), %xmm10\n	movdqa	176(%rsp), %xmm11\n"	\
"	movdqa	192(%rsp), %xmm12\n	movdqa	208(%rsp), %xmm13\n"	\
"	movdqa	224(%rsp), %xmm14\n	movdqa	240(%rsp), %xmm15\n"	\
"	lea	-72(%rbp), %rsp\n"					\
"	pop	%r11\n	pop	%r10\n	pop	%r9\n"			\
"	pop	%r8\n	pop	%rdi\n	pop	%rsi\n"			\
"	pop	%rdx\n	pop	%rcx\n"					\
"	" skiprax "\n"							\
"	pop	%rbp\n"							\
"	.cfi_def_cfa %rsp, 136\n"					\
"	ret\n"								\
"	.cfi_endproc\n"							\
"	.size	" #name ", . - " #name "\n"				\
"	.popsection\n")

RUMP_KEEP_TRAMPOLINE(rump_xc_wait_keep, rump_xc_wait, "pop	%rax");
RUMP_KEEP_TRAMPOLINE(rump_xc_deferred_keep, rump_xc_deferred, "pop	%rax");
RUMP_KEEP_TRAMPOLINE(rump_cpu_attach_keep, rump_cpu_attach,
    "lea	8(%rsp), %rsp");

#endif /* __x86_64__ */
