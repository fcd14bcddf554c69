/*
 * t_hostlib.c: the host library inside someone else's program.
 *
 * An ordinary host program, built against the installed headers and
 * libukmem.a as pkg-config gives them, with names of its own that the
 * kernel inside the library also has (panic, ncpu, hz, delay, mutex_init,
 * cv_wait, kthread_create, strlcpy): it links only if the library
 * exports nothing but its interface.  The cases check that a thread
 * which once called in is never sent a signal and never holds up a cross
 * call, that many scattered live buffers do not multiply the process's
 * mappings, that memory the host refuses makes KM_NOSLEEP fail cleanly
 * and KM_SLEEP wait, and that UKMEM_DEBUG switches kmem's checks on.
 */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atf-c.h>

#include <sys/kmem.h>
#include <sys/vmem.h>

/* The program's own uses of names the kernel inside the library has. */
int ncpu = 7;
const char *hz = "the program's hz";
static int t_panics;

void	panic(void);
void	delay(void);
int	mutex_init(int);
int	cv_wait(int);
int	kthread_create(int);
char	*strlcpy(const char *);

void panic(void) { t_panics++; }
void delay(void) { }
int mutex_init(int x) { return x + 1; }
int cv_wait(int x) { return x + 2; }
int kthread_create(int x) { return x + 3; }
char *strlcpy(const char *s) { return strdup(s); }

ATF_TC(own_symbols);
ATF_TC_HEAD(own_symbols, tc)
{

	atf_tc_set_md_var(tc, "descr", "a program that defines panic, ncpu, "
	    "hz, delay, mutex_init, cv_wait, kthread_create and strlcpy "
	    "links with the library, and both keep their own");
}
ATF_TC_BODY(own_symbols, tc)
{
	vmem_addr_t a;
	vmem_t *vm;
	void *p;

	p = kmem_alloc(100, KM_SLEEP);
	ATF_REQUIRE(p != NULL);
	kmem_free(p, 100);
	vm = vmem_create("t_host", 0x1000, 0x10000, 0x10, NULL, NULL, NULL,
	    0, VM_SLEEP, 0);
	ATF_REQUIRE(vm != NULL);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x20, VM_SLEEP, &a), 0);
	vmem_free(vm, a, 0x20);
	vmem_destroy(vm);
	ATF_CHECK_EQ(ncpu, 7);
	ATF_CHECK_EQ(mutex_init(1) + cv_wait(1) + kthread_create(1), 9);
	ATF_CHECK_EQ(t_panics, 0);
	panic();
	ATF_CHECK_EQ(t_panics, 1);
}

/* ---- cross calls borrow no thread of the program */

#define	T_OBJS	50

static int t_dtors;
static volatile int t_reaped;
static int t_eintr;
static kmem_cache_t *t_kc;

static void
t_dtor(void *buf, void *arg)
{

	(void)buf;
	(void)arg;
	__atomic_fetch_add(&t_dtors, 1, __ATOMIC_RELAXED);
}

/*
 * Fill this thread's magazines, then block every signal and sleep in the
 * host until the main thread is done, counting interrupted sleeps.
 */
static void *
t_sleeper(void *arg)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	void *p[T_OBJS];
	sigset_t all;
	int i;

	(void)arg;
	for (i = 0; i < T_OBJS; i++)
		p[i] = kmem_cache_alloc(t_kc, KM_SLEEP);
	for (i = 0; i < T_OBJS; i++)
		kmem_cache_free(t_kc, p[i]);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!t_reaped) {
		if (nanosleep(&ts, NULL) == -1 && errno == EINTR)
			t_eintr++;
	}
	return NULL;
}

ATF_TC(xcall_no_signal);
ATF_TC_HEAD(xcall_no_signal, tc)
{

	atf_tc_set_md_var(tc, "descr", "kmem_reap and kmem_cache_destroy "
	    "empty the magazines of a thread that called in once and now "
	    "sleeps outside with every signal blocked, without waiting for "
	    "it and without interrupting its sleep");
	atf_tc_set_md_var(tc, "timeout", "60");
}
ATF_TC_BODY(xcall_no_signal, tc)
{
	struct timespec ts = { 0, 1000 * 1000 };
	pthread_t t;
	int i;

	t_kc = kmem_cache_create("t_xcall", 64, 0, NULL, t_dtor, NULL, NULL,
	    NULL, 0);
	ATF_REQUIRE_EQ(pthread_create(&t, NULL, t_sleeper, NULL), 0);
	for (i = 0; i < 20; i++) {
		nanosleep(&ts, NULL);
		kmem_reap();
	}
	kmem_cache_destroy(t_kc);
	ATF_CHECK_EQ(t_dtors, T_OBJS);
	t_reaped = 1;
	pthread_join(t, NULL);
	ATF_CHECK_EQ(t_eintr, 0);
}

