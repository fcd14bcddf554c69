/*
 * t_kmem_debug.c: kmem(9)'s debugging checks and misuse panics.
 *
 * Each case commits one bug and expects the panic that catches it; on the
 * host platform a panic aborts.  The caches are made with KMC_DEBUG, so
 * the checks run whatever kmem_debug says; the cases that need no
 * debugging (a panic in every build) use KMC_NODEBUG.
 */

#include <sys/param.h>
#include <sys/kmem.h>
#include <sys/kmem_impl.h>
#include <sys/systm.h>

#include <atf-c.h>

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

T_MISUSE(strndup_zero, "kmem_strndup with maxlen 0 panics")
ATF_TC_BODY(strndup_zero, tc)
{

	atf_tc_expect_signal(SIGABRT, "maxlen 0 must panic");
	(void)kmem_strndup("x", 0, KM_SLEEP);
}

T_MISUSE(strfree_shortened, "kmem_strfree of a string shortened after "
    "kmem_strdup frees a size of another class, which panics in every "
    "build")
ATF_TC_BODY(strfree_shortened, tc)
{
	char *s;

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
				memset(p[i], (int)i, size);
			}
			for (i = 0; i < N; i++)
				kmem_cache_free(kc, p[i]);
		}
		kmem_cache_destroy(kc);
	}
	ATF_CHECK(true);
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
	ATF_TP_ADD_TC(tp, strndup_zero);
	ATF_TP_ADD_TC(tp, strfree_shortened);
	ATF_TP_ADD_TC(tp, debug_clean);
	return atf_no_error();
}
