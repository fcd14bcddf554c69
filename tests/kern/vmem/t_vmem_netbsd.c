/*
 * t_vmem_netbsd.c: vmem(9)'s NetBSD interfaces and NetBSD's answers.
 *
 * NetBSD's flag values; VM_PRIVTAGS arenas with vmem_add_bts;
 * vmem_xcreate with an import that returns more than it was asked for;
 * VM_LARGEIMPORT; vmem_xalloc_addr; vmem_xfreeall;
 * the ddb entry points vmem_whatis, vmem_printall and vmem_print;
 * vmem_rehash_start; and the answers NetBSD's callers depend on: a
 * [minaddr, maxaddr] range smaller than the size fails with ENOMEM under
 * VM_NOSLEEP, a nocross below the alignment is accepted when the request
 * can be met, and an import function may come with a NULL source.
 */

#include <sys/param.h>
#include <sys/errno.h>
#include <sys/intr.h>
#include <sys/kthread.h>
#include <sys/mutex.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <atf-c.h>

#include "../t_sleeper.h"

/* Declare a case that must end in a panic. */
#define	T_MISUSE(name, text)						\
ATF_TC(name);								\
ATF_TC_HEAD(name, tc)							\
{									\
	atf_tc_set_md_var(tc, "descr", text);				\
}

CTASSERT(VM_SLEEP == 0x00000001);
CTASSERT(VM_NOSLEEP == 0x00000002);
CTASSERT(VM_INSTANTFIT == 0x00001000);
CTASSERT(VM_BESTFIT == 0x00002000);
CTASSERT(VM_BOOTSTRAP == 0x00010000);
CTASSERT(VM_POPULATING == 0x00040000);
CTASSERT(VM_LARGEIMPORT == 0x00080000);
CTASSERT(VM_XIMPORT == 0x00100000);
CTASSERT(VM_PRIVTAGS == 0x00200000);
CTASSERT(powerof2(VM_NEXTFIT));
CTASSERT((VM_NEXTFIT & (VM_SLEEP | VM_NOSLEEP | VM_INSTANTFIT |
    VM_BESTFIT | VM_BOOTSTRAP | VM_POPULATING | VM_LARGEIMPORT |
    VM_XIMPORT | VM_PRIVTAGS)) == 0);

/* A plain arena of [base, base + size) with quantum q. */
static vmem_t *
t_arena(const char *name, vmem_addr_t base, vmem_size_t size, vmem_size_t q,
    vm_flag_t flags)
{
	vmem_t *vm;

	vm = vmem_create(name, base, size, q, NULL, NULL, NULL, 0,
	    VM_SLEEP | flags, IPL_NONE);
	ATF_REQUIRE(vm != NULL);
	return vm;
}

/* ---- creation flags */

ATF_TC(create_flags);
ATF_TC_HEAD(create_flags, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_create accepts NetBSD's "
	    "VM_BOOTSTRAP and VM_POPULATING, and the arena works; "
	    "VM_BESTFIT, at NetBSD's value, takes the smallest fit");
}
ATF_TC_BODY(create_flags, tc)
{
	vmem_t *vm;
	vmem_addr_t a, b, c;

	vm = t_arena("t_flags", 0x1000, 0x1000, 0x10,
	    VM_BOOTSTRAP | VM_POPULATING);
	/* Free holes of 0x40 at 0x1040 and 0x20 at 0x10a0. */
	ATF_REQUIRE_EQ(vmem_xalloc_addr(vm, 0x1000, 0x40, VM_NOSLEEP), 0);
	ATF_REQUIRE_EQ(vmem_xalloc_addr(vm, 0x1080, 0x20, VM_NOSLEEP), 0);
	ATF_REQUIRE_EQ(vmem_xalloc_addr(vm, 0x10c0, 0x40, VM_NOSLEEP), 0);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x20, VM_NOSLEEP | VM_BESTFIT, &a), 0);
	ATF_CHECK_EQ(a, 0x10a0);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x40, VM_NOSLEEP | VM_BESTFIT, &b), 0);
	ATF_CHECK_EQ(b, 0x1040);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x10, VM_NOSLEEP | VM_NEXTFIT, &c), 0);
	ATF_CHECK_EQ(c, 0x1100);	/* the only free space left */
	vmem_xfreeall(vm);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	vmem_destroy(vm);
}

/* ---- VM_PRIVTAGS: tags from the caller's storage */

