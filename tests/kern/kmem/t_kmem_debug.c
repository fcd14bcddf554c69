/*
 * t_kmem_debug.c: kmem(9)'s debugging checks and misuse panics.
 *
 * Each case commits one bug and expects the panic that catches it; on the
 * host platform a panic aborts.  The caches are made with KMC_DEBUG, so
 * the checks run whatever kmem_debug says; the cases that need no
 * debugging (a panic in every build) use KMC_NODEBUG.
 */

#define	_KMEM_PRIVATE	/* kmem_class_of, to audit one size class */

#include <sys/param.h>
#include <sys/cpu.h>
#include <sys/kmem.h>
#include <sys/kmem_impl.h>
#include <sys/systm.h>

#include <atf-c.h>

#include "../t_audit.h"

/* Declare a case that must end in a panic. */
#define	T_MISUSE(name, text)						\
ATF_TC(name);								\
ATF_TC_HEAD(name, tc)							\
{									\
	atf_tc_set_md_var(tc, "descr", text);				\
}

/* A debugging cache of size-byte objects. */
static kmem_cache_t *
t_cache(size_t size, int flags)
{

	return kmem_cache_create("t_debug", size, 0, NULL, NULL, NULL, NULL,
	    NULL, flags);
}

T_MISUSE(write_after_free, "a write into a freed buffer is caught when "
    "the buffer is next allocated")
ATF_TC_BODY(write_after_free, tc)
{
	kmem_cache_t *kc = t_cache(64, KMC_DEBUG);
	char *p, *q;

	p = kmem_cache_alloc(kc, KM_SLEEP);
	kmem_cache_free(kc, p);
	p[17] = 1;
	atf_tc_expect_signal(SIGABRT, "write after free must panic");
	q = kmem_cache_alloc(kc, KM_SLEEP);
	ATF_CHECK(q == p);
}

T_MISUSE(redzone_overrun, "a write just past the object is caught on free")
ATF_TC_BODY(redzone_overrun, tc)
{
	kmem_cache_t *kc = t_cache(60, KMC_DEBUG);
	char *p;

	p = kmem_cache_alloc(kc, KM_SLEEP);
	p[60] = 0;
	atf_tc_expect_signal(SIGABRT, "overrun must panic");
	kmem_cache_free(kc, p);
}

T_MISUSE(kmem_alloc_overrun, "kmem_alloc's redzone starts at the size "
    "asked for, not at the size class")
ATF_TC_BODY(kmem_alloc_overrun, tc)
{
	char *p;

	if ((kmem_debug & KMEM_DEBUG_ON) == 0)
		atf_tc_skip("kmem_debug is off in this build");
	p = kmem_alloc(130, KM_SLEEP);
	p[131] = 0;
	atf_tc_expect_signal(SIGABRT, "overrun must panic");
	kmem_free(p, 130);
}

T_MISUSE(wrong_size_same_class, "kmem_free with a size in the same class "
    "but not the allocated one is caught")
ATF_TC_BODY(wrong_size_same_class, tc)
{
	void *p;

	if ((kmem_debug & KMEM_DEBUG_ON) == 0)
		atf_tc_skip("kmem_debug is off in this build");
	p = kmem_alloc(100, KM_SLEEP);
	atf_tc_expect_signal(SIGABRT, "wrong size must panic");
	kmem_free(p, 99);
}

T_MISUSE(wrong_size_other_class, "kmem_free with a size of another class "
    "panics in every build")
ATF_TC_BODY(wrong_size_other_class, tc)
{
	void *p;

	p = kmem_alloc(100, KM_SLEEP);
	atf_tc_expect_signal(SIGABRT, "wrong size must panic");
	kmem_free(p, 300);
	kmem_reap();
}

T_MISUSE(double_free_debug, "freeing a buffer twice is caught at once in a "
    "debugging cache")
ATF_TC_BODY(double_free_debug, tc)
{
	kmem_cache_t *kc = t_cache(64, KMC_DEBUG);
	void *p;

	p = kmem_cache_alloc(kc, KM_SLEEP);
	kmem_cache_free(kc, p);
	atf_tc_expect_signal(SIGABRT, "double free must panic");
	kmem_cache_free(kc, p);
}

