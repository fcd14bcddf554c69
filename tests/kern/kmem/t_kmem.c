/*
 * t_kmem.c: kmem(9): object caches, kmem_alloc, sleeping, reaping,
 * quantum caches and statistics.
 *
 * Caches whose arena accounting a case checks take their slabs from an
 * arena of the case's own that imports from kmem_meta_arena, so that the
 * arena's in-use figure is exactly the cache's slabs.  Random sequences
 * use fixed seeds, printed when a check fails.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/kmem.h>
#include <sys/kmem_impl.h>
#include <sys/kthread.h>
#include <sys/mutex.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <uvm/uvm_kmem.h>

#include <atf-c.h>

#ifndef TEST_SCALE
#define	TEST_SCALE	1
#endif

/* A small deterministic generator (xorshift64*). */
static uint64_t
t_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* An arena of our own that imports pages from kmem_meta_arena. */
static vmem_t *
t_source(const char *name)
{
	vmem_t *vm;

	vm = vmem_create(name, 0, 0, PAGE_SIZE, vmem_alloc, vmem_free,
	    kmem_meta_arena, 0, VM_SLEEP, IPL_VM);
	ATF_REQUIRE(vm != NULL);
	return vm;
}

/* Stats of kc. */
static struct kmem_cache_stats
t_stats(kmem_cache_t *kc)
{
	struct kmem_cache_stats ks;

	kmem_cache_stats(kc, &ks);
	return ks;
}

/* ---- object caches */

ATF_TC(cache_basic);
ATF_TC_HEAD(cache_basic, tc)
{

	atf_tc_set_md_var(tc, "descr", "objects are distinct, aligned, "
	    "writable and counted in use");
}
ATF_TC_BODY(cache_basic, tc)
{
	enum { N = 1000 };
	static char *p[N];
	kmem_cache_t *kc;
	size_t aligns[] = { 0, 8, 16, 64, 256 };
	u_int a, i, j;

	for (a = 0; a < __arraycount(aligns); a++) {
		kc = kmem_cache_create("t_basic", 40, aligns[a], NULL, NULL,
		    NULL, NULL, NULL, 0);
		for (i = 0; i < N; i++) {
			p[i] = kmem_cache_alloc(kc, KM_SLEEP);
			ATF_REQUIRE(p[i] != NULL);
			ATF_CHECK_EQ((uintptr_t)p[i] %
			    MAX(aligns[a], KMEM_ALIGN), 0);
			memset(p[i], (int)i, 40);
		}
		for (i = 0; i < N; i++) {
			for (j = 0; j < 40; j++)
				ATF_REQUIRE_EQ_MSG((u_char)p[i][j], (u_char)i,
				    "object %u overwritten", i);
		}
		ATF_CHECK_EQ(t_stats(kc).ks_inuse, N);
		for (i = 0; i < N; i++)
			kmem_cache_free(kc, p[i]);
		ATF_CHECK_EQ(t_stats(kc).ks_inuse, 0);
		kmem_cache_destroy(kc);
	}
}

static u_int t_nctor, t_ndtor;

static int
t_ctor(void *buf, void *arg, int kmflags)
{

	ATF_CHECK(arg == &t_nctor);
	*(uint64_t *)buf = 0x600d0b1ec7ULL;
	atomic_inc_uint(&t_nctor);
	return 0;
}

static void
t_dtor(void *buf, void *arg)
{

	ATF_CHECK_EQ(*(uint64_t *)buf, 0x600d0b1ec7ULL);
	atomic_inc_uint(&t_ndtor);
}

ATF_TC(ctor_dtor_counts);
ATF_TC_HEAD(ctor_dtor_counts, tc)
{

	atf_tc_set_md_var(tc, "descr", "the constructor runs once per object "
	    "leaving a slab (a magazine's worth at a time, at most) and the "
	    "destructor once per object returning to one: reuse from "
	    "magazines skips both");
}
ATF_TC_BODY(ctor_dtor_counts, tc)
{
	enum { N = 500 };
	static void *p[N];
	kmem_cache_t *kc;
	u_int i, round, nctor = 0;

	t_nctor = t_ndtor = 0;
	kc = kmem_cache_create("t_ctor", 64, 0, t_ctor, t_dtor, NULL,
	    &t_nctor, NULL, KMC_NODEBUG);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < N; i++) {
			p[i] = kmem_cache_alloc(kc, KM_SLEEP);
			ATF_REQUIRE_EQ(*(uint64_t *)p[i], 0x600d0b1ec7ULL);
		}
		if (round == 0)
			nctor = t_nctor;
		ATF_CHECK_MSG(t_nctor >= N && t_nctor < N + 256,
		    "round %u: %u constructions for %u objects", round,
		    t_nctor, N);
		ATF_CHECK_EQ_MSG(t_nctor, nctor, "round %u: %u constructions, "
		    "%u in the first round", round, t_nctor, nctor);
		ATF_CHECK_EQ(t_ndtor, 0);
		for (i = 0; i < N; i++)
			kmem_cache_free(kc, p[i]);
	}
	kmem_cache_destroy(kc);
	ATF_CHECK_EQ(t_nctor, nctor);
	ATF_CHECK_EQ(t_ndtor, nctor);
}

ATF_TC(batch_fill);
ATF_TC_HEAD(batch_fill, tc)
{

	atf_tc_set_md_var(tc, "descr", "a magazine miss that reaches the "
	    "slab layer fills a magazine in one visit: the first allocation "
	    "of a new cache constructs a batch and caches all but one, and "
	    "kmem_reap gives every slab back");
}
ATF_TC_BODY(batch_fill, tc)
{
	struct kmem_cache_stats ks;
	kmem_cache_t *kc;
	vmem_t *src;
	void *p;

	t_nctor = t_ndtor = 0;
	src = t_source("t_batch");
	kc = kmem_cache_create("t_batch", 64, 0, t_ctor, t_dtor, NULL,
	    &t_nctor, src, KMC_NODEBUG);
	p = kmem_cache_alloc(kc, KM_NOSLEEP);
	ATF_REQUIRE(p != NULL);
	ATF_CHECK_EQ(*(uint64_t *)p, 0x600d0b1ec7ULL);
	ks = t_stats(kc);
	ATF_CHECK_MSG(t_nctor > 1, "%u constructions", t_nctor);
	ATF_CHECK_EQ(ks.ks_inuse, 1);
	ATF_CHECK_EQ_MSG(ks.ks_cached, t_nctor - 1, "%llu cached, %u "
	    "constructed", (unsigned long long)ks.ks_cached, t_nctor);
	ATF_CHECK_EQ(ks.ks_slab_create, 1);
	kmem_cache_free(kc, p);
	kmem_reap();
	ATF_CHECK_EQ(t_ndtor, t_nctor);
	ATF_CHECK_EQ(t_stats(kc).ks_slabs, 0);
	ATF_CHECK_EQ(vmem_size(src, VMEM_ALLOC), 0);
	kmem_cache_destroy(kc);
	vmem_destroy(src);
}