/* ---- scattered buffers and the host's mappings */

/* Lines of /proc/self/maps: the process's mappings. */
static int
t_nmaps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int c, n = 0;

	if (f == NULL)
		return -1;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static uint64_t t_rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
t_random(void)
{

	t_rng ^= t_rng << 13;
	t_rng ^= t_rng >> 7;
	t_rng ^= t_rng << 17;
	return t_rng;
}

ATF_TC(many_mappings);
ATF_TC_HEAD(many_mappings, tc)
{

	atf_tc_set_md_var(tc, "descr", "60,000 live buffers of 12 to 64 KiB "
	    "with churn (about 2 GiB) leave the process far below Linux's "
	    "65,530 mappings");
	atf_tc_set_md_var(tc, "timeout", "300");
}
ATF_TC_BODY(many_mappings, tc)
{
	enum { N = 60000, CHURN = 240000 };
	static char *p[N];
	static size_t sz[N];
	size_t live = 0;
	int before, after, i, j;

	printf("seed %#llx\n", (unsigned long long)t_rng);
	before = t_nmaps();
	for (i = 0; i < N; i++) {
		sz[i] = 12 * 1024 + t_random() % (52 * 1024 + 1);
		p[i] = kmem_alloc(sz[i], KM_SLEEP);
		p[i][0] = (char)i;
		live += sz[i];
	}
	for (j = 0; j < CHURN; j++) {
		i = (int)(t_random() % N);
		ATF_REQUIRE_EQ(p[i][0], (char)i);
		kmem_free(p[i], sz[i]);
		live -= sz[i];
		sz[i] = 12 * 1024 + t_random() % (52 * 1024 + 1);
		p[i] = kmem_alloc(sz[i], KM_SLEEP);
		p[i][0] = (char)i;
		live += sz[i];
	}
	after = t_nmaps();
	printf("%d buffers, %zu MiB live; mappings %d before, %d after\n",
	    N, live >> 20, before, after);
	ATF_CHECK_MSG(after - before < 1000, "mappings grew from %d to %d",
	    before, after);
	for (i = 0; i < N; i++)
		kmem_free(p[i], sz[i]);
}

/* ---- memory the host refuses */

static volatile int t_refused_go, t_refused_done;

