/*
 * t_audit.h: what the kmem(9) and malloc(9) tests use to check the caller
 * an audit record names; shared by both.
 *
 * A case serves one of kmem_alloc's size classes from a KMC_AUDIT cache
 * of its own (t_class_swap), calls the function under test from small
 * __noinline functions of its own, puts the class back, and checks that
 * each record's caller lies in the right one of them (t_in).  While the
 * class is swapped, no other thread may allocate from it: a buffer
 * allocated from one cache and freed to the other would panic.  The
 * harnesses allocate only when a thread or a clock hook is made, so a
 * case that swaps a class and makes neither is alone in it.  Needs
 * _KMEM_PRIVATE (kmem_class_of).
 */

#ifndef _TESTS_KERN_T_AUDIT_H_
#define _TESTS_KERN_T_AUDIT_H_

#include <sys/param.h>
#include <sys/kmem.h>
#include <sys/kmem_impl.h>

/*
 * Serve kmem_alloc's size class of size from kc instead of from the
 * class's cache, which it returns; the same call with that cache puts
 * it back.
 */
static inline kmem_cache_t *
t_class_swap(size_t size, kmem_cache_t *kc)
{
	kmem_cache_t *old = kmem_class_of[(size - 1) >> KMEM_SHIFT];
	u_int i;

	for (i = 0; i < __arraycount(kmem_class_of); i++) {
		if (kmem_class_of[i] == old)
			kmem_class_of[i] = kc;
	}
	return old;
}

/* True if the return address ra lies in the function at f. */
static inline bool
t_in(const void *ra, const void *f)
{

	return (uintptr_t)ra > (uintptr_t)f &&
	    (uintptr_t)ra < (uintptr_t)f + 256;
}

#endif /* !_TESTS_KERN_T_AUDIT_H_ */