ATF_TC(ctor_dtor_debug);
ATF_TC_HEAD(ctor_dtor_debug, tc)
{

	atf_tc_set_md_var(tc, "descr", "a debugging cache constructs on every "
	    "allocation and destroys on every free");
}
ATF_TC_BODY(ctor_dtor_debug, tc)
{
	kmem_cache_t *kc;
	void *p;
	u_int i;

	t_nctor = t_ndtor = 0;
	kc = kmem_cache_create("t_ctordbg", 64, 0, t_ctor, t_dtor, NULL,
	    &t_nctor, NULL, KMC_DEBUG);
	for (i = 0; i < 100; i++) {
		p = kmem_cache_alloc(kc, KM_SLEEP);
		kmem_cache_free(kc, p);
	}
	ATF_CHECK_EQ(t_nctor, 100);
	ATF_CHECK_EQ(t_ndtor, 100);
	kmem_cache_destroy(kc);
	ATF_CHECK_EQ(t_ndtor, 100);
}

static int
t_ctor_fail(void *buf, void *arg, int kmflags)
{

	return ENOMEM;
}

ATF_TC(ctor_fails);
ATF_TC_HEAD(ctor_fails, tc)
{

	atf_tc_set_md_var(tc, "descr", "a failing constructor makes the "
	    "allocation fail and leaks nothing");
}
ATF_TC_BODY(ctor_fails, tc)
{
	int flags[] = { KMC_NODEBUG, KMC_DEBUG };
	kmem_cache_t *kc;
	u_int i;

	for (i = 0; i < __arraycount(flags); i++) {
		kc = kmem_cache_create("t_ctorfail", 32, 0, t_ctor_fail, NULL,
		    NULL, NULL, NULL, flags[i]);
		ATF_CHECK(kmem_cache_alloc(kc, KM_NOSLEEP) == NULL);
		ATF_CHECK(kmem_cache_alloc(kc, KM_SLEEP) == NULL);
		ATF_CHECK_EQ(t_stats(kc).ks_inuse, 0);
		kmem_cache_destroy(kc);
	}
}

ATF_TC(large_objects);
ATF_TC_HEAD(large_objects, tc)
{

	atf_tc_set_md_var(tc, "descr", "objects larger than a page live in "
	    "external slabs, and every slab is returned on reap");
}
ATF_TC_BODY(large_objects, tc)
{
	enum { N = 100 };
	static void *p[N];
	size_t sizes[] = { 600, 3000, 5000, 70000 };
	struct kmem_cache_stats ks;
	kmem_cache_t *kc;
	vmem_t *src;
	u_int s, i;

	src = t_source("t_large");
	for (s = 0; s < __arraycount(sizes); s++) {
		kc = kmem_cache_create("t_large", sizes[s], 0, NULL, NULL,
		    NULL, NULL, src, 0);
		for (i = 0; i < N; i++) {
			p[i] = kmem_cache_alloc(kc, KM_SLEEP);
			memset(p[i], 0x5a, sizes[s]);
		}
		ks = t_stats(kc);
		ATF_CHECK_EQ(ks.ks_inuse, N);
		ATF_CHECK(ks.ks_memory >= N * sizes[s]);
		for (i = 0; i < N; i++)
			kmem_cache_free(kc, p[i]);
		kmem_reap();
		ATF_CHECK_EQ_MSG(vmem_size(src, VMEM_ALLOC), 0, "size %zu: "
		    "%zu bytes still held", sizes[s],
		    (size_t)vmem_size(src, VMEM_ALLOC));
		kmem_cache_destroy(kc);
	}
	vmem_destroy(src);
}

ATF_TC(hash_grows);
ATF_TC_HEAD(hash_grows, tc)
{

	atf_tc_set_md_var(tc, "descr", "the hash of an external-slab cache "
	    "grows with its slabs, for page tags and for bufctls alike");
}
ATF_TC_BODY(hash_grows, tc)
{
	enum { N = 4000 };
	static void *p[N];
	kmem_cache_t *kc;
	vmem_t *vm;
	vmem_addr_t a;
	u_int i;

	kc = kmem_cache_create("t_hash", 2000, 0, NULL, NULL, NULL, NULL,
	    NULL, KMC_NODEBUG);
	for (i = 0; i < N; i++)
		p[i] = kmem_cache_alloc(kc, KM_SLEEP);
	ATF_CHECK_MSG(kc->kc_hashmask + 1 > KMEM_HASH_MIN, "%zu buckets",
	    kc->kc_hashmask + 1);
	for (i = 0; i < N; i++)
		kmem_cache_free(kc, p[i]);
	kmem_cache_destroy(kc);

	vm = vmem_create("t_hashq", 1, 1 << 20, 1, NULL, NULL, NULL, 4,
	    VM_SLEEP, IPL_VM);
	for (i = 0; i < N; i++) {
		ATF_REQUIRE_EQ(vmem_alloc(vm, 3, VM_SLEEP, &a), 0);
		p[i] = (void *)a;
	}
	kc = vm->vm_qcache[2];
	ATF_CHECK((kc->kc_flags & KMF_BUFCTL) != 0);
	ATF_CHECK_MSG(kc->kc_hashmask + 1 > KMEM_HASH_MIN, "%zu buckets",
	    kc->kc_hashmask + 1);
	for (i = 0; i < N; i++)
		vmem_free(vm, (vmem_addr_t)p[i], 3);
	vmem_destroy(vm);
}

ATF_TC(small_quantum_source);
ATF_TC_HEAD(small_quantum_source, tc)
{

	atf_tc_set_md_var(tc, "descr", "a cache on an arena whose quantum is "
	    "below a page keeps a bufctl a buffer; objects stay inside the "
	    "arena and all of it comes back");
}
ATF_TC_BODY(small_quantum_source, tc)
{
	enum { SPACE = 64 * 1024, N = SPACE / 200 };
	static char *p[N];
	kmem_cache_t *kc;
	vmem_t *src;
	char *base;
	u_int n, i;

	base = kmem_alloc(SPACE, KM_SLEEP);
	src = vmem_create("t_q64", (vmem_addr_t)base, SPACE, 64, NULL, NULL,
	    NULL, 0, VM_SLEEP, IPL_VM);
	kc = kmem_cache_create("t_q64", 200, 0, NULL, NULL, NULL, NULL, src,
	    KMC_NODEBUG);
	ATF_REQUIRE((kc->kc_flags & KMF_BUFCTL) != 0);
	for (n = 0; n < N; n++) {
		if ((p[n] = kmem_cache_alloc(kc, KM_NOSLEEP)) == NULL)
			break;
		ATF_REQUIRE(p[n] >= base && p[n] + 200 <= base + SPACE);
		memset(p[n], (int)n, 200);
	}
	ATF_CHECK_MSG(n > N / 2, "only %u objects of 200 bytes in 64 KiB", n);
	for (i = 0; i < n; i++) {
		ATF_REQUIRE_EQ((u_char)p[i][199], (u_char)i);
		kmem_cache_free(kc, p[i]);
	}
	kmem_reap();
	ATF_CHECK_EQ(vmem_size(src, VMEM_ALLOC), 0);
	kmem_cache_destroy(kc);
	vmem_destroy(src);
	kmem_free(base, SPACE);
}

/* ---- kmem_alloc */

