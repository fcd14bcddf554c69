/*
 * t_kmem_intr.c: kmem(9) in real interrupt handlers, in the test kernel.
 *
 * KM_NOSLEEP is safe from an interrupt handler at IPL_VM or below: the
 * per-CPU layer blocks interrupts, the depot and slab locks are spin
 * mutexes at IPL_VM.  Here the clock interrupt on every CPU allocates
 * and frees with KM_NOSLEEP while a thread bound to each CPU does the
 * same with KM_SLEEP on the same caches and another reaps, which cross
 * calls every CPU; and KM_SLEEP in an interrupt handler panics.
 *
 * Kernel-only: it uses the test kernel's clock hooks (sys/kernel.h).
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/intr.h>
#include <sys/kernel.h>
#include <sys/kmem.h>
#include <sys/kthread.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <atf-c.h>

#include "../t_rand.h"

#define	T_HOOK_ROUNDS	200	/* clock interrupts that allocate, a CPU */
#define	T_THREAD_ROUNDS	20000	/* allocations a thread */
#define	T_OBJ		96	/* bytes of a cache object */

struct t_percpu {
	u_int	tp_rounds;	/* interrupts that tried */
	u_int	tp_ok;		/* ... and got memory */
	u_int	tp_bad;		/* stamps that did not survive */
} __aligned(COHERENCY_UNIT);

static struct t_percpu t_pc[MAXCPUS];
static kmem_cache_t *t_kc;
static volatile u_int t_bad, t_stop;

/* Stamp len bytes at p with v; check the stamp. */
static void
t_stamp(uint8_t *p, size_t len, uint8_t v)
{

	memset(p, v, len);
}

static bool
t_stamp_ok(const uint8_t *p, size_t len, uint8_t v)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != v)
			return false;
	}
	return true;
}

/*
 * Clock hook: a cache object and a kmem_alloc buffer, KM_NOSLEEP; every
 * other round the buffer comes from kmem_intr_zalloc, zeroed, and goes
 * back through kmem_intr_free.
 */
static void
t_hook_alloc(void *arg)
{
	struct t_percpu *tp = &t_pc[cpu_index(curcpu())];
	uint8_t v = (uint8_t)(0x40 + cpu_index(curcpu()));
	size_t size = 8 + 24 * (tp->tp_rounds % 100);
	uint8_t *a, *b;
	bool intr;

	KASSERT(cpu_intr_p());
	if (tp->tp_rounds >= T_HOOK_ROUNDS)
		return;
	intr = (tp->tp_rounds++ % 2) != 0;
	a = kmem_cache_alloc(t_kc, KM_NOSLEEP);
	b = intr ? kmem_intr_zalloc(size, KM_NOSLEEP) :
	    kmem_alloc(size, KM_NOSLEEP);
	if (intr && b != NULL && !t_stamp_ok(b, size, 0))
		tp->tp_bad++;
	if (a != NULL && b != NULL)
		tp->tp_ok++;
	if (a != NULL) {
		t_stamp(a, T_OBJ, v);
		if (!t_stamp_ok(a, T_OBJ, v))
			tp->tp_bad++;
		kmem_cache_free(t_kc, a);
	}
	if (b != NULL) {
		t_stamp(b, size, v);
		if (!t_stamp_ok(b, size, v))
			tp->tp_bad++;
		if (intr)
			kmem_intr_free(b, size);
		else
			kmem_free(b, size);
	}
}

/* Thread: the same caches with KM_SLEEP, holding a few objects a while. */
static void
t_thread_alloc(void *arg)
{
	uint32_t x = (uint32_t)(uintptr_t)arg * 2654435761u + 1;
	uint8_t *p[8], v[8];
	size_t len[8];
	int i, j;

	for (i = 0; i < T_THREAD_ROUNDS / 8; i++) {
		for (j = 0; j < 8; j++) {
			(void)t_rand(&x);
			v[j] = (uint8_t)x;
			len[j] = j % 2 == 0 ? T_OBJ : 8 + x % 3000;
			p[j] = j % 2 == 0 ? kmem_cache_alloc(t_kc, KM_SLEEP) :
			    kmem_alloc(len[j], KM_SLEEP);
			t_stamp(p[j], len[j], v[j]);
		}
		for (j = 0; j < 8; j++) {
			if (!t_stamp_ok(p[j], len[j], v[j]))
				atomic_inc_uint(&t_bad);
			if (j % 2 == 0)
				kmem_cache_free(t_kc, p[j]);
			else
				kmem_free(p[j], len[j]);
		}
	}
	kthread_exit(0);
}

/* Thread: reap (cross calls to every CPU) until told to stop. */
static void
t_thread_reap(void *arg)
{

	while (atomic_load_acquire(&t_stop) == 0) {
		kmem_reap();
		(void)kpause("treap", false, 1, NULL);
	}
	kthread_exit(0);
}

/* Wait until every CPU's hook ran rounds times, or give up. */
static bool
t_wait_hooks(u_int rounds)
{
	uint64_t end = ticks + 20 * hz;
	u_int i, done;

	while (ticks < end) {
		for (i = 0, done = 0; i < ncpu; i++) {
			if (atomic_load_relaxed(&t_pc[i].tp_rounds) >= rounds)
				done++;
		}
		if (done == ncpu)
			return true;
		(void)kpause("thook", false, 1, NULL);
	}
	return false;
}