#define	T_PRIV_N	8			/* allocations the tags serve */
#define	T_PRIV_BASE	0x100000		/* the arena's span */
#define	T_PRIV_SIZE	0x100000

static struct vmem_btag t_priv_bts[VMEM_EST_BTCOUNT(1, T_PRIV_N)];

/* Is bt one of the n tags at a, or of the m tags at b? */
static bool
t_tag_in(const bt_t *bt, const bt_t *a, size_t n, const bt_t *b, size_t m)
{

	return (bt >= a && bt < a + n) || (b != NULL && bt >= b && bt < b + m);
}

/*
 * Is every tag the arena holds, in use or spare, one of the n tags at a
 * or the m tags at b (b may be NULL)?
 */
static bool
t_tags_from(vmem_t *vm, const bt_t *a, size_t n, const bt_t *b, size_t m)
{
	const bt_t *bt;
	bool ok = true;

	mutex_enter(&vm->vm_lock);
	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist)
		ok &= t_tag_in(bt, a, n, b, m);
	SLIST_FOREACH(bt, &vm->vm_freetags, bt_sparelist)
		ok &= t_tag_in(bt, a, n, b, m);
	mutex_exit(&vm->vm_lock);
	return ok;
}

/* Is every tag the arena holds one of t_priv_bts? */
static bool
t_priv_own(vmem_t *vm)
{

	return t_tags_from(vm, t_priv_bts, __arraycount(t_priv_bts), NULL, 0);
}

ATF_TC(privtags);
ATF_TC_HEAD(privtags, tc)
{

	atf_tc_set_md_var(tc, "descr", "an arena made with VM_PRIVTAGS "
	    "takes every tag from vmem_add_bts: VMEM_EST_BTCOUNT(1, n) tags "
	    "serve a span and n allocations that each split a free segment, "
	    "the next VM_NOSLEEP request fails with ENOMEM, and frees give "
	    "the tags back to the arena, not to the shared stock");
}
ATF_TC_BODY(privtags, tc)
{
	vmem_addr_t a, va[T_PRIV_N];
	vmem_t *vm;
	u_int i;

	vm = vmem_create("t_priv", 0, 0, 0x10, NULL, NULL, NULL, 0,
	    VM_NOSLEEP | VM_PRIVTAGS, IPL_VM);
	ATF_REQUIRE(vm != NULL);
	ATF_CHECK_EQ(vmem_add(vm, T_PRIV_BASE, T_PRIV_SIZE, VM_NOSLEEP),
	    ENOMEM);
	vmem_add_bts(vm, t_priv_bts, __arraycount(t_priv_bts));
	ATF_REQUIRE_EQ(vmem_add(vm, T_PRIV_BASE, T_PRIV_SIZE, VM_NOSLEEP), 0);
	for (i = 0; i < T_PRIV_N; i++) {
		/* In the middle of the free space: two new tags each. */
		va[i] = T_PRIV_BASE + 0x100 * (i + 1);
		ATF_REQUIRE_EQ_MSG(vmem_xalloc_addr(vm, va[i], 0x10,
		    VM_NOSLEEP), 0, "allocation %u of %d", i, T_PRIV_N);
	}
	ATF_CHECK(t_priv_own(vm));
	ATF_CHECK_EQ(vm->vm_nfreetags, 0);
	ATF_CHECK_EQ(vmem_xalloc_addr(vm, T_PRIV_BASE + 0x8000, 0x10,
	    VM_NOSLEEP), ENOMEM);
	ATF_CHECK_EQ(vmem_alloc(vm, 0x10, VM_NOSLEEP, &a), ENOMEM);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), T_PRIV_N * 0x10);
	for (i = 0; i < T_PRIV_N; i++)
		vmem_free(vm, va[i], 0x10);
	ATF_CHECK_EQ(vm->vm_nfreetags, __arraycount(t_priv_bts) - 2);
	ATF_CHECK(t_priv_own(vm));
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x10, VM_NOSLEEP, &a), 0);
	vmem_free(vm, a, 0x10);
	vmem_check(vm);
	vmem_destroy(vm);
}

/* Tags for privtags_sleep: a span and one allocation, then one more. */
static struct vmem_btag t_pwait_bts[VMEM_EST_BTCOUNT(1, 1)];
static struct vmem_btag t_pwait_more[VMEM_EST_BTCOUNT(0, 1)];

/* A VM_SLEEP vmem_xalloc for a t_sleeper to make, and what it returned. */
struct t_pwait {
	vmem_t		*tp_vm;
	vmem_addr_t	tp_addr;
	int		tp_error;
};