T_MISUSE(double_free_slab, "freeing a large buffer twice is caught at its "
    "slab in every build")
ATF_TC_BODY(double_free_slab, tc)
{
	kmem_cache_t *kc = t_cache(3000, KMC_NODEBUG | KMC_NOMAGAZINE);
	void *p, *q;

	p = kmem_cache_alloc(kc, KM_SLEEP);
	q = kmem_cache_alloc(kc, KM_SLEEP);
	kmem_cache_free(kc, p);
	atf_tc_expect_signal(SIGABRT, "double free must panic");
	kmem_cache_free(kc, p);
	kmem_cache_free(kc, q);
}

T_MISUSE(wrong_cache, "freeing a buffer into another cache panics in every "
    "build")
ATF_TC_BODY(wrong_cache, tc)
{
	kmem_cache_t *kc1 = t_cache(64, KMC_NODEBUG | KMC_NOMAGAZINE);
	kmem_cache_t *kc2 = t_cache(64, KMC_NODEBUG | KMC_NOMAGAZINE);
	void *p;

	p = kmem_cache_alloc(kc1, KM_SLEEP);
	atf_tc_expect_signal(SIGABRT, "foreign buffer must panic");
	kmem_cache_free(kc2, p);
}

T_MISUSE(interior_pointer, "freeing a pointer into the middle of a buffer "
    "panics in every build")
ATF_TC_BODY(interior_pointer, tc)
{
	kmem_cache_t *kc = t_cache(64, KMC_NODEBUG | KMC_NOMAGAZINE);
	char *p;

	p = kmem_cache_alloc(kc, KM_SLEEP);
	atf_tc_expect_signal(SIGABRT, "interior pointer must panic");
	kmem_cache_free(kc, p + 8);
}

T_MISUSE(destroy_live, "destroying a cache with objects still allocated "
    "is reported")
ATF_TC_BODY(destroy_live, tc)
{
	kmem_cache_t *kc = t_cache(64, 0);

	(void)kmem_cache_alloc(kc, KM_SLEEP);
	atf_tc_expect_signal(SIGABRT, "a leak must be reported");
	kmem_cache_destroy(kc);
}

T_MISUSE(bad_flags, "an allocation with neither KM_SLEEP nor KM_NOSLEEP "
    "panics")
ATF_TC_BODY(bad_flags, tc)
{
	kmem_cache_t *kc = t_cache(64, KMC_NOMAGAZINE);

	atf_tc_expect_signal(SIGABRT, "bad flags must panic");
	(void)kmem_cache_alloc(kc, 0);
}

T_MISUSE(zero_size, "a cache of zero-byte objects panics")
ATF_TC_BODY(zero_size, tc)
{

	atf_tc_expect_signal(SIGABRT, "zero size must panic");
	(void)t_cache(0, 0);
}

T_MISUSE(free_null, "kmem_free(NULL, size) panics naming the rule, in "
    "every build, before a NULL enters a magazine")
ATF_TC_BODY(free_null, tc)
{
	void *p;

	p = kmem_alloc(64, KM_SLEEP);
	kmem_free(p, 64);
	atf_tc_expect_signal(SIGABRT, "kmem_free of NULL must panic");
	kmem_free(NULL, 64);
	kmem_free(NULL, 64);
	p = kmem_alloc(64, KM_SLEEP);
	ATF_CHECK(p != NULL);
}

T_MISUSE(cache_free_null, "kmem_cache_free(kc, NULL) panics in a cache "
    "that does not debug")
ATF_TC_BODY(cache_free_null, tc)
{
	kmem_cache_t *kc = t_cache(64, KMC_NODEBUG);

	atf_tc_expect_signal(SIGABRT, "kmem_cache_free of NULL must panic");
	kmem_cache_free(kc, NULL);
	ATF_CHECK(kmem_cache_alloc(kc, KM_SLEEP) != NULL);
}

