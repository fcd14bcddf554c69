/*
 * t_mtbf.c: every consumer in the tree under fault injection (vmem_mtbf).
 *
 * Each case turns injection on (every n-th, or a seeded 1 in n, NOSLEEP
 * request fails), runs one consumer's workload with NOSLEEP requests,
 * stamping whatever memory it gets and checking the stamps before it
 * gives it back, then turns injection off and checks that everything
 * came back (arena sizes, a cache's constructor and destructor counts,
 * malloc's type statistics) and that failures reached the caller: as
 * many as were injected where nothing in between can absorb one, at
 * least one and no more than were injected elsewhere.  The seeds are
 * printed.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/errno.h>
#include <sys/extent.h>
#include <sys/intr.h>
#include <sys/kmem.h>
#include <sys/kmem_impl.h>
#include <sys/kthread.h>
#include <sys/malloc.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <atf-c.h>

#include "../bus/t_bus_dma.h"
#include "../bus/t_bus_pci.h"

#define	T_N	(2000 / TEST_SCALE * 10)	/* operations a case */
#define	T_LIVE	64				/* live allocations */

MALLOC_DEFINE(M_TMTBF, "t_mtbf", "fault injection test");
MALLOC_DECLARE(M_TMTBF);

static uint64_t t_x;

/* The next number of a xorshift sequence seeded by t_seed. */
static uint64_t
t_next(void)
{

	t_x ^= t_x << 13;
	t_x ^= t_x >> 7;
	t_x ^= t_x << 17;
	return t_x;
}

/* Seed the workload and turn injection on. */
static void
t_seed(uint64_t seed, u_int n, u_int mode)
{

	printf("seed %#llx, injection 1 in %u (%s)\n",
	    (unsigned long long)seed, n,
	    mode == VMEM_MTBF_RANDOM ? "random" : "every");
	t_x = seed;
	vmem_mtbf_set(n, mode, seed);
}

/* Turn injection off; the failures it injected. */
static uint64_t
t_stop(void)
{
	uint64_t n = vmem_mtbf_injected();

	vmem_mtbf_set(0, VMEM_MTBF_EVERY, 0);
	return n;
}

/*
 * Turn injection off and check the failures a case saw against it: some,
 * and no more than were injected.
 */
static void
t_stop_seen(uint64_t failed)
{
	uint64_t injected = t_stop();

	printf("%llu failures seen, %llu injected\n",
	    (unsigned long long)failed, (unsigned long long)injected);
	ATF_CHECK(failed > 0);
	ATF_CHECK(failed <= injected);
}

/* Write a pattern of v into every 64th byte at p, and the last. */
static void
t_stamp(void *p, size_t size, uint64_t v)
{
	size_t i;

	for (i = 0; i < size; i += 64)
		((unsigned char *)p)[i] = (unsigned char)(v + i);
	((unsigned char *)p)[size - 1] = (unsigned char)(v + size - 1);
}

/* True if t_stamp's pattern of v is still at p. */
static bool
t_stamped(const void *p, size_t size, uint64_t v)
{
	size_t i;

	for (i = 0; i < size; i += 64) {
		if (((const unsigned char *)p)[i] != (unsigned char)(v + i))
			return false;
	}
	return ((const unsigned char *)p)[size - 1] ==
	    (unsigned char)(v + size - 1);
}