/* Allocate 0x10 at a multiple of 0x100 with VM_SLEEP; record the answer. */
static void
t_pwait_alloc(void *arg)
{
	struct t_pwait *tp = arg;

	tp->tp_error = vmem_xalloc(tp->tp_vm, 0x10, 0x100, 0, 0,
	    VMEM_ADDR_MIN, VMEM_ADDR_MAX, VM_SLEEP, &tp->tp_addr);
}

/* Is every tag the arena holds one of t_pwait_bts or t_pwait_more? */
static bool
t_pwait_own(vmem_t *vm)
{

	return t_tags_from(vm, t_pwait_bts, __arraycount(t_pwait_bts),
	    t_pwait_more, __arraycount(t_pwait_more));
}

ATF_TC(privtags_sleep);
ATF_TC_HEAD(privtags_sleep, tc)
{

	atf_tc_set_md_var(tc, "descr", "in an arena made with VM_PRIVTAGS "
	    "that has fewer than two spare tags, a VM_NOSLEEP request fails "
	    "with ENOMEM and a VM_SLEEP vmem_xalloc waits, through one more "
	    "tag, until vmem_add_bts gives it enough, then succeeds");
}
ATF_TC_BODY(privtags_sleep, tc)
{
	struct t_sleeper ts;
	struct t_pwait tp;
	vmem_addr_t a, first;
	vmem_t *vm;
	lwp_t *l;

	vm = vmem_create("t_privwait", 0, 0, 0x10, NULL, NULL, NULL, 0,
	    VM_NOSLEEP | VM_PRIVTAGS, IPL_VM);
	ATF_REQUIRE(vm != NULL);
	vmem_add_bts(vm, t_pwait_bts, __arraycount(t_pwait_bts));
	ATF_REQUIRE_EQ(vmem_add(vm, T_PRIV_BASE, T_PRIV_SIZE, VM_NOSLEEP), 0);
	first = T_PRIV_BASE + 0x1000;
	ATF_REQUIRE_EQ(vmem_xalloc_addr(vm, first, 0x10, VM_NOSLEEP), 0);
	ATF_REQUIRE_EQ(vm->vm_nfreetags, 0);
	ATF_CHECK_EQ(vmem_alloc(vm, 0x10, VM_NOSLEEP, &a), ENOMEM);
	ATF_CHECK_EQ(vmem_xalloc(vm, 0x10, 0x100, 0, 0, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, VM_NOSLEEP, &a), ENOMEM);

	/* Out of tags: the sleeper must still be in vmem_xalloc. */
	tp = (struct t_pwait){ .tp_vm = vm, .tp_error = -1 };
	ts = (struct t_sleeper){ .ts_call = t_pwait_alloc, .ts_arg = &tp };
	l = t_sleeper_start(&ts, "VM_SLEEP with no spare tags");

	/* One tag is still fewer than one hold of the lock may take. */
	vmem_add_bts(vm, &t_pwait_more[0], 1);
	ATF_CHECK_EQ(vmem_alloc(vm, 0x10, VM_NOSLEEP, &a), ENOMEM);
	kpause("tpwait", false, hz / 10, NULL);
	ATF_CHECK_EQ_MSG(t_sleeper_state(&ts), T_SLEEPER_CALLING,
	    "VM_SLEEP with one spare tag did not wait");

	vmem_add_bts(vm, &t_pwait_more[1], 1);
	kthread_join(l);
	ATF_CHECK_EQ(t_sleeper_state(&ts), T_SLEEPER_DONE);
	ATF_REQUIRE_EQ_MSG(tp.tp_error, 0, "VM_SLEEP vmem_xalloc failed");
	ATF_CHECK_EQ(tp.tp_addr % 0x100, 0);
	ATF_CHECK(tp.tp_addr >= T_PRIV_BASE &&
	    tp.tp_addr + 0x10 <= T_PRIV_BASE + T_PRIV_SIZE);
	ATF_CHECK(tp.tp_addr + 0x10 <= first || tp.tp_addr >= first + 0x10);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0x20);
	ATF_CHECK(t_pwait_own(vm));
	vmem_xfree(vm, tp.tp_addr, 0x10);
	vmem_xfree(vm, first, 0x10);
	vmem_check(vm);
	vmem_destroy(vm);
}

