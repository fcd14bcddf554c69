/*
 * t_kernel.c: what only the test kernel can show about the allocator's
 * home: allocation from real interrupt handlers on every CPU, sleeping
 * for physical pages, TLB shootdown of released pages, cross calls on
 * every CPU, clock preemption, and panics turning into failed cases.
 *
 * The same is shown for kmem: an object cache that must take a new slab
 * sleeps for pages with KM_SLEEP, and fails without sleeping with
 * KM_NOSLEEP, in a thread and in every CPU's clock interrupt.
 *
 * Kernel-only: it uses the test kernel's clock hooks (sys/kernel.h), its
 * page allocator (uvm/uvm_page.h) and cpu_probe_read; the host-side
 * runner lists its cases from the ATF_TP_ADD_TC lines below.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/condvar.h>
#include <sys/cpu.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/kernel.h>
#include <sys/kmem.h>
#include <sys/kthread.h>
#include <sys/lwp.h>
#include <sys/mutex.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>
#include <sys/xcall.h>

#include <machine/pmap.h>

#include <uvm/uvm_kmem.h>
#include <uvm/uvm_page.h>

#include <atf-c.h>

#include "../t_rand.h"

#define	T_HOOK_ROUNDS		50	/* allocations per CPU in the clock */
#define	T_THREAD_ROUNDS		200	/* allocations per thread */
#define	T_ODD_PAGES		37	/* a size no cached free segment has */
#define	T_WAIT_TICKS		(10 * hz)	/* patience for other CPUs */

/* Per-CPU results of a clock hook, one cache line each. */
struct t_percpu {
	volatile u_int	tp_rounds;	/* hook calls that did their work */
	volatile u_int	tp_ok;		/* allocations that succeeded */
	volatile u_int	tp_failed;	/* allocations refused */
	volatile int	tp_error;	/* last error */
	volatile u_int	tp_bad;		/* stamps found damaged */
} __aligned(COHERENCY_UNIT);

static struct t_percpu t_pc[MAXCPUS];
static volatile u_int t_bad;		/* damaged stamps seen by threads */

/* Fill [va, va + size) with a stamp. */
static void
t_stamp(vaddr_t va, vsize_t size, uint8_t v)
{

	memset((void *)va, v, size);
}

/* Whether [va, va + size) still holds the stamp. */
static bool
t_stamp_ok(vaddr_t va, vsize_t size, uint8_t v)
{
	const volatile uint8_t *p = (const volatile uint8_t *)va;
	vsize_t i;

	for (i = 0; i < size; i += 64)
		if (p[i] != v || p[size - 1 - i] != v)
			return false;
	return true;
}

/* Wait until every CPU's hook has done rounds calls, or give up. */
static bool
t_wait_hooks(u_int rounds)
{
	uint64_t end = ticks + T_WAIT_TICKS;
	u_int i, done;

	while (ticks < end) {
		for (i = 0, done = 0; i < ncpu; i++)
			if (t_pc[i].tp_rounds >= rounds)
				done++;
		if (done == ncpu)
			return true;
		(void)kpause("thook", false, 1, NULL);
	}
	return false;
}

/* ---- allocation in interrupt handlers */

/* One round of a clock hook: a VM_NOSLEEP page stamped with v, checked. */
static void
t_hook_page(struct t_percpu *tp, uint8_t v)
{
	vmem_addr_t va;

	if (vmem_alloc(kmem_meta_arena, PAGE_SIZE, VM_NOSLEEP | VM_INSTANTFIT,
	    &va) == 0) {
		t_stamp(va, PAGE_SIZE, v);
		if (!t_stamp_ok(va, PAGE_SIZE, v))
			tp->tp_bad++;
		vmem_free(kmem_meta_arena, va, PAGE_SIZE);
		tp->tp_ok++;
	} else
		tp->tp_failed++;
	tp->tp_rounds++;
}

/* Clock hook: allocate a stamped page with VM_NOSLEEP, check, free. */
static void
t_hook_alloc(void *arg)
{
	struct cpu_info *ci = curcpu();
	struct t_percpu *tp = &t_pc[ci->ci_index];

	(void)arg;
	KASSERT(cpu_intr_p());
	if (tp->tp_rounds >= T_HOOK_ROUNDS)
		return;
	t_hook_page(tp, (uint8_t)(0x10 + ci->ci_index));
}

/* Thread: allocate, stamp, sleep a little, verify and free, repeatedly. */
static void
t_thread_alloc(void *arg)
{
	uint32_t x = (uint32_t)(uintptr_t)arg * 2654435761u + 1;
	vmem_addr_t va;
	vmem_size_t size;
	int i;

	for (i = 0; i < T_THREAD_ROUNDS; i++) {
		(void)t_rand(&x);
		size = (1 + x % 4) * PAGE_SIZE;
		if (vmem_alloc(kmem_meta_arena, size, VM_SLEEP | VM_INSTANTFIT,
		    &va) != 0)
			panic("t_thread_alloc: VM_SLEEP failed");
		t_stamp(va, size, (uint8_t)x);
		if (i % 16 == 0)
			sched_yield();
		if (!t_stamp_ok(va, size, (uint8_t)x))
			atomic_inc_uint(&t_bad);
		vmem_free(kmem_meta_arena, va, size);
	}
	kthread_exit(0);
}