ATF_TC(alloc_sizes);
ATF_TC_HEAD(alloc_sizes, tc)
{

	atf_tc_set_md_var(tc, "descr", "kmem_alloc and kmem_zalloc of every "
	    "size up to 3 pages: aligned, writable, zeroed by zalloc");
}
ATF_TC_BODY(alloc_sizes, tc)
{
	size_t size, i;
	u_char *p, *q;

	for (size = 1; size <= 3 * PAGE_SIZE; size += size < 300 ? 1 : 37) {
		p = kmem_alloc(size, KM_SLEEP);
		ATF_REQUIRE(p != NULL);
		ATF_CHECK_EQ((uintptr_t)p % KMEM_ALIGN, 0);
		memset(p, 0xa5, size);
		q = kmem_zalloc(size, KM_NOSLEEP);
		ATF_REQUIRE(q != NULL);
		for (i = 0; i < size; i++)
			ATF_REQUIRE_EQ_MSG(q[i], 0, "size %zu byte %zu", size,
			    i);
		kmem_free(q, size);
		for (i = 0; i < size; i++)
			ATF_REQUIRE_EQ(p[i], 0xa5);
		kmem_free(p, size);
	}
}

/* Check that string s is t. */
#define	T_CHECK_STREQ(s, t)						\
	ATF_CHECK_MSG(strcmp((s), (t)) == 0, "\"%s\", not \"%s\"", (s), (t))

ATF_TC(netbsd_conveniences);
ATF_TC_HEAD(netbsd_conveniences, tc)
{

	atf_tc_set_md_var(tc, "descr", "kmem_roundup_size, kmem_intr_*, "
	    "kmem_asprintf, kmem_strdup*, kmem_strndup, kmem_strfree and "
	    "kmem_tmpbuf_*: contents, lengths, and frees of the right size");
}
ATF_TC_BODY(netbsd_conveniences, tc)
{
	char stackbuf[64], *s, *t;
	u_char *p;
	size_t len, i;

	ATF_CHECK_EQ(kmem_roundup_size(0), 0);
	ATF_CHECK_EQ(kmem_roundup_size(1), KMEM_ALIGN);
	ATF_CHECK_EQ(kmem_roundup_size(KMEM_ALIGN), KMEM_ALIGN);
	ATF_CHECK_EQ(kmem_roundup_size(KMEM_ALIGN + 1), 2 * KMEM_ALIGN);
	len = kmem_roundup_size(13);
	p = kmem_alloc(len, KM_SLEEP);
	memset(p, 0x5a, len);
	kmem_free(p, len);

	p = kmem_intr_zalloc(300, KM_NOSLEEP);
	ATF_REQUIRE(p != NULL);
	for (i = 0; i < 300; i++)
		ATF_REQUIRE_EQ(p[i], 0);
	kmem_intr_free(p, 300);
	p = kmem_intr_alloc(5 * PAGE_SIZE, KM_SLEEP);
	ATF_REQUIRE(p != NULL);
	memset(p, 1, 5 * PAGE_SIZE);
	kmem_intr_free(p, 5 * PAGE_SIZE);

	s = kmem_asprintf("%s-%d-%#x", "arena", 12345, 0xbeef);
	T_CHECK_STREQ(s, "arena-12345-0xbeef");
	kmem_strfree(s);
	s = kmem_asprintf("%*d", (int)(3 * PAGE_SIZE), 7);
	ATF_CHECK_EQ(strlen(s), 3 * PAGE_SIZE);
	ATF_CHECK_EQ(s[3 * PAGE_SIZE - 1], '7');
	kmem_strfree(s);

	s = kmem_strdupsize("boundary tag", &len, KM_SLEEP);
	T_CHECK_STREQ(s, "boundary tag");
	ATF_CHECK_EQ(len, sizeof("boundary tag"));
	t = kmem_strdup(s, KM_NOSLEEP);
	ATF_REQUIRE(t != NULL && t != s);
	T_CHECK_STREQ(t, s);
	kmem_strfree(s);
	kmem_strfree(t);
	s = kmem_strndup("magazine", 3, KM_SLEEP);
	T_CHECK_STREQ(s, "mag");
	kmem_strfree(s);
	s = kmem_strndup("slab", 100, KM_SLEEP);
	T_CHECK_STREQ(s, "slab");
	kmem_strfree(s);
	kmem_strfree(NULL);

	ATF_CHECK(kmem_tmpbuf_alloc(sizeof(stackbuf), stackbuf,
	    sizeof(stackbuf), KM_SLEEP) == stackbuf);
	kmem_tmpbuf_free(stackbuf, sizeof(stackbuf), stackbuf);
	p = kmem_tmpbuf_alloc(sizeof(stackbuf) + 1, stackbuf,
	    sizeof(stackbuf), KM_SLEEP);
	ATF_REQUIRE(p != NULL && (void *)p != stackbuf);
	memset(p, 2, sizeof(stackbuf) + 1);
	kmem_tmpbuf_free(p, sizeof(stackbuf) + 1, stackbuf);
}

ATF_TC(size_classes);
ATF_TC_HEAD(size_classes, tc)
{

	atf_tc_set_md_var(tc, "descr", "size classes cover every size, with "
	    "waste under 1/16 above 128 bytes");
}
ATF_TC_BODY(size_classes, tc)
{
	size_t size, c, prev = 0;

	for (size = 1; size <= 8192; size++) {
		c = kmem_size_class(size);
		ATF_REQUIRE_MSG(c >= size && c % 8 == 0, "size %zu class %zu",
		    size, c);
		ATF_REQUIRE(c >= prev);
		if (size > 128)
			ATF_CHECK_MSG((c - size) * 16 < c, "size %zu wastes "
			    "%zu of %zu", size, c - size, c);
		prev = c;
	}
	ATF_CHECK_EQ(kmem_size_class(8193), 3 * PAGE_SIZE);
}

/* ---- stress: several CPUs, cross-CPU frees */

#define	T_STRESS_THREADS	8
#define	T_RING			64

struct t_ring {
	kmutex_t	r_lock;
	void		*r_slot[T_RING];
	size_t		r_size[T_RING];
	u_int		r_head, r_tail;
};

static struct t_ring t_rings[T_STRESS_THREADS];
static kmem_cache_t *t_stress_kc;
static volatile u_int t_stress_bad;

/* Stamp an object with its owner and sequence; check the stamp. */
static void
t_stamp(uint64_t *p, size_t words, uint64_t v)
{
	size_t i;

	for (i = 0; i < words; i++)
		p[i] = v + i;
}

static bool
t_stamp_ok(const uint64_t *p, size_t words, uint64_t v)
{
	size_t i;

	for (i = 0; i < words; i++) {
		if (p[i] != v + i)
			return false;
	}
	return true;
}

/* Hand p to ring r; false if it is full. */
static bool
t_ring_put(struct t_ring *r, void *p, size_t size)
{
	bool ok;

	mutex_enter(&r->r_lock);
	ok = r->r_head - r->r_tail < T_RING;
	if (ok) {
		r->r_slot[r->r_head % T_RING] = p;
		r->r_size[r->r_head % T_RING] = size;
		r->r_head++;
	}
	mutex_exit(&r->r_lock);
	return ok;
}

static void *
t_ring_get(struct t_ring *r, size_t *sizep)
{
	void *p = NULL;

	mutex_enter(&r->r_lock);
	if (r->r_head != r->r_tail) {
		p = r->r_slot[r->r_tail % T_RING];
		*sizep = r->r_size[r->r_tail % T_RING];
		r->r_tail++;
	}
	mutex_exit(&r->r_lock);
	return p;
}