T_MISUSE(misuse_privtags_span, "vmem_create with VM_PRIVTAGS and a first "
    "span panics: the span's tags could only come from the shared stock")
ATF_TC_BODY(misuse_privtags_span, tc)
{

	atf_tc_expect_signal(SIGABRT, "a first span must panic");
	(void)vmem_create("t_privspan", 0x1000, 0x1000, 0x10, NULL, NULL, NULL,
	    0, VM_NOSLEEP | VM_PRIVTAGS, IPL_NONE);
}

T_MISUSE(misuse_add_bts_shared, "vmem_add_bts on an arena made without "
    "VM_PRIVTAGS panics: the caller's tags would reach the shared stock")
ATF_TC_BODY(misuse_add_bts_shared, tc)
{
	static struct vmem_btag bts[VMEM_EST_BTCOUNT(1, 1)];
	vmem_t *vm;

	vm = t_arena("t_shared", 0x1000, 0x1000, 0x10, 0);
	atf_tc_expect_signal(SIGABRT, "shared tags must panic");
	vmem_add_bts(vm, bts, __arraycount(bts));
}

/* ---- vmem_xcreate and imports */

#define	T_XGRAIN	0x4000	/* the x-import hands out this much at once */

static vmem_t *t_parent;
static u_int t_nimport, t_nrelease;
static vmem_size_t t_asked, t_released;
static vmem_t *t_import_arg;

/* An x-import: asks the parent for a multiple of T_XGRAIN. */
static int
t_ximport(vmem_t *arg, vmem_size_t size, vmem_size_t *sizep, vm_flag_t flags,
    vmem_addr_t *addrp)
{
	vmem_size_t got = roundup(size, T_XGRAIN);
	int error;

	t_nimport++;
	t_asked = size;
	t_import_arg = arg;
	error = vmem_alloc(arg, got, flags, addrp);
	if (error == 0)
		*sizep = got;
	return error;
}

/* The release that goes with t_ximport and t_import. */
static void
t_release(vmem_t *arg, vmem_addr_t addr, vmem_size_t size)
{

	t_nrelease++;
	t_released += size;
	vmem_free(arg, addr, size);
}

ATF_TC(xcreate);
ATF_TC_HEAD(xcreate, tc)
{

	atf_tc_set_md_var(tc, "descr", "an arena from vmem_xcreate adds the "
	    "whole span its import returns, however much more than asked, "
	    "serves later requests from it, and releases all of it");
}
ATF_TC_BODY(xcreate, tc)
{
	vmem_addr_t a[8];
	vmem_t *vm;
	int i;

	t_nimport = t_nrelease = 0;
	t_released = 0;
	t_parent = t_arena("t_xparent", 0x100000, 0x100000, 0x1000, 0);
	vm = vmem_xcreate("t_xchild", 0, 0, 0x10, t_ximport, t_release,
	    t_parent, 0, VM_SLEEP, IPL_NONE);
	ATF_REQUIRE(vm != NULL);
	ATF_CHECK((vm->vm_flags & VM_XIMPORT) != 0);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x100, VM_SLEEP, &a[0]), 0);
	ATF_CHECK_EQ(t_nimport, 1);
	ATF_CHECK(t_import_arg == t_parent);
	ATF_CHECK(t_asked < T_XGRAIN);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE), T_XGRAIN);
	for (i = 1; i < 8; i++)
		ATF_REQUIRE_EQ(vmem_alloc(vm, 0x100, VM_SLEEP, &a[i]), 0);
	ATF_CHECK_EQ(t_nimport, 1);
	for (i = 0; i < 8; i++)
		vmem_free(vm, a[i], 0x100);
	vmem_destroy(vm);
	ATF_CHECK_EQ(t_nrelease, 1);
	ATF_CHECK_EQ(t_released, T_XGRAIN);
	ATF_CHECK_EQ(vmem_size(t_parent, VMEM_ALLOC), 0);
	vmem_destroy(t_parent);
}

T_MISUSE(misuse_create_ximport, "vmem_create with VM_XIMPORT panics: "
    "only vmem_xcreate makes an arena whose import is a vmem_ximport_t")
ATF_TC_BODY(misuse_create_ximport, tc)
{

	atf_tc_expect_signal(SIGABRT, "VM_XIMPORT from a caller must panic");
	(void)vmem_create("t_ximp", 0, 0, 0x10, NULL, NULL, NULL, 0,
	    VM_SLEEP | VM_XIMPORT, IPL_NONE);
}