ATF_TC(intr_nosleep_alloc);
ATF_TC_HEAD(intr_nosleep_alloc, tc)
{

	atf_tc_set_md_var(tc, "descr", "the clock interrupt on every CPU "
	    "allocates and frees kmem_meta_arena pages with VM_NOSLEEP while a "
	    "thread bound to every CPU does so with VM_SLEEP; every page "
	    "keeps its stamp and nothing deadlocks");
}
ATF_TC_BODY(intr_nosleep_alloc, tc)
{
	lwp_t *l[MAXCPUS];
	u_int i;
	void *h;

	h = clockhook_establish(t_hook_alloc, NULL);
	for (i = 0; i < ncpu; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN,
		    cpu_lookup(i), t_thread_alloc, (void *)(uintptr_t)(i + 1),
		    &l[i], "talloc%u", i), 0);
	for (i = 0; i < ncpu; i++)
		kthread_join(l[i]);
	ATF_CHECK(t_wait_hooks(T_HOOK_ROUNDS));
	clockhook_disestablish(h);
	ATF_CHECK_EQ(t_bad, 0);
	for (i = 0; i < ncpu; i++) {
		ATF_CHECK_MSG(t_pc[i].tp_ok > 0, "cpu%u: no allocation in "
		    "its clock interrupt succeeded", i);
		ATF_CHECK_EQ_MSG(t_pc[i].tp_bad, 0, "cpu%u", i);
		printf("cpu%u: clock hook %u rounds, %u ok, %u refused\n", i,
		    t_pc[i].tp_rounds, t_pc[i].tp_ok, t_pc[i].tp_failed);
	}
}

/* ---- page exhaustion */

static paddr_t t_hoard = UVM_NOPAGE;	/* taken pages, linked through them */
static size_t t_nhoard;

/*
 * Take every free page, so that the next allocation must wait or fail;
 * kmem ranges waiting for a purge are purged first, or their pages
 * would come free behind our back.
 */
static void
t_exhaust(void)
{
	paddr_t pa;

	do {
		while ((pa = uvm_pagealloc(VM_NOSLEEP)) != UVM_NOPAGE) {
			*(paddr_t *)PMAP_DIRECT_MAP(pa) = t_hoard;
			t_hoard = pa;
			t_nhoard++;
		}
	} while (uvm_km_purge() != 0);
}

/* Give back every page t_exhaust took. */
static void
t_unexhaust(void)
{
	paddr_t pa;

	while ((pa = t_hoard) != UVM_NOPAGE) {
		t_hoard = *(paddr_t *)PMAP_DIRECT_MAP(pa);
		uvm_pagefree(pa);
		t_nhoard--;
	}
}

static kmutex_t t_lock;
static kcondvar_t t_cv;
static volatile int t_state;		/* 0 idle, 1 go, 2 allocated */
static vmem_addr_t t_va;

/* Thread: when told, allocate T_ODD_PAGES pages with VM_SLEEP. */
static void
t_sleeper(void *arg)
{
	vmem_addr_t va;

	(void)arg;
	mutex_enter(&t_lock);
	while (t_state == 0)
		cv_wait(&t_cv, &t_lock);
	mutex_exit(&t_lock);
	if (vmem_alloc(kmem_meta_arena, T_ODD_PAGES * PAGE_SIZE,
	    VM_SLEEP | VM_INSTANTFIT, &va) != 0)
		panic("t_sleeper: VM_SLEEP failed");
	t_va = va;
	atomic_store_release(&t_state, 2);
	kthread_exit(0);
}

ATF_TC(sleep_until_pages_freed);
ATF_TC_HEAD(sleep_until_pages_freed, tc)
{

	atf_tc_set_md_var(tc, "descr", "with every physical page taken, a "
	    "VM_SLEEP allocation from kmem_meta_arena blocks, and succeeds "
	    "once another thread frees pages");
}
ATF_TC_BODY(sleep_until_pages_freed, tc)
{
	uint64_t waits;
	lwp_t *l;
	int i;

	mutex_init(&t_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&t_cv, "tgo");
	ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
	    t_sleeper, NULL, &l, "tsleeper"), 0);
	t_exhaust();
	printf("took %zu pages; %zu free\n", t_nhoard, uvmexp.free);
	waits = uvmexp.nwaits;
	mutex_enter(&t_lock);
	t_state = 1;
	cv_broadcast(&t_cv);
	mutex_exit(&t_lock);
	for (i = 0; i < 20; i++)
		(void)kpause("tblock", false, MAX(hz / 50, 1), NULL);
	ATF_CHECK_EQ_MSG(t_state, 1, "the allocation did not wait");
	ATF_CHECK_MSG(uvmexp.nwaits > waits, "nobody waited for a page");
	t_unexhaust();
	kthread_join(l);
	ATF_REQUIRE_EQ(t_state, 2);
	ATF_CHECK(pmap_kextract(t_va) != UVM_NOPAGE);
	t_stamp(t_va, T_ODD_PAGES * PAGE_SIZE, 0x5a);
	ATF_CHECK(t_stamp_ok(t_va, T_ODD_PAGES * PAGE_SIZE, 0x5a));
	vmem_free(kmem_meta_arena, t_va, T_ODD_PAGES * PAGE_SIZE);
}

