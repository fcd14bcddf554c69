/*
 * t_vmem_diff.c: differential tests of vmem(9) against a reference model.
 *
 * Each test case drives an arena with a fixed-seed random sequence of
 * vmem_alloc, vmem_xalloc (random size, align, phase, nocross, address
 * range, exact-address pins, and fit policy), vmem_free, vmem_xfree,
 * vmem_xfree_part (any part of an allocation, whose pieces before and
 * after stay allocated) and vmem_add, and checks every step against a
 * model that is simple enough to be obviously correct: for each quantum
 * of a window of the address space, the span it belongs to and whether
 * it is free, the first quantum of an allocation, or a later one.
 *
 * After every step:
 *	- a successful allocation lies in the window, in one span, on
 *	  quanta the model holds free, and meets every constraint of its
 *	  request; a plain request starts a free segment, and a
 *	  constrained one takes the lowest fitting address of its segment;
 *	- a failed VM_NOSLEEP request is one the model cannot satisfy by
 *	  brute force over every quantum, and a VM_SLEEP request (made only
 *	  when the model can satisfy it) returns at once.  This holds for
 *	  every fit policy: with no imports, instant fit (for a plain
 *	  request that the heads of the large lists cannot serve, and for
 *	  every constrained request) and best fit search every free list
 *	  from the order of the size up, and next fit walks every segment,
 *	  so each finds a fit whenever one exists;
 *	- vmem_size agrees with the model, and the next-fit rotor, if set,
 *	  is a tag of the arena.
 * Every few steps the model is compared with the arena's own segments
 * (vmem_walk of spans, busy and free segments, which must be maximal
 * runs inside one span: adjacent spans never coalesce) and vmem_check
 * runs; in these DIAGNOSTIC builds it also runs after every change.
 *
 * Importing arenas are checked the same way, with a second model for
 * the source arena: the child's spans must be exactly the source's busy
 * segments, a span appears only when the child could not serve the
 * request, imports and releases match the arena's counts, no wholly
 * free span stays in the child, and a request fails only if neither the
 * child nor the source could serve it.  With vmem_alloc as importfn the
 * span must be the cover, in whole import quanta Q, of the allocation,
 * and the source "could serve" a request if some address s meeting it
 * has its cover free in the source (only s % Q == phase counts when
 * align < Q, the offset vmem asks for).  A custom importfn gets a plain
 * size with slack for align and nocross, which the check mirrors; it
 * knows no address range, so a request with one may fail when the
 * source has room only elsewhere.
 *
 * Each sequence must see failures and constrained allocations, or it
 * tests too little.  The suite runs 1.25 million steps (divided by
 * TEST_SCALE where it is defined); every failure names the seed and the
 * step, and the sequence replays.  "make soak" builds it with each
 * sequence TEST_SOAK times longer and TEST_SOAK_SEED xored into every
 * seed, for 10^8 steps and more.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <atf-c.h>

#ifndef TEST_SCALE
#define	TEST_SCALE	1
#endif
#ifndef TEST_SOAK
#define	TEST_SOAK	1	/* make soak: sequences this many times longer */
#endif
#ifndef TEST_SOAK_SEED
#define	TEST_SOAK_SEED	0	/* make soak: xored into every seed */
#endif
#define	OPS(n)		((unsigned long)(n) * TEST_SOAK / TEST_SCALE)

#define	MODEL_UNITS	2048	/* quanta in a model's window */
#define	MODEL_LIVE	512	/* live allocations at most */
#define	MODEL_SPANS	MODEL_LIVE /* spans of one arena at most */
#define	CHECK_EVERY	32	/* steps between full comparisons */

#define	U_FREE		0	/* free, or outside every span */
#define	U_HEAD		1	/* first quantum of an allocation */
#define	U_BODY		2	/* later quantum of an allocation */

/* ---- the random sequence */

static uint64_t diff_seed;	/* seed of the running sequence */
static unsigned long diff_step;	/* step of the running sequence */
static uint64_t diff_state;	/* splitmix64 state */
static unsigned long diff_nenomem;	/* failures the model confirmed */
static unsigned long diff_nxok;	/* constrained requests served */