ATF_TC(vmem_every);
ATF_TC_HEAD(vmem_every, tc)
{

	atf_tc_set_md_var(tc, "descr", "an arena without quantum caches "
	    "returns ENOMEM for exactly the requests it counts as failed, all "
	    "of them injected, and is whole again after");
}
ATF_TC_BODY(vmem_every, tc)
{
	vmem_addr_t a[T_LIVE];
	vmem_size_t sz[T_LIVE];
	uint64_t failed = 0;
	vmem_t *vm;
	int i, k;

	vm = vmem_create("t_mtbf", 0x10000, 0x1000000, 0x10, NULL, NULL,
	    NULL, 0, VM_SLEEP, IPL_NONE);
	ATF_REQUIRE(vm != NULL);
	memset(sz, 0, sizeof(sz));
	t_seed(0x5eed01, 5, VMEM_MTBF_EVERY);
	for (i = 0; i < T_N; i++) {
		k = (int)(t_next() % T_LIVE);
		if (sz[k] != 0) {
			vmem_free(vm, a[k], sz[k]);
			sz[k] = 0;
			continue;
		}
		sz[k] = 0x10 * (1 + t_next() % 256);
		if ((i & 1) != 0 ? vmem_alloc(vm, sz[k], VM_NOSLEEP, &a[k]) :
		    vmem_xalloc(vm, sz[k], 0x100, 0, 0, 0, VMEM_ADDR_MAX,
		    VM_NOSLEEP, &a[k]) != 0) {
			failed++;
			sz[k] = 0;
		}
	}
	t_stop_seen(failed);
	ATF_CHECK_EQ(failed, vm->vm_nfail);
	for (k = 0; k < T_LIVE; k++) {
		if (sz[k] != 0)
			vmem_free(vm, a[k], sz[k]);
	}
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	vmem_check(vm);
	vmem_destroy(vm);
}

ATF_TC(vmem_qcache_random);
ATF_TC_HEAD(vmem_qcache_random, tc)
{

	atf_tc_set_md_var(tc, "descr", "an arena with quantum caches and an "
	    "importing arena under random injection: failures reach the "
	    "caller, and both arenas are whole again after");
}
ATF_TC_BODY(vmem_qcache_random, tc)
{
	vmem_addr_t a[T_LIVE];
	vmem_size_t sz[T_LIVE];
	uint64_t failed = 0;
	vmem_t *src, *vm;
	int i, k;

	src = vmem_create("t_src", 0x100000, 0x4000000, 0x1000, NULL, NULL,
	    NULL, 0, VM_SLEEP, IPL_NONE);
	vm = vmem_create("t_qc", 0, 0, 0x10, vmem_alloc, vmem_free, src,
	    0x100, VM_SLEEP, IPL_NONE);
	ATF_REQUIRE(src != NULL && vm != NULL);
	memset(sz, 0, sizeof(sz));
	t_seed(0x5eed02, 7, VMEM_MTBF_RANDOM);
	for (i = 0; i < T_N; i++) {
		k = (int)(t_next() % T_LIVE);
		if (sz[k] != 0) {
			vmem_free(vm, a[k], sz[k]);
			sz[k] = 0;
			continue;
		}
		sz[k] = 0x10 * (1 + t_next() % 64);
		if (vmem_alloc(vm, sz[k], VM_NOSLEEP, &a[k]) != 0) {
			failed++;
			sz[k] = 0;
		}
	}
	t_stop_seen(failed);
	for (k = 0; k < T_LIVE; k++) {
		if (sz[k] != 0)
			vmem_free(vm, a[k], sz[k]);
	}
	vmem_destroy(vm);
	ATF_CHECK_EQ(vmem_size(src, VMEM_ALLOC), 0);
	vmem_check(src);
	vmem_destroy(src);
}

static volatile u_int t_ctors, t_dtors;

static int
t_ctor(void *buf, void *arg, int flags)
{

	atomic_inc_uint(&t_ctors);
	return 0;
}

static void
t_dtor(void *buf, void *arg)
{

	atomic_inc_uint(&t_dtors);
}

