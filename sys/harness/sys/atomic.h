/*
 * atomic.h: atomic operations, as in NetBSD's atomic_ops(9).
 *
 * Built on the compiler's __atomic builtins, so both hosts share them and
 * ThreadSanitizer understands them.  The arithmetic and compare-and-swap
 * operations are sequentially consistent; atomic_load_* and
 * atomic_store_* carry the ordering their names give.
 */

#ifndef _SYS_ATOMIC_H_
#define _SYS_ATOMIC_H_

#include <sys/types.h>

#define	_ATOMIC_SC	__ATOMIC_SEQ_CST

#ifdef _LP64
#define	__HAVE_ATOMIC64_LOADSTORE	1	/* as NetBSD defines it */
#endif

#define	atomic_load_relaxed(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
#define	atomic_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define	atomic_store_relaxed(p, v)					\
	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define	atomic_store_release(p, v)					\
	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

#define	_ATOMIC_OPS(name, type)						\
static __inline void							\
atomic_add_##name(volatile type *p, type v)				\
{									\
	(void)__atomic_fetch_add(p, v, _ATOMIC_SC);			\
}									\
static __inline type							\
atomic_add_##name##_nv(volatile type *p, type v)			\
{									\
	return __atomic_add_fetch(p, v, _ATOMIC_SC);			\
}									\
static __inline type							\
atomic_cas_##name(volatile type *p, type o, type n)			\
{									\
	(void)__atomic_compare_exchange_n(p, &o, n, false,		\
	    _ATOMIC_SC, _ATOMIC_SC);					\
	return o;							\
}									\
static __inline type							\
atomic_swap_##name(volatile type *p, type v)				\
{									\
	return __atomic_exchange_n(p, v, _ATOMIC_SC);			\
}									\
static __inline void							\
atomic_or_##name(volatile type *p, type v)				\
{									\
	(void)__atomic_fetch_or(p, v, _ATOMIC_SC);			\
}									\
static __inline void							\
atomic_and_##name(volatile type *p, type v)				\
{									\
	(void)__atomic_fetch_and(p, v, _ATOMIC_SC);			\
}

_ATOMIC_OPS(uint, unsigned int)
_ATOMIC_OPS(ulong, unsigned long)
_ATOMIC_OPS(32, uint32_t)
_ATOMIC_OPS(64, uint64_t)

#undef _ATOMIC_OPS

#define	atomic_inc_uint(p)	atomic_add_uint((p), 1U)
#define	atomic_dec_uint(p)	atomic_add_uint((p), -1U)
#define	atomic_inc_uint_nv(p)	atomic_add_uint_nv((p), 1U)
#define	atomic_dec_uint_nv(p)	atomic_add_uint_nv((p), -1U)
#define	atomic_inc_ulong(p)	atomic_add_ulong((p), 1UL)
#define	atomic_dec_ulong(p)	atomic_add_ulong((p), -1UL)
#define	atomic_inc_ulong_nv(p)	atomic_add_ulong_nv((p), 1UL)
#define	atomic_inc_64(p)	atomic_add_64((p), 1)
#define	atomic_dec_64(p)	atomic_add_64((p), (uint64_t)-1)

/* NetBSD's name for adding a signed long to an unsigned one. */
static __inline unsigned long
atomic_add_long_nv(volatile unsigned long *p, long v)
{

	return __atomic_add_fetch(p, (unsigned long)v, _ATOMIC_SC);
}

static __inline void *
atomic_cas_ptr(volatile void *p, void *o, void *n)
{

	(void)__atomic_compare_exchange_n((void *volatile *)p, &o, n, false,
	    _ATOMIC_SC, _ATOMIC_SC);
	return o;
}

static __inline void *
atomic_swap_ptr(volatile void *p, void *v)
{

	return __atomic_exchange_n((void *volatile *)p, v, _ATOMIC_SC);
}

#define	membar_producer()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define	membar_consumer()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define	membar_release()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define	membar_acquire()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define	membar_sync()		__atomic_thread_fence(_ATOMIC_SC)

#endif /* !_SYS_ATOMIC_H_ */