/* A plain import from the parent, recording the size asked for. */
static int
t_import(vmem_t *arg, vmem_size_t size, vm_flag_t flags, vmem_addr_t *addrp)
{

	t_nimport++;
	t_asked = size;
	t_import_arg = arg;
	return vmem_alloc(arg, size, flags, addrp);
}

ATF_TC(largeimport);
ATF_TC_HEAD(largeimport, tc)
{

	atf_tc_set_md_var(tc, "descr", "VM_LARGEIMPORT imports spans 16 "
	    "times the size a plain arena would ask for");
}
ATF_TC_BODY(largeimport, tc)
{
	vmem_size_t plain;
	vmem_addr_t a;
	vmem_t *vm;

	t_parent = t_arena("t_lparent", 0x100000, 0x1000000, 0x1000, 0);
	vm = vmem_create("t_plain", 0, 0, 0x1000, t_import, t_release,
	    t_parent, 0, VM_SLEEP, IPL_NONE);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x3000, VM_SLEEP, &a), 0);
	plain = t_asked;
	vmem_free(vm, a, 0x3000);
	vmem_destroy(vm);

	vm = vmem_create("t_large", 0, 0, 0x1000, t_import, t_release,
	    t_parent, 0, VM_SLEEP | VM_LARGEIMPORT, IPL_NONE);
	t_nimport = 0;
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x3000, VM_SLEEP, &a), 0);
	ATF_CHECK_EQ(t_asked, 16 * plain);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 16 * plain);
	vmem_free(vm, a, 0x3000);
	vmem_destroy(vm);
	ATF_CHECK_EQ(vmem_size(t_parent, VMEM_ALLOC), 0);
	vmem_destroy(t_parent);
}

ATF_TC(largeimport_qcache_source);
ATF_TC_HEAD(largeimport_qcache_source, tc)
{

	atf_tc_set_md_var(tc, "descr", "a VM_LARGEIMPORT arena importing "
	    "with vmem_alloc from a source with quantum caches (NetBSD's "
	    "kmem_va_arena) takes its span with the source's vmem_xalloc, "
	    "so that giving it back with vmem_xfree matches");
}
ATF_TC_BODY(largeimport_qcache_source, tc)
{
	vmem_addr_t a;
	vmem_t *vm;

	t_parent = vmem_create("t_qsource", 0x100000, 0x1000000, 0x1000,
	    NULL, NULL, NULL, 16 * 0x1000, VM_SLEEP, IPL_NONE);
	ATF_REQUIRE(t_parent != NULL);
	vm = vmem_create("t_qlarge", 0, 0, 0x1000, vmem_alloc, vmem_free,
	    t_parent, 0, VM_SLEEP | VM_LARGEIMPORT, IPL_NONE);
	ATF_REQUIRE(vm != NULL);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x1000, VM_SLEEP, &a), 0);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 16 * 0x1000);
	vmem_free(vm, a, 0x1000);
	vmem_destroy(vm);
	ATF_CHECK_EQ(vmem_size(t_parent, VMEM_ALLOC), 0);
	vmem_destroy(t_parent);
}

/* ---- an import with a NULL source */

static vmem_addr_t t_next_span = 0x40000000;

/* An import that needs no source arena: hands out fresh numbers. */
static int
t_import_nosrc(vmem_t *arg, vmem_size_t size, vm_flag_t flags,
    vmem_addr_t *addrp)
{

	t_nimport++;
	t_import_arg = arg;
	*addrp = t_next_span;
	t_next_span += roundup(size, 0x1000) + 0x1000;
	return 0;
}

/* Its release: records what came back. */
static void
t_release_nosrc(vmem_t *arg, vmem_addr_t addr, vmem_size_t size)
{

	t_nrelease++;
	t_released += size;
	t_import_arg = arg;
}

ATF_TC(import_null_source);
ATF_TC_HEAD(import_null_source, tc)
{

	atf_tc_set_md_var(tc, "descr", "an import function may come with a "
	    "NULL source, which it is passed as is, as NetBSD does");
}
ATF_TC_BODY(import_null_source, tc)
{
	vmem_addr_t a, b;
	vmem_t *vm;

	t_nimport = t_nrelease = 0;
	t_released = 0;
	t_import_arg = (vmem_t *)&t_nimport;
	vm = vmem_create("t_nosrc", 0, 0, 0x1000, t_import_nosrc,
	    t_release_nosrc, NULL, 0, VM_SLEEP, IPL_NONE);
	ATF_REQUIRE(vm != NULL);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x2000, VM_SLEEP, &a), 0);
	ATF_CHECK_EQ(t_nimport, 1);
	ATF_CHECK(t_import_arg == NULL);
	ATF_CHECK(a >= 0x40000000);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x1000, 0x4000, 0, 0, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, VM_NOSLEEP, &b), 0);
	ATF_CHECK_EQ(b % 0x4000, 0);
	vmem_xfree(vm, b, 0x1000);
	vmem_free(vm, a, 0x2000);
	vmem_destroy(vm);
	ATF_CHECK_EQ(t_nrelease, t_nimport);
	ATF_CHECK(t_released >= 0x3000);
}