/* The process's private writable memory (VmData), in bytes. */
static rlim_t
t_vmdata(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	ATF_REQUIRE((f = fopen("/proc/self/status", "r")) != NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmData: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	ATF_REQUIRE(kb > 0);
	return (rlim_t)kb * 1024;
}

/* Wait for the word to go, then allocate with KM_SLEEP. */
static void *
t_refused_main(void *arg)
{
	struct timespec ts = { 0, 1000000 };
	void *p;

	while (!__atomic_load_n(&t_refused_go, __ATOMIC_ACQUIRE))
		nanosleep(&ts, NULL);
	p = kmem_alloc((size_t)(uintptr_t)arg, KM_SLEEP);
	__atomic_store_n(&t_refused_done, 1, __ATOMIC_RELEASE);
	return p;
}

ATF_TC(host_refuses);
ATF_TC_HEAD(host_refuses, tc)
{

	atf_tc_set_md_var(tc, "descr", "when the host refuses memory "
	    "(RLIMIT_DATA stops mprotect), KM_NOSLEEP returns NULL and "
	    "leaves nothing allocated, and KM_SLEEP waits until the host "
	    "gives memory again");
}
ATF_TC_BODY(host_refuses, tc)
{
	enum { SZ = 256 * 1024, N = 256 };
	static void *p[N];
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	vmem_size_t before = 0, after = 0;
	struct rlimit old, rl;
	void *q = NULL;
	pthread_t t;
	int i, n, waited;

	ATF_REQUIRE(getrlimit(RLIMIT_DATA, &old) == 0);
	ATF_REQUIRE(pthread_create(&t, NULL, t_refused_main,
	    (void *)(uintptr_t)SZ) == 0);
	rl = old;
	rl.rlim_cur = t_vmdata() + 1024 * 1024;
	if (old.rlim_max != RLIM_INFINITY && rl.rlim_cur > old.rlim_max)
		atf_tc_skip("RLIMIT_DATA's hard limit is below what we use");

	/* From here to the raise, nothing but kmem may take memory. */
	ATF_REQUIRE(setrlimit(RLIMIT_DATA, &rl) == 0);
	for (n = 0; n < N; n++) {
		before = vmem_size(kmem_meta_arena, VMEM_ALLOC);
		if ((p[n] = kmem_alloc(SZ, KM_NOSLEEP)) == NULL)
			break;
	}
	after = vmem_size(kmem_meta_arena, VMEM_ALLOC);
	__atomic_store_n(&t_refused_go, 1, __ATOMIC_RELEASE);
	nanosleep(&ts, NULL);
	waited = !__atomic_load_n(&t_refused_done, __ATOMIC_ACQUIRE);
	ATF_REQUIRE(setrlimit(RLIMIT_DATA, &old) == 0);

	ATF_REQUIRE(pthread_join(t, &q) == 0);
	printf("%d buffers of %d KiB before the host refused\n", n,
	    SZ / 1024);
	ATF_CHECK_MSG(n < N, "the host never refused");
	ATF_CHECK_EQ(after, before);
	ATF_CHECK_MSG(waited, "KM_SLEEP returned while the host refused");
	ATF_CHECK(q != NULL);
	if (q != NULL)
		kmem_free(q, SZ);
	for (i = 0; i < n; i++)
		kmem_free(p[i], SZ);
}

/* ---- UKMEM_DEBUG */

/*
 * Run h_debug (with argument arg, if not NULL) with UKMEM_DEBUG set to
 * value (NULL: unset), its output to h_debug.out; its status.
 */
static int
t_run_helper2(const atf_tc_t *tc, const char *value, const char *arg)
{
	char path[4096];
	const char *srcdir = atf_tc_get_config_var_wd(tc, "srcdir", ".");
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s/h_debug", srcdir);
	pid = fork();
	ATF_REQUIRE(pid != -1);
	if (pid == 0) {
		if (value != NULL)
			setenv("UKMEM_DEBUG", value, 1);
		else
			unsetenv("UKMEM_DEBUG");
		if (freopen("h_debug.out", "w", stdout) == NULL)
			_exit(126);
		execl(path, "h_debug", arg, (char *)NULL);
		_exit(127);
	}
	ATF_REQUIRE(waitpid(pid, &status, 0) == pid);
	return status;
}

/* Run h_debug without an argument. */
static int
t_run_helper(const atf_tc_t *tc, const char *value)
{

	return t_run_helper2(tc, value, NULL);
}

ATF_TC(debug_environment);
ATF_TC_HEAD(debug_environment, tc)
{

	atf_tc_set_md_var(tc, "descr", "UKMEM_DEBUG=1 switches kmem's "
	    "debugging checks on before main: an overrun of a kmem_alloc "
	    "buffer panics; without it, or with 0, it goes unseen");
}
ATF_TC_BODY(debug_environment, tc)
{
	int status;

	status = t_run_helper(tc, "1");
	ATF_CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "UKMEM_DEBUG=1: status %#x, not a panic", status);
	status = t_run_helper(tc, "0");
	ATF_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "UKMEM_DEBUG=0: status %#x", status);
	status = t_run_helper(tc, NULL);
	ATF_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "no UKMEM_DEBUG: status %#x", status);
}

ATF_TC(leak_environment);
ATF_TC_HEAD(leak_environment, tc)
{

	atf_tc_set_md_var(tc, "descr", "with UKMEM_DEBUG=audit, "
	    "kmem_leak_print names the caller of kmem_alloc that leaked, "
	    "with counts and bytes");
}
ATF_TC_BODY(leak_environment, tc)
{
	int status;

	status = t_run_helper2(tc, "audit", "leak");
	ATF_REQUIRE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
	ATF_CHECK(atf_utils_grep_file("kmem leaks: cache kmem-[0-9]+: 2 "
	    "buffer\\(s\\), 200 bytes", "h_debug.out"));
	ATF_CHECK(atf_utils_grep_file("2 buffer\\(s\\) +200 bytes +allocated "
	    "from 0x", "h_debug.out"));
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, own_symbols);
	ATF_TP_ADD_TC(tp, xcall_no_signal);
	ATF_TP_ADD_TC(tp, many_mappings);
	ATF_TP_ADD_TC(tp, host_refuses);
	ATF_TP_ADD_TC(tp, debug_environment);
	ATF_TP_ADD_TC(tp, leak_environment);
	return atf_no_error();
}
