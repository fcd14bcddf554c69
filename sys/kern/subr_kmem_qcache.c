/*
 * subr_kmem_qcache.c: vmem's quantum caches, made of kmem caches.
 *
 * ---- Theory
 *
 * An arena made with qcache_max > 0 serves vmem_alloc and vmem_free of
 * n quanta, for n from 1 to qcache_max / quantum, from a kmem cache of
 * its own for each n (Bonwick and Adams' quantum caching): the per-CPU
 * magazines make the common small allocations scale, and the slabs,
 * each several buffers of the same size, keep the arena from
 * fragmenting into odd-sized holes.
 *
 * The caches are KMC_NOTOUCH: their buffers are integers of the arena,
 * not memory, so kmem never writes into them; slab headers and free
 * lists live outside (external slabs with a bufctl per buffer).  Slabs
 * come from the arena itself through vmem_xalloc, which the quantum
 * caches do not intercept, and go back through vmem_xfree.  Integer 0 is
 * never handed out by a quantum cache, since the hook reports failure
 * with 0.
 *
 * vmem calls these hooks (struct vmem_qcache_ops, installed by
 * kmem_init) with no arena lock held, and the caches hold none of their
 * locks when they call vmem, so the two never hold each other's locks.
 * VM_SLEEP becomes KM_SLEEP, which reaps and waits until an integer is
 * freed; VM_NOSLEEP becomes KM_NOSLEEP.  When a KM_NOSLEEP request finds
 * nothing, what can be returned without a cross call (this CPU's
 * magazines, the depot, empty slabs) goes back to the arena first and
 * the request is tried once more, so that integers parked in the caches
 * make a non-sleeping request fail only when other CPUs hold them.
 */

#define	_KMEM_PRIVATE

#include <sys/param.h>
#include <sys/kmem.h>
#include <sys/kmem_impl.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

/* Make the quantum caches of vm: one for each multiple of the quantum. */
static void
kmem_qcache_create(vmem_t *vm)
{
	char name[KMEM_NAME_MAX + 1];
	vmem_size_t quantum = vm->vm_quantum_mask + 1, size;
	size_t i, n = vm->vm_qcache_max >> vm->vm_quantum_shift;

	KASSERT(n <= VMEM_QCACHE_IDX_MAX);
	for (i = 0; i < n; i++) {
		size = (i + 1) * quantum;
		snprintf(name, sizeof(name), "%s-q%zu", vm->vm_name, i + 1);
		vm->vm_qcache[i] = kmem_cache_create(name, size, quantum,
		    NULL, NULL, NULL, NULL, vm, KMC_NOTOUCH);
	}
}

/* Destroy the quantum caches of vm; every integer they gave is back. */
static void
kmem_qcache_destroy(vmem_t *vm)
{
	size_t i;

	for (i = 0; i < VMEM_QCACHE_IDX_MAX; i++) {
		if (vm->vm_qcache[i] != NULL) {
			kmem_cache_destroy(vm->vm_qcache[i]);
			vm->vm_qcache[i] = NULL;
		}
	}
}

/*
 * kmem_qcache_drain: give back to vm what its quantum caches hold on
 * this CPU, in their depots and in empty slabs; no cross call, so it may
 * run where a KM_NOSLEEP request may.
 */
static void
kmem_qcache_drain(vmem_t *vm)
{
	size_t i;

	for (i = 0; i < VMEM_QCACHE_IDX_MAX; i++) {
		if (vm->vm_qcache[i] != NULL)
			kmem_cache_drain_local(vm->vm_qcache[i]);
	}
}

/* Allocate from quantum cache qc; NULL if it has nothing. */
static void *
kmem_qcache_alloc(void *qc, vm_flag_t vmflags)
{
	kmem_cache_t *kc = qc;
	void *p;

	if ((vmflags & VM_SLEEP) != 0)
		return kmem_cache_alloc(kc, KM_SLEEP);
	if ((p = kmem_cache_alloc(kc, KM_NOSLEEP)) != NULL)
		return p;
	kmem_qcache_drain(kc->kc_source);
	return kmem_cache_alloc(kc, KM_NOSLEEP);
}

/* Free p to quantum cache qc. */
static void
kmem_qcache_free(void *qc, void *p)
{

	kmem_cache_free(qc, p);
}

/* Before vmem sleeps for space: reap every cache. */
static void
kmem_qcache_reclaim(void)
{

	kmem_reap();
}

/*
 * The hooks kmem_init installs (vmem_set_qcache_ops), which builds the
 * quantum caches of the arenas that asked for them before kmem was up.
 */
const struct vmem_qcache_ops kmem_qcache_ops = {
	.qo_create = kmem_qcache_create,
	.qo_destroy = kmem_qcache_destroy,
	.qo_alloc = kmem_qcache_alloc,
	.qo_free = kmem_qcache_free,
	.qo_reclaim = kmem_qcache_reclaim,
};
