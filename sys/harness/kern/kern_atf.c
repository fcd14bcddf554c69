/*
 * kern_atf.c: ATF's C test interface inside the test kernel.
 *
 * The test programs under tests/ are written against tests/include/atf-c.h;
 * on the host they link libatf-c, here they link these functions.  The
 * kernel is built with every kernel test program in it, each program's
 * main renamed at compile time and listed in atf_kernel_progs (a table
 * the build generates).  The command line names one case, atf=PROG:CASE;
 * the kernel calls that program's main, whose atf_tp_main collects the
 * cases and runs the named one in the calling thread.
 *
 * Each boot runs one case, so a case ends the kernel: whatever ends it
 * (the body returning, atf_tc_fail, atf_tc_skip, a failed requirement, a
 * panic) prints exactly one line
 *
 *	@@ATF-RESULT@@ <outcome>[: <reason>]
 *
 * with outcome passed, failed, skipped, expected_failure or
 * expected_signal, and powers off with status 0 (1 for failed).  The
 * host-side runner reads that line; nothing else the kernel prints can
 * look like it, since the prefix is printed nowhere else.  A panic counts
 * as the signal atf_tc_expect_signal waits for, as abort() does on the
 * host platform; any other panic fails the case with the panic message.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/kernel.h>
#include <sys/systm.h>

#include <atf-c.h>

#define	ATF_MAX_TCS		256
#define	ATF_REASON_MAX		480
#define	ATF_RESULT_PREFIX	"@@ATF-RESULT@@"

struct atf_tc_impl {
	const struct atf_tc_pack *ti_pack;	/* the case, as declared */
};

enum atf_expect {
	ATF_EXPECT_PASS,
	ATF_EXPECT_FAIL,
	ATF_EXPECT_SIGNAL,
};

/*
 * Legend: I set before the body runs, a atomic (set by whichever thread
 * of the case gets there first).
 */
static struct atf_kernel {
	struct atf_tc_impl	ak_impl[ATF_MAX_TCS];	/* I */
	atf_tc_t		*ak_tcs[ATF_MAX_TCS];	/* I */
	u_int			ak_ntcs;		/* I */
	const char		*ak_prog;		/* I */
	volatile int		ak_expect;	/* a: enum atf_expect */
	char			ak_expect_reason[ATF_REASON_MAX]; /* a */
	volatile u_int		ak_nfailed;	/* a: failed checks */
	volatile u_int		ak_done;	/* a: a result is printed */
} atf_kernel;

static char *atf_kernel_noconfig[] = { NULL };

/* ---- ending a case */