/* Fail the test case, naming the seed and step to replay. */
#define	DIFF_REQUIRE(e, fmt, ...)					\
	ATF_REQUIRE_MSG(e, "seed %#llx step %lu: " fmt,			\
	    (unsigned long long)diff_seed, diff_step, ##__VA_ARGS__)

/* Start the sequence of a seed (with TEST_SOAK_SEED), nops steps long. */
static void
rng_seed(uint64_t seed, unsigned long nops)
{

	seed ^= (uint64_t)TEST_SOAK_SEED;
	printf("diff: seed %#llx, %lu steps\n", (unsigned long long)seed,
	    nops);
	diff_seed = seed;
	diff_state = seed;
	diff_step = 0;
	diff_nenomem = diff_nxok = 0;
}

/* The next 64 random bits (splitmix64). */
static uint64_t
rng_next(void)
{
	uint64_t z;

	z = (diff_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A random number in [0, n), n > 0. */
static uint64_t
rng_below(uint64_t n)
{

	return rng_next() % n;
}

/* True with probability 1/n. */
static bool
rng_oneof(uint64_t n)
{

	return rng_below(n) == 0;
}

/* ---- the model */

struct live {
	vmem_addr_t	l_addr;
	vmem_size_t	l_size0;	/* size as requested */
	bool		l_x;		/* from vmem_xalloc */
};

struct model {
	vmem_t		*m_vm;
	vmem_addr_t	m_base;		/* address of quantum 0 */
	vmem_size_t	m_q;		/* the arena's quantum */
	size_t		m_nunits;	/* quanta in the window */
	uint32_t	m_span[MODEL_UNITS];	/* span number, 0 for none */
	uint8_t		m_unit[MODEL_UNITS];	/* U_* */
	uint32_t	m_nextspan;	/* number of the next span */
	size_t		m_nspans;
	vmem_size_t	m_spansize;	/* bytes in all spans */
	vmem_size_t	m_inuse;	/* bytes allocated */
	struct live	m_live[MODEL_LIVE];
	size_t		m_nlive;
	vmem_addr_t	m_walkbad;	/* first segment the walk disliked */
	size_t		m_walkn;	/* segments the walk saw */
};

/* One vmem_alloc or vmem_xalloc request. */
struct req {
	vmem_size_t	r_size0;	/* as passed */
	vmem_size_t	r_size;		/* rounded to the quantum */
	vmem_size_t	r_align;	/* 0: the quantum */
	vmem_size_t	r_phase;
	vmem_size_t	r_nocross;	/* 0: no boundary */
	vmem_addr_t	r_minaddr;
	vmem_addr_t	r_maxaddr;
	vm_flag_t	r_flags;
	bool		r_x;		/* vmem_xalloc, not vmem_alloc */
};

static struct model model_a, model_b;

/* Empty a model of a window of nunits quanta at base. */
static void
model_init(struct model *m, vmem_addr_t base, vmem_size_t q, size_t nunits)
{

	ATF_REQUIRE(nunits <= MODEL_UNITS);
	memset(m, 0, sizeof(*m));
	m->m_base = base;
	m->m_q = q;
	m->m_nunits = nunits;
	m->m_nextspan = 1;
}

/* Is [addr, addr + size) inside the window? */
static bool
model_inwindow(const struct model *m, vmem_addr_t addr, vmem_size_t size)
{

	return addr >= m->m_base && size != 0 &&
	    (addr - m->m_base) % m->m_q == 0 && size % m->m_q == 0 &&
	    (addr - m->m_base) / m->m_q + size / m->m_q <= m->m_nunits;
}

/* The quantum index of an address in the window. */
static size_t
model_unit(const struct model *m, vmem_addr_t addr)
{

	return (addr - m->m_base) / m->m_q;
}

/* The address of a quantum index. */
static vmem_addr_t
model_addr(const struct model *m, size_t u)
{

	return m->m_base + u * m->m_q;
}

/* Are n quanta from u all free and in the same span? */
static bool
model_isfree(const struct model *m, size_t u, size_t n)
{
	size_t i;

	if (u + n > m->m_nunits || m->m_span[u] == 0)
		return false;
	for (i = u; i < u + n; i++) {
		if (m->m_span[i] != m->m_span[u] || m->m_unit[i] != U_FREE)
			return false;
	}
	return true;
}

/* Record the span [addr, addr + size). */
static void
model_addspan(struct model *m, vmem_addr_t addr, vmem_size_t size)
{
	size_t u, i;

	DIFF_REQUIRE(model_inwindow(m, addr, size),
	    "span %#lx+%#zx outside the window", (unsigned long)addr, size);
	u = model_unit(m, addr);
	for (i = u; i < u + size / m->m_q; i++) {
		DIFF_REQUIRE(m->m_span[i] == 0, "span %#lx+%#zx overlaps",
		    (unsigned long)addr, size);
		m->m_span[i] = m->m_nextspan;
	}
	m->m_nextspan++;
	m->m_nspans++;
	m->m_spansize += size;
}

/* Forget the span [addr, addr + size), which must be wholly free. */
static void
model_delspan(struct model *m, vmem_addr_t addr, vmem_size_t size)
{
	size_t u = model_unit(m, addr), i;

	DIFF_REQUIRE(model_isfree(m, u, size / m->m_q),
	    "span %#lx+%#zx released while not wholly free",
	    (unsigned long)addr, size);
	for (i = u; i < u + size / m->m_q; i++)
		m->m_span[i] = 0;
	m->m_nspans--;
	m->m_spansize -= size;
}

/* Does the address addr meet every constraint of the request? */
static bool
req_meets(const struct req *rq, vmem_addr_t addr)
{
	vmem_addr_t last = addr + rq->r_size - 1;

	if (last < addr || addr < rq->r_minaddr || last > rq->r_maxaddr)
		return false;
	if (rq->r_align != 0 && addr % rq->r_align != rq->r_phase)
		return false;
	if (rq->r_nocross != 0 &&
	    addr / rq->r_nocross != last / rq->r_nocross)
		return false;
	return true;
}

/*
 * Brute force: the lowest address at which the model could serve the
 * request, trying every quantum of the window.
 */
static bool
model_canfit(const struct model *m, const struct req *rq, vmem_addr_t *addrp)
{
	size_t n = rq->r_size / m->m_q, u;

	if (rq->r_size % m->m_q != 0 || n > m->m_nunits)
		return false;
	for (u = 0; u + n <= m->m_nunits; u++) {
		if (req_meets(rq, model_addr(m, u)) && model_isfree(m, u, n)) {
			*addrp = model_addr(m, u);
			return true;
		}
	}
	return false;
}

/* Mark [addr, addr + size) allocated. */
static void
model_mark(struct model *m, vmem_addr_t addr, vmem_size_t size)
{
	size_t u = model_unit(m, addr), i;

	m->m_unit[u] = U_HEAD;
	for (i = u + 1; i < u + size / m->m_q; i++)
		m->m_unit[i] = U_BODY;
	m->m_inuse += size;
}

/* Mark [addr, addr + size) free. */
static void
model_unmark(struct model *m, vmem_addr_t addr, vmem_size_t size)
{
	size_t u = model_unit(m, addr), i;

	for (i = u; i < u + size / m->m_q; i++)
		m->m_unit[i] = U_FREE;
	m->m_inuse -= size;
}

/* Is quantum u the first of a maximal free run inside its span? */
static bool
model_runstart(const struct model *m, size_t u)
{

	return m->m_span[u] != 0 && m->m_unit[u] == U_FREE &&
	    (u == 0 || m->m_span[u - 1] != m->m_span[u] ||
	    m->m_unit[u - 1] != U_FREE);
}

/* ---- comparing the model with the arena */

/* vmem_walk callback: a busy segment must be one live allocation. */
static void
walk_alloc(void *arg, vmem_addr_t addr, vmem_size_t size)
{
	struct model *m = arg;
	size_t u, i, n = size / m->m_q;
	bool ok;

	m->m_walkn++;
	ok = model_inwindow(m, addr, size);
	u = ok ? model_unit(m, addr) : 0;
	ok = ok && m->m_unit[u] == U_HEAD &&
	    (u + n == m->m_nunits || m->m_unit[u + n] != U_BODY);
	for (i = u + 1; ok && i < u + n; i++)
		ok = m->m_unit[i] == U_BODY && m->m_span[i] == m->m_span[u];
	if (!ok && m->m_walkbad == 0)
		m->m_walkbad = addr | 1;
}

/* vmem_walk callback: a free segment must be a maximal free run. */
static void
walk_free(void *arg, vmem_addr_t addr, vmem_size_t size)
{
	struct model *m = arg;
	size_t u, n = size / m->m_q;
	bool ok;

	m->m_walkn++;
	ok = model_inwindow(m, addr, size);
	u = ok ? model_unit(m, addr) : 0;
	ok = ok && model_runstart(m, u) && model_isfree(m, u, n) &&
	    (u + n == m->m_nunits || !model_isfree(m, u, n + 1));
	if (!ok && m->m_walkbad == 0)
		m->m_walkbad = addr | 1;
}

/* vmem_walk callback: a span must be a maximal run of one span number. */
static void
walk_span(void *arg, vmem_addr_t addr, vmem_size_t size)
{
	struct model *m = arg;
	size_t u, i, n = size / m->m_q;
	bool ok;

	m->m_walkn++;
	ok = model_inwindow(m, addr, size);
	u = ok ? model_unit(m, addr) : 0;
	ok = ok && m->m_span[u] != 0 &&
	    (u == 0 || m->m_span[u - 1] != m->m_span[u]) &&
	    (u + n == m->m_nunits || m->m_span[u + n] != m->m_span[u]);
	for (i = u; ok && i < u + n; i++)
		ok = m->m_span[i] == m->m_span[u];
	if (!ok && m->m_walkbad == 0)
		m->m_walkbad = addr | 1;
}

/* Count the maximal free runs of the model. */
static size_t
model_nfreeruns(const struct model *m)
{
	size_t u, n = 0;

	for (u = 0; u < m->m_nunits; u++)
		n += model_runstart(m, u);
	return n;
}

/* Walk the arena's segments of one type and compare them with the model. */
static void
diff_walk(struct model *m, int type, const char *what, size_t expect,
    void (*cb)(void *, vmem_addr_t, vmem_size_t))
{

	m->m_walkbad = 0;
	m->m_walkn = 0;
	vmem_walk(m->m_vm, type, cb, m);
	DIFF_REQUIRE(m->m_walkbad == 0, "%s segment %#lx differs from the "
	    "model", what, (unsigned long)(m->m_walkbad & ~(vmem_addr_t)1));
	DIFF_REQUIRE(m->m_walkn == expect, "%zu %s segments, model has %zu",
	    m->m_walkn, what, expect);
}

/* Is the next-fit rotor unset or a tag on the arena's segment list? */
static bool
diff_rotor_ok(vmem_t *vm)
{
	bt_t *bt;

	if (vm->vm_rotor == NULL)
		return true;
	TAILQ_FOREACH(bt, &vm->vm_seglist, bt_seglist) {
		if (bt == vm->vm_rotor)
			return true;
	}
	return false;
}

/* The checks of every step: sizes and the rotor. */
static void
diff_quick(struct model *m)
{

	DIFF_REQUIRE(vmem_size(m->m_vm, VMEM_ALLOC) == m->m_inuse,
	    "vmem_size(VMEM_ALLOC) %#zx, model %#zx",
	    vmem_size(m->m_vm, VMEM_ALLOC), m->m_inuse);
	DIFF_REQUIRE(vmem_size(m->m_vm, VMEM_ALLOC | VMEM_FREE) ==
	    m->m_spansize, "vmem_size(VMEM_ALLOC | VMEM_FREE) %#zx, model "
	    "%#zx", vmem_size(m->m_vm, VMEM_ALLOC | VMEM_FREE),
	    m->m_spansize);
	DIFF_REQUIRE(diff_rotor_ok(m->m_vm), "next-fit rotor %p is not a tag "
	    "of the arena", m->m_vm->vm_rotor);
}

/* The full comparison: every segment, and the arena's own checker. */
static void
diff_full(struct model *m)
{

	diff_quick(m);
	diff_walk(m, VMEM_ALLOC, "busy", m->m_nlive, walk_alloc);
	diff_walk(m, VMEM_FREE, "free", model_nfreeruns(m), walk_free);
	diff_walk(m, VMEM_SPAN, "span", m->m_nspans, walk_span);
	vmem_check(m->m_vm);
}

/* ---- random requests */

/* The smallest power of 2 at least x. */
static vmem_size_t
pow2_ceil(vmem_size_t x)
{
	vmem_size_t p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

/* A random fit policy, or none (instant fit by default). */
static vm_flag_t
gen_policy(void)
{
	static const vm_flag_t policies[] = {
		0, VM_INSTANTFIT, VM_BESTFIT, VM_NEXTFIT,
	};

	return policies[rng_below(__arraycount(policies))];
}

/* A random address range of the window that holds at least size bytes. */
static void
gen_range(const struct model *m, struct req *rq)
{
	size_t n = rq->r_size / m->m_q, u;

	u = rng_below(m->m_nunits);
	switch (rng_below(4)) {
	case 0:		/* a lower bound only */
		if (u + n <= m->m_nunits)
			rq->r_minaddr = model_addr(m, u);
		break;
	case 1:		/* an upper bound only */
		if (u >= n)
			rq->r_maxaddr = model_addr(m, u) - 1;
		break;
	case 2:		/* an exact address */
		if (u + n <= m->m_nunits) {
			rq->r_minaddr = model_addr(m, u);
			rq->r_maxaddr = rq->r_minaddr + rq->r_size - 1;
		}
		break;
	default:	/* both */
		if (u + n > m->m_nunits)
			break;
		rq->r_minaddr = model_addr(m, u);
		u += n + rng_below(m->m_nunits / 2);
		u = MIN(u, m->m_nunits);
		rq->r_maxaddr = model_addr(m, u) - 1;
		break;
	}
}

/* A random request for an arena of the model's quantum. */
static void
gen_req(const struct model *m, struct req *rq)
{
	vmem_size_t q = m->m_q, n;

	memset(rq, 0, sizeof(*rq));
	n = (vmem_size_t)1 << rng_below(6);
	n += rng_below(n);
	rq->r_size = n * q;
	rq->r_size0 = rq->r_size - rng_below(q);
	rq->r_maxaddr = VMEM_ADDR_MAX;
	rq->r_flags = VM_NOSLEEP | gen_policy();
	rq->r_x = !rng_oneof(3);
	if (!rq->r_x)
		return;
	if (rng_oneof(2)) {
		rq->r_align = q << rng_below(7);
		rq->r_phase = rng_below(rq->r_align / q) * q;
	}
	if (rng_oneof(3))
		rq->r_nocross = pow2_ceil(MAX(rq->r_phase + rq->r_size,
		    MAX(rq->r_align, q))) << rng_below(3);
	if (rng_oneof(2))
		gen_range(m, rq);
}

/*
 * Now and then, turn a request the model can serve into a VM_SLEEP one:
 * vmem must serve it at once (were it to sleep, nothing would wake it).
 */
static void
req_maybe_sleep(const struct model *m, struct req *rq)
{
	vmem_addr_t maddr;

	if (rng_oneof(8) && model_canfit(m, rq, &maddr))
		rq->r_flags = (rq->r_flags & ~VM_NOSLEEP) | VM_SLEEP;
}

/* Is the request nothing but a size? */
static bool
req_plain(const struct req *rq)
{

	return rq->r_align == 0 && rq->r_nocross == 0 &&
	    rq->r_minaddr == VMEM_ADDR_MIN && rq->r_maxaddr == VMEM_ADDR_MAX;
}

/* Print a request, for a failure message. */
static const char *
req_str(const struct req *rq)
{
	static char buf[200];

	snprintf(buf, sizeof(buf), "%s size %#zx align %#zx phase %#zx "
	    "nocross %#zx min %#lx max %#lx flags %#x",
	    rq->r_x ? "vmem_xalloc" : "vmem_alloc", rq->r_size0, rq->r_align,
	    rq->r_phase, rq->r_nocross, (unsigned long)rq->r_minaddr,
	    (unsigned long)rq->r_maxaddr, rq->r_flags);
	return buf;
}

/* ---- steps */

/* Call vmem_alloc or vmem_xalloc for the request. */
static int
diff_call(vmem_t *vm, const struct req *rq, vmem_addr_t *addrp)
{

	if (!rq->r_x)
		return vmem_alloc(vm, rq->r_size0, rq->r_flags, addrp);
	return vmem_xalloc(vm, rq->r_size0, rq->r_align, rq->r_phase,
	    rq->r_nocross, rq->r_minaddr, rq->r_maxaddr, rq->r_flags, addrp);
}

/*
 * Check a successful allocation against the model of its arena (before
 * marking it): in one span, free, meeting the constraints, and at the
 * lowest fitting address of its free segment.
 */
static void
diff_check_result(const struct model *m, const struct req *rq,
    vmem_addr_t addr)
{
	size_t u, v;

	DIFF_REQUIRE(model_inwindow(m, addr, rq->r_size) &&
	    model_isfree(m, model_unit(m, addr), rq->r_size / m->m_q),
	    "%s gave %#lx, not free in one span", req_str(rq),
	    (unsigned long)addr);
	DIFF_REQUIRE(req_meets(rq, addr), "%s gave %#lx, which breaks a "
	    "constraint", req_str(rq), (unsigned long)addr);
	u = model_unit(m, addr);
	diff_nxok += !req_plain(rq);
	if (req_plain(rq)) {
		DIFF_REQUIRE(model_runstart(m, u), "%s gave %#lx, not the "
		    "start of a free segment", req_str(rq),
		    (unsigned long)addr);
		return;
	}
	for (v = u; !model_runstart(m, v); v--) {
		DIFF_REQUIRE(!req_meets(rq, model_addr(m, v - 1)),
		    "%s gave %#lx, but %#lx in the same segment fits",
		    req_str(rq), (unsigned long)addr,
		    (unsigned long)model_addr(m, v - 1));
	}
}

/* Record a live allocation. */
static void
model_addlive(struct model *m, const struct req *rq, vmem_addr_t addr)
{
	struct live *l;

	DIFF_REQUIRE(m->m_nlive < MODEL_LIVE, "too many live allocations");
	l = &m->m_live[m->m_nlive++];
	l->l_addr = addr;
	l->l_size0 = rq->r_size0;
	l->l_x = rq->r_x;
	model_mark(m, addr, rq->r_size);
}

/* Allocate in an arena without a source and check the outcome. */
static void
step_alloc(struct model *m)
{
	struct req rq;
	vmem_addr_t addr, maddr;
	int error;

	gen_req(m, &rq);
	req_maybe_sleep(m, &rq);
	error = diff_call(m->m_vm, &rq, &addr);
	if (error != 0) {
		DIFF_REQUIRE(!model_canfit(m, &rq, &maddr), "%s failed (%d), "
		    "but %#lx fits", req_str(&rq), error,
		    (unsigned long)maddr);
		diff_nenomem++;
		return;
	}
	diff_check_result(m, &rq, addr);
	model_addlive(m, &rq, addr);
}

/* Free a random live allocation with vmem_free or vmem_xfree. */
static void
step_free(struct model *m)
{
	struct live l;
	size_t i;

	if (m->m_nlive == 0)
		return;
	i = rng_below(m->m_nlive);
	l = m->m_live[i];
	m->m_live[i] = m->m_live[--m->m_nlive];
	if (l.l_x || rng_oneof(2))
		vmem_xfree(m->m_vm, l.l_addr, l.l_size0);
	else
		vmem_free(m->m_vm, l.l_addr, l.l_size0);
	model_unmark(m, l.l_addr, roundup(l.l_size0, m->m_q));
}

/* Record a piece of a split allocation as live; its quanta stay busy. */
static void
model_addpiece(struct model *m, vmem_addr_t addr, vmem_size_t size)
{
	struct live *l;

	DIFF_REQUIRE(m->m_nlive < MODEL_LIVE, "too many live allocations");
	l = &m->m_live[m->m_nlive++];
	l->l_addr = addr;
	l->l_size0 = size;
	l->l_x = true;
	m->m_unit[model_unit(m, addr)] = U_HEAD;
}

/*
 * Free a random quantum-aligned part of a random live allocation with
 * vmem_xfree_part; what is left before and after it stays allocated, as
 * separate allocations.
 */
static void
step_free_part(struct model *m)
{
	vmem_size_t q = m->m_q;
	size_t i, n, off, len;
	struct live l;

	if (m->m_nlive == 0 || m->m_nlive >= MODEL_LIVE - 1)
		return;
	i = rng_below(m->m_nlive);
	l = m->m_live[i];
	m->m_live[i] = m->m_live[--m->m_nlive];
	n = roundup(l.l_size0, q) / q;
	off = rng_below(n);
	len = 1 + rng_below(n - off);
	DIFF_REQUIRE(vmem_xfree_part(m->m_vm, l.l_addr + off * q, len * q,
	    VM_NOSLEEP) == 0, "vmem_xfree_part %#lx+%#zx of %#lx+%#zx failed",
	    (unsigned long)(l.l_addr + off * q), len * q,
	    (unsigned long)l.l_addr, n * q);
	model_unmark(m, l.l_addr + off * q, len * q);
	if (off > 0)
		model_addpiece(m, l.l_addr, off * q);
	if (off + len < n)
		model_addpiece(m, l.l_addr + (off + len) * q,
		    (n - off - len) * q);
}

/* Free all or part of a random live allocation. */
static void
step_release(struct model *m)
{

	if (rng_oneof(4))
		step_free_part(m);
	else
		step_free(m);
}

/*
 * Add a span in a part of the window outside every span, often right
 * after an existing span, and check that vmem_contains sees it.
 */
static void
step_add(struct model *m)
{
	size_t u, n, max;
	vmem_addr_t addr;

	u = rng_below(m->m_nunits);
	if (rng_oneof(2))
		while (u > 0 && m->m_span[u] == 0 && m->m_span[u - 1] == 0)
			u--;
	max = 1 + rng_below(64);
	for (n = 0; u + n < m->m_nunits && n < max &&
	    m->m_span[u + n] == 0; n++)
		continue;
	if (n == 0)
		return;
	addr = model_addr(m, u);
	DIFF_REQUIRE(!vmem_contains(m->m_vm, addr, m->m_q), "vmem_contains "
	    "%#lx before vmem_add", (unsigned long)addr);
	DIFF_REQUIRE(vmem_add(m->m_vm, addr, n * m->m_q, VM_NOSLEEP) == 0,
	    "vmem_add %#lx+%#zx failed", (unsigned long)addr, n * m->m_q);
	model_addspan(m, addr, n * m->m_q);
	DIFF_REQUIRE(vmem_contains(m->m_vm, addr, n * m->m_q),
	    "vmem_contains %#lx+%#zx after vmem_add", (unsigned long)addr,
	    n * m->m_q);
}

/*
 * Choose between allocating and freeing so that the number of live
 * allocations swings between empty and full over a few hundred steps.
 */
static bool
diff_want_alloc(const struct model *m, size_t *targetp)
{

	if (rng_oneof(256))
		*targetp = rng_below(MODEL_LIVE / 2);
	if (m->m_nlive >= MODEL_LIVE - 1)
		return false;
	return m->m_nlive < *targetp ? !rng_oneof(5) : rng_oneof(3);
}

/* Free everything, check that the arena is empty, and destroy it. */
static void
diff_teardown(struct model *m)
{

	DIFF_REQUIRE(diff_nenomem > 0 && diff_nxok > 0, "the sequence "
	    "had %lu failures and %lu constrained allocations; it should "
	    "have both", diff_nenomem, diff_nxok);

	while (m->m_nlive != 0)
		step_free(m);
	diff_full(m);
	ATF_REQUIRE_EQ(vmem_size(m->m_vm, VMEM_ALLOC), 0);
	vmem_destroy(m->m_vm);
}

/*
 * Run a sequence on a fresh arena of quantum q over the window of nunits
 * quanta at base; its first span covers quanta [first, first + nfirst),
 * and one step in addevery adds a span (none if 0).
 */
static void
diff_run(uint64_t seed, unsigned long nops, vmem_addr_t base,
    vmem_size_t q, size_t nunits, size_t first, size_t nfirst,
    unsigned addevery)
{
	struct model *m = &model_a;
	size_t target = MODEL_LIVE / 4;

	rng_seed(seed, nops);
	model_init(m, base, q, nunits);
	m->m_vm = vmem_create("diff", model_addr(m, first), nfirst * q, q,
	    NULL, NULL, NULL, 0, VM_SLEEP, 0);
	ATF_REQUIRE(m->m_vm != NULL);
	model_addspan(m, model_addr(m, first), nfirst * q);
	for (diff_step = 0; diff_step < nops; diff_step++) {
		if (addevery != 0 && rng_oneof(addevery))
			step_add(m);
		else if (diff_want_alloc(m, &target))
			step_alloc(m);
		else
			step_release(m);
		if (diff_step % CHECK_EVERY == 0)
			diff_full(m);
		else
			diff_quick(m);
	}
	diff_teardown(m);
}

/* ---- arenas that import */

/*
 * In an import run model_a is the child arena and model_b its source;
 * both windows cover the source's one span, and every busy segment of
 * the source is a span of the child.  The child's spans are also kept
 * in a sorted list, to find what an import or a release changed.
 */
struct spanrec {
	vmem_addr_t	s_addr;
	vmem_size_t	s_size;
};

static struct spanrec diff_spans[MODEL_SPANS];	/* the model's, sorted */
static size_t diff_nspans;
static struct spanrec diff_cur[MODEL_SPANS];	/* the arena's */
static size_t diff_ncur;
static bool diff_exact;			/* importfn is vmem_alloc */
static vmem_size_t diff_iquantum;	/* the child's import quantum */
static unsigned long diff_nimport;	/* diff_importfn's imports */
static unsigned long diff_nrelease;	/* diff_releasefn's releases */
static struct spanrec diff_new;		/* the last span imported */

/* A custom importfn: best fit from the source, counted. */
static int
diff_importfn(vmem_t *src, vmem_size_t size, vm_flag_t flags,
    vmem_addr_t *addrp)
{
	int error;

	error = vmem_alloc(src, size, flags | VM_BESTFIT, addrp);
	if (error == 0)
		diff_nimport++;
	return error;
}

/* A custom releasefn, counted. */
static void
diff_releasefn(vmem_t *src, vmem_addr_t addr, vmem_size_t size)
{

	diff_nrelease++;
	vmem_free(src, addr, size);
}

/* vmem_walk callback: collect the child's spans in diff_cur. */
static void
walk_collect(void *arg, vmem_addr_t addr, vmem_size_t size)
{

	if (diff_ncur < MODEL_SPANS) {
		diff_cur[diff_ncur].s_addr = addr;
		diff_cur[diff_ncur].s_size = size;
	}
	diff_ncur++;
}

/* Record in the source's model that the child took [addr, +size). */
static void
model_take(struct model *m, vmem_addr_t addr, vmem_size_t size)
{
	struct req rq;

	DIFF_REQUIRE(model_inwindow(m, addr, size) &&
	    model_isfree(m, model_unit(m, addr), size / m->m_q),
	    "imported span %#lx+%#zx is not free in the source",
	    (unsigned long)addr, size);
	memset(&rq, 0, sizeof(rq));
	rq.r_size = rq.r_size0 = size;
	model_addlive(m, &rq, addr);
}

/* Record in the source's model that the child gave [addr, +size) back. */
static void
model_give(struct model *m, vmem_addr_t addr, vmem_size_t size)
{
	size_t i;

	for (i = 0; i < m->m_nlive; i++) {
		if (m->m_live[i].l_addr == addr)
			break;
	}
	DIFF_REQUIRE(i < m->m_nlive && m->m_live[i].l_size0 == size,
	    "released span %#lx+%#zx was not imported", (unsigned long)addr,
	    size);
	m->m_live[i] = m->m_live[--m->m_nlive];
	model_unmark(m, addr, size);
}

/*
 * The plain request a custom importfn gets for rq: the size with slack
 * for the alignment and one boundary, in whole import quanta.
 */
static void
import_req(const struct req *rq, struct req *irq)
{
	vmem_size_t slack = 0;

	memset(irq, 0, sizeof(*irq));
	if (rq->r_align > model_a.m_q)
		slack = rq->r_align;
	irq->r_size = roundup(rq->r_size + slack + rq->r_nocross,
	    diff_iquantum);
	irq->r_size0 = irq->r_size;
	irq->r_maxaddr = VMEM_ADDR_MAX;
}

/*
 * Brute force: could the source give a span of whole import quanta Q
 * that serves rq?  That is, is there an address s meeting rq whose cover
 * [rounddown(s, Q), roundup(s + size, Q)) is free in one span of the
 * source?  When rq's align is below Q, vmem asks only for the s with
 * s % Q == phase, so only those count.
 */
static bool
model_canimport(const struct model *s, const struct req *rq,
    vmem_addr_t *addrp)
{
	vmem_size_t q = diff_iquantum;
	vmem_addr_t a, lo;
	size_t u, n;

	for (u = 0; u < s->m_nunits; u++) {
		for (a = model_addr(s, u); a < model_addr(s, u) + s->m_q;
		    a += model_a.m_q) {
			if (!req_meets(rq, a) || (MAX(rq->r_align,
			    model_a.m_q) < q && a % q != rq->r_phase))
				continue;
			lo = rounddown(a, q);
			n = (roundup(a + rq->r_size, q) - lo) / s->m_q;
			if (lo >= s->m_base &&
			    model_isfree(s, model_unit(s, lo), n)) {
				*addrp = a;
				return true;
			}
		}
	}
	return false;
}

/*
 * Check the span sp that the child imported for rq and then served at
 * addr: with vmem_alloc as importfn, the cover of the allocation in
 * import quanta; otherwise the size import_req asks for.
 */
static void
diff_check_import(const struct req *rq, const struct spanrec *sp,
    vmem_addr_t addr)
{
	struct req irq;
	vmem_size_t q = diff_iquantum;

	if (diff_exact) {
		DIFF_REQUIRE(sp->s_addr == rounddown(addr, q) &&
		    sp->s_size == roundup(addr + rq->r_size, q) - sp->s_addr,
		    "span %#lx+%#zx imported for %s at %#lx",
		    (unsigned long)sp->s_addr, sp->s_size, req_str(rq),
		    (unsigned long)addr);
		return;
	}
	import_req(rq, &irq);
	DIFF_REQUIRE(sp->s_size == irq.r_size, "span %#lx+%#zx imported for "
	    "%s", (unsigned long)sp->s_addr, sp->s_size, req_str(rq));
}

/* No span of the child may stay wholly free: it is released at once. */
static void
diff_check_spans_used(void)
{
	const struct model *c = &model_a;
	const struct spanrec *sp;

	for (sp = diff_spans; sp < diff_spans + diff_nspans; sp++) {
		DIFF_REQUIRE(!model_isfree(c, model_unit(c, sp->s_addr),
		    sp->s_size / c->m_q), "span %#lx+%#zx is wholly free but "
		    "was not released", (unsigned long)sp->s_addr, sp->s_size);
	}
}

/*
 * After a step of the child (rq is its request, NULL for a free), find
 * the spans it imported and released, check them, and update both
 * models; the counts must match the arena's statistics.
 */
static void
diff_sync_spans(const struct req *rq, uint64_t nimport0, uint64_t nrelease0)
{
	struct model *c = &model_a, *s = &model_b;
	uint64_t nimport = c->m_vm->vm_nimport - nimport0;
	uint64_t nrelease = c->m_vm->vm_nrelease - nrelease0;
	size_t i = 0, j = 0, nnew = 0, ngone = 0;
	vmem_addr_t maddr;

	if (nimport == 0 && nrelease == 0)
		return;
	diff_ncur = 0;
	vmem_walk(c->m_vm, VMEM_SPAN, walk_collect, NULL);
	DIFF_REQUIRE(diff_ncur <= MODEL_SPANS, "%zu spans", diff_ncur);
	DIFF_REQUIRE(nimport == 0 || !model_canfit(c, rq, &maddr),
	    "imported for %s, but %#lx fits", req_str(rq),
	    (unsigned long)maddr);
	while (i < diff_nspans || j < diff_ncur) {
		if (j == diff_ncur || (i < diff_nspans &&
		    diff_spans[i].s_addr < diff_cur[j].s_addr)) {
			model_delspan(c, diff_spans[i].s_addr,
			    diff_spans[i].s_size);
			model_give(s, diff_spans[i].s_addr,
			    diff_spans[i].s_size);
			ngone++;
			i++;
		} else if (i == diff_nspans ||
		    diff_cur[j].s_addr < diff_spans[i].s_addr) {
			DIFF_REQUIRE(rq != NULL, "span %#lx+%#zx imported "
			    "by a free", (unsigned long)diff_cur[j].s_addr,
			    diff_cur[j].s_size);
			diff_new = diff_cur[j];
			model_take(s, diff_cur[j].s_addr, diff_cur[j].s_size);
			model_addspan(c, diff_cur[j].s_addr,
			    diff_cur[j].s_size);
			nnew++;
			j++;
		} else {
			DIFF_REQUIRE(diff_spans[i].s_size == diff_cur[j].s_size,
			    "span %#lx changed size",
			    (unsigned long)diff_cur[j].s_addr);
			i++;
			j++;
		}
	}
	DIFF_REQUIRE(nnew == nimport && ngone == nrelease, "%zu spans came "
	    "and %zu went, but the arena counts %llu imports and %llu "
	    "releases", nnew, ngone, (unsigned long long)nimport,
	    (unsigned long long)nrelease);
	memcpy(diff_spans, diff_cur, diff_ncur * sizeof(diff_cur[0]));
	diff_nspans = diff_ncur;
}

/*
 * Allocate in the child and check the outcome.  A failure must be one
 * that neither the child nor its source could serve, except that a
 * custom importfn cannot be asked for an address range: a request with
 * one may fail when the source has room only elsewhere.
 */
static void
step_import_alloc(void)
{
	struct model *c = &model_a, *s = &model_b;
	uint64_t nimport0 = c->m_vm->vm_nimport;
	uint64_t nrelease0 = c->m_vm->vm_nrelease;
	struct req rq, irq;
	vmem_addr_t addr, maddr;
	int error;

	gen_req(c, &rq);
	req_maybe_sleep(c, &rq);
	error = diff_call(c->m_vm, &rq, &addr);
	diff_sync_spans(&rq, nimport0, nrelease0);
	if (error == 0) {
		if (c->m_vm->vm_nimport != nimport0)
			diff_check_import(&rq, &diff_new, addr);
		diff_check_result(c, &rq, addr);
		model_addlive(c, &rq, addr);
		diff_check_spans_used();
		return;
	}
	diff_check_spans_used();
	DIFF_REQUIRE(!model_canfit(c, &rq, &maddr), "%s failed, but %#lx "
	    "fits", req_str(&rq), (unsigned long)maddr);
	diff_nenomem++;
	if (diff_exact) {
		DIFF_REQUIRE(!model_canimport(s, &rq, &maddr), "%s failed, "
		    "but the source could serve %#lx", req_str(&rq),
		    (unsigned long)maddr);
		return;
	}
	if (rq.r_minaddr != VMEM_ADDR_MIN || rq.r_maxaddr != VMEM_ADDR_MAX)
		return;
	import_req(&rq, &irq);
	DIFF_REQUIRE(!model_canfit(s, &irq, &maddr), "%s failed, but the "
	    "source could import %#lx", req_str(&rq), (unsigned long)maddr);
}

/* Free all or part of an allocation in the child; check the releases. */
static void
step_import_free(void)
{
	struct model *c = &model_a;
	uint64_t nimport0 = c->m_vm->vm_nimport;
	uint64_t nrelease0 = c->m_vm->vm_nrelease;

	step_release(c);
	diff_sync_spans(NULL, nimport0, nrelease0);
	diff_check_spans_used();
}

/*
 * Run a sequence on a child of quantum qc importing from a fresh source
 * of quantum qs and nsrc quanta, through vmem_alloc if exact, else
 * through diff_importfn.
 */
static void
diff_run_import(uint64_t seed, unsigned long nops, bool exact,
    vmem_size_t qs, vmem_size_t qc, size_t nsrc)
{
	struct model *c = &model_a, *s = &model_b;
	vmem_addr_t base = 0x200000;
	size_t target = MODEL_LIVE / 4;

	rng_seed(seed, nops);
	model_init(s, base, qs, nsrc);
	s->m_vm = vmem_create("diffsrc", base, nsrc * qs, qs, NULL, NULL,
	    NULL, 0, VM_SLEEP, 0);
	ATF_REQUIRE(s->m_vm != NULL);
	model_addspan(s, base, nsrc * qs);
	model_init(c, base, qc, nsrc * qs / qc);
	diff_exact = exact;
	diff_iquantum = MAX(qs, qc);
	diff_nspans = 0;
	diff_nimport = diff_nrelease = 0;
	c->m_vm = vmem_create("diffimp", 0, 0, qc,
	    exact ? vmem_alloc : diff_importfn,
	    exact ? vmem_free : diff_releasefn, s->m_vm, 0, VM_SLEEP, 0);
	ATF_REQUIRE(c->m_vm != NULL);
	for (diff_step = 0; diff_step < nops; diff_step++) {
		if (diff_want_alloc(c, &target))
			step_import_alloc();
		else
			step_import_free();
		if (diff_step % CHECK_EVERY == 0) {
			diff_full(c);
			diff_full(s);
		} else {
			diff_quick(c);
			diff_quick(s);
		}
	}
	while (c->m_nlive != 0)
		step_import_free();
	diff_full(c);
	ATF_CHECK_EQ(diff_nspans, 0);
	ATF_CHECK_EQ(c->m_vm->vm_nimport, c->m_vm->vm_nrelease);
	ATF_CHECK(c->m_vm->vm_nimport > 0);
	if (!exact) {
		ATF_CHECK_EQ(diff_nimport, diff_nrelease);
		ATF_CHECK(diff_nimport >= c->m_vm->vm_nimport);
	}
	vmem_destroy(c->m_vm);
	ATF_REQUIRE_EQ(s->m_nlive, 0);
	diff_teardown(s);
}

/* ---- test cases: arenas without a source */

ATF_TC(diff_quantum1);
ATF_TC_HEAD(diff_quantum1, tc)
{

	atf_tc_set_md_var(tc, "descr", "Random vmem_alloc, vmem_xalloc and "
	    "vmem_free in an arena of quantum 1 agree with the model");
}
ATF_TC_BODY(diff_quantum1, tc)
{
	static const uint64_t seeds[] = { 0x1, 0x5eed, 0xdecafbad, 0x77 };
	size_t i;

	for (i = 0; i < __arraycount(seeds); i++)
		diff_run(seeds[i], OPS(50000), 0x1000, 1, MODEL_UNITS, 0,
		    MODEL_UNITS, 0);
}

ATF_TC(diff_page);
ATF_TC_HEAD(diff_page, tc)
{

	atf_tc_set_md_var(tc, "descr", "Random requests in an arena of page "
	    "quantum, with spans added as it runs, agree with the model");
}
ATF_TC_BODY(diff_page, tc)
{
	static const uint64_t seeds[] = { 0x2, 0xfeedface, 0x1234, 0x9 };
	size_t i;

	for (i = 0; i < __arraycount(seeds); i++)
		diff_run(seeds[i], OPS(50000), 0x40000000UL, PAGE_SIZE,
		    MODEL_UNITS, 0, MODEL_UNITS / 2, 200);
}

ATF_TC(diff_adjacent_spans);
ATF_TC_HEAD(diff_adjacent_spans, tc)
{

	atf_tc_set_md_var(tc, "descr", "Random requests in an arena of "
	    "quantum 16 built from many small and adjacent vmem_add spans, "
	    "which never coalesce, agree with the model");
}
ATF_TC_BODY(diff_adjacent_spans, tc)
{
	static const uint64_t seeds[] = { 0x3, 0xabcdef, 0x31337, 0xa };
	size_t i;

	for (i = 0; i < __arraycount(seeds); i++)
		diff_run(seeds[i], OPS(50000), 0x7000, 16, MODEL_UNITS,
		    MODEL_UNITS / 2, 32, 40);
}

ATF_TC(diff_top);
ATF_TC_HEAD(diff_top, tc)
{

	atf_tc_set_md_var(tc, "descr", "Random requests in arenas of "
	    "quantum 64 and 1 whose last address is VMEM_ADDR_MAX agree with "
	    "the model");
}
ATF_TC_BODY(diff_top, tc)
{
	static const uint64_t seeds[] = { 0x4, 0xc0ffee, 0x8badf00d, 0xb };
	vmem_addr_t base;
	vmem_size_t q;
	size_t i;

	for (i = 0; i < __arraycount(seeds); i++) {
		q = i % 2 == 0 ? 64 : 1;
		base = VMEM_ADDR_MAX - (vmem_addr_t)MODEL_UNITS * q + 1;
		diff_run(seeds[i], OPS(37500), base, q, MODEL_UNITS,
		    MODEL_UNITS / 2, MODEL_UNITS / 2, 300);
	}
}

/* ---- test cases: arenas that import */

ATF_TC(diff_import_vmem_alloc);
ATF_TC_HEAD(diff_import_vmem_alloc, tc)
{

	atf_tc_set_md_var(tc, "descr", "Random requests in an arena importing "
	    "from a source through vmem_alloc, constraints passed down, agree "
	    "with models of both arenas; imports and releases are counted");
}
ATF_TC_BODY(diff_import_vmem_alloc, tc)
{
	static const uint64_t seeds[] = { 0x5, 0x600d, 0xbeef, 0xc };
	size_t i;

	for (i = 0; i < __arraycount(seeds); i++)
		diff_run_import(seeds[i], OPS(37500), true, 32, 32,
		    MODEL_UNITS);
}

ATF_TC(diff_import_quanta);
ATF_TC_HEAD(diff_import_quanta, tc)
{

	atf_tc_set_md_var(tc, "descr", "Random requests in arenas of quantum "
	    "1 and 16 importing through vmem_alloc from sources of quantum 16 "
	    "and 64, so that constraints must be carried into the larger "
	    "quantum, agree with models of both arenas");
}
ATF_TC_BODY(diff_import_quanta, tc)
{

	diff_run_import(0x7, OPS(50000), true, 16, 1, MODEL_UNITS / 16);
	diff_run_import(0x7007, OPS(50000), true, 16, 1, MODEL_UNITS / 16);
	diff_run_import(0xe, OPS(50000), true, 64, 16, MODEL_UNITS / 4);
	diff_run_import(0xe00e, OPS(50000), true, 64, 16, MODEL_UNITS / 4);
}

ATF_TC(diff_import_custom);
ATF_TC_HEAD(diff_import_custom, tc)
{

	atf_tc_set_md_var(tc, "descr", "Random requests in an arena of "
	    "quantum 16 importing from a source of quantum 64 through a "
	    "custom importfn agree with models of both arenas; imports and "
	    "releases are counted");
}
ATF_TC_BODY(diff_import_custom, tc)
{
	static const uint64_t seeds[] = { 0x6, 0xface, 0xdead, 0xd };
	size_t i;

	for (i = 0; i < __arraycount(seeds); i++)
		diff_run_import(seeds[i], OPS(37500), false, 64, 16,
		    MODEL_UNITS / 4);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, diff_quantum1);
	ATF_TP_ADD_TC(tp, diff_page);
	ATF_TP_ADD_TC(tp, diff_adjacent_spans);
	ATF_TP_ADD_TC(tp, diff_top);
	ATF_TP_ADD_TC(tp, diff_import_vmem_alloc);
	ATF_TP_ADD_TC(tp, diff_import_quanta);
	ATF_TP_ADD_TC(tp, diff_import_custom);
	return atf_no_error();
}