/*
 * Set once memory is exhausted: the hooks below are established before
 * that, since establishing a hook allocates.
 */
static volatile bool t_hook_armed;

/*
 * With memory exhausted, arm hook h until every CPU's clock has run it
 * once, then remove it and give the memory back; whether all CPUs did.
 */
static bool
t_run_armed_hook(void *h)
{
	bool hooked;

	t_hook_armed = true;
	hooked = t_wait_hooks(1);
	t_hook_armed = false;
	clockhook_disestablish(h);
	t_unexhaust();
	return hooked;
}

/* Clock hook: one VM_NOSLEEP attempt per CPU, recording the outcome. */
static void
t_hook_exhausted(void *arg)
{
	struct t_percpu *tp = &t_pc[curcpu()->ci_index];
	vmem_addr_t va;
	int error;

	(void)arg;
	if (!t_hook_armed || tp->tp_rounds != 0)
		return;
	error = vmem_alloc(kmem_meta_arena, T_ODD_PAGES * PAGE_SIZE,
	    VM_NOSLEEP | VM_INSTANTFIT, &va);
	if (error == 0) {
		vmem_free(kmem_meta_arena, va, T_ODD_PAGES * PAGE_SIZE);
		tp->tp_ok++;
	}
	tp->tp_error = error;
	tp->tp_rounds++;
}

ATF_TC(nosleep_fails_when_exhausted);
ATF_TC_HEAD(nosleep_fails_when_exhausted, tc)
{

	atf_tc_set_md_var(tc, "descr", "with every physical page taken, "
	    "VM_NOSLEEP allocations from kmem_meta_arena fail with ENOMEM "
	    "without sleeping, in a thread and in every CPU's clock interrupt");
}
ATF_TC_BODY(nosleep_fails_when_exhausted, tc)
{
	uint64_t nsleep;
	vmem_addr_t va;
	bool hooked;
	u_int i;
	void *h;

	h = clockhook_establish(t_hook_exhausted, NULL);
	t_exhaust();
	nsleep = curlwp->l_nsleep;
	ATF_CHECK_EQ(vmem_alloc(kmem_meta_arena, T_ODD_PAGES * PAGE_SIZE,
	    VM_NOSLEEP | VM_INSTANTFIT, &va), ENOMEM);
	ATF_CHECK_MSG(curlwp->l_nsleep == nsleep, "VM_NOSLEEP slept %lu "
	    "times", (u_long)(curlwp->l_nsleep - nsleep));
	hooked = t_run_armed_hook(h);
	ATF_REQUIRE(hooked);
	for (i = 0; i < ncpu; i++)
		ATF_CHECK_EQ_MSG(t_pc[i].tp_error, ENOMEM, "cpu%u", i);
	ATF_REQUIRE_EQ(vmem_alloc(kmem_meta_arena, T_ODD_PAGES * PAGE_SIZE,
	    VM_NOSLEEP | VM_INSTANTFIT, &va), 0);
	vmem_free(kmem_meta_arena, va, T_ODD_PAGES * PAGE_SIZE);
}

/* ---- the same for kmem */

#define	T_OBJ_SIZE		1024

static kmem_cache_t *t_kc;
static void *t_obj;

/* Thread: when told, take an object from the empty cache with KM_SLEEP. */
static void
t_kmem_sleeper(void *arg)
{

	(void)arg;
	mutex_enter(&t_lock);
	while (t_state == 0)
		cv_wait(&t_cv, &t_lock);
	mutex_exit(&t_lock);
	t_obj = kmem_cache_alloc(t_kc, KM_SLEEP);
	atomic_store_release(&t_state, 2);
	kthread_exit(0);
}

ATF_TC(kmem_sleep_until_pages_freed);
ATF_TC_HEAD(kmem_sleep_until_pages_freed, tc)
{

	atf_tc_set_md_var(tc, "descr", "with every physical page taken, "
	    "KM_SLEEP from a cache that needs a new slab blocks, and succeeds "
	    "once another thread frees pages");
}
ATF_TC_BODY(kmem_sleep_until_pages_freed, tc)
{
	lwp_t *l;
	int i;

	mutex_init(&t_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&t_cv, "tgo");
	t_kc = kmem_cache_create("t_sleep", T_OBJ_SIZE, 0, NULL, NULL, NULL,
	    NULL, NULL, 0);
	ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
	    t_kmem_sleeper, NULL, &l, "tsleeper"), 0);
	kmem_reap();
	t_exhaust();
	mutex_enter(&t_lock);
	t_state = 1;
	cv_broadcast(&t_cv);
	mutex_exit(&t_lock);
	for (i = 0; i < 20; i++) {
		(void)kpause("tblock", false, MAX(hz / 50, 1), NULL);
		t_exhaust();
	}
	ATF_CHECK_EQ_MSG(t_state, 1, "KM_SLEEP did not wait");
	t_unexhaust();
	kthread_join(l);
	ATF_REQUIRE_EQ(t_state, 2);
	ATF_REQUIRE(t_obj != NULL);
	memset(t_obj, 0x5a, T_OBJ_SIZE);
	kmem_cache_free(t_kc, t_obj);
	kmem_cache_destroy(t_kc);
}