ATF_TC(kmem_random);
ATF_TC_HEAD(kmem_random, tc)
{

	atf_tc_set_md_var(tc, "descr", "kmem_alloc and an object cache with "
	    "KM_NOSLEEP under random injection: NULL reaches the caller, "
	    "no buffer is damaged, the cache holds nothing at destroy");
}
ATF_TC_BODY(kmem_random, tc)
{
	void *p[T_LIVE], *o[T_LIVE];
	size_t sz[T_LIVE];
	uint64_t failed = 0;
	kmem_cache_t *kc;
	int i, k;

	kc = kmem_cache_create("t_mtbf", 200, 0, t_ctor, t_dtor, NULL, NULL,
	    NULL, 0);
	memset(sz, 0, sizeof(sz));
	memset(o, 0, sizeof(o));
	t_seed(0x5eed03, 5, VMEM_MTBF_RANDOM);
	for (i = 0; i < T_N; i++) {
		k = (int)(t_next() % T_LIVE);
		if (sz[k] != 0) {
			ATF_REQUIRE_MSG(t_stamped(p[k], sz[k], k),
			    "kmem_alloc buffer %p damaged", p[k]);
			kmem_free(p[k], sz[k]);
			sz[k] = 0;
		} else {
			sz[k] = 1 + t_next() % 20000;
			if ((p[k] = kmem_alloc(sz[k], KM_NOSLEEP)) == NULL) {
				failed++;
				sz[k] = 0;
			} else
				t_stamp(p[k], sz[k], k);
		}
		if (o[k] != NULL) {
			ATF_REQUIRE(t_stamped(o[k], 200, k + 1));
			kmem_cache_free(kc, o[k]);
			o[k] = NULL;
		} else if ((o[k] = kmem_cache_alloc(kc, KM_NOSLEEP)) == NULL)
			failed++;
		else
			t_stamp(o[k], 200, k + 1);
	}
	t_stop_seen(failed);
	for (k = 0; k < T_LIVE; k++) {
		if (sz[k] != 0)
			kmem_free(p[k], sz[k]);
		if (o[k] != NULL)
			kmem_cache_free(kc, o[k]);
	}
	kmem_cache_destroy(kc);
	ATF_CHECK_EQ(t_ctors, t_dtors);
}

ATF_TC(malloc_every);
ATF_TC_HEAD(malloc_every, tc)
{

	atf_tc_set_md_var(tc, "descr", "malloc(9) with M_NOWAIT under "
	    "injection: NULL reaches the caller and is counted as a failure, "
	    "nothing stays allocated");
}
ATF_TC_BODY(malloc_every, tc)
{
	void *p[T_LIVE];
	size_t sz[T_LIVE];
	struct malloc_stats before, after;
	uint64_t failed = 0;
	int i, k;

	memset(sz, 0, sizeof(sz));
	malloc_stats(&before);
	t_seed(0x5eed04, 3, VMEM_MTBF_EVERY);
	for (i = 0; i < T_N; i++) {
		k = (int)(t_next() % T_LIVE);
		if (sz[k] != 0) {
			ATF_REQUIRE(t_stamped(p[k], sz[k], k));
			free(p[k], M_TMTBF);
			sz[k] = 0;
			continue;
		}
		sz[k] = 1 + t_next() % ((i & 3) == 0 ? 100000 : 2000);
		if ((p[k] = malloc(sz[k], M_TMTBF, M_NOWAIT)) == NULL) {
			failed++;
			sz[k] = 0;
		} else
			t_stamp(p[k], sz[k], k);
	}
	t_stop_seen(failed);
	malloc_stats(&after);
	ATF_CHECK_EQ(after.ms_fails - before.ms_fails, failed);
	for (k = 0; k < T_LIVE; k++) {
		if (sz[k] != 0)
			free(p[k], M_TMTBF);
	}
	malloc_stats(&after);
	ATF_CHECK_EQ(after.ms_inuse, before.ms_inuse);
	ATF_CHECK_EQ(after.ms_memuse, before.ms_memuse);
}

