/*
 * subr_vmem_mtbf.c: fault injection for vmem(9) and kmem(9).
 *
 * ---- Theory
 *
 * A request that may fail must be seen failing before it fails for
 * real, by every caller that makes it.  illumos keeps vmem_mtbf and
 * kmem_mtbf for that; here one switch serves both layers, since kmem's
 * failures are vmem's failures one level up.  The vocabulary:
 *
 *	period		vmem_mtbf, N: 0 turns injection off;
 *	every Nth	the N-th, 2N-th, ... NOSLEEP request that reaches
 *			an injection point fails (VMEM_MTBF_EVERY);
 *	1 in N		each such request fails with probability 1/N, from
 *			a sequence fixed by a seed, so that a run repeats
 *			(VMEM_MTBF_RANDOM);
 *	point		where a request is counted: every VM_NOSLEEP
 *			vmem_alloc and vmem_xalloc that reaches an arena
 *			(after the quantum caches), and every KM_NOSLEEP
 *			kmem request that misses the CPU's magazines;
 *	refill		with VMEM_MTBF_REFILLS, the points are instead the
 *			arenas' VM_NOSLEEP refills of boundary tags from the
 *			stock (subr_vmem_bt.c), and reaps leave the arenas'
 *			spare tags alone: with n 1 every arena runs out of
 *			tags for VM_NOSLEEP requests once its spares are
 *			spent, the ENOMEM paths a kernel with memory to
 *			spare never takes otherwise.
 *
 * An injected failure takes the path a real one takes: vmem returns
 * ENOMEM and counts it among the arena's failures, kmem returns NULL,
 * and everything above (quantum caches, slabs, malloc(9), extent(9))
 * passes it on or absorbs it as it would a real one.  A request that
 * sleeps is never made to fail, nor one that reaches no injection point
 * (a magazine hit), so the fast paths carry no test but the one on the
 * period, and only where they already branch.
 *
 * The count of requests and of failures are atomic counters; the
 * decision for request c is a function of c alone, so concurrent callers
 * see the same sequence, in some interleaving.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

volatile u_int vmem_mtbf;		/* a: the period; 0 is off */
static volatile u_int vmem_mtbf_mode;	/* a: VMEM_MTBF_* */
static volatile u_long vmem_mtbf_seed;	/* a: as much as a long holds */
static volatile u_long vmem_mtbf_nreq;	/* a: requests counted */
static volatile u_long vmem_mtbf_nfail;	/* a: failures injected */

/* A 64-bit mix of x (splitmix64's finalizer). */
static uint64_t
vmem_mtbf_mix(uint64_t x)
{

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * vmem_mtbf_set: make every n-th (VMEM_MTBF_EVERY) or a random 1 in n
 * (VMEM_MTBF_RANDOM, sequence fixed by seed) NOSLEEP request fail, or,
 * with VMEM_MTBF_REFILLS, tag refill; n 0 turns injection off.  The
 * counts start again from 0.  A port whose long has 32 bits keeps the
 * seed's low 32 bits.
 */
void
vmem_mtbf_set(u_int n, u_int mode, uint64_t seed)
{

	atomic_store_relaxed(&vmem_mtbf, 0);
	atomic_store_relaxed(&vmem_mtbf_mode, mode);
	atomic_store_relaxed(&vmem_mtbf_seed, (u_long)seed);
	atomic_store_relaxed(&vmem_mtbf_nreq, 0);
	atomic_store_relaxed(&vmem_mtbf_nfail, 0);
	atomic_store_release(&vmem_mtbf, n);
}

/*
 * vmem_mtbf_fail: count one request at an injection point, a tag refill
 * if refill; true if it is to fail.  Callers test vmem_mtbf first
 * (VMEM_MTBF_FAIL, VMEM_MTBF_REFILL_FAIL).
 */
bool
vmem_mtbf_fail(bool refill)
{
	u_int n = atomic_load_acquire(&vmem_mtbf);
	u_int mode = atomic_load_relaxed(&vmem_mtbf_mode);
	u_long c;
	bool fail;

	if (n == 0 || ((mode & VMEM_MTBF_REFILLS) != 0) != refill)
		return false;
	c = atomic_inc_ulong_nv(&vmem_mtbf_nreq);
	if ((mode & VMEM_MTBF_RANDOM) != 0)
		fail = vmem_mtbf_mix((uint64_t)atomic_load_relaxed(
		    &vmem_mtbf_seed) + c) % n == 0;
	else
		fail = c % n == 0;
	if (fail)
		atomic_inc_ulong(&vmem_mtbf_nfail);
	return fail;
}

/* vmem_mtbf_refills: true while tag refills are injection points. */
bool
vmem_mtbf_refills(void)
{

	return atomic_load_acquire(&vmem_mtbf) != 0 &&
	    (atomic_load_relaxed(&vmem_mtbf_mode) & VMEM_MTBF_REFILLS) != 0;
}

/* vmem_mtbf_injected: failures injected since vmem_mtbf_set. */
uint64_t
vmem_mtbf_injected(void)
{

	return atomic_load_relaxed(&vmem_mtbf_nfail);
}