/* Free what a neighbour handed over, after checking its stamp. */
static void
t_stress_drain(struct t_ring *r)
{
	size_t size;
	uint64_t *p;

	while ((p = t_ring_get(r, &size)) != NULL) {
		if (!t_stamp_ok(p + 1, (size ? size : 128) / 8 - 1, p[0]))
			atomic_inc_uint(&t_stress_bad);
		if (size == 0)
			kmem_cache_free(t_stress_kc, p);
		else
			kmem_free(p, size);
	}
}

static void
t_stress_main(void *arg)
{
	u_int id = (u_int)(uintptr_t)arg, i, n = 20000 / TEST_SCALE;
	struct t_ring *next = &t_rings[(id + 1) % T_STRESS_THREADS];
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (id + 1), *p, v;
	size_t size;

	for (i = 0; i < n; i++) {
		v = ((uint64_t)id << 48) | ((uint64_t)i << 16);
		if (t_random(&seed) % 2 == 0) {
			size = 0;
			p = kmem_cache_alloc(t_stress_kc, KM_SLEEP);
			p[0] = v;
			t_stamp(p + 1, 128 / 8 - 1, v);
		} else {
			size = 16 + 8 * (t_random(&seed) % 200);
			p = kmem_alloc(size, KM_SLEEP);
			p[0] = v;
			t_stamp(p + 1, size / 8 - 1, v);
		}
		if (!t_ring_put(next, p, size)) {
			if (!t_stamp_ok(p + 1, (size ? size : 128) / 8 - 1, v))
				atomic_inc_uint(&t_stress_bad);
			if (size == 0)
				kmem_cache_free(t_stress_kc, p);
			else
				kmem_free(p, size);
		}
		t_stress_drain(&t_rings[id]);
	}
	kthread_exit(0);
}

ATF_TC(stress_cross_cpu);
ATF_TC_HEAD(stress_cross_cpu, tc)
{

	atf_tc_set_md_var(tc, "descr", "threads on several CPUs allocate "
	    "stamped objects and free each other's; every stamp survives");
}
ATF_TC_BODY(stress_cross_cpu, tc)
{
	lwp_t *l[T_STRESS_THREADS];
	struct kmem_cache_stats ks;
	u_int i;

	t_stress_kc = kmem_cache_create("t_stress", 128, 0, NULL, NULL, NULL,
	    NULL, NULL, 0);
	for (i = 0; i < T_STRESS_THREADS; i++)
		mutex_init(&t_rings[i].r_lock, MUTEX_DEFAULT, IPL_NONE);
	for (i = 0; i < T_STRESS_THREADS; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN,
		    NULL, t_stress_main, (void *)(uintptr_t)i, &l[i],
		    "stress%u", i), 0);
	for (i = 0; i < T_STRESS_THREADS; i++)
		kthread_join(l[i]);
	for (i = 0; i < T_STRESS_THREADS; i++)
		t_stress_drain(&t_rings[i]);
	ATF_CHECK_EQ(t_stress_bad, 0);
	ks = t_stats(t_stress_kc);
	ATF_CHECK_EQ(ks.ks_inuse, 0);
	ATF_CHECK(ks.ks_mag_hits > ks.ks_mag_misses);
	kmem_cache_destroy(t_stress_kc);
}

/* ---- sleeping and failing */

struct t_sleeper {
	kmem_cache_t	*ts_kc;
	void		*ts_obj;
	volatile u_int	ts_done;
};

static void
t_sleeper_main(void *arg)
{
	struct t_sleeper *ts = arg;

	ts->ts_obj = kmem_cache_alloc(ts->ts_kc, KM_SLEEP);
	atomic_store_release(&ts->ts_done, 1);
	kthread_exit(0);
}

ATF_TC(sleep_until_free);
ATF_TC_HEAD(sleep_until_free, tc)
{

	atf_tc_set_md_var(tc, "descr", "with the source arena exhausted, "
	    "KM_NOSLEEP returns NULL and KM_SLEEP blocks until another "
	    "thread frees, then succeeds");
}
ATF_TC_BODY(sleep_until_free, tc)
{
	enum { N = 256 };
	static void *p[N];
	struct t_sleeper ts;
	kmem_cache_t *kc;
	vmem_addr_t base;
	vmem_t *src;
	lwp_t *l;
	u_int n, i;

	ATF_REQUIRE_EQ(vmem_alloc(kmem_meta_arena, 16 * PAGE_SIZE, VM_SLEEP,
	    &base), 0);
	src = vmem_create("t_small", base, 16 * PAGE_SIZE, PAGE_SIZE, NULL,
	    NULL, NULL, 0, VM_SLEEP, IPL_VM);
	kc = kmem_cache_create("t_sleep", 1000, 0, NULL, NULL, NULL, NULL,
	    src, 0);
	for (n = 0; n < N; n++) {
		if ((p[n] = kmem_cache_alloc(kc, KM_NOSLEEP)) == NULL)
			break;
	}
	ATF_REQUIRE_MSG(n > 0 && n < N, "%u objects from 16 pages", n);
	ATF_CHECK(kmem_cache_alloc(kc, KM_NOSLEEP) == NULL);

	ts = (struct t_sleeper){ .ts_kc = kc };
	ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
	    t_sleeper_main, &ts, &l, "sleeper"), 0);
	kpause("t", false, hz / 5, NULL);
	ATF_CHECK_EQ_MSG(atomic_load_acquire(&ts.ts_done), 0,
	    "KM_SLEEP did not wait");
	kmem_cache_free(kc, p[--n]);
	kthread_join(l);
	ATF_CHECK_EQ(ts.ts_done, 1);
	ATF_REQUIRE(ts.ts_obj != NULL);
	p[n++] = ts.ts_obj;
	for (i = 0; i < n; i++)
		kmem_cache_free(kc, p[i]);
	kmem_cache_destroy(kc);
	ATF_CHECK_EQ(vmem_size(src, VMEM_ALLOC), 0);
	vmem_destroy(src);
	vmem_free(kmem_meta_arena, base, 16 * PAGE_SIZE);
}

/* ---- reaping */

ATF_TC(reap_returns_memory);
ATF_TC_HEAD(reap_returns_memory, tc)
{

	atf_tc_set_md_var(tc, "descr", "kmem_reap returns idle magazines and "
	    "empty slabs: the arena's in-use drops to the live objects' slabs");
}
ATF_TC_BODY(reap_returns_memory, tc)
{
	enum { N = 20000, LIVE = 100 };
	static void *p[N];
	struct kmem_cache_stats ks;
	kmem_cache_t *kc;
	vmem_t *src;
	vmem_size_t held;
	u_int i;

	src = t_source("t_reap");
	kc = kmem_cache_create("t_reap", 96, 0, NULL, NULL, NULL, NULL, src,
	    0);
	for (i = 0; i < N; i++)
		p[i] = kmem_cache_alloc(kc, KM_SLEEP);
	held = vmem_size(src, VMEM_ALLOC);
	ks = t_stats(kc);
	ATF_CHECK(held >= (vmem_size_t)N * 96);
	ATF_CHECK_EQ(held, ks.ks_memory);
	for (i = LIVE; i < N; i++)
		kmem_cache_free(kc, p[i]);
	ATF_CHECK_EQ(vmem_size(src, VMEM_ALLOC), held);
	kmem_reap();
	ks = t_stats(kc);
	ATF_CHECK_EQ(ks.ks_inuse, LIVE);
	ATF_CHECK_EQ(ks.ks_cached, 0);
	ATF_CHECK_EQ(ks.ks_depot_full + ks.ks_depot_empty, 0);
	ATF_CHECK_MSG(vmem_size(src, VMEM_ALLOC) <=
	    howmany(LIVE, ks.ks_bufs ? ks.ks_bufs / ks.ks_slabs : 1) *
	    ks.ks_slabsize, "%zu bytes held for %u live objects",
	    (size_t)vmem_size(src, VMEM_ALLOC), LIVE);
	for (i = 0; i < LIVE; i++)
		kmem_cache_free(kc, p[i]);
	kmem_reap();
	ATF_CHECK_EQ(vmem_size(src, VMEM_ALLOC), 0);
	kmem_cache_destroy(kc);
	vmem_destroy(src);
}