ATF_TC(extent_random);
ATF_TC_HEAD(extent_random, tc)
{

	atf_tc_set_md_var(tc, "descr", "extent(9) with EX_NOWAIT under random "
	    "injection: ENOMEM reaches the caller, and the map is empty "
	    "after");
}
ATF_TC_BODY(extent_random, tc)
{
	u_long a[T_LIVE], sz[T_LIVE];
	uint64_t failed = 0;
	struct extent *ex;
	int error, i, k;

	ex = extent_create("t_mtbf", 0x1000, 0x10000000, NULL, 0, EX_WAITOK);
	ATF_REQUIRE(ex != NULL);
	memset(sz, 0, sizeof(sz));
	t_seed(0x5eed05, 4, VMEM_MTBF_RANDOM);
	for (i = 0; i < T_N; i++) {
		k = (int)(t_next() % T_LIVE);
		if (sz[k] != 0) {
			error = extent_free(ex, a[k], sz[k], EX_NOWAIT);
			if (error == ENOMEM) {
				failed++;
				continue;
			}
			ATF_REQUIRE_EQ(error, 0);
			sz[k] = 0;
			continue;
		}
		sz[k] = 1 + t_next() % 0x10000;
		error = extent_alloc(ex, sz[k], 0x10, 0, EX_NOWAIT, &a[k]);
		if (error != 0) {
			ATF_REQUIRE_EQ(error, ENOMEM);
			failed++;
			sz[k] = 0;
		}
	}
	t_stop_seen(failed);
	for (k = 0; k < T_LIVE; k++) {
		if (sz[k] != 0)
			ATF_CHECK_EQ(extent_free(ex, a[k], sz[k], EX_NOWAIT),
			    0);
	}
	ATF_CHECK_EQ(vmem_size(&ex->ex_vmem, VMEM_ALLOC), 0);
	vmem_check(&ex->ex_vmem);
	extent_destroy(ex);
}

ATF_TC(bus_dma_every);
ATF_TC_HEAD(bus_dma_every, tc)
{

	atf_tc_set_md_var(tc, "descr", "the bus_dma-style driver of t_bus_dma "
	    "under injection: every failed ring or segment is counted by the "
	    "driver's threads, no page has two holders, both arenas are "
	    "whole after");
}
ATF_TC_BODY(bus_dma_every, tc)
{
	struct lwp *l[T_THREADS];
	int i;

	t_arenas_create();
	t_failures = 0;
	t_seed(0x5eed06, 4, VMEM_MTBF_EVERY);
	for (i = 0; i < T_THREADS; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN,
		    NULL, t_driver_main, (void *)(uintptr_t)(i + 1), &l[i],
		    "driver%d", i), 0);
	for (i = 0; i < T_THREADS; i++)
		kthread_join(l[i]);
	t_stop_seen(t_failures);
	t_arenas_destroy();
}

/* Assign bars[first, n) on the bus; the BARs left unassigned. */
static u_int
t_pci_assign(struct t_bus *tb, struct t_bar *bars, int first, int n)
{
	u_int unassigned = 0;
	int i;

	for (i = first; i < n; i++) {
		(void)t_assign(tb, &bars[i]);
		unassigned += (bars[i].b_ext == 0) + (bars[i].b_vmem == 0);
	}
	t_check_disjoint(bars, n);
	return unassigned;
}

/* The failures the driver saw on its bus, bridges' windows included. */
static u_int
t_pci_seen(void)
{

	return t_pci_fails.pf_ext_nomem + t_pci_fails.pf_ext_nospace +
	    t_pci_fails.pf_vmem;
}

