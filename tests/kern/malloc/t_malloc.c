/*
 * t_malloc.c: malloc(9) on kmem, as NetBSD has it today: types that are
 * never evaluated, NetBSD's flag values, malloc's statistics, M_ZERO,
 * M_NOWAIT, realloc, and free without a size, for small allocations
 * (with a header) and large ones (whole pages, no header) alike; and
 * that kmem's audit records name malloc's caller.
 *
 * Sizes come from a fixed xorshift seed, printed with any failure; the
 * misuse cases expect the panic that the broken rule calls for.
 */

#define	_KMEM_PRIVATE	/* kmem_class_of, to audit one size class */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/kmem.h>
#include <sys/kmem_impl.h>
#include <sys/kthread.h>
#include <sys/malloc.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <atf-c.h>

#include "../t_audit.h"
#include "../t_rand.h"

#define	T_FOLD		(64 * 1024)	/* malloc.9: high-water slack a CPU */

#ifndef TEST_SCALE
#define	TEST_SCALE	1
#endif

/* As NetBSD callers write them: a declaration, then a definition. */
MALLOC_DECLARE(M_TEST);
MALLOC_DEFINE(M_TEST, "test", "t_malloc allocations");
MALLOC_JUSTDEFINE(M_OTHER, "other", "t_malloc, a second type");

CTASSERT(M_WAITOK == 0x0000);
CTASSERT(M_NOWAIT == 0x0001);
CTASSERT(M_ZERO == 0x0002);

/* Declare a case that must end in a panic about rule. */
#define	T_MISUSE(name, text)						\
ATF_TC(name);								\
ATF_TC_HEAD(name, tc)							\
{									\
	atf_tc_set_md_var(tc, "descr", text);				\
}