ATF_TC(alloc_size_overflow);
ATF_TC_HEAD(alloc_size_overflow, tc)
{

	atf_tc_set_md_var(tc, "descr", "kmem_alloc and kmem_zalloc of a size "
	    "that overflows when rounded to a page fail with KM_NOSLEEP");
}
ATF_TC_BODY(alloc_size_overflow, tc)
{
	size_t size;

	for (size = SIZE_MAX - PAGE_SIZE + 2; size != 0; size++) {
		ATF_CHECK(kmem_alloc(size, KM_NOSLEEP) == NULL);
		ATF_CHECK(kmem_zalloc(size, KM_NOSLEEP) == NULL);
	}
}

T_MISUSE(cache_size_huge, "kmem_cache_create of a size near SIZE_MAX "
    "panics at create")
ATF_TC_BODY(cache_size_huge, tc)
{

	atf_tc_expect_signal(SIGABRT, "a huge object size must panic");
	(void)t_cache(SIZE_MAX - 8, 0);
}

T_MISUSE(free_unmapped, "kmem_free of an unmapped pointer in the debug "
    "build panics naming the cache and address")
ATF_TC_BODY(free_unmapped, tc)
{
	const size_t size = 4 * PAGE_SIZE;
	char *p;

	if ((kmem_debug & KMEM_DEBUG_ON) == 0)
		atf_tc_skip("kmem_debug is off in this build");
	p = kmem_alloc(size, KM_SLEEP);
	kmem_free(p, size);
	atf_tc_expect_signal(SIGABRT, "an unmapped pointer must panic");
	kmem_free(p + PAGE_SIZE + 64, 64);
}

T_MISUSE(free_stack, "kmem_free of a stack address in the debug build "
    "panics")
ATF_TC_BODY(free_stack, tc)
{
	uint64_t local[16];

	if ((kmem_debug & KMEM_DEBUG_ON) == 0)
		atf_tc_skip("kmem_debug is off in this build");
	atf_tc_expect_signal(SIGABRT, "a stack pointer must panic");
	kmem_free(&local[8], 64);
}

T_MISUSE(flags_zero_fast, "kmem_alloc with flags 0 panics on the "
    "magazine path as on the slow path")
ATF_TC_BODY(flags_zero_fast, tc)
{
	void *p;

	p = kmem_alloc(64, KM_SLEEP);
	kmem_free(p, 64);
	atf_tc_expect_signal(SIGABRT, "flags 0 must panic");
	p = kmem_alloc(64, 0);
	ATF_CHECK(p != NULL);
}

T_MISUSE(flags_both_fast, "kmem_cache_alloc with KM_SLEEP | KM_NOSLEEP "
    "panics on the magazine path as on the slow path")
ATF_TC_BODY(flags_both_fast, tc)
{
	kmem_cache_t *kc = t_cache(64, KMC_NODEBUG);
	void *p;

	p = kmem_cache_alloc(kc, KM_SLEEP);
	kmem_cache_free(kc, p);
	atf_tc_expect_signal(SIGABRT, "both sleep flags must panic");
	p = kmem_cache_alloc(kc, KM_SLEEP | KM_NOSLEEP);
	ATF_CHECK(p != NULL);
}

/* ---- audit records and leak reports */

/* Allocate from kc here, so that the audit names this function. */
static __noinline void *
t_alloc_a(kmem_cache_t *kc)
{
	void *p = kmem_cache_alloc(kc, KM_SLEEP);

	__asm volatile("" ::: "memory");
	return p;
}

/* Allocate from kc here, a second caller. */
static __noinline void *
t_alloc_c(kmem_cache_t *kc)
{
	void *p = kmem_cache_alloc(kc, KM_SLEEP);

	__asm volatile("" ::: "memory");
	return p;
}

/* Free to kc here, so that the audit names this function. */
static __noinline void
t_free_b(kmem_cache_t *kc, void *p)
{

	kmem_cache_free(kc, p);
	__asm volatile("" ::: "memory");
}