/* Clock hook: one KM_NOSLEEP attempt per CPU on the empty cache. */
static void
t_hook_kmem_exhausted(void *arg)
{
	struct t_percpu *tp = &t_pc[curcpu()->ci_index];
	void *p;

	(void)arg;
	if (!t_hook_armed || tp->tp_rounds != 0)
		return;
	if ((p = kmem_cache_alloc(t_kc, KM_NOSLEEP)) != NULL) {
		kmem_cache_free(t_kc, p);
		tp->tp_ok++;
	} else
		tp->tp_failed++;
	tp->tp_rounds++;
}

ATF_TC(kmem_nosleep_fails_when_exhausted);
ATF_TC_HEAD(kmem_nosleep_fails_when_exhausted, tc)
{

	atf_tc_set_md_var(tc, "descr", "with every physical page taken, "
	    "KM_NOSLEEP from a cache that needs a new slab returns NULL "
	    "without sleeping, in a thread and in every CPU's clock interrupt");
}
ATF_TC_BODY(kmem_nosleep_fails_when_exhausted, tc)
{
	uint64_t nsleep;
	bool hooked;
	void *p;
	u_int i;
	void *h;

	t_kc = kmem_cache_create("t_nosleep", T_OBJ_SIZE, 0, NULL, NULL,
	    NULL, NULL, NULL, 0);
	h = clockhook_establish(t_hook_kmem_exhausted, NULL);
	kmem_reap();
	t_exhaust();
	nsleep = curlwp->l_nsleep;
	p = kmem_cache_alloc(t_kc, KM_NOSLEEP);
	ATF_CHECK_MSG(p == NULL, "KM_NOSLEEP found memory");
	ATF_CHECK_MSG(curlwp->l_nsleep == nsleep, "KM_NOSLEEP slept %lu "
	    "times", (u_long)(curlwp->l_nsleep - nsleep));
	hooked = t_run_armed_hook(h);
	ATF_REQUIRE(hooked);
	for (i = 0; i < ncpu; i++)
		ATF_CHECK_EQ_MSG(t_pc[i].tp_failed, 1, "cpu%u", i);
	if (p != NULL)
		kmem_cache_free(t_kc, p);
	p = kmem_cache_alloc(t_kc, KM_NOSLEEP);
	ATF_REQUIRE(p != NULL);
	kmem_cache_free(t_kc, p);
	kmem_cache_destroy(t_kc);
}

/* ---- boundary tags under page exhaustion */

#define	T_DRAIN_MAX		4096	/* segments the drain may take */
#define	T_DRAIN_STOCK		64	/* drain the stock below this */

static vmem_addr_t t_drained[T_DRAIN_MAX];
static volatile int t_later_go;

/*
 * Thread: half a second after it is told, give back the pages t_exhaust
 * took (it is made before, since making a thread takes memory).
 */
static void
t_unexhaust_later(void *arg)
{

	(void)arg;
	while (atomic_load_acquire(&t_later_go) == 0)
		(void)kpause("tlater", false, 1, NULL);
	(void)kpause("tlater", false, hz / 2, NULL);
	t_unexhaust();
	kthread_exit(0);
}

ATF_TC(sleep_tags_from_stock);
ATF_TC_HEAD(sleep_tags_from_stock, tc)
{

	atf_tc_set_md_var(tc, "descr", "with every physical page taken and "
	    "the boundary tag stock low, a VM_SLEEP request the stock can "
	    "still serve takes its tags from it and does not sleep for a "
	    "page");
}
ATF_TC_BODY(sleep_tags_from_stock, tc)
{
	size_t n, i, npages, nstock;
	uint64_t nsleep;
	vmem_addr_t b;
	vmem_t *vm;
	lwp_t *l;

	/* A spin lock: waiting for it must not count as a sleep. */
	vm = vmem_create("t_drain", 0, T_DRAIN_MAX + 1, 1, NULL, NULL, NULL,
	    0, VM_SLEEP, IPL_VM);
	ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
	    t_unexhaust_later, NULL, &l, "tlater"), 0);
	t_exhaust();
	/*
	 * VM_NOSLEEP cannot refill the stock now: take tags until it is
	 * low and the arena's own spares are too few for a request.
	 */
	for (n = 0; n < T_DRAIN_MAX; n++) {
		vmem_bt_stats(&npages, &nstock);
		if (nstock < T_DRAIN_STOCK && vm->vm_nfreetags < 2)
			break;
		ATF_REQUIRE_EQ_MSG(vmem_alloc(vm, 1, VM_NOSLEEP |
		    VM_INSTANTFIT, &t_drained[n]), 0, "segment %zu", n);
	}
	atomic_store_release(&t_later_go, 1);
	ATF_REQUIRE(n < T_DRAIN_MAX);
	nsleep = curlwp->l_nsleep;
	ATF_CHECK_EQ(vmem_alloc(vm, 1, VM_SLEEP | VM_INSTANTFIT, &b), 0);
	printf("%zu segments took the stock down to %zu tags\n", n, nstock);
	ATF_CHECK_MSG(curlwp->l_nsleep == nsleep, "VM_SLEEP slept %lu times "
	    "with tags in the stock", (u_long)(curlwp->l_nsleep - nsleep));
	kthread_join(l);
	vmem_free(vm, b, 1);
	for (i = 0; i < n; i++)
		vmem_free(vm, t_drained[i], 1);
	vmem_destroy(vm);
}