static u_int t_nreclaim;

static void
t_reclaim(void *arg)
{

	ATF_CHECK(arg == &t_nreclaim);
	t_nreclaim++;
}

ATF_TC(reap_reclaim_callback);
ATF_TC_HEAD(reap_reclaim_callback, tc)
{

	atf_tc_set_md_var(tc, "descr", "kmem_reap calls each cache's reclaim "
	    "callback");
}
ATF_TC_BODY(reap_reclaim_callback, tc)
{
	kmem_cache_t *kc;

	t_nreclaim = 0;
	kc = kmem_cache_create("t_reclaim", 32, 0, NULL, NULL, t_reclaim,
	    &t_nreclaim, NULL, 0);
	kmem_reap();
	ATF_CHECK_EQ(t_nreclaim, 1);
	kmem_reap();
	ATF_CHECK_EQ(t_nreclaim, 2);
	kmem_cache_destroy(kc);
}

ATF_TC(update_working_set);
ATF_TC_HEAD(update_working_set, tc)
{

	atf_tc_set_md_var(tc, "descr", "kmem_update keeps the depot's working "
	    "set and frees magazines idle for a whole interval");
}
ATF_TC_BODY(update_working_set, tc)
{
	enum { N = 2000 };
	static void *p[N];
	struct kmem_cache_stats ks;
	kmem_cache_t *kc;
	u_int i;

	kc = kmem_cache_create("t_ws", 64, 0, NULL, NULL, NULL, NULL, NULL,
	    0);
	for (i = 0; i < N; i++)
		p[i] = kmem_cache_alloc(kc, KM_SLEEP);
	for (i = 0; i < N; i++)
		kmem_cache_free(kc, p[i]);
	ks = t_stats(kc);
	ATF_REQUIRE_MSG(ks.ks_depot_full > 2, "%llu full magazines",
	    (unsigned long long)ks.ks_depot_full);
	kmem_update();
	ATF_CHECK_EQ(t_stats(kc).ks_depot_full, ks.ks_depot_full);
	kmem_update();
	ks = t_stats(kc);
	ATF_CHECK_EQ(ks.ks_depot_full, 0);
	ATF_CHECK_EQ(ks.ks_inuse, 0);
	kmem_cache_destroy(kc);
}

ATF_TC(magazine_grows);
ATF_TC_HEAD(magazine_grows, tc)
{

	atf_tc_set_md_var(tc, "descr", "once a window of depot visits saw "
	    "the depot lock contended often, the cache moves to larger "
	    "magazines (contention injected, so the outcome is certain)");
}
ATF_TC_BODY(magazine_grows, tc)
{
	enum { B = 600 };
	static void *p[B];
	u_int before, i, r;

	t_stress_kc = kmem_cache_create("t_contend", 2048, 0, NULL, NULL,
	    NULL, NULL, NULL, KMC_NODEBUG);
	before = t_stats(t_stress_kc).ks_magsize;
	/* As if a window's worth of depot visits had all waited. */
	mutex_spin_enter(&t_stress_kc->kc_depot_lock);
	t_stress_kc->kc_depot_contention += 1000;
	mutex_spin_exit(&t_stress_kc->kc_depot_lock);
	/* Enough traffic through the depot to close a window. */
	for (r = 0; r < 10; r++) {
		for (i = 0; i < B; i++)
			p[i] = kmem_cache_alloc(t_stress_kc, KM_SLEEP);
		for (i = 0; i < B; i++)
			kmem_cache_free(t_stress_kc, p[i]);
	}
	ATF_CHECK_MSG(t_stats(t_stress_kc).ks_magsize > before,
	    "magazine size stayed %u", before);
	kmem_cache_destroy(t_stress_kc);
}

static volatile u_int t_contend_go;

/* Allocate once the main thread holds the depot lock, then free. */
static void
t_contend_main(void *arg)
{
	void *p;

	while (atomic_load_acquire(&t_contend_go) == 0)
		continue;
	p = kmem_cache_alloc(t_stress_kc, KM_SLEEP);
	kmem_cache_free(t_stress_kc, p);
	kthread_exit(0);
}

ATF_TC(depot_contention_counted);
ATF_TC_HEAD(depot_contention_counted, tc)
{

	atf_tc_set_md_var(tc, "descr", "a CPU that finds the depot lock held "
	    "counts the wait in the cache's statistics");
}
ATF_TC_BODY(depot_contention_counted, tc)
{
	struct cpu_info *ci;
	lwp_t *l;

	if (ncpu < 2)
		atf_tc_skip("needs a second CPU");
	t_stress_kc = kmem_cache_create("t_contend", 2048, 0, NULL, NULL,
	    NULL, NULL, NULL, KMC_NODEBUG);
	ci = cpu_lookup((cpu_index(curcpu()) + 1) % ncpu);
	ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, ci,
	    t_contend_main, NULL, &l, "contend"), 0);
	/* The new cache has no magazines: the first alloc goes to the depot. */
	mutex_spin_enter(&t_stress_kc->kc_depot_lock);
	atomic_store_release(&t_contend_go, 1);
	delay(200000);
	mutex_spin_exit(&t_stress_kc->kc_depot_lock);
	kthread_join(l);
	ATF_CHECK(t_stats(t_stress_kc).ks_depot_contention >= 1);
	kmem_cache_destroy(t_stress_kc);
}

/* ---- the per-CPU layer on every CPU */

#define	T_PERCPU_MAX	8	/* threads: one a CPU, at most this many */
#define	T_PERCPU_OBJS	64	/* objects a thread holds at once */
#define	T_PERCPU_ROUNDS	20	/* times it takes and frees them */

/* Legend: a atomic; t written by thread i before it exits. */
static kmem_cache_t *t_pc_kc;		/* the cache the threads use */
static u_int t_pc_n;			/* threads */
static u_int t_pc_rounds;		/* rounds thread 0 makes; i, i more */
static u_int t_pc_cpu[T_PERCPU_MAX];	/* t: where thread i ran */
static volatile u_int t_pc_moved;	/* a: threads that changed CPU */
static volatile u_int t_pc_done;	/* a: threads done with kc */

/*
 * Thread i: take T_PERCPU_OBJS objects from t_pc_kc and free them,
 * t_pc_rounds + i times (so that each CPU's counts differ), on one CPU;
 * then stay until every thread is done, so that on the host platform
 * each holds a virtual CPU of its own.
 */