ATF_TC(audit_records);
ATF_TC_HEAD(audit_records, tc)
{

	atf_tc_set_md_var(tc, "descr", "an auditing cache records each "
	    "buffer's last allocation and free (caller, CPU, thread, time) "
	    "and logs both, oldest first");
}
ATF_TC_BODY(audit_records, tc)
{
	kmem_cache_t *kc = t_cache(64, KMC_AUDIT);
	struct kmem_audit log[3];
	struct kmem_bufaudit ba;
	void *p;

	p = t_alloc_a(kc);
	t_free_b(kc, p);
	ATF_REQUIRE(kmem_cache_audit(kc, p, &ba));
	ATF_CHECK(ba.ba_alloc.ka_buf == p);
	ATF_CHECK_EQ(ba.ba_alloc.ka_op, KMEM_AUDIT_ALLOC);
	ATF_CHECK_MSG(t_in(ba.ba_alloc.ka_caller, (const void *)t_alloc_a),
	    "allocation caller %p, not in t_alloc_a %p",
	    ba.ba_alloc.ka_caller, (const void *)t_alloc_a);
	ATF_CHECK(ba.ba_alloc.ka_thread == curlwp);
	ATF_CHECK(ba.ba_alloc.ka_cpu < ncpu);
	ATF_CHECK(ba.ba_free.ka_buf == p);
	ATF_CHECK_EQ(ba.ba_free.ka_op, KMEM_AUDIT_FREE);
	ATF_CHECK_MSG(t_in(ba.ba_free.ka_caller, (const void *)t_free_b),
	    "free caller %p, not in t_free_b %p", ba.ba_free.ka_caller,
	    (const void *)t_free_b);
	ATF_CHECK(ba.ba_free.ka_thread == curlwp);
	ATF_CHECK(ba.ba_free.ka_time >= ba.ba_alloc.ka_time);
	ATF_REQUIRE_EQ(kmem_cache_audit_log(kc, log, 3), 2);
	ATF_CHECK(log[0].ka_buf == p && log[0].ka_op == KMEM_AUDIT_ALLOC);
	ATF_CHECK(log[1].ka_buf == p && log[1].ka_op == KMEM_AUDIT_FREE);
	ATF_CHECK(log[1].ka_caller == ba.ba_free.ka_caller);
	ATF_CHECK(!kmem_cache_audit(t_cache(64, KMC_DEBUG), p, &ba));
	kmem_cache_destroy(kc);
}

ATF_TC(audit_log_wraps);
ATF_TC_HEAD(audit_log_wraps, tc)
{

	atf_tc_set_md_var(tc, "descr", "the transaction log keeps the last "
	    "KMEM_AUDIT_LOG operations");
}
ATF_TC_BODY(audit_log_wraps, tc)
{
	static struct kmem_audit log[KMEM_AUDIT_LOG];
	kmem_cache_t *kc = t_cache(32, KMC_AUDIT);
	void *p;
	u_int i;

	for (i = 0; i < KMEM_AUDIT_LOG; i++) {
		p = kmem_cache_alloc(kc, KM_SLEEP);
		kmem_cache_free(kc, p);
	}
	p = t_alloc_a(kc);
	ATF_REQUIRE_EQ(kmem_cache_audit_log(kc, log, KMEM_AUDIT_LOG),
	    KMEM_AUDIT_LOG);
	ATF_CHECK_EQ(log[KMEM_AUDIT_LOG - 1].ka_op, KMEM_AUDIT_ALLOC);
	ATF_CHECK(log[KMEM_AUDIT_LOG - 1].ka_buf == p);
	ATF_CHECK(t_in(log[KMEM_AUDIT_LOG - 1].ka_caller,
	    (const void *)t_alloc_a));
	ATF_CHECK_EQ(log[0].ka_op, KMEM_AUDIT_FREE);
	for (i = 1; i < KMEM_AUDIT_LOG; i++)
		ATF_CHECK(log[i].ka_op != log[i - 1].ka_op);
	t_free_b(kc, p);
	kmem_cache_destroy(kc);
}