ATF_TC(bus_pci_random);
ATF_TC_HEAD(bus_pci_random, tc)
{

	atf_tc_set_md_var(tc, "descr", "the PCI-like bus driver of t_bus_pci "
	    "under random injection: every failed BAR stays unassigned and "
	    "is counted, as many as the arenas failed, no BAR overlaps "
	    "another or breaks its constraints, bridges come and go, and "
	    "the maps and arenas are empty after");
}
ATF_TC_BODY(bus_pci_random, tc)
{
	static struct t_bar bars[T_NBAR], bbars[3 * T_BRIDGE_NDEV];
	struct t_bus tb;
	uint64_t injected, ext_nfail, vm_nfail;
	u_long child_nfail = 0;
	u_int before, unassigned, missed = 0;
	uint32_t x = 0x5eed07;
	int first, i, n, round;

	t_bus_create(&tb);
	memset(&t_pci_fails, 0, sizeof(t_pci_fails));
	t_seed(0x5eed07, 3, VMEM_MTBF_RANDOM);
	for (round = 0; round < T_N / 500; round++) {
		/* Plug in the devices, unplug a third, plug in others. */
		before = t_pci_seen();
		n = t_make_bars(&x, 0, T_NDEV, bars);
		unassigned = t_pci_assign(&tb, bars, 0, n);
		for (i = 0; i < n; i++) {
			if (bars[i].b_dev % 3 == round % 3)
				t_unassign(&tb, &bars[i]);
		}
		first = n;
		n += t_make_bars(&x, T_NDEV, T_NDEV + T_NDEV / 3,
		    &bars[first]);
		unassigned += t_pci_assign(&tb, bars, first, n);
		if (unassigned != t_pci_seen() - before)
			missed++;

		/* Two bridges take windows from the bus and give them back. */
		t_bridge(tb.tb_ex_mem, &x, bbars, &child_nfail);
		t_bridge(tb.tb_ex_mem, &x, bbars, &child_nfail);
		for (i = 0; i < n; i++)
			t_unassign(&tb, &bars[i]);
	}
	injected = t_stop();
	ext_nfail = tb.tb_ex_io->ex_vmem.vm_nfail +
	    tb.tb_ex_mem->ex_vmem.vm_nfail + child_nfail;
	vm_nfail = tb.tb_vm_io->vm_nfail + tb.tb_vm_mem->vm_nfail;
	printf("%u failures seen (extent %u, vmem %u), %llu injected; "
	    "arenas failed %llu (extent maps %llu, vmem %llu)\n",
	    t_pci_seen(), t_pci_fails.pf_ext_nomem, t_pci_fails.pf_vmem,
	    (unsigned long long)injected,
	    (unsigned long long)(ext_nfail + vm_nfail),
	    (unsigned long long)ext_nfail, (unsigned long long)vm_nfail);
	ATF_CHECK_EQ_MSG(missed, 0, "%u rounds left a BAR unassigned "
	    "without a failure, or counted one that was assigned", missed);
	/* The windows have room: every failure was injected. */
	ATF_CHECK_EQ(t_pci_fails.pf_ext_nospace, 0);
	ATF_CHECK(t_pci_fails.pf_ext_nomem > 0);
	ATF_CHECK(t_pci_fails.pf_vmem > 0);
	ATF_CHECK(t_pci_seen() <= injected);
	/* Every vmem failure reached the driver. */
	ATF_CHECK_EQ(t_pci_fails.pf_vmem, vm_nfail);
	/* extent(9) retries once: each ENOMEM is two failures of its map. */
	ATF_CHECK(2 * (uint64_t)t_pci_fails.pf_ext_nomem <= ext_nfail);
	ATF_CHECK(ext_nfail + vm_nfail <= injected);
	ATF_CHECK_EQ(vmem_size(&tb.tb_ex_io->ex_vmem, VMEM_ALLOC), 0);
	ATF_CHECK_EQ(vmem_size(&tb.tb_ex_mem->ex_vmem, VMEM_ALLOC), 0);
	ATF_CHECK_EQ(vmem_size(tb.tb_vm_io, VMEM_ALLOC), 0);
	ATF_CHECK_EQ(vmem_size(tb.tb_vm_mem, VMEM_ALLOC), 0);
	vmem_check(tb.tb_vm_io);
	vmem_check(tb.tb_vm_mem);
	t_bus_destroy(&tb, bars, 0);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, vmem_every);
	ATF_TP_ADD_TC(tp, vmem_qcache_random);
	ATF_TP_ADD_TC(tp, kmem_random);
	ATF_TP_ADD_TC(tp, malloc_every);
	ATF_TP_ADD_TC(tp, extent_random);
	ATF_TP_ADD_TC(tp, bus_dma_every);
	ATF_TP_ADD_TC(tp, bus_pci_random);
	return atf_no_error();
}