/* Fill p with a pattern of seed; check it with t_check. */
static void
t_fill(unsigned char *p, size_t size, unsigned char seed)
{
	size_t i;

	for (i = 0; i < size; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

/* Is the pattern of seed still in p? */
static bool
t_check(const unsigned char *p, size_t size, unsigned char seed)
{
	size_t i;

	for (i = 0; i < size; i++) {
		if (p[i] != (unsigned char)(seed + i * 7))
			return false;
	}
	return true;
}

/* Is p all zero? */
static bool
t_zero(const unsigned char *p, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

/* A snapshot of malloc's statistics. */
static struct malloc_stats
t_stats(void)
{
	struct malloc_stats ms;

	malloc_stats(&ms);
	return ms;
}

ATF_TC(statistics);
ATF_TC_HEAD(statistics, tc)
{

	atf_tc_set_md_var(tc, "descr", "malloc counts allocations and "
	    "bytes in use, requests and the high-water mark, and free takes "
	    "them back without being told the size");
}
ATF_TC_BODY(statistics, tc)
{
	static const size_t sizes[] = { 0, 1, 8, 100, 4096, 8184, 8185, 8192,
	    20000, 65536 };
	void *p[__arraycount(sizes)];
	struct malloc_stats s0, s;
	size_t i, total = 0;

	s0 = t_stats();
	for (i = 0; i < __arraycount(sizes); i++) {
		p[i] = malloc(sizes[i], M_TEST, M_WAITOK);
		ATF_REQUIRE(p[i] != NULL);
		t_fill(p[i], sizes[i], (unsigned char)i);
		total += sizes[i];
	}
	s = t_stats();
	ATF_CHECK_EQ(s.ms_inuse - s0.ms_inuse, __arraycount(sizes));
	ATF_CHECK_EQ(s.ms_memuse - s0.ms_memuse, total);
	ATF_CHECK_EQ(s.ms_calls - s0.ms_calls, __arraycount(sizes));
	malloc_print();
	for (i = 0; i < __arraycount(sizes); i++) {
		ATF_CHECK_MSG(t_check(p[i], sizes[i], (unsigned char)i),
		    "size %zu overwritten", sizes[i]);
		free(p[i], M_TEST);
	}
	s = t_stats();
	ATF_CHECK_EQ(s.ms_inuse, s0.ms_inuse);
	ATF_CHECK_EQ(s.ms_memuse, s0.ms_memuse);
	free(NULL, M_TEST);
}

ATF_TC(highwater);
ATF_TC_HEAD(highwater, tc)
{

	atf_tc_set_md_var(tc, "descr", "the high-water mark stays within "
	    "64 KiB per CPU of a peak that is gone, either way");
}
ATF_TC_BODY(highwater, tc)
{
	enum { N = 64 };
	struct malloc_stats s0, s;
	size_t chunk = (ncpu + 1) * T_FOLD / 16, i;
	void *p[N];

	s0 = t_stats();
	for (i = 0; i < N; i++) {
		p[i] = malloc(chunk, M_TEST, M_WAITOK);
		ATF_REQUIRE(p[i] != NULL);
	}
	s = t_stats();
	ATF_CHECK_EQ(s.ms_memuse - s0.ms_memuse, N * chunk);
	for (i = 0; i < N; i++)
		free(p[i], M_TEST);
	s = t_stats();
	ATF_CHECK_EQ(s.ms_memuse, s0.ms_memuse);
	ATF_CHECK_MSG(s.ms_maxused + ncpu * T_FOLD >= s0.ms_memuse +
	    N * chunk, "high-water %ju after a peak of %ju on %u CPUs",
	    (uintmax_t)s.ms_maxused, (uintmax_t)(s0.ms_memuse + N * chunk),
	    ncpu);
	ATF_CHECK_MSG(s.ms_maxused <= MAX(s0.ms_maxused, s0.ms_memuse +
	    N * chunk + ncpu * T_FOLD), "high-water %ju after a peak of %ju "
	    "on %u CPUs, %ju before", (uintmax_t)s.ms_maxused,
	    (uintmax_t)(s0.ms_memuse + N * chunk), ncpu,
	    (uintmax_t)s0.ms_maxused);
}

ATF_TC(zero);
ATF_TC_HEAD(zero, tc)
{

	atf_tc_set_md_var(tc, "descr", "M_ZERO memory is zero even when it "
	    "reuses memory that was written and freed");
}
ATF_TC_BODY(zero, tc)
{
	static const size_t sizes[] = { 24, 1000, 8000, 16384, 40000 };
	unsigned char *p;
	size_t i;
	int round;

	for (round = 0; round < 4; round++) {
		for (i = 0; i < __arraycount(sizes); i++) {
			p = malloc(sizes[i], M_TEST, M_WAITOK | M_ZERO);
			ATF_REQUIRE(p != NULL);
			ATF_CHECK_MSG(t_zero(p, sizes[i]), "size %zu round %d",
			    sizes[i], round);
			memset(p, 0xa5, sizes[i]);
			free(p, M_TEST);
		}
	}
}

ATF_TC(alignment);
ATF_TC_HEAD(alignment, tc)
{

	atf_tc_set_md_var(tc, "descr", "every result is aligned to "
	    "KMEM_ALIGN, and large ones start on a page");
}
ATF_TC_BODY(alignment, tc)
{
	uint32_t x = 4242;
	size_t size;
	void *p;
	int i;

	for (i = 0; i < 2000 / TEST_SCALE; i++) {
		size = t_rand(&x) % (i % 8 == 0 ? 100000 : 9000);
		p = malloc(size, M_TEST, M_NOWAIT);
		ATF_REQUIRE_MSG(p != NULL, "seed 4242 size %zu", size);
		ATF_CHECK_EQ((uintptr_t)p % KMEM_ALIGN, 0);
		if (size > 2 * PAGE_SIZE)
			ATF_CHECK_EQ((uintptr_t)p % PAGE_SIZE, 0);
		free(p, M_TEST);
	}
}

ATF_TC(free_without_size);
ATF_TC_HEAD(free_without_size, tc)
{

	atf_tc_set_md_var(tc, "descr", "many live allocations of random "
	    "sizes, small and large, never overlap and are freed in random "
	    "order by address and type alone");
}
ATF_TC_BODY(free_without_size, tc)
{
	enum { N = 256 };
	static unsigned char *p[N];
	static size_t size[N];
	struct malloc_stats s0 = t_stats();
	uint32_t x = 777;
	int i, j, round;

	for (round = 0; round < 20 / TEST_SCALE + 1; round++) {
		for (i = 0; i < N; i++) {
			size[i] = t_rand(&x) % (i % 16 == 0 ? 70000 : 2000);
			p[i] = malloc(size[i], i % 2 ? M_TEST : M_OTHER,
			    M_WAITOK);
			t_fill(p[i], size[i], (unsigned char)i);
		}
		for (i = 0; i < N; i++) {
			j = (int)(t_rand(&x) % N);
			if (p[j] == NULL)
				continue;
			ATF_REQUIRE_MSG(t_check(p[j], size[j],
			    (unsigned char)j), "seed 777 round %d size %zu",
			    round, size[j]);
			free(p[j], j % 2 ? M_TEST : M_OTHER);
			p[j] = NULL;
		}
		for (i = 0; i < N; i++) {
			if (p[i] != NULL)
				free(p[i], i % 2 ? M_TEST : M_OTHER);
		}
	}
	ATF_CHECK_EQ(t_stats().ms_inuse, s0.ms_inuse);
	ATF_CHECK_EQ(t_stats().ms_memuse, s0.ms_memuse);
}

ATF_TC(nowait);
ATF_TC_HEAD(nowait, tc)
{

	atf_tc_set_md_var(tc, "descr", "M_NOWAIT succeeds when memory is "
	    "there and returns NULL, counted as a failure, when it cannot be");
}
ATF_TC_BODY(nowait, tc)
{
	struct malloc_stats s0;
	void *p;

	s0 = t_stats();
	p = malloc(100, M_TEST, M_NOWAIT);
	ATF_REQUIRE(p != NULL);
	free(p, M_TEST);
	/* More than the host platform's kernel address space. */
	p = malloc(64UL << 30, M_TEST, M_NOWAIT);
	ATF_CHECK(p == NULL);
	ATF_CHECK_EQ(t_stats().ms_fails - s0.ms_fails, 1);
	ATF_CHECK_EQ(t_stats().ms_calls - s0.ms_calls, 2);
	ATF_CHECK_EQ(t_stats().ms_memuse, s0.ms_memuse);
}

ATF_TC(resize);
ATF_TC_HEAD(resize, tc)
{

	atf_tc_set_md_var(tc, "descr", "realloc of NULL allocates, to size 0 "
	    "frees, to a smaller size keeps the address, and to a larger "
	    "one keeps the contents, across small and large");
}
ATF_TC_BODY(resize, tc)
{
	static const size_t steps[] = { 10, 100, 5000, 9000, 30000, 70000 };
	unsigned char *p, *q;
	struct malloc_stats s0;
	size_t i;

	s0 = t_stats();
	p = realloc(NULL, 1, M_TEST, M_WAITOK);
	ATF_REQUIRE(p != NULL);
	p[0] = 0x5a;
	for (i = 0; i < __arraycount(steps); i++) {
		q = realloc(p, steps[i], M_TEST, M_WAITOK | M_ZERO);
		ATF_REQUIRE(q != NULL);
		ATF_CHECK_EQ(q[0], 0x5a);
		ATF_CHECK_MSG(t_zero(q + (i == 0 ? 1 : steps[i - 1]),
		    steps[i] - (i == 0 ? 1 : steps[i - 1])), "tail of %zu",
		    steps[i]);
		p = q;
	}
	q = realloc(p, 50, M_TEST, M_WAITOK);
	ATF_CHECK(q == p);
	ATF_CHECK_EQ(t_stats().ms_inuse - s0.ms_inuse, 1);
	ATF_CHECK_EQ(t_stats().ms_memuse - s0.ms_memuse, 70000);
	ATF_CHECK(realloc(q, 0, M_TEST, M_WAITOK) == NULL);
	ATF_CHECK_EQ(t_stats().ms_inuse, s0.ms_inuse);
	ATF_CHECK_EQ(t_stats().ms_memuse, s0.ms_memuse);
}

/*
 * A type expression with a side effect: counts its evaluations.  The
 * compiler sees no call to it, since the macros drop their type.
 */
static u_int t_type_evals;

static __unused struct malloc_type *
t_type(void)
{

	t_type_evals++;
	return NULL;
}

ATF_TC(types);
ATF_TC_HEAD(types, tc)
{

	atf_tc_set_md_var(tc, "descr", "malloc, free and realloc never "
	    "evaluate their type, which may be a name declared nowhere; "
	    "malloc_type_attach and malloc_type_detach do nothing");
}
ATF_TC_BODY(types, tc)
{
	struct malloc_stats s0 = t_stats();
	void *p;

	malloc_type_attach(M_TEST);
	malloc_type_attach(M_NEVER_DECLARED);
	p = malloc(10, t_type(), M_WAITOK);
	ATF_REQUIRE(p != NULL);
	p = realloc(p, 20000, t_type(), M_WAITOK);
	ATF_REQUIRE(p != NULL);
	free(p, t_type());
	p = malloc(10, M_NEVER_DECLARED, M_NOWAIT);
	ATF_REQUIRE(p != NULL);
	free(p, M_NEVER_DECLARED);
	p = malloc(10, M_DEVBUF, M_WAITOK);
	free(p, M_TEMP);
	malloc_type_detach(M_TEST);
	malloc_type_detach(M_NEVER_DECLARED);
	ATF_CHECK_EQ(t_type_evals, 0);
	ATF_CHECK(M_DEVBUF == NULL && M_TEMP == NULL && M_TEST == NULL);
	ATF_CHECK_EQ(t_stats().ms_inuse, s0.ms_inuse);
	ATF_CHECK_EQ(t_stats().ms_calls - s0.ms_calls, 4);
}

/* ---- concurrency */

#define	T_THREADS	4

/* One thread: allocate and free mixed sizes, checking contents. */
static void
t_thread_main(void *arg)
{
	uint32_t x = (uint32_t)(uintptr_t)arg * 2654435761u + 1;
	unsigned char *p[16], seed[16];
	size_t size[16];
	int i, round;

	for (round = 0; round < 2000 / TEST_SCALE; round++) {
		for (i = 0; i < 16; i++) {
			size[i] = t_rand(&x) % (i == 0 ? 20000 : 600);
			seed[i] = (unsigned char)(x >> 24);
			p[i] = malloc(size[i], M_OTHER, (i & 1) ? M_NOWAIT :
			    M_WAITOK);
			if (p[i] != NULL)
				t_fill(p[i], size[i], seed[i]);
		}
		for (i = 0; i < 16; i++) {
			if (p[i] == NULL)
				continue;
			if (!t_check(p[i], size[i], seed[i]))
				panic("thread %p: size %zu: contents changed",
				    arg, size[i]);
			free(p[i], M_OTHER);
		}
	}
	kthread_exit(0);
}

ATF_TC(threads);
ATF_TC_HEAD(threads, tc)
{

	atf_tc_set_md_var(tc, "descr", "threads on several CPUs allocate and "
	    "free one type at once; contents survive and the statistics "
	    "come back to zero");
}
ATF_TC_BODY(threads, tc)
{
	struct malloc_stats s0 = t_stats();
	lwp_t *l[T_THREADS];
	int i;

	for (i = 0; i < T_THREADS; i++)
		ATF_REQUIRE_EQ(kthread_create(PRI_NONE, KTHREAD_MUSTJOIN,
		    NULL, t_thread_main, (void *)(uintptr_t)(i + 1), &l[i],
		    "malloc%d", i), 0);
	for (i = 0; i < T_THREADS; i++)
		kthread_join(l[i]);
	ATF_CHECK_EQ(t_stats().ms_inuse, s0.ms_inuse);
	ATF_CHECK_EQ(t_stats().ms_memuse, s0.ms_memuse);
	ATF_CHECK_EQ(t_stats().ms_calls - s0.ms_calls,
	    (uint64_t)T_THREADS * 16 * (2000 / TEST_SCALE));
}

/* ---- audit records */

/*
 * The kmem_alloc size the case audits: that of a 24-byte allocation with
 * its header, and of the record of a large one (32 bytes, as malloc(9)
 * states).
 */
#define	T_AUDIT_SIZE	32

/* Each calls malloc(9) once, so that the audit names this function. */
static __noinline void *
t_malloc(size_t size)
{
	void *p = malloc(size, M_TEST, M_WAITOK);

	__asm volatile("" ::: "memory");
	return p;
}

static __noinline void *
t_realloc(void *p, size_t size)
{

	p = realloc(p, size, M_TEST, M_WAITOK);
	__asm volatile("" ::: "memory");
	return p;
}

static __noinline void
t_free(void *p)
{

	free(p, M_TEST);
	__asm volatile("" ::: "memory");
}

/* Check that record i of the log is an op by function f. */
#define	T_LOG_NAMES(log, i, op, f)					\
	ATF_CHECK_MSG((log)[i].ka_op == (op) &&				\
	    t_in((log)[i].ka_caller, (const void *)(f)),		\
	    "record %d: op %d by %p, not op %d by " #f " %p", (i),	\
	    (int)(log)[i].ka_op, (log)[i].ka_caller, (op),		\
	    (const void *)(f))

ATF_TC(audit_caller);
ATF_TC_HEAD(audit_caller, tc)
{

	atf_tc_set_md_var(tc, "descr", "kmem's audit records of malloc, "
	    "realloc and free name the function that called them, for small "
	    "and large allocations");
}
ATF_TC_BODY(audit_caller, tc)
{
	kmem_cache_t *kc = kmem_cache_create("t_audit",
	    kmem_size_class(T_AUDIT_SIZE), 0, NULL, NULL, NULL, NULL, NULL,
	    KMC_AUDIT);
	kmem_cache_t *cls;
	struct kmem_audit log[9];
	void *p, *q;

	/* 8 bytes with their header are in another class, 24 in this one. */
	ATF_REQUIRE(kmem_size_class(8 + 8) != kmem_size_class(T_AUDIT_SIZE));
	ATF_REQUIRE_EQ(kmem_size_class(24 + 8), kmem_size_class(T_AUDIT_SIZE));
	cls = t_class_swap(T_AUDIT_SIZE, kc);
	p = t_malloc(24);
	q = t_realloc(t_malloc(8), 24);
	t_free(p);
	t_free(q);
	p = t_malloc(3 * PAGE_SIZE);
	t_free(p);
	(void)t_realloc(t_malloc(24), 0);
	t_class_swap(T_AUDIT_SIZE, cls);
	ATF_REQUIRE_EQ(kmem_cache_audit_log(kc, log, __arraycount(log)), 8);
	T_LOG_NAMES(log, 0, KMEM_AUDIT_ALLOC, t_malloc);
	T_LOG_NAMES(log, 1, KMEM_AUDIT_ALLOC, t_realloc);
	T_LOG_NAMES(log, 2, KMEM_AUDIT_FREE, t_free);
	T_LOG_NAMES(log, 3, KMEM_AUDIT_FREE, t_free);
	T_LOG_NAMES(log, 4, KMEM_AUDIT_ALLOC, t_malloc);
	T_LOG_NAMES(log, 5, KMEM_AUDIT_FREE, t_free);
	T_LOG_NAMES(log, 6, KMEM_AUDIT_ALLOC, t_malloc);
	T_LOG_NAMES(log, 7, KMEM_AUDIT_FREE, t_realloc);
	kmem_cache_destroy(kc);
}

#define	T_ALIGNED_MAX	4096	/* blocks tried for a page-aligned one */

ATF_TC(free_page_aligned);
ATF_TC_HEAD(free_page_aligned, tc)
{

	atf_tc_set_md_var(tc, "descr", "freeing a small block whose address "
	    "is page-aligned, whose header lies on the page before, checks "
	    "that page without turning on kmem_meta_arena's busy index");
}
ATF_TC_BODY(free_page_aligned, tc)
{
	static void *p[T_ALIGNED_MAX];
	void *aligned = NULL;
	size_t size, found = 0;
	int i, n;

	ATF_REQUIRE(!kmem_meta_arena->vm_ordered);
	/* Fill size after size until a block starts a page. */
	for (size = 8; size <= 2000 && aligned == NULL; size += 8) {
		for (n = 0; n < T_ALIGNED_MAX && aligned == NULL; n++) {
			p[n] = malloc(size, M_TEST, M_WAITOK);
			if (((uintptr_t)p[n] & (PAGE_SIZE - 1)) == 0) {
				aligned = p[n];
				found = size;
			}
		}
		for (i = 0; i < n; i++) {
			if (p[i] != aligned)
				free(p[i], M_TEST);
		}
	}
	ATF_REQUIRE_MSG(aligned != NULL, "no page-aligned small block");
	printf("a block of %zu bytes at %p\n", found, aligned);
	free(aligned, M_TEST);
	ATF_CHECK(!kmem_meta_arena->vm_ordered);
}

/* ---- misuse */

T_MISUSE(misuse_double_free, "freeing a small allocation twice panics")
ATF_TC_BODY(misuse_double_free, tc)
{
	void *p;

	p = malloc(64, M_TEST, M_WAITOK);
	free(p, M_TEST);
	atf_tc_expect_signal(SIGABRT, "a double free must panic");
	free(p, M_TEST);
}

T_MISUSE(misuse_double_free_large, "freeing a large allocation twice "
    "panics, as for small ones")
ATF_TC_BODY(misuse_double_free_large, tc)
{
	void *p;

	p = malloc(100000, M_TEST, M_WAITOK);
	free(p, M_TEST);
	atf_tc_expect_signal(SIGABRT, "a double free must panic");
	free(p, M_TEST);
}

T_MISUSE(misuse_not_malloced, "freeing memory malloc did not hand out "
    "panics")
ATF_TC_BODY(misuse_not_malloced, tc)
{
	char *p;

	p = kmem_zalloc(64, KM_SLEEP);
	atf_tc_expect_signal(SIGABRT, "a foreign address must panic");
	free(p + 8, M_TEST);
}

T_MISUSE(misuse_bad_flags, "an unknown flag panics")
ATF_TC_BODY(misuse_bad_flags, tc)
{

	atf_tc_expect_signal(SIGABRT, "an unknown flag must panic");
	(void)malloc(10, M_TEST, M_WAITOK | 0x100);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, statistics);
	ATF_TP_ADD_TC(tp, highwater);
	ATF_TP_ADD_TC(tp, zero);
	ATF_TP_ADD_TC(tp, alignment);
	ATF_TP_ADD_TC(tp, free_without_size);
	ATF_TP_ADD_TC(tp, nowait);
	ATF_TP_ADD_TC(tp, resize);
	ATF_TP_ADD_TC(tp, types);
	ATF_TP_ADD_TC(tp, threads);
	ATF_TP_ADD_TC(tp, audit_caller);
	ATF_TP_ADD_TC(tp, free_page_aligned);
	ATF_TP_ADD_TC(tp, misuse_double_free);
	ATF_TP_ADD_TC(tp, misuse_double_free_large);
	ATF_TP_ADD_TC(tp, misuse_not_malloced);
	ATF_TP_ADD_TC(tp, misuse_bad_flags);
	return atf_no_error();
}