/* ---- vmem_xalloc_addr and vmem_xfreeall */

ATF_TC(xalloc_addr);
ATF_TC_HEAD(xalloc_addr, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_xalloc_addr takes exactly the "
	    "range asked for, or fails with ENOMEM under VM_NOSLEEP when any "
	    "of it is taken");
}
ATF_TC_BODY(xalloc_addr, tc)
{
	vmem_t *vm = t_arena("t_addr", 0x10000, 0x10000, 0x100, 0);

	ATF_CHECK_EQ(vmem_xalloc_addr(vm, 0x12300, 0x400, VM_NOSLEEP), 0);
	ATF_CHECK_EQ(vmem_xalloc_addr(vm, 0x12600, 0x100, VM_NOSLEEP),
	    ENOMEM);
	ATF_CHECK_EQ(vmem_xalloc_addr(vm, 0x12200, 0x200, VM_NOSLEEP),
	    ENOMEM);
	ATF_CHECK_EQ(vmem_xalloc_addr(vm, 0x12700, 0x100, VM_SLEEP), 0);
	ATF_CHECK_EQ(vmem_xalloc_addr(vm, 0x1ff00, 0x200, VM_NOSLEEP),
	    ENOMEM);
	ATF_CHECK(vmem_contains(vm, 0x12300, 0x500));
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0x500);
	vmem_xfree(vm, 0x12300, 0x400);
	ATF_CHECK_EQ(vmem_xalloc_addr(vm, 0x12200, 0x200, VM_NOSLEEP), 0);
	vmem_xfreeall(vm);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	vmem_destroy(vm);
}

ATF_TC(xfreeall);
ATF_TC_HEAD(xfreeall, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_xfreeall frees every "
	    "allocation, imported spans go back to the source, and the arena "
	    "can be destroyed");
}
ATF_TC_BODY(xfreeall, tc)
{
	vmem_addr_t a;
	vmem_t *vm;
	int i;

	t_parent = t_arena("t_fparent", 0x100000, 0x100000, 0x1000, 0);
	t_nrelease = 0;
	vm = vmem_create("t_fchild", 0, 0, 0x10, t_import, t_release,
	    t_parent, 0, VM_SLEEP, IPL_NONE);
	for (i = 0; i < 300; i++)
		ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x10 * (1 + i % 7), 0, 0, 0,
		    VMEM_ADDR_MIN, VMEM_ADDR_MAX, VM_SLEEP, &a), 0);
	ATF_CHECK(vmem_size(vm, VMEM_ALLOC) > 0);
	vmem_xfreeall(vm);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	ATF_CHECK_EQ(vmem_size(t_parent, VMEM_ALLOC), 0);
	ATF_CHECK(t_nrelease > 0);
	vmem_check(vm);
	vmem_destroy(vm);
	vmem_destroy(t_parent);
}

T_MISUSE(misuse_xfreeall_qcache, "vmem_xfreeall of an arena with quantum "
    "caches panics: vmem_alloc's small segments must go back to them")
ATF_TC_BODY(misuse_xfreeall_qcache, tc)
{
	vmem_t *vm;

	vm = vmem_create("t_qc", 0x1000, 0x10000, 0x10, NULL, NULL, NULL,
	    0x40, VM_SLEEP, IPL_NONE);
	atf_tc_expect_signal(SIGABRT, "quantum caches must panic");
	vmem_xfreeall(vm);
}

/* ---- ddb: vmem_whatis, vmem_printall, vmem_print */

static char t_out[16384];
static size_t t_outlen;

/* A ddb-style printer into t_out. */
static void __printflike(1, 2)
t_pr(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t_out + t_outlen, sizeof(t_out) - t_outlen, fmt, ap);
	va_end(ap);
	if (n > 0)
		t_outlen = MIN(t_outlen + (size_t)n, sizeof(t_out) - 1);
}