/* ---- TLB shootdown */

static volatile u_int t_probe_ok;	/* CPUs whose read succeeded */
static volatile u_int t_probe_fault;	/* CPUs whose read faulted */

/* Cross call: read every page of the range; count success or fault. */
static void
t_xc_probe(void *a1, void *a2)
{
	vaddr_t va = (vaddr_t)a1, end = va + (vsize_t)a2;
	bool faulted = false;
	uint8_t b;

	for (; va < end; va += PAGE_SIZE)
		if (cpu_probe_read(va, &b) != 0)
			faulted = true;
	atomic_inc_uint(faulted ? &t_probe_fault : &t_probe_ok);
}

ATF_TC(unmapped_on_every_cpu);
ATF_TC_HEAD(unmapped_on_every_cpu, tc)
{

	atf_tc_set_md_var(tc, "descr", "pages kmem_meta_arena releases are "
	    "unmapped on every CPU: after every CPU has read them (so its "
	    "TLB holds them), freeing them and the purge that follows make "
	    "a read fault on every CPU");
}
ATF_TC_BODY(unmapped_on_every_cpu, tc)
{
	const vsize_t size = T_ODD_PAGES * PAGE_SIZE;
	vmem_addr_t va;

	ATF_REQUIRE_EQ(vmem_alloc(kmem_meta_arena, size, VM_SLEEP, &va), 0);
	t_stamp(va, size, 0xa5);
	xc_wait(xc_broadcast(0, t_xc_probe, (void *)va, (void *)size));
	ATF_REQUIRE_EQ(t_probe_ok, ncpu);
	ATF_REQUIRE_EQ(t_probe_fault, 0);
	vmem_free(kmem_meta_arena, va, size);
	(void)uvm_km_purge();
	ATF_REQUIRE_MSG(pmap_kextract(va) == UVM_NOPAGE,
	    "kmem_meta_arena kept the pages mapped after a purge");
	t_probe_ok = 0;
	xc_wait(xc_broadcast(0, t_xc_probe, (void *)va, (void *)size));
	ATF_CHECK_EQ(t_probe_fault, ncpu);
	ATF_CHECK_EQ(t_probe_ok, 0);
}

/* ---- every tick, on every CPU, uncapped */

#define	T_TICK_TICKS		(2 * hz)	/* ticks the hooks run */
#define	T_TICK_OBJ		160	/* the cache's objects */
#define	T_TICK_PATIENCE_US	(300 * 1000000ULL)	/* for the workers */

static kmem_cache_t *t_tick_kc;
static volatile uint64_t t_tick_end;	/* the hooks stop at this tick */
static volatile u_int t_tick_done;	/* workers finished */

/*
 * Clock hook: on every tick until t_tick_end, one KM_NOSLEEP object
 * from a cache and one VM_NOSLEEP page, each stamped, checked, freed.
 */
static void
t_hook_tick(void *arg)
{
	struct cpu_info *ci = curcpu();
	struct t_percpu *tp = &t_pc[ci->ci_index];
	uint8_t v = (uint8_t)(0x20 + ci->ci_index);
	void *p;

	(void)arg;
	if (ticks >= t_tick_end)
		return;
	if ((p = kmem_cache_alloc(t_tick_kc, KM_NOSLEEP)) != NULL) {
		t_stamp((vaddr_t)p, T_TICK_OBJ, v);
		if (!t_stamp_ok((vaddr_t)p, T_TICK_OBJ, v))
			tp->tp_bad++;
		kmem_cache_free(t_tick_kc, p);
	}
	t_hook_page(tp, v);
}

/* Worker: t_thread_alloc's rounds, with a cache object each time too. */
static void
t_tick_worker(void *arg)
{
	uint32_t x = (uint32_t)(uintptr_t)arg * 2654435761u + 3;
	vmem_addr_t va;
	vmem_size_t size;
	void *p;
	int i;

	for (i = 0; i < T_THREAD_ROUNDS; i++) {
		(void)t_rand(&x);
		size = (1 + x % 4) * PAGE_SIZE;
		if (vmem_alloc(kmem_meta_arena, size, VM_SLEEP, &va) != 0)
			panic("t_tick_worker: VM_SLEEP failed");
		p = kmem_cache_alloc(t_tick_kc, KM_SLEEP);
		t_stamp(va, size, (uint8_t)x);
		t_stamp((vaddr_t)p, T_TICK_OBJ, (uint8_t)x);
		if (i % 16 == 0)
			sched_yield();
		if (!t_stamp_ok(va, size, (uint8_t)x) ||
		    !t_stamp_ok((vaddr_t)p, T_TICK_OBJ, (uint8_t)x))
			atomic_inc_uint(&t_bad);
		kmem_cache_free(t_tick_kc, p);
		vmem_free(kmem_meta_arena, va, size);
	}
	atomic_inc_uint(&t_tick_done);
	kthread_exit(0);
}

/* Wait, by the time source, until cond() holds or patience runs out. */
static bool
t_tick_wait(bool (*cond)(void), uint64_t patience_us)
{
	uint64_t end = clock_time_us() + patience_us;

	while (!cond()) {
		if (clock_time_us() > end)
			return false;
		(void)kpause("ttick", false, 1, NULL);
	}
	return true;
}

static bool
t_tick_workers_done(void)
{

	return atomic_load_acquire(&t_tick_done) == ncpu;
}

