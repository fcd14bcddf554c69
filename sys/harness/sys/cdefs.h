/*	cdefs.h: compiler attributes shared by both hosts.	*/

#ifndef _SYS_CDEFS_H_
#define _SYS_CDEFS_H_

#define	__predict_true(x)	__builtin_expect(((x) != 0), 1)
#define	__predict_false(x)	__builtin_expect(((x) != 0), 0)

#define	__unused		__attribute__((__unused__))
#define	__used			__attribute__((__used__))
#define	__aligned(x)		__attribute__((__aligned__(x)))
#define	__packed		__attribute__((__packed__))
#define	__noinline		__attribute__((__noinline__))
#define	__always_inline		__inline __attribute__((__always_inline__))
#define	__dead			__attribute__((__noreturn__))
#define	__printflike(f, a)	__attribute__((__format__(__printf__, f, a)))
#define	__section(s)		__attribute__((__section__(s)))
#define	__weak			__attribute__((__weak__))

#ifndef __BEGIN_DECLS
#ifdef __cplusplus
#define	__BEGIN_DECLS		extern "C" {
#define	__END_DECLS		}
#else
#define	__BEGIN_DECLS
#define	__END_DECLS
#endif
#endif

#define	__CONCAT1(x, y)		x ## y
#define	__CONCAT(x, y)		__CONCAT1(x, y)
#define	__STRING(x)		#x
#define	__XSTRING(x)		__STRING(x)

/* A compiler barrier: no memory access moves across it. */
#define	__insn_barrier()	__asm volatile("" ::: "memory")

#endif /* !_SYS_CDEFS_H_ */