/* Does t_out hold s? */
static bool
t_said(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i + n <= t_outlen; i++) {
		if (strncmp(t_out + i, s, n) == 0)
			return true;
	}
	return false;
}

ATF_TC(ddb);
ATF_TC_HEAD(ddb, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_whatis names the arena and "
	    "segment holding an address, allocated or free; vmem_print and "
	    "vmem_printall describe arenas through the printer they are "
	    "given");
}
ATF_TC_BODY(ddb, tc)
{
	vmem_t *vm = t_arena("t_ddb_arena", 0x7a0000, 0x10000, 0x100, 0);

	ATF_REQUIRE_EQ(vmem_xalloc_addr(vm, 0x7a1000, 0x300, VM_NOSLEEP), 0);
	t_outlen = 0;
	vmem_whatis(0x7a1100, t_pr);
	printf("%s", t_out);
	ATF_CHECK(t_said("t_ddb_arena"));
	ATF_CHECK(t_said("allocated"));
	ATF_CHECK(t_said("0x7a1000"));
	t_outlen = 0;
	vmem_whatis(0x7a5000, t_pr);
	ATF_CHECK(t_said("t_ddb_arena"));
	ATF_CHECK(t_said("free"));
	t_outlen = 0;
	vmem_whatis(0x12345, t_pr);
	ATF_CHECK(!t_said("t_ddb_arena"));

	t_outlen = 0;
	vmem_print((uintptr_t)vm, "", t_pr);
	printf("%s", t_out);
	ATF_CHECK(t_said("t_ddb_arena"));
	ATF_CHECK(!t_said("0x7a1000"));
	t_outlen = 0;
	vmem_print((uintptr_t)vm, "a", t_pr);
	ATF_CHECK(t_said("0x7a1000"));
	ATF_CHECK(t_said("busy"));

	t_outlen = 0;
	vmem_printall("", t_pr);
	ATF_CHECK(t_said("t_ddb_arena"));
	ATF_CHECK(t_said("kva"));
	vmem_xfree(vm, 0x7a1000, 0x300);
	vmem_destroy(vm);
}

ATF_TC(rehash_start);
ATF_TC_HEAD(rehash_start, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_rehash_start grows the busy "
	    "hash of an arena that filled it while it could not grow (as at "
	    "boot, before the meta arena), and the arena keeps working");
}
ATF_TC_BODY(rehash_start, tc)
{
	vmem_t *vm = t_arena("t_rehash", 0x100000, 0x100000, 0x10, 0);
	vmem_addr_t a[600];
	size_t buckets0;
	uint64_t n0;
	int i;

	/* Hold off growth, as an arena made before the meta arena is. */
	mutex_enter(&vm->vm_lock);
	vm->vm_rehashing = true;
	buckets0 = vm->vm_hashmask + 1;
	mutex_exit(&vm->vm_lock);
	for (i = 0; i < 600; i++)
		ATF_REQUIRE_EQ(vmem_alloc(vm, 0x10, VM_SLEEP, &a[i]), 0);
	mutex_enter(&vm->vm_lock);
	vm->vm_rehashing = false;
	mutex_exit(&vm->vm_lock);
	ATF_REQUIRE_EQ(vm->vm_hashmask + 1, buckets0);
	n0 = vm->vm_nrehash;
	vmem_rehash_start();
	ATF_CHECK(vm->vm_hashmask + 1 >= 600 / 2);
	ATF_CHECK_EQ(vm->vm_nrehash, n0 + 1);
	for (i = 0; i < 600; i++)
		vmem_free(vm, a[i], 0x10);
	vmem_check(vm);
	vmem_destroy(vm);
}

/* ---- NetBSD's answers */

ATF_TC(range_too_small);
ATF_TC_HEAD(range_too_small, tc)
{

	atf_tc_set_md_var(tc, "descr", "a vmem_xalloc whose [minaddr, "
	    "maxaddr] is smaller than the size fails with ENOMEM under "
	    "VM_NOSLEEP, as in NetBSD, FreeBSD and illumos");
}
ATF_TC_BODY(range_too_small, tc)
{
	vmem_t *vm = t_arena("t_range", 0, 0x1000, 1, 0);
	vmem_addr_t a;

	ATF_CHECK_EQ(vmem_xalloc(vm, 0x10, 0, 0, 0, 0x100, 0x10e, VM_NOSLEEP,
	    &a), ENOMEM);
	ATF_CHECK_EQ(vmem_xalloc(vm, 0x10, 0, 0, 0, 0x100, 0x100, VM_NOSLEEP,
	    &a), ENOMEM);
	ATF_CHECK_EQ(vmem_xalloc(vm, 0x10, 0, 0, 0, 0x100, 0x10f, VM_NOSLEEP,
	    &a), 0);
	ATF_CHECK_EQ(a, 0x100);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0x10);
	vmem_xfree(vm, a, 0x10);
	vmem_destroy(vm);
}