static bool
t_tick_hooks_done(void)
{

	return ticks >= t_tick_end + 1;
}

static uint64_t t_tick_mark[MAXCPUS];	/* ci_ntimer at the end mark */

/* Whether every CPU has taken a clock interrupt since the end mark. */
static bool
t_tick_all_clocked(void)
{
	u_int i;

	for (i = 0; i < ncpu; i++)
		if (atomic_load_relaxed(&cpu_lookup(i)->ci_ntimer) <=
		    t_tick_mark[i])
			return false;
	return true;
}

ATF_TC(intr_every_tick);
ATF_TC_HEAD(intr_every_tick, tc)
{

	atf_tc_set_md_var(tc, "descr", "every CPU's clock interrupt takes "
	    "a KM_NOSLEEP object and a VM_NOSLEEP page and frees them on "
	    "every tick for a fixed number of ticks, while a KM_SLEEP/VM_SLEEP "
	    "worker runs on every CPU: the workers finish, frees are batched "
	    "into few shootdowns, no freed page is written after its purge, "
	    "and every CPU's clock keeps pace with the time source");
}
ATF_TC_BODY(intr_every_tick, tc)
{
	uint64_t t0, t1, expect, nticks0[MAXCPUS], d, purges, purged, bad;
	lwp_t *l[MAXCPUS];
	struct cpu_info *ci;
	u_int i;
	void *h;

	t_tick_kc = kmem_cache_create("t_tick", T_TICK_OBJ, 0, NULL, NULL,
	    NULL, NULL, NULL, 0);
	(void)uvm_km_purge();
	purges = uvmexp.kmpurges;
	purged = uvmexp.kmpurged;
	bad = uvmexp.nbadfree;
	t0 = clock_time_us();
	for (i = 0; i < ncpu; i++)
		nticks0[i] = atomic_load_relaxed(&cpu_lookup(i)->ci_nticks);
	t_tick_end = ticks + T_TICK_TICKS;
	h = clockhook_establish(t_hook_tick, NULL);
	for (i = 0; i < ncpu; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, 0, cpu_lookup(i),
		    t_tick_worker, (void *)(uintptr_t)(i + 1), &l[i],
		    "ttick%u", i), 0);
	ATF_REQUIRE_MSG(t_tick_wait(t_tick_workers_done, T_TICK_PATIENCE_US),
	    "%u of %u workers finished", t_tick_done, ncpu);
	ATF_REQUIRE(t_tick_wait(t_tick_hooks_done, T_TICK_PATIENCE_US));
	/*
	 * Ticks kept pace: each CPU counts the tick boundaries of the time
	 * source that passed, so once it has taken an interrupt after the
	 * end mark t1 it has counted all up to t1, however late its
	 * interrupts came (a loaded host delays them, never the count).
	 * 80% of hz x elapsed allows for no more than rounding; a clock
	 * that loses the ticks of a late or long handler falls short.
	 */
	t1 = clock_time_us();
	for (i = 0; i < ncpu; i++)
		t_tick_mark[i] = atomic_load_relaxed(&cpu_lookup(i)->ci_ntimer);
	ATF_REQUIRE(t_tick_wait(t_tick_all_clocked, T_TICK_PATIENCE_US));
	clockhook_disestablish(h);
	expect = (t1 - t0) * (uint64_t)hz / 1000000;
	for (i = 0; i < ncpu; i++) {
		ci = cpu_lookup(i);
		d = atomic_load_relaxed(&ci->ci_nticks) - nticks0[i];
		printf("cpu%u: %lu ticks counted, %lu expected in %lu ms; "
		    "clock hook %u rounds, %u pages, %u refused; %lu "
		    "shootdown IPIs sent again\n", i, (u_long)d,
		    (u_long)expect, (u_long)((t1 - t0) / 1000),
		    t_pc[i].tp_rounds, t_pc[i].tp_ok, t_pc[i].tp_failed,
		    (u_long)ci->ci_ntlbresend);
		ATF_CHECK_MSG(d * 10 >= expect * 8, "cpu%u: %lu ticks in "
		    "%lu ms", i, (u_long)d, (u_long)((t1 - t0) / 1000));
		ATF_CHECK_MSG(t_pc[i].tp_ok > 0, "cpu%u: no page allocated "
		    "in its clock interrupt", i);
		ATF_CHECK_EQ_MSG(t_pc[i].tp_bad, 0, "cpu%u", i);
	}
	ATF_CHECK_EQ(t_bad, 0);
	/* Batched: every shootdown unmapped many freed pages. */
	(void)uvm_km_purge();
	purges = uvmexp.kmpurges - purges;
	purged = uvmexp.kmpurged - purged;
	printf("%lu purges unmapped %lu pages\n", (u_long)purges,
	    (u_long)purged);
	ATF_CHECK_MSG(purged >= 8 * purges, "%lu shootdowns for %lu pages",
	    (u_long)purges, (u_long)purged);
	/* Every free page, purged ones too, still holds its junk. */
	t_exhaust();
	t_unexhaust();
	ATF_CHECK_EQ_MSG(uvmexp.nbadfree, bad, "%lu free pages were written",
	    (u_long)(uvmexp.nbadfree - bad));
	kmem_cache_destroy(t_tick_kc);
}