ATF_TC(leak_report);
ATF_TC_HEAD(leak_report, tc)
{

	atf_tc_set_md_var(tc, "descr", "the leak report of an auditing cache "
	    "lists the buffers still allocated by allocating caller, with "
	    "counts and bytes, most bytes first");
}
ATF_TC_BODY(leak_report, tc)
{
	kmem_cache_t *kc = t_cache(100, KMC_AUDIT);
	struct kmem_leak kl[4];
	void *a[3], *c[3];
	u_int i;

	for (i = 0; i < 3; i++) {
		a[i] = t_alloc_a(kc);
		c[i] = t_alloc_c(kc);
	}
	t_free_b(kc, a[0]);
	kmem_cache_leak_print(kc);
	ATF_REQUIRE_EQ(kmem_cache_leaks(kc, kl, 4), 2);
	ATF_CHECK(t_in(kl[0].kl_caller, (const void *)t_alloc_c));
	ATF_CHECK_EQ(kl[0].kl_count, 3);
	ATF_CHECK_EQ(kl[0].kl_bytes, 300);
	ATF_CHECK(t_in(kl[1].kl_caller, (const void *)t_alloc_a));
	ATF_CHECK_EQ(kl[1].kl_count, 2);
	ATF_CHECK_EQ(kl[1].kl_bytes, 200);
	for (i = 0; i < 3; i++) {
		if (i > 0)
			kmem_cache_free(kc, a[i]);
		kmem_cache_free(kc, c[i]);
	}
	ATF_CHECK_EQ(kmem_cache_leaks(kc, kl, 4), 0);
	kmem_cache_destroy(kc);
}

ATF_TC(leak_report_plain);
ATF_TC_HEAD(leak_report_plain, tc)
{

	atf_tc_set_md_var(tc, "descr", "a cache that does not audit reports "
	    "its leaks under an unknown caller, with counts and bytes");
}
ATF_TC_BODY(leak_report_plain, tc)
{
	kmem_cache_t *kd = t_cache(48, KMC_DEBUG);
	kmem_cache_t *kn = t_cache(48, KMC_NODEBUG);
	struct kmem_leak kl[2];
	void *p, *q;

	p = kmem_cache_alloc(kd, KM_SLEEP);
	q = kmem_cache_alloc(kn, KM_SLEEP);
	ATF_REQUIRE_EQ(kmem_cache_leaks(kd, kl, 2), 1);
	ATF_CHECK(kl[0].kl_caller == NULL);
	ATF_CHECK_EQ(kl[0].kl_count, 1);
	ATF_CHECK_EQ(kl[0].kl_bytes, 48);
	ATF_REQUIRE_EQ(kmem_cache_leaks(kn, kl, 2), 1);
	ATF_CHECK_EQ(kl[0].kl_count, 1);
	kmem_leak_print();
	kmem_cache_free(kd, p);
	kmem_cache_free(kn, q);
	ATF_CHECK_EQ(kmem_cache_leaks(kd, kl, 2), 0);
	kmem_cache_destroy(kd);
	kmem_cache_destroy(kn);
}

T_MISUSE(destroy_live_audit, "destroying an auditing cache with objects "
    "still allocated prints the leak report, then panics")
ATF_TC_BODY(destroy_live_audit, tc)
{
	kmem_cache_t *kc = t_cache(64, KMC_AUDIT);

	(void)t_alloc_a(kc);
	atf_tc_expect_signal(SIGABRT, "a leak must be reported");
	kmem_cache_destroy(kc);
}

/* ---- audit records of the kmem_alloc conveniences */

#define	T_SIZE		200	/* bytes: a size class of its own */