T_MISUSE(misuse_range_too_small_sleep, "a [minaddr, maxaddr] range "
    "smaller than the size panics under VM_SLEEP, which would wait for "
    "ever")
ATF_TC_BODY(misuse_range_too_small_sleep, tc)
{
	vmem_t *vm = t_arena("t_range", 0, 0x1000, 1, 0);
	vmem_addr_t a;

	atf_tc_expect_signal(SIGABRT, "VM_SLEEP must panic");
	(void)vmem_xalloc(vm, 0x10, 0, 0, 0, 0x100, 0x10e, VM_SLEEP, &a);
}

ATF_TC(nocross_below_align);
ATF_TC_HEAD(nocross_below_align, tc)
{

	atf_tc_set_md_var(tc, "descr", "a nocross below the alignment is "
	    "accepted when the segment at the phase does not cross it, as "
	    "NetBSD accepts it");
}
ATF_TC_BODY(nocross_below_align, tc)
{
	vmem_t *vm = t_arena("t_nocross", 0x10000, 0x10000, 0x10, 0);
	vmem_addr_t a[4];
	int i;

	for (i = 0; i < 4; i++) {
		ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x20, 0x1000, 0x450, 0x100,
		    VMEM_ADDR_MIN, VMEM_ADDR_MAX, VM_NOSLEEP, &a[i]), 0);
		ATF_CHECK_EQ(a[i] % 0x1000, 0x450);
		ATF_CHECK_EQ(a[i] / 0x100, (a[i] + 0x1f) / 0x100);
	}
	for (i = 0; i < 4; i++)
		vmem_xfree(vm, a[i], 0x20);
	ATF_REQUIRE_EQ(vmem_xalloc(vm, 0x100, 0x400, 0, 0x100, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, VM_NOSLEEP, &a[0]), 0);
	ATF_CHECK_EQ(a[0] % 0x400, 0);
	vmem_xfree(vm, a[0], 0x100);
	vmem_destroy(vm);
}

T_MISUSE(misuse_nocross_never, "a nocross below the alignment that the "
    "segment at the phase crosses can never be met, and panics")
ATF_TC_BODY(misuse_nocross_never, tc)
{
	vmem_t *vm = t_arena("t_nocross", 0x10000, 0x10000, 0x10, 0);
	vmem_addr_t a;

	atf_tc_expect_signal(SIGABRT, "an unmeetable nocross must panic");
	(void)vmem_xalloc(vm, 0x20, 0x1000, 0x4f0, 0x100, VMEM_ADDR_MIN,
	    VMEM_ADDR_MAX, VM_NOSLEEP, &a);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, create_flags);
	ATF_TP_ADD_TC(tp, privtags);
	ATF_TP_ADD_TC(tp, privtags_sleep);
	ATF_TP_ADD_TC(tp, misuse_privtags_span);
	ATF_TP_ADD_TC(tp, misuse_add_bts_shared);
	ATF_TP_ADD_TC(tp, xcreate);
	ATF_TP_ADD_TC(tp, misuse_create_ximport);
	ATF_TP_ADD_TC(tp, largeimport);
	ATF_TP_ADD_TC(tp, largeimport_qcache_source);
	ATF_TP_ADD_TC(tp, import_null_source);
	ATF_TP_ADD_TC(tp, xalloc_addr);
	ATF_TP_ADD_TC(tp, xfreeall);
	ATF_TP_ADD_TC(tp, misuse_xfreeall_qcache);
	ATF_TP_ADD_TC(tp, ddb);
	ATF_TP_ADD_TC(tp, rehash_start);
	ATF_TP_ADD_TC(tp, range_too_small);
	ATF_TP_ADD_TC(tp, misuse_range_too_small_sleep);
	ATF_TP_ADD_TC(tp, nocross_below_align);
	ATF_TP_ADD_TC(tp, misuse_nocross_never);
	return atf_no_error();
}