/* ---- cross calls, threads, clock */

static volatile uint32_t t_xc_seen;	/* bit per CPU the call ran on */
static volatile u_int t_xc_wrong;	/* calls not as xcall(9) promises */

/* Cross call: note the CPU, and that it runs as the contract says. */
static void
t_xc_note(void *a1, void *a2)
{
	struct cpu_info *target = a1;

	(void)a2;
	if ((target != NULL && curcpu() != target) || cpu_intr_p() ||
	    !kpreempt_disabled())
		atomic_inc_uint(&t_xc_wrong);
	atomic_or_32(&t_xc_seen, 1U << curcpu()->ci_index);
}

ATF_TC(xcall_every_cpu);
ATF_TC_HEAD(xcall_every_cpu, tc)
{

	atf_tc_set_md_var(tc, "descr", "xc_broadcast runs on every CPU and "
	    "xc_unicast on the one asked, in thread context with preemption "
	    "disabled");
}
ATF_TC_BODY(xcall_every_cpu, tc)
{
	struct cpu_info *ci;
	CPU_INFO_ITERATOR cii;

	ATF_REQUIRE(ncpu > 1);
	xc_wait(xc_broadcast(0, t_xc_note, NULL, NULL));
	ATF_CHECK_EQ(t_xc_seen, (1U << ncpu) - 1);
	for (CPU_INFO_FOREACH(cii, ci)) {
		t_xc_seen = 0;
		xc_wait(xc_unicast(0, t_xc_note, ci, NULL, ci));
		ATF_CHECK_EQ(t_xc_seen, 1U << ci->ci_index);
	}
	ATF_CHECK_EQ(t_xc_wrong, 0);
}

static volatile bool t_stop;
static volatile uint64_t t_spins[2 * MAXCPUS];
static volatile uint32_t t_cpus[2 * MAXCPUS];	/* CPUs each ran on */

/* Thread: spin without sleeping until told to stop. */
static void
t_spinner(void *arg)
{
	u_int i = (u_int)(uintptr_t)arg;

	while (!t_stop) {
		t_spins[i]++;
		atomic_or_32(&t_cpus[i], 1U << curcpu()->ci_index);
	}
	kthread_exit(0);
}

ATF_TC(clock_preempts);
ATF_TC_HEAD(clock_preempts, tc)
{

	atf_tc_set_md_var(tc, "descr", "twice as many never-sleeping "
	    "threads as CPUs all make progress: the clock preempts them");
}
ATF_TC_BODY(clock_preempts, tc)
{
	lwp_t *l[2 * MAXCPUS];
	uint32_t all = 0;
	u_int i, n = 2 * ncpu;

	for (i = 0; i < n; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN,
		    NULL, t_spinner, (void *)(uintptr_t)i, &l[i], "tspin%u",
		    i), 0);
	(void)kpause("tspin", false, hz / 2, NULL);
	t_stop = true;
	for (i = 0; i < n; i++) {
		kthread_join(l[i]);
		ATF_CHECK_MSG(t_spins[i] > 0, "thread %u never ran", i);
		all |= t_cpus[i];
	}
	ATF_CHECK_EQ_MSG(all, (1U << ncpu) - 1, "threads ran on CPUs %#x",
	    all);
}

#define	T_SLOW_ROUNDS		60	/* clock ticks that overrun */
#define	T_SLOW_STACK		4096	/* stack the hook may find used */

static volatile vsize_t t_stack_used[MAXCPUS];	/* most seen */

/*
 * Clock hook: outlast the tick T_SLOW_ROUNDS times, so that the next
 * clock interrupt is already due when this one ends, and note how much
 * of the interrupted thread's stack is in use below its top.
 */
static void
t_hook_slow(void *arg)
{
	struct t_percpu *tp = &t_pc[curcpu()->ci_index];
	struct lwp *l = curlwp;
	vaddr_t sp = (vaddr_t)&arg;
	vsize_t used;

	if (tp->tp_rounds >= T_SLOW_ROUNDS)
		return;
	used = l->l_stack + l->l_stacksize - sp;
	if (l->l_stack != 0 && used > t_stack_used[curcpu()->ci_index])
		t_stack_used[curcpu()->ci_index] = used;
	delay(3 * 1000000 / (2 * hz));
	tp->tp_rounds++;
}

ATF_TC(slow_clock_bounded_nesting);
ATF_TC_HEAD(slow_clock_bounded_nesting, tc)
{

	atf_tc_set_md_var(tc, "descr", "a clock handler slower than a "
	    "tick, with threads waiting for every CPU, does not stack one "
	    "interrupt frame per tick on the interrupted thread");
}
ATF_TC_BODY(slow_clock_bounded_nesting, tc)
{
	lwp_t *l[2 * MAXCPUS];
	u_int i, n = 2 * ncpu;
	void *h;

	for (i = 0; i < n; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN,
		    NULL, t_spinner, (void *)(uintptr_t)i, &l[i], "tspin%u",
		    i), 0);
	h = clockhook_establish(t_hook_slow, NULL);
	ATF_CHECK(t_wait_hooks(T_SLOW_ROUNDS));
	clockhook_disestablish(h);
	t_stop = true;
	for (i = 0; i < n; i++)
		kthread_join(l[i]);
	for (i = 0; i < ncpu; i++) {
		printf("cpu%u: at most %zu stack bytes in use in the clock\n",
		    i, (size_t)t_stack_used[i]);
		ATF_CHECK_MSG(t_stack_used[i] < T_SLOW_STACK, "cpu%u: clock "
		    "handler found %zu stack bytes in use", i,
		    (size_t)t_stack_used[i]);
	}
}