/* Check that the last allocation or free of buf in kc names f. */
#define	T_AUDIT_NAMES(kc, buf, isfree, f)				\
	t_audit_names((kc), (buf), (isfree), (const void *)(f), #f)

static void
t_audit_names(kmem_cache_t *kc, void *buf, bool isfree, const void *f,
    const char *fname)
{
	struct kmem_bufaudit ba;
	const void *caller;

	ATF_REQUIRE(kmem_cache_audit(kc, buf, &ba));
	caller = isfree ? ba.ba_free.ka_caller : ba.ba_alloc.ka_caller;
	ATF_CHECK_MSG(t_in(caller, f), "%s of %p: caller %p, not in %s %p",
	    isfree ? "free" : "allocation", buf, caller, fname, f);
}

/* Each calls one convenience, so that the audit names this function. */
static __noinline void *
t_intr_alloc(void)
{
	void *p = kmem_intr_alloc(T_SIZE, KM_SLEEP);

	__asm volatile("" ::: "memory");
	return p;
}

static __noinline void *
t_intr_zalloc(void)
{
	void *p = kmem_intr_zalloc(T_SIZE, KM_SLEEP);

	__asm volatile("" ::: "memory");
	return p;
}

static __noinline void
t_intr_free(void *p)
{

	kmem_intr_free(p, T_SIZE);
	__asm volatile("" ::: "memory");
}

static __noinline char *
t_strdup(const char *str)
{
	char *p = kmem_strdup(str, KM_SLEEP);

	__asm volatile("" ::: "memory");
	return p;
}

static __noinline char *
t_strndup(const char *str)
{
	char *p = kmem_strndup(str, T_SIZE * 2, KM_SLEEP);

	__asm volatile("" ::: "memory");
	return p;
}

static __noinline char *
t_asprintf(const char *str)
{
	char *p = kmem_asprintf("%s", str);

	__asm volatile("" ::: "memory");
	return p;
}

static __noinline void
t_strfree(char *p)
{

	kmem_strfree(p);
	__asm volatile("" ::: "memory");
}

/* Take and give back a temporary buffer too large for the stack's. */
static __noinline void *
t_tmpbuf(void)
{
	char stackbuf[8];
	void *p;

	p = kmem_tmpbuf_alloc(T_SIZE, stackbuf, sizeof(stackbuf), KM_SLEEP);
	__asm volatile("" ::: "memory");
	kmem_tmpbuf_free(p, T_SIZE, stackbuf);
	__asm volatile("" ::: "memory");
	return p;
}

ATF_TC(audit_intr_caller);
ATF_TC_HEAD(audit_intr_caller, tc)
{

	atf_tc_set_md_var(tc, "descr", "the audit records of kmem_intr_alloc, "
	    "kmem_intr_zalloc and kmem_intr_free name the function that "
	    "called them");
}

/*
 * At -O2 the compilers make a wrapper that only calls kmem_alloc a tail
 * call, which records the right caller by accident; the sanitizer
 * builds (-O1) do not, so it is there that a wrapper recording itself
 * fails this case.
 */
ATF_TC_BODY(audit_intr_caller, tc)
{
	kmem_cache_t *kc = t_cache(kmem_size_class(T_SIZE), KMC_AUDIT);
	kmem_cache_t *cls = t_class_swap(T_SIZE, kc);
	void *p;

	p = t_intr_alloc();
	T_AUDIT_NAMES(kc, p, false, t_intr_alloc);
	t_intr_free(p);
	T_AUDIT_NAMES(kc, p, true, t_intr_free);
	p = t_intr_zalloc();
	T_AUDIT_NAMES(kc, p, false, t_intr_zalloc);
	t_intr_free(p);
	t_class_swap(T_SIZE, cls);
	kmem_cache_destroy(kc);
}

ATF_TC(audit_util_caller);
ATF_TC_HEAD(audit_util_caller, tc)
{

	atf_tc_set_md_var(tc, "descr", "the audit records of the string and "
	    "temporary buffer functions name the function that called them");
}
ATF_TC_BODY(audit_util_caller, tc)
{
	kmem_cache_t *kc = t_cache(kmem_size_class(T_SIZE), KMC_AUDIT);
	kmem_cache_t *cls;
	char str[T_SIZE], *p;
	void *b;

	memset(str, 'x', T_SIZE - 1);
	str[T_SIZE - 1] = '\0';
	cls = t_class_swap(T_SIZE, kc);
	p = t_strdup(str);
	T_AUDIT_NAMES(kc, p, false, t_strdup);
	t_strfree(p);
	T_AUDIT_NAMES(kc, p, true, t_strfree);
	p = t_strndup(str);
	T_AUDIT_NAMES(kc, p, false, t_strndup);
	t_strfree(p);
	p = t_asprintf(str);
	T_AUDIT_NAMES(kc, p, false, t_asprintf);
	t_strfree(p);
	b = t_tmpbuf();
	T_AUDIT_NAMES(kc, b, false, t_tmpbuf);
	T_AUDIT_NAMES(kc, b, true, t_tmpbuf);
	t_class_swap(T_SIZE, cls);
	kmem_cache_destroy(kc);
}

T_MISUSE(strndup_zero, "kmem_strndup with maxlen 0 panics")
ATF_TC_BODY(strndup_zero, tc)
{

	atf_tc_expect_signal(SIGABRT, "maxlen 0 must panic");
	(void)kmem_strndup("x", 0, KM_SLEEP);
}

T_MISUSE(strfree_shortened, "kmem_strfree of a string shortened after "
    "kmem_strdup frees a size of another class, which the debug build "
    "catches")
ATF_TC_BODY(strfree_shortened, tc)
{
	char *s;

	if ((kmem_debug & KMEM_DEBUG_ON) == 0)
		atf_tc_skip("kmem_debug is off in this build");
	s = kmem_strdup("a string of some length", KM_SLEEP);
	s[3] = '\0';
	atf_tc_expect_signal(SIGABRT, "wrong size must panic");
	kmem_strfree(s);
}

ATF_TC(debug_clean);
ATF_TC_HEAD(debug_clean, tc)
{

	atf_tc_set_md_var(tc, "descr", "correct use of a debugging cache "
	    "passes every check, for many sizes and alignments");
}
ATF_TC_BODY(debug_clean, tc)
{
	enum { N = 300 };
	static char *p[N];
	kmem_cache_t *kc;
	size_t size;
	u_int i, r;

	for (size = 1; size < 5000; size = size * 3 + 1) {
		kc = kmem_cache_create("t_clean", size, 0, NULL, NULL, NULL,
		    NULL, NULL, KMC_DEBUG);
		for (r = 0; r < 3; r++) {
			for (i = 0; i < N; i++) {
				p[i] = kmem_cache_alloc(kc, KM_SLEEP);
				ATF_REQUIRE(p[i] != NULL);
				ATF_CHECK_EQ((uintptr_t)p[i] % KMEM_ALIGN, 0);
				memset(p[i], (int)i, size);
			}
			for (i = 0; i < N; i++) {
				ATF_CHECK_EQ(p[i][size - 1], (char)i);
				kmem_cache_free(kc, p[i]);
			}
		}
		kmem_cache_destroy(kc);
	}
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, write_after_free);
	ATF_TP_ADD_TC(tp, redzone_overrun);
	ATF_TP_ADD_TC(tp, kmem_alloc_overrun);
	ATF_TP_ADD_TC(tp, wrong_size_same_class);
	ATF_TP_ADD_TC(tp, wrong_size_other_class);
	ATF_TP_ADD_TC(tp, double_free_debug);
	ATF_TP_ADD_TC(tp, double_free_slab);
	ATF_TP_ADD_TC(tp, wrong_cache);
	ATF_TP_ADD_TC(tp, interior_pointer);
	ATF_TP_ADD_TC(tp, destroy_live);
	ATF_TP_ADD_TC(tp, bad_flags);
	ATF_TP_ADD_TC(tp, zero_size);
	ATF_TP_ADD_TC(tp, free_null);
	ATF_TP_ADD_TC(tp, cache_free_null);
	ATF_TP_ADD_TC(tp, alloc_size_overflow);
	ATF_TP_ADD_TC(tp, cache_size_huge);
	ATF_TP_ADD_TC(tp, free_unmapped);
	ATF_TP_ADD_TC(tp, free_stack);
	ATF_TP_ADD_TC(tp, flags_zero_fast);
	ATF_TP_ADD_TC(tp, flags_both_fast);
	ATF_TP_ADD_TC(tp, audit_records);
	ATF_TP_ADD_TC(tp, audit_log_wraps);
	ATF_TP_ADD_TC(tp, leak_report);
	ATF_TP_ADD_TC(tp, leak_report_plain);
	ATF_TP_ADD_TC(tp, destroy_live_audit);
	ATF_TP_ADD_TC(tp, audit_intr_caller);
	ATF_TP_ADD_TC(tp, audit_util_caller);
	ATF_TP_ADD_TC(tp, strndup_zero);
	ATF_TP_ADD_TC(tp, strfree_shortened);
	ATF_TP_ADD_TC(tp, debug_clean);
	return atf_no_error();
}