static void
t_percpu_main(void *arg)
{
	u_int i = (u_int)(uintptr_t)arg, r, j;
	void *p[T_PERCPU_OBJS];

	t_pc_cpu[i] = cpu_index(curcpu());
	for (r = 0; r < t_pc_rounds + i; r++) {
		for (j = 0; j < T_PERCPU_OBJS; j++)
			p[j] = kmem_cache_alloc(t_pc_kc, KM_SLEEP);
		for (j = 0; j < T_PERCPU_OBJS; j++)
			kmem_cache_free(t_pc_kc, p[j]);
	}
	if (cpu_index(curcpu()) != t_pc_cpu[i])
		atomic_inc_uint(&t_pc_moved);
	atomic_inc_uint(&t_pc_done);
	while (atomic_load_acquire(&t_pc_done) < t_pc_n)
		(void)kpause("tpcpu", false, 1, NULL);
	kthread_exit(0);
}

/*
 * Run t_percpu_main in a thread bound to each CPU, up to T_PERCPU_MAX,
 * thread i making rounds + i rounds on kc; return how many ran, each on
 * a CPU of its own (t_pc_cpu).
 */
static u_int
t_percpu_run(kmem_cache_t *kc, u_int rounds)
{
	lwp_t *l[T_PERCPU_MAX];
	u_int i, j;

	t_pc_kc = kc;
	t_pc_n = MIN(ncpu, T_PERCPU_MAX);
	t_pc_rounds = rounds;
	t_pc_moved = t_pc_done = 0;
	for (i = 0; i < t_pc_n; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN,
		    cpu_lookup(i), t_percpu_main, (void *)(uintptr_t)i, &l[i],
		    "tpcpu%u", i), 0);
	for (i = 0; i < t_pc_n; i++)
		kthread_join(l[i]);
	ATF_REQUIRE_EQ_MSG(t_pc_moved, 0, "a thread changed CPU while it ran");
	for (i = 0; i < t_pc_n; i++) {
		for (j = 0; j < i; j++)
			ATF_REQUIRE_MSG(t_pc_cpu[i] != t_pc_cpu[j],
			    "threads %u and %u both ran on cpu%u", j, i,
			    t_pc_cpu[i]);
	}
	return t_pc_n;
}

/* ---- CPUs kept apart: no cache line shared by first buffers */

#define	T_APART_UNIT	(2 * COHERENCY_UNIT)	/* what the slab keeps apart */

/* Legend: a atomic; t written by thread i before it says so. */
static kmem_cache_t *t_apart_kc;	/* the cache the threads use */
static volatile u_int t_apart_turn;	/* a: threads that have their buffer */
static uintptr_t t_apart_buf[2];	/* t: the buffer thread i holds */
static u_int t_apart_cpu[2];		/* t: where thread i ran */

/*
 * Thread i, in its turn: allocate from t_apart_kc, write, free and
 * allocate again (its magazine hands the same buffer back), note the
 * buffer and the CPU; then stay until both are done, so that on the host
 * platform each holds a virtual CPU of its own.
 */
static void
t_apart_main(void *arg)
{
	u_int i = (u_int)(uintptr_t)arg;
	char *p;

	while (atomic_load_acquire(&t_apart_turn) != i)
		(void)kpause("tapart", false, 1, NULL);
	t_apart_cpu[i] = cpu_index(curcpu());
	p = kmem_cache_alloc(t_apart_kc, KM_SLEEP);
	p[0] = (char)i;
	kmem_cache_free(t_apart_kc, p);
	p = kmem_cache_alloc(t_apart_kc, KM_SLEEP);
	t_apart_buf[i] = (uintptr_t)p;
	atomic_store_release(&t_apart_turn, i + 1);
	while (atomic_load_acquire(&t_apart_turn) < 2)
		(void)kpause("tapart", false, 1, NULL);
	kmem_cache_free(t_apart_kc, p);
	kthread_exit(0);
}

ATF_TC(cpus_apart);
ATF_TC_HEAD(cpus_apart, tc)
{

	atf_tc_set_md_var(tc, "descr", "two CPUs that take the first buffers "
	    "of a new cache one after the other get buffers two cache lines "
	    "apart or more, for 16- and 64-byte buffers (no false sharing)");
}
ATF_TC_BODY(cpus_apart, tc)
{
	static const size_t sizes[] = { 16, 64 };
	lwp_t *l[2];
	size_t k;
	u_int i;

	if (ncpu < 2)
		atf_tc_skip("one CPU");
	for (k = 0; k < __arraycount(sizes); k++) {
		t_apart_kc = kmem_cache_create("t_apart", sizes[k], 0, NULL,
		    NULL, NULL, NULL, NULL, 0);
		t_apart_turn = 0;
		for (i = 0; i < 2; i++)
			ATF_REQUIRE_EQ(kthread_create(PRI_NONE,
			    KTHREAD_MUSTJOIN, cpu_lookup(i), t_apart_main,
			    (void *)(uintptr_t)i, &l[i], "tapart%u", i), 0);
		for (i = 0; i < 2; i++)
			kthread_join(l[i]);
		ATF_REQUIRE_MSG(t_apart_cpu[0] != t_apart_cpu[1],
		    "both threads ran on cpu%u", t_apart_cpu[0]);
		ATF_CHECK_MSG(t_apart_buf[0] / T_APART_UNIT !=
		    t_apart_buf[1] / T_APART_UNIT, "%zu bytes: cpu%u has %#lx, "
		    "cpu%u has %#lx, in one %u-byte unit", sizes[k],
		    t_apart_cpu[0], (unsigned long)t_apart_buf[0],
		    t_apart_cpu[1], (unsigned long)t_apart_buf[1],
		    (u_int)T_APART_UNIT);
		kmem_cache_destroy(t_apart_kc);
	}
}

ATF_TC(magazines_every_cpu);
ATF_TC_HEAD(magazines_every_cpu, tc)
{

	atf_tc_set_md_var(tc, "descr", "per-CPU magazines in use on every "
	    "CPU: a thread on each CPU (up to 8) allocates and frees, and "
	    "each CPU's statistics show most of its traffic served by its "
	    "own magazines");
}
ATF_TC_BODY(magazines_every_cpu, tc)
{
	struct kmem_cpu_stats kcs;
	kmem_cache_t *kc;
	uint64_t ops, total = 0;
	u_int i, n;

	kc = kmem_cache_create("t_percpu", 96, 0, NULL, NULL, NULL, NULL,
	    NULL, 0);
	n = t_percpu_run(kc, T_PERCPU_ROUNDS);
	for (i = 0; i < n; i++) {
		ops = (uint64_t)(T_PERCPU_ROUNDS + i) * T_PERCPU_OBJS;
		total += ops;
		kmem_cache_cpu_stats(kc, t_pc_cpu[i], &kcs);
		printf("cpu%u: %llu+%llu allocations, %llu+%llu frees "
		    "(magazine+slab)\n", t_pc_cpu[i],
		    (unsigned long long)kcs.kcs_alloc,
		    (unsigned long long)kcs.kcs_alloc_miss,
		    (unsigned long long)kcs.kcs_free,
		    (unsigned long long)kcs.kcs_free_miss);
		ATF_CHECK_EQ_MSG(kcs.kcs_alloc + kcs.kcs_alloc_miss, ops,
		    "cpu%u: allocations counted elsewhere", t_pc_cpu[i]);
		ATF_CHECK_EQ_MSG(kcs.kcs_free + kcs.kcs_free_miss, ops,
		    "cpu%u: frees counted elsewhere", t_pc_cpu[i]);
		ATF_CHECK_MSG(kcs.kcs_alloc > kcs.kcs_alloc_miss,
		    "cpu%u: its magazines served too few allocations",
		    t_pc_cpu[i]);
		ATF_CHECK_MSG(kcs.kcs_free > kcs.kcs_free_miss,
		    "cpu%u: its magazines took too few frees", t_pc_cpu[i]);
	}
	ATF_CHECK_EQ(t_stats(kc).ks_alloc, total);
	ATF_CHECK_EQ(t_stats(kc).ks_inuse, 0);
	kmem_cache_destroy(kc);
}

