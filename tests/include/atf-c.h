/*
 * atf-c.h: the ATF C test interface, declared for both hosts.
 *
 * Test programs under tests/ are written once against ATF's C API and run
 * on two hosts.  On the host platform this header binds them to the
 * system's libatf-c, whose test-program protocol kyua speaks; in the test
 * kernel it binds them to the kernel's own implementation of the same
 * functions (sys/harness/kern/kern_atf.c).  It needs only the compiler's
 * freestanding headers, so test programs compile against the kernel's
 * headers and never see the C library's.
 *
 * The types and functions below are libatf-c's public interface; the
 * macros are this tree's own definitions of ATF's documented macros.
 */

#ifndef _TESTS_ATF_C_H_
#define _TESTS_ATF_C_H_

#include <stdbool.h>
#include <stddef.h>

struct atf_error;
typedef struct atf_error *atf_error_t;

struct atf_tc;
typedef void (*atf_tc_head_t)(struct atf_tc *);
typedef void (*atf_tc_body_t)(const struct atf_tc *);
typedef void (*atf_tc_cleanup_t)(const struct atf_tc *);

struct atf_tc_pack {
	const char		*m_ident;
	const char *const	*m_config;
	atf_tc_head_t		m_head;
	atf_tc_body_t		m_body;
	atf_tc_cleanup_t	m_cleanup;
};
typedef const struct atf_tc_pack atf_tc_pack_t;

struct atf_tc_impl;
typedef struct atf_tc {
	struct atf_tc_impl	*pimpl;
} atf_tc_t;

struct atf_tp_impl;
typedef struct atf_tp {
	struct atf_tp_impl	*pimpl;
} atf_tp_t;

#define	_ATF_PRINTF(f, a)	__attribute__((__format__(__printf__, f, a)))
#define	_ATF_NORETURN		__attribute__((__noreturn__))

atf_error_t	atf_no_error(void);
atf_error_t	atf_tc_init_pack(atf_tc_t *, atf_tc_pack_t *,
		    const char *const *);
atf_error_t	atf_tc_set_md_var(atf_tc_t *, const char *, const char *, ...)
		    _ATF_PRINTF(3, 4);
const char	*atf_tc_get_config_var_wd(const atf_tc_t *, const char *,
		    const char *);
long		atf_tc_get_config_var_as_long_wd(const atf_tc_t *,
		    const char *, const long);
void		atf_tc_fail(const char *, ...) _ATF_PRINTF(1, 2) _ATF_NORETURN;
void		atf_tc_fail_nonfatal(const char *, ...) _ATF_PRINTF(1, 2);
void		atf_tc_pass(void) _ATF_NORETURN;
void		atf_tc_skip(const char *, ...) _ATF_PRINTF(1, 2) _ATF_NORETURN;
void		atf_tc_expect_pass(void);
void		atf_tc_expect_fail(const char *, ...) _ATF_PRINTF(1, 2);
void		atf_tc_expect_signal(const int, const char *, ...)
		    _ATF_PRINTF(2, 3);
void		atf_tc_fail_check(const char *, const size_t, const char *, ...)
		    _ATF_PRINTF(3, 4);
void		atf_tc_fail_requirement(const char *, const size_t,
		    const char *, ...) _ATF_PRINTF(3, 4) _ATF_NORETURN;
char		**atf_tp_get_config(const atf_tp_t *);
atf_error_t	atf_tp_add_tc(atf_tp_t *, atf_tc_t *);
int		atf_tp_main(int, char **, atf_error_t (*)(atf_tp_t *));

/* The signal a kernel panic raises on the host platform (abort). */
#ifndef SIGABRT
#define	SIGABRT		6
#endif

/* ---- declaring test cases */

#define	ATF_TC_NAME(tc)		atfu_##tc##_tc
#define	ATF_TC_PACK_NAME(tc)	atfu_##tc##_tc_pack
#define	ATF_TC_HEAD_NAME(tc)	atfu_##tc##_head
#define	ATF_TC_BODY_NAME(tc)	atfu_##tc##_body