/* Print the result line and power off.  Only the first caller prints. */
static void __dead
atf_kernel_end(const char *outcome, const char *reason)
{
	char line[ATF_REASON_MAX];
	size_t i;

	if (atomic_swap_uint(&atf_kernel.ak_done, 1) != 0)
		for (;;)
			continue;
	strlcpy(line, reason != NULL ? reason : "", sizeof(line));
	for (i = 0; line[i] != '\0'; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	if (reason != NULL)
		printf("\n" ATF_RESULT_PREFIX " %s: %s\n", outcome, line);
	else
		printf("\n" ATF_RESULT_PREFIX " %s\n", outcome);
	cpu_poweroff(strcmp(outcome, "failed") == 0 ? 1 : 0);
}

/* The case failed with reason; what that means depends on expectations. */
static void __dead
atf_kernel_failed(const char *reason)
{
	char buf[ATF_REASON_MAX];

	if (atf_kernel.ak_expect == ATF_EXPECT_FAIL) {
		snprintf(buf, sizeof(buf), "%s: %s",
		    atf_kernel.ak_expect_reason, reason);
		atf_kernel_end("expected_failure", buf);
	}
	atf_kernel_end("failed", reason);
}

/* The case ran to its end without failing. */
static void __dead
atf_kernel_passed(void)
{

	switch (atf_kernel.ak_expect) {
	case ATF_EXPECT_FAIL:
		atf_kernel_end("failed", "Test case was expected to fail but "
		    "it did not");
	case ATF_EXPECT_SIGNAL:
		atf_kernel_end("failed", "Test case was expected to receive "
		    "a termination signal (a panic) but it continued");
	default:
		atf_kernel_end("passed", NULL);
	}
}

/* panic() calls this once it has printed its message. */
void
atf_kernel_panic(const char *msg)
{
	char buf[ATF_REASON_MAX];

	if (atf_kernel.ak_prog == NULL)
		cpu_poweroff(3);
	if (atf_kernel.ak_expect == ATF_EXPECT_SIGNAL)
		atf_kernel_end("expected_signal", atf_kernel.ak_expect_reason);
	snprintf(buf, sizeof(buf), "panic: %s", msg);
	atf_kernel_failed(buf);
}

/* ---- running a case */

/* Run PROG:CASE; never returns, since the case powers the kernel off. */
int
atf_kernel_run(const char *arg)
{
	static char prog[128];
	const struct atf_kernel_prog *ap;
	char *argv[3], *colon;

	strlcpy(prog, arg, sizeof(prog));
	if ((colon = prog + strlen(prog)) == prog)
		atf_kernel_end("failed", "atf=PROG:CASE expected");
	while (colon > prog && *colon != ':')
		colon--;
	if (*colon != ':')
		atf_kernel_end("failed", "atf=PROG:CASE expected");
	*colon = '\0';
	for (ap = atf_kernel_progs; ap->ap_name != NULL; ap++)
		if (strcmp(ap->ap_name, prog) == 0)
			break;
	if (ap->ap_name == NULL)
		atf_kernel_end("failed", "no such test program in the kernel");
	atf_kernel.ak_prog = ap->ap_name;
	argv[0] = prog;
	argv[1] = colon + 1;
	argv[2] = NULL;
	(void)(*ap->ap_main)(2, argv);
	atf_kernel_end("failed", "the test program returned");
}

int
atf_tp_main(int argc, char **argv, atf_error_t (*add_tcs)(atf_tp_t *))
{
	atf_tp_t tp = { NULL };
	const struct atf_tc_pack *pack;
	atf_tc_t *tc;
	u_int i;

	if (argc != 2 || (*add_tcs)(&tp) != atf_no_error())
		atf_kernel_end("failed", "cannot set up the test program");
	for (i = 0; i < atf_kernel.ak_ntcs; i++) {
		tc = atf_kernel.ak_tcs[i];
		pack = tc->pimpl->ti_pack;
		if (strcmp(pack->m_ident, argv[1]) != 0)
			continue;
		printf("atf: %s:%s on %u CPUs\n", atf_kernel.ak_prog,
		    pack->m_ident, ncpu);
		if (pack->m_head != NULL)
			(*pack->m_head)(tc);
		(*pack->m_body)(tc);
		if (atf_kernel.ak_nfailed != 0)
			atf_kernel_failed("Some checks failed; see the log");
		atf_kernel_passed();
	}
	atf_kernel_end("failed", "no such test case");
}

/* ---- libatf-c's interface */

atf_error_t
atf_no_error(void)
{

	return NULL;
}

atf_error_t
atf_tc_init_pack(atf_tc_t *tc, atf_tc_pack_t *pack, const char *const *config)
{
	u_int n = atf_kernel.ak_ntcs;

	(void)config;
	if (n == ATF_MAX_TCS)
		panic("atf: more than %d test cases", ATF_MAX_TCS);
	atf_kernel.ak_impl[n].ti_pack = pack;
	tc->pimpl = &atf_kernel.ak_impl[n];
	return atf_no_error();
}

atf_error_t
atf_tp_add_tc(atf_tp_t *tp, atf_tc_t *tc)
{

	(void)tp;
	atf_kernel.ak_tcs[atf_kernel.ak_ntcs++] = tc;
	return atf_no_error();
}

char **
atf_tp_get_config(const atf_tp_t *tp)
{

	(void)tp;
	return atf_kernel_noconfig;
}

atf_error_t
atf_tc_set_md_var(atf_tc_t *tc, const char *name, const char *fmt, ...)
{

	(void)tc;
	(void)name;
	(void)fmt;
	return atf_no_error();
}

/* Configuration variables come from the command line: name=value. */
const char *
atf_tc_get_config_var_wd(const atf_tc_t *tc, const char *name,
    const char *dflt)
{
	const char *v = kernel_getarg(name);

	(void)tc;
	return v != NULL ? v : dflt;
}

long
atf_tc_get_config_var_as_long_wd(const atf_tc_t *tc, const char *name,
    const long dflt)
{
	const char *v = kernel_getarg(name);
	long n = 0;
	bool neg;

	(void)tc;
	if (v == NULL || *v == '\0')
		return dflt;
	if ((neg = *v == '-'))
		v++;
	for (; *v >= '0' && *v <= '9'; v++)
		n = n * 10 + (*v - '0');
	return neg ? -n : n;
}

void
atf_tc_fail(const char *fmt, ...)
{
	char buf[ATF_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	atf_kernel_failed(buf);
}

void
atf_tc_fail_nonfatal(const char *fmt, ...)
{
	va_list ap;

	printf("atf: check failed: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	atomic_inc_uint(&atf_kernel.ak_nfailed);
}

void
atf_tc_fail_check(const char *file, const size_t line, const char *fmt, ...)
{
	va_list ap;

	printf("atf: check failed: %s:%zu: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	atomic_inc_uint(&atf_kernel.ak_nfailed);
}

void
atf_tc_fail_requirement(const char *file, const size_t line,
    const char *fmt, ...)
{
	char buf[ATF_REASON_MAX];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "%s:%zu: ", file, line);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	atf_kernel_failed(buf);
}

void
atf_tc_pass(void)
{

	atf_kernel_passed();
}

void
atf_tc_skip(const char *fmt, ...)
{
	char buf[ATF_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	atf_kernel_end("skipped", buf);
}

void
atf_tc_expect_pass(void)
{

	atomic_store_release(&atf_kernel.ak_expect, (int)ATF_EXPECT_PASS);
}

void
atf_tc_expect_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(atf_kernel.ak_expect_reason,
	    sizeof(atf_kernel.ak_expect_reason), fmt, ap);
	va_end(ap);
	atomic_store_release(&atf_kernel.ak_expect, (int)ATF_EXPECT_FAIL);
}

void
atf_tc_expect_signal(const int signo, const char *fmt, ...)
{
	va_list ap;

	(void)signo;
	va_start(ap, fmt);
	vsnprintf(atf_kernel.ak_expect_reason,
	    sizeof(atf_kernel.ak_expect_reason), fmt, ap);
	va_end(ap);
	atomic_store_release(&atf_kernel.ak_expect, (int)ATF_EXPECT_SIGNAL);
}