ATF_TC(destroy_flushes_every_cpu);
ATF_TC_HEAD(destroy_flushes_every_cpu, tc)
{

	atf_tc_set_md_var(tc, "descr", "a cache destroy flushes every CPU's "
	    "magazines through xcall(9): with objects cached on each CPU (up "
	    "to 8), kmem_cache_destroy runs the destructor on every one, and "
	    "a cross call ran on every CPU");
}
ATF_TC_BODY(destroy_flushes_every_cpu, tc)
{
	static uint64_t nxcall[MAXCPUS];
	struct kmem_cpu_stats kcs;
	kmem_cache_t *kc;
	u_int i, n, cached, mag, oncpu = 0;

	t_nctor = t_ndtor = 0;
	kc = kmem_cache_create("t_destroy", 64, 0, t_ctor, t_dtor, NULL,
	    &t_nctor, NULL, KMC_NODEBUG);
	n = t_percpu_run(kc, 2);
	/*
	 * Each CPU holds what its thread freed, and at most a magazine
	 * more that a batch refill constructed ahead.
	 */
	mag = atomic_load_relaxed(&kc->kc_magtype)->mt_rounds;
	for (i = 0; i < n; i++) {
		kmem_cache_cpu_stats(kc, t_pc_cpu[i], &kcs);
		ATF_REQUIRE_MSG(kcs.kcs_rounds >= T_PERCPU_OBJS &&
		    kcs.kcs_rounds <= T_PERCPU_OBJS + mag,
		    "cpu%u: %u objects in its magazines, magazines of %u",
		    t_pc_cpu[i], kcs.kcs_rounds, mag);
		oncpu += kcs.kcs_rounds;
	}
	cached = (u_int)t_stats(kc).ks_cached;
	ATF_REQUIRE_MSG(cached >= oncpu, "%u cached, %u on the CPUs",
	    cached, oncpu);
	ATF_REQUIRE_EQ_MSG(t_nctor, cached, "%u constructed, %u cached",
	    t_nctor, cached);
	ATF_REQUIRE_EQ(t_ndtor, 0);
	for (i = 0; i < ncpu; i++)
		nxcall[i] = atomic_load_relaxed(&cpu_lookup(i)->ci_nxcall);
	kmem_cache_destroy(kc);
	ATF_CHECK_EQ_MSG(t_ndtor, cached, "%u of %u objects destroyed",
	    t_ndtor, cached);
	for (i = 0; i < ncpu; i++)
		ATF_CHECK_MSG(atomic_load_relaxed(&cpu_lookup(i)->ci_nxcall) >
		    nxcall[i], "cpu%u: no cross call ran there", i);
}

/* ---- quantum caches */

ATF_TC(qcache_differential);
ATF_TC_HEAD(qcache_differential, tc)
{

	atf_tc_set_md_var(tc, "descr", "an arena with quantum caches and a "
	    "plain one run the same random sequence: no overlap, same "
	    "accounting once reaped");
}
ATF_TC_BODY(qcache_differential, tc)
{
	enum { N = 512, SPACE = 1 << 16 };
	static vmem_addr_t a[N], b[N];
	static vmem_size_t sz[N];
	static u_char owner[SPACE];
	uint64_t seed = 0x5eed0001;
	vmem_t *qc, *plain;
	u_int i, step, k, steps = 200000 / TEST_SCALE;
	vmem_size_t s;

	qc = vmem_create("t_qc", 1, SPACE - 1, 1, NULL, NULL, NULL, 8,
	    VM_SLEEP, IPL_VM);
	plain = vmem_create("t_plain", 1, SPACE - 1, 1, NULL, NULL, NULL, 0,
	    VM_SLEEP, IPL_VM);
	ATF_REQUIRE(qc != NULL && plain != NULL);
	ATF_REQUIRE(qc->vm_qcache[0] != NULL);
	memset(sz, 0, sizeof(sz));
	memset(owner, 0, sizeof(owner));
	for (step = 0; step < steps; step++) {
		i = (u_int)(t_random(&seed) % N);
		if (sz[i] != 0) {
			for (k = 0; k < sz[i]; k++)
				owner[a[i] + k] = 0;
			vmem_free(qc, a[i], sz[i]);
			vmem_free(plain, b[i], sz[i]);
			sz[i] = 0;
			continue;
		}
		s = 1 + t_random(&seed) % 12;
		ATF_REQUIRE_EQ_MSG(vmem_alloc(qc, s, VM_NOSLEEP, &a[i]), 0,
		    "seed 0x5eed0001 step %u", step);
		ATF_REQUIRE_EQ(vmem_alloc(plain, s, VM_NOSLEEP, &b[i]), 0);
		ATF_REQUIRE(a[i] >= 1 && a[i] + s <= SPACE);
		for (k = 0; k < s; k++) {
			ATF_REQUIRE_EQ_MSG(owner[a[i] + k], 0,
			    "seed 0x5eed0001 step %u: %#lx given twice", step,
			    (u_long)(a[i] + k));
			owner[a[i] + k] = 1;
		}
		sz[i] = s;
	}
	for (i = 0; i < N; i++) {
		if (sz[i] != 0) {
			vmem_free(qc, a[i], sz[i]);
			vmem_free(plain, b[i], sz[i]);
		}
	}
	kmem_reap();
	ATF_CHECK_EQ(vmem_size(qc, VMEM_ALLOC), 0);
	ATF_CHECK_EQ(vmem_size(plain, VMEM_ALLOC), 0);
	vmem_destroy(qc);
	vmem_destroy(plain);
}

ATF_TC(qcache_exhaustion);
ATF_TC_HEAD(qcache_exhaustion, tc)
{

	atf_tc_set_md_var(tc, "descr", "a small quantum-cached arena hands out "
	    "all of its space, even when the caches held some");
}
ATF_TC_BODY(qcache_exhaustion, tc)
{
	enum { SPACE = 256 };
	static vmem_addr_t a[SPACE];
	vmem_t *vm;
	u_int i, n;

	vm = vmem_create("t_qcx", 0x1000, SPACE, 1, NULL, NULL, NULL, 4,
	    VM_SLEEP, IPL_VM);
	for (i = 0; i < SPACE / 2; i++)
		ATF_REQUIRE_EQ(vmem_alloc(vm, 2, VM_NOSLEEP, &a[i]), 0);
	for (i = 0; i < SPACE / 2; i++)
		vmem_free(vm, a[i], 2);
	for (n = 0; n < SPACE; n++) {
		if (vmem_alloc(vm, 1, VM_NOSLEEP, &a[n]) != 0)
			break;
	}
	ATF_CHECK_EQ_MSG(n, SPACE, "only %u of %u quanta", n, SPACE);
	for (i = 0; i < n; i++)
		vmem_free(vm, a[i], 1);
	kmem_reap();
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	vmem_destroy(vm);
}