#define	_ATF_TC(tc, head)						\
	static void ATF_TC_BODY_NAME(tc)(const atf_tc_t *);		\
	static atf_tc_t ATF_TC_NAME(tc);				\
	static atf_tc_pack_t ATF_TC_PACK_NAME(tc) = {			\
		.m_ident = #tc,						\
		.m_config = NULL,					\
		.m_head = (head),					\
		.m_body = ATF_TC_BODY_NAME(tc),				\
		.m_cleanup = NULL,					\
	}

#define	ATF_TC(tc)							\
	static void ATF_TC_HEAD_NAME(tc)(atf_tc_t *);			\
	_ATF_TC(tc, ATF_TC_HEAD_NAME(tc))
#define	ATF_TC_WITHOUT_HEAD(tc)		_ATF_TC(tc, NULL)
#define	ATF_TC_HEAD(tc, tcptr)						\
	static void ATF_TC_HEAD_NAME(tc)(atf_tc_t *tcptr __attribute__((__unused__)))
#define	ATF_TC_BODY(tc, tcptr)						\
	static void ATF_TC_BODY_NAME(tc)(const atf_tc_t *tcptr __attribute__((__unused__)))

/* ---- the test program */

#define	ATF_TP_ADD_TCS(tps)						\
	static atf_error_t atfu_tp_add_tcs(atf_tp_t *);			\
	int main(int, char **);						\
	int								\
	main(int argc, char **argv)					\
	{								\
		return atf_tp_main(argc, argv, atfu_tp_add_tcs);	\
	}								\
	static atf_error_t						\
	atfu_tp_add_tcs(atf_tp_t *tps)

#define	ATF_TP_ADD_TC(tp, tc) do {					\
	atf_error_t atfu_err;						\
	atfu_err = atf_tc_init_pack(&ATF_TC_NAME(tc),			\
	    &ATF_TC_PACK_NAME(tc), (const char *const *)atf_tp_get_config(tp)); \
	if (atfu_err != atf_no_error())					\
		return atfu_err;					\
	atfu_err = atf_tp_add_tc((tp), &ATF_TC_NAME(tc));		\
	if (atfu_err != atf_no_error())					\
		return atfu_err;					\
} while (0)

/* ---- checks: REQUIRE ends the test case, CHECK records and goes on */

#define	ATF_REQUIRE_MSG(e, fmt, ...) do {				\
	if (!(e))							\
		atf_tc_fail_requirement(__FILE__, __LINE__,		\
		    "%s not met: " fmt, #e, ##__VA_ARGS__);		\
} while (0)
#define	ATF_CHECK_MSG(e, fmt, ...) do {					\
	if (!(e))							\
		atf_tc_fail_check(__FILE__, __LINE__,			\
		    "%s not met: " fmt, #e, ##__VA_ARGS__);		\
} while (0)
#define	ATF_REQUIRE(e)		ATF_REQUIRE_MSG(e, "%s", "")
#define	ATF_CHECK(e)		ATF_CHECK_MSG(e, "%s", "")

#define	ATF_REQUIRE_EQ_MSG(a, b, fmt, ...)				\
	ATF_REQUIRE_MSG((a) == (b), "%s != %s: " fmt, #a, #b, ##__VA_ARGS__)
#define	ATF_CHECK_EQ_MSG(a, b, fmt, ...)				\
	ATF_CHECK_MSG((a) == (b), "%s != %s: " fmt, #a, #b, ##__VA_ARGS__)
#define	ATF_REQUIRE_EQ(a, b)	ATF_REQUIRE_EQ_MSG(a, b, "%s", "")
#define	ATF_CHECK_EQ(a, b)	ATF_CHECK_EQ_MSG(a, b, "%s", "")

#endif /* !_TESTS_ATF_C_H_ */