ATF_TC(intr_nosleep);
ATF_TC_HEAD(intr_nosleep, tc)
{

	atf_tc_set_md_var(tc, "descr", "the clock interrupt on every CPU "
	    "allocates and frees with KM_NOSLEEP while threads on every CPU "
	    "use the same caches with KM_SLEEP and another reaps; every "
	    "object keeps its stamp and nothing deadlocks");
}
ATF_TC_BODY(intr_nosleep, tc)
{
	lwp_t *l[MAXCPUS], *reaper;
	u_int i;
	void *h;

	t_kc = kmem_cache_create("t_intr", T_OBJ, 0, NULL, NULL, NULL, NULL,
	    NULL, 0);
	h = clockhook_establish(t_hook_alloc, NULL);
	ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
	    t_thread_reap, NULL, &reaper, "treap"), 0);
	for (i = 0; i < ncpu; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN,
		    cpu_lookup(i), t_thread_alloc, (void *)(uintptr_t)(i + 1),
		    &l[i], "talloc%u", i), 0);
	for (i = 0; i < ncpu; i++)
		kthread_join(l[i]);
	ATF_CHECK(t_wait_hooks(T_HOOK_ROUNDS));
	clockhook_disestablish(h);
	atomic_store_release(&t_stop, 1);
	kthread_join(reaper);
	ATF_CHECK_EQ(t_bad, 0);
	for (i = 0; i < ncpu; i++) {
		ATF_CHECK_MSG(t_pc[i].tp_ok > 0, "cpu%u: no KM_NOSLEEP "
		    "allocation in its clock interrupt succeeded", i);
		ATF_CHECK_EQ_MSG(t_pc[i].tp_bad, 0, "cpu%u", i);
		printf("cpu%u: clock hook %u rounds, %u ok\n", i,
		    t_pc[i].tp_rounds, t_pc[i].tp_ok);
	}
	kmem_cache_destroy(t_kc);
}

/* Clock hook: KM_SLEEP on the last CPU, from t_kc. */
static void
t_hook_sleep(void *arg)
{

	if (cpu_index(curcpu()) == ncpu - 1)
		(void)kmem_cache_alloc(t_kc, KM_SLEEP);
}

ATF_TC(intr_sleep_panics);
ATF_TC_HEAD(intr_sleep_panics, tc)
{

	atf_tc_set_md_var(tc, "descr", "KM_SLEEP in an interrupt handler "
	    "panics");
}
ATF_TC_BODY(intr_sleep_panics, tc)
{

	t_kc = kmem_cache_create("t_intrsleep", T_OBJ, 0, NULL, NULL, NULL,
	    NULL, NULL, KMC_NOMAGAZINE);
	atf_tc_expect_signal(SIGABRT,
	    "KM_SLEEP in an interrupt handler must panic");
	(void)clockhook_establish(t_hook_sleep, NULL);
	(void)kpause("tsleep", false, 5 * hz, NULL);
	atf_tc_fail("the clock hook never panicked");
}

ATF_TC(intr_sleep_panics_magazine);
ATF_TC_HEAD(intr_sleep_panics_magazine, tc)
{

	atf_tc_set_md_var(tc, "descr", "KM_SLEEP in an interrupt handler "
	    "panics in a cache with magazines too, where a miss fills a "
	    "magazine from the slab layer in one batch");
}
ATF_TC_BODY(intr_sleep_panics_magazine, tc)
{

	t_kc = kmem_cache_create("t_intrsleepmag", T_OBJ, 0, NULL, NULL,
	    NULL, NULL, NULL, KMC_NODEBUG);
	atf_tc_expect_signal(SIGABRT,
	    "KM_SLEEP in an interrupt handler must panic");
	(void)clockhook_establish(t_hook_sleep, NULL);
	(void)kpause("tsleep", false, 5 * hz, NULL);
	atf_tc_fail("the clock hook never panicked");
}

ATF_TC(demo_under_injection);
ATF_TC_HEAD(demo_under_injection, tc)
{

	atf_tc_set_md_var(tc, "descr", "the demonstration workload (make "
	    "run) with a random 1 in 8 NOSLEEP requests failing: its "
	    "interrupt handlers and DMA engine see the refusals, no buffer is "
	    "damaged");
}
ATF_TC_BODY(demo_under_injection, tc)
{
	uint64_t injected;
	u_int bad;

	printf("seed %#x, injection 1 in 8 (random)\n", 0x5eed07);
	vmem_mtbf_set(8, VMEM_MTBF_RANDOM, 0x5eed07);
	bad = demo_run();
	injected = vmem_mtbf_injected();
	vmem_mtbf_set(0, VMEM_MTBF_EVERY, 0);
	printf("%llu failures injected\n", (unsigned long long)injected);
	ATF_CHECK_EQ(bad, 0);
	ATF_CHECK(injected > 0);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, intr_nosleep);
	ATF_TP_ADD_TC(tp, intr_sleep_panics);
	ATF_TP_ADD_TC(tp, intr_sleep_panics_magazine);
	ATF_TP_ADD_TC(tp, demo_under_injection);
	return atf_no_error();
}