/* ---- statistics */

ATF_TC(statistics);
ATF_TC_HEAD(statistics, tc)
{

	atf_tc_set_md_var(tc, "descr", "per-cache statistics add up, and the "
	    "kmastat-style dump runs");
}
ATF_TC_BODY(statistics, tc)
{
	enum { N = 777 };
	static void *p[N];
	struct kmem_cache_stats ks;
	kmem_cache_t *kc;
	u_int i;

	kc = kmem_cache_create("t_stats", 200, 0, NULL, NULL, NULL, NULL,
	    NULL, 0);
	for (i = 0; i < N; i++)
		p[i] = kmem_cache_alloc(kc, KM_SLEEP);
	for (i = 0; i < N / 2; i++)
		kmem_cache_free(kc, p[i]);
	ks = t_stats(kc);
	ATF_CHECK_EQ(ks.ks_alloc, N);
	ATF_CHECK_EQ(ks.ks_free, N / 2);
	ATF_CHECK_EQ(ks.ks_inuse, N - N / 2);
	ATF_CHECK(ks.ks_bufs >= ks.ks_inuse + ks.ks_cached);
	ATF_CHECK_EQ(ks.ks_memory, ks.ks_slabs * ks.ks_slabsize);
	ATF_CHECK(ks.ks_magsize > 0);
	kmem_print();
	for (i = N / 2; i < N; i++)
		kmem_cache_free(kc, p[i]);
	kmem_cache_destroy(kc);
}

/* ---- cross calls against threads that wait */

static volatile u_int t_reaped;
static vmem_t *t_full;

/* Reap again and again: each reap holds kmem_cache_lock over a cross call. */
static void
t_reaper(void *arg)
{
	u_int i;

	for (i = 0; i < 300 / TEST_SCALE; i++)
		kmem_reap();
	atomic_store_release(&t_reaped, 1);
	kthread_exit(0);
}

/* Make and destroy caches, which waits for kmem_cache_lock, until done. */
static void
t_creator(void *arg)
{
	kmem_cache_t *kc;

	while (atomic_load_acquire(&t_reaped) == 0) {
		kc = kmem_cache_create("t_creator", 64, 0, NULL, NULL, NULL,
		    NULL, NULL, 0);
		kmem_cache_free(kc, kmem_cache_alloc(kc, KM_SLEEP));
		kmem_cache_destroy(kc);
	}
	kthread_exit(0);
}

ATF_TC(reap_against_create);
ATF_TC_HEAD(reap_against_create, tc)
{

	atf_tc_set_md_var(tc, "descr", "kmem_reap, whose cross call must "
	    "reach every CPU while it holds kmem_cache_lock, finishes while "
	    "other threads wait for that lock");
	atf_tc_set_md_var(tc, "timeout", "120");
}
ATF_TC_BODY(reap_against_create, tc)
{
	lwp_t *l[3];
	u_int i;

	t_reaped = 0;
	ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
	    t_reaper, NULL, &l[0], "t_reaper"), 0);
	for (i = 1; i < 3; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
		    t_creator, NULL, &l[i], "t_creator"), 0);
	for (i = 0; i < 3; i++)
		kthread_join(l[i]);
	ATF_CHECK_EQ(t_reaped, 1);
}

/* The times a request has slept in t_full for space. */
static uint64_t
t_full_sleeps(void)
{
	uint64_t n;

	mutex_enter(&t_full->vm_lock);
	n = t_full->vm_nwait;
	mutex_exit(&t_full->vm_lock);
	return n;
}

/* Wait in a full IPL_VM arena (a spin-mutex interlock) for its segment. */
static void
t_full_waiter(void *arg)
{
	vmem_addr_t a;

	ATF_REQUIRE_EQ(vmem_alloc(t_full, PAGE_SIZE, VM_SLEEP, &a), 0);
	vmem_free(t_full, a, PAGE_SIZE);
	kthread_exit(0);
}

ATF_TC(reap_against_vmem_sleeper);
ATF_TC_HEAD(reap_against_vmem_sleeper, tc)
{

	atf_tc_set_md_var(tc, "descr", "kmem_reap's cross call reaches the "
	    "CPU of a thread asleep in VM_SLEEP on an IPL_VM arena, whose "
	    "level is not held while it sleeps");
	atf_tc_set_md_var(tc, "timeout", "120");
}
ATF_TC_BODY(reap_against_vmem_sleeper, tc)
{
	vmem_addr_t a;
	lwp_t *l;
	int i;

	t_full = vmem_create("t_full", 0x10000, PAGE_SIZE, PAGE_SIZE, NULL,
	    NULL, NULL, 0, VM_SLEEP, IPL_VM);
	ATF_REQUIRE(t_full != NULL);
	ATF_REQUIRE_EQ(vmem_alloc(t_full, PAGE_SIZE, VM_SLEEP, &a), 0);
	ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
	    t_full_waiter, NULL, &l, "t_full_waiter"), 0);
	/* The reap must find the waiter asleep, not on its way there. */
	for (i = 0; t_full_sleeps() == 0 && i < 60 * hz; i++)
		(void)kpause("t_full", false, 1, NULL);
	ATF_REQUIRE_MSG(t_full_sleeps() > 0, "the waiter never slept");
	kmem_reap();
	vmem_free(t_full, a, PAGE_SIZE);
	kthread_join(l);
	ATF_CHECK_EQ(vmem_size(t_full, VMEM_ALLOC), 0);
	vmem_destroy(t_full);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, cache_basic);
	ATF_TP_ADD_TC(tp, ctor_dtor_counts);
	ATF_TP_ADD_TC(tp, batch_fill);
	ATF_TP_ADD_TC(tp, ctor_dtor_debug);
	ATF_TP_ADD_TC(tp, ctor_fails);
	ATF_TP_ADD_TC(tp, large_objects);
	ATF_TP_ADD_TC(tp, hash_grows);
	ATF_TP_ADD_TC(tp, small_quantum_source);
	ATF_TP_ADD_TC(tp, alloc_sizes);
	ATF_TP_ADD_TC(tp, netbsd_conveniences);
	ATF_TP_ADD_TC(tp, size_classes);
	ATF_TP_ADD_TC(tp, stress_cross_cpu);
	ATF_TP_ADD_TC(tp, sleep_until_free);
	ATF_TP_ADD_TC(tp, reap_returns_memory);
	ATF_TP_ADD_TC(tp, reap_reclaim_callback);
	ATF_TP_ADD_TC(tp, update_working_set);
	ATF_TP_ADD_TC(tp, magazine_grows);
	ATF_TP_ADD_TC(tp, depot_contention_counted);
	ATF_TP_ADD_TC(tp, cpus_apart);
	ATF_TP_ADD_TC(tp, magazines_every_cpu);
	ATF_TP_ADD_TC(tp, destroy_flushes_every_cpu);
	ATF_TP_ADD_TC(tp, qcache_differential);
	ATF_TP_ADD_TC(tp, qcache_exhaustion);
	ATF_TP_ADD_TC(tp, statistics);
	ATF_TP_ADD_TC(tp, reap_against_create);
	ATF_TP_ADD_TC(tp, reap_against_vmem_sleeper);
	return atf_no_error();
}