ATF_TC(spl_blocks_clock);
ATF_TC_HEAD(spl_blocks_clock, tc)
{

	atf_tc_set_md_var(tc, "descr", "splvm() holds off the clock "
	    "interrupt on this CPU; kpreempt_disable() does not");
}
ATF_TC_BODY(spl_blocks_clock, tc)
{
	struct cpu_info *ci;
	uint64_t before, after;
	int i, s;

	s = splvm();
	ci = curcpu();
	before = ci->ci_ntimer;
	delay(5 * 1000000 / hz);
	after = ci->ci_ntimer;
	splx(s);
	ATF_CHECK_EQ(after, before);
	/*
	 * With only preemption off the clock must get in.  A loaded host
	 * can hold this vCPU off for longer than a few ticks and let the
	 * time source run past a short delay before the interrupt is
	 * delivered, so give it up to a second (100 ticks at hz=100).
	 */
	kpreempt_disable();
	ci = curcpu();
	before = ci->ci_ntimer;
	for (i = 0; i < hz; i++) {
		delay(1000000 / hz);
		if ((after = ci->ci_ntimer) > before)
			break;
	}
	kpreempt_enable();
	ATF_CHECK_MSG(after > before, "no clock interrupt in %d ticks with "
	    "preemption off", hz);
}

ATF_TC(cv_timedwait_times_out);
ATF_TC_HEAD(cv_timedwait_times_out, tc)
{

	atf_tc_set_md_var(tc, "descr", "cv_timedwait with nobody to signal "
	    "returns EWOULDBLOCK after the ticks asked for");
}
ATF_TC_BODY(cv_timedwait_times_out, tc)
{
	kmutex_t m;
	kcondvar_t cv;
	uint64_t t0;
	int error;

	mutex_init(&m, MUTEX_DEFAULT, IPL_VM);
	cv_init(&cv, "ttimo");
	mutex_enter(&m);
	t0 = ticks;
	error = cv_timedwait(&cv, &m, 10);
	mutex_exit(&m);
	ATF_CHECK_EQ(error, EWOULDBLOCK);
	ATF_CHECK_MSG(ticks - t0 >= 10, "woke after %lu ticks",
	    (u_long)(ticks - t0));
	ATF_CHECK(!cv_has_waiters(&cv));
	cv_destroy(&cv);
	mutex_destroy(&m);
}

/* ---- panics */

ATF_TC(panic_fails_case);
ATF_TC_HEAD(panic_fails_case, tc)
{

	atf_tc_set_md_var(tc, "descr", "a panic ends the case as a failure "
	    "that carries the panic message (expected here)");
}
ATF_TC_BODY(panic_fails_case, tc)
{

	atf_tc_expect_fail("a panic must fail the case");
	panic("t_kernel: deliberate panic, code %d", 42);
}

/* Clock hook: panic on the last CPU. */
static void
t_hook_panic(void *arg)
{

	(void)arg;
	if (curcpu()->ci_index == ncpu - 1)
		panic("t_kernel: deliberate panic in the clock interrupt of "
		    "cpu%u", curcpu()->ci_index);
}

ATF_TC(panic_in_interrupt_fails_case);
ATF_TC_HEAD(panic_in_interrupt_fails_case, tc)
{

	atf_tc_set_md_var(tc, "descr", "a panic in an interrupt handler on "
	    "another CPU also ends the case, as the signal a case that must "
	    "panic expects");
}
ATF_TC_BODY(panic_in_interrupt_fails_case, tc)
{

	atf_tc_expect_signal(SIGABRT, "a panic in an interrupt handler must "
	    "end the case");
	(void)clockhook_establish(t_hook_panic, NULL);
	(void)kpause("tpanic", false, 5 * hz, NULL);
	atf_tc_fail("the clock hook never panicked");
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, intr_nosleep_alloc);
	ATF_TP_ADD_TC(tp, sleep_until_pages_freed);
	ATF_TP_ADD_TC(tp, nosleep_fails_when_exhausted);
	ATF_TP_ADD_TC(tp, kmem_sleep_until_pages_freed);
	ATF_TP_ADD_TC(tp, kmem_nosleep_fails_when_exhausted);
	ATF_TP_ADD_TC(tp, sleep_tags_from_stock);
	ATF_TP_ADD_TC(tp, unmapped_on_every_cpu);
	ATF_TP_ADD_TC(tp, intr_every_tick);
	ATF_TP_ADD_TC(tp, xcall_every_cpu);
	ATF_TP_ADD_TC(tp, clock_preempts);
	ATF_TP_ADD_TC(tp, slow_clock_bounded_nesting);
	ATF_TP_ADD_TC(tp, spl_blocks_clock);
	ATF_TP_ADD_TC(tp, cv_timedwait_times_out);
	ATF_TP_ADD_TC(tp, panic_fails_case);
	ATF_TP_ADD_TC(tp, panic_in_interrupt_fails_case);
	return atf_no_error();
}
