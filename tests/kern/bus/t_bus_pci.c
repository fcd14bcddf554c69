/*
 * t_bus_pci.c: a PCI-like bus assigns I/O and memory windows to its
 * devices, as bus drivers use extent(9), and the same assignment is made
 * with vmem_xalloc directly; the two must agree address for address.
 *
 * The bus has a 16-bit I/O space and a 1 GiB memory window below 4 GiB
 * whose upper half is prefetchable.  Each device has up to three BARs
 * whose sizes are powers of 2; a BAR is naturally aligned, may not cross
 * a boundary (4 KiB for I/O, 256 MiB for memory), and prefetchable BARs
 * go in the prefetchable half.  BARs are assigned largest first, as
 * firmware does; then some devices are unplugged and others plugged in.
 * A bridge takes a window from the bus and serves the devices behind it
 * from a map of its own.  Devices come from a fixed seed.
 */

#include <sys/param.h>
#include <sys/errno.h>
#include <sys/extent.h>
#include <sys/intr.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <atf-c.h>

#define	T_IO_START	0x1000UL
#define	T_IO_END	0xffffUL
#define	T_IO_BOUNDARY	0x1000UL
#define	T_MEM_START	0x80000000UL
#define	T_MEM_END	0xbfffffffUL
#define	T_PF_START	0xa0000000UL	/* prefetchable half */
#define	T_MEM_BOUNDARY	0x10000000UL
#define	T_NDEV		48
#define	T_NBAR		(3 * (T_NDEV + T_NDEV / 3))

struct t_bar {
	int	b_dev;
	bool	b_io;
	bool	b_prefetch;
	u_long	b_size;
	u_long	b_ext;		/* address through extent(9), or 0 */
	u_long	b_vmem;		/* address through vmem_xalloc, or 0 */
};

static struct t_bar t_bars[T_NBAR];
static int t_nbar;

/* The next number of a xorshift sequence. */
static uint32_t
t_rand(uint32_t *x)
{

	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Make the BARs of devices [first, last), largest first. */
static int
t_make_bars(uint32_t *x, int first, int last, struct t_bar *bars)
{
	struct t_bar tmp;
	int d, i, j, n = 0, nbar;

	for (d = first; d < last; d++) {
		nbar = 1 + (int)(t_rand(x) % 3);
		for (i = 0; i < nbar; i++) {
			bars[n].b_dev = d;
			bars[n].b_io = t_rand(x) % 3 == 0;
			bars[n].b_prefetch = !bars[n].b_io &&
			    t_rand(x) % 2 == 0;
			bars[n].b_size = bars[n].b_io ?
			    1UL << (2 + t_rand(x) % 7) :
			    1UL << (12 + t_rand(x) % 13);
			bars[n].b_ext = bars[n].b_vmem = 0;
			n++;
		}
	}
	for (i = 1; i < n; i++) {
		tmp = bars[i];
		for (j = i; j > 0 && bars[j - 1].b_size < tmp.b_size; j--)
			bars[j] = bars[j - 1];
		bars[j] = tmp;
	}
	return n;
}

/* The subregion and boundary of a BAR. */
static void
t_bar_limits(const struct t_bar *b, u_long *sub0, u_long *sub1,
    u_long *boundary)
{

	if (b->b_io) {
		*sub0 = T_IO_START;
		*sub1 = T_IO_END;
		*boundary = T_IO_BOUNDARY;
	} else {
		*sub0 = b->b_prefetch ? T_PF_START : T_MEM_START;
		*sub1 = b->b_prefetch ? T_MEM_END : T_PF_START - 1;
		*boundary = T_MEM_BOUNDARY;
	}
}

/* The bus, twice: as extent maps and as vmem arenas. */
struct t_bus {
	struct extent	*tb_ex_io, *tb_ex_mem;
	vmem_t		*tb_vm_io, *tb_vm_mem;
};

static void
t_bus_create(struct t_bus *tb)
{

	tb->tb_ex_io = extent_create("pci-io", T_IO_START, T_IO_END, NULL, 0,
	    EX_WAITOK);
	tb->tb_ex_mem = extent_create("pci-mem", T_MEM_START, T_MEM_END, NULL,
	    0, EX_WAITOK);
	tb->tb_vm_io = vmem_create("pci-io-vmem", T_IO_START,
	    T_IO_END - T_IO_START + 1, 1, NULL, NULL, NULL, 0, VM_SLEEP,
	    IPL_VM);
	tb->tb_vm_mem = vmem_create("pci-mem-vmem", T_MEM_START,
	    T_MEM_END - T_MEM_START + 1, 1, NULL, NULL, NULL, 0, VM_SLEEP,
	    IPL_VM);
	ATF_REQUIRE(tb->tb_ex_io != NULL && tb->tb_ex_mem != NULL &&
	    tb->tb_vm_io != NULL && tb->tb_vm_mem != NULL);
}

/* Assign one BAR both ways; both must succeed or fail, at one address. */
static bool
t_assign(struct t_bus *tb, struct t_bar *b)
{
	u_long sub0, sub1, boundary, ea;
	vmem_addr_t va;
	int eerr, verr;

	t_bar_limits(b, &sub0, &sub1, &boundary);
	eerr = extent_alloc_subregion(b->b_io ? tb->tb_ex_io : tb->tb_ex_mem,
	    sub0, sub1, b->b_size, b->b_size, boundary,
	    EX_NOWAIT | EX_BOUNDZERO, &ea);
	verr = vmem_xalloc(b->b_io ? tb->tb_vm_io : tb->tb_vm_mem, b->b_size,
	    b->b_size, 0, boundary, sub0, sub1, VM_NOSLEEP | VM_BESTFIT, &va);
	ATF_REQUIRE_MSG((eerr == 0) == (verr == 0), "dev %d size %#lx: "
	    "extent error %d, vmem error %d", b->b_dev, b->b_size, eerr, verr);
	ATF_REQUIRE(eerr == 0 || eerr == EAGAIN);
	if (eerr != 0)
		return false;
	ATF_CHECK_EQ_MSG(ea, va, "dev %d size %#lx: extent %#lx, vmem %#lx",
	    b->b_dev, b->b_size, ea, (u_long)va);
	ATF_CHECK_EQ(ea % b->b_size, 0);
	ATF_CHECK(ea >= sub0 && ea + b->b_size - 1 <= sub1);
	ATF_CHECK_EQ(ea / boundary, (ea + b->b_size - 1) / boundary);
	b->b_ext = ea;
	b->b_vmem = va;
	return true;
}

/* Unassign one BAR both ways. */
static void
t_unassign(struct t_bus *tb, struct t_bar *b)
{

	ATF_REQUIRE_EQ(extent_free(b->b_io ? tb->tb_ex_io : tb->tb_ex_mem,
	    b->b_ext, b->b_size, EX_NOWAIT), 0);
	vmem_xfree(b->b_io ? tb->tb_vm_io : tb->tb_vm_mem, b->b_vmem,
	    b->b_size);
	b->b_ext = b->b_vmem = 0;
}

/* Check that no two assigned BARs of one space overlap. */
static void
t_check_disjoint(const struct t_bar *bars, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (bars[i].b_ext == 0 || bars[j].b_ext == 0 ||
			    bars[i].b_io != bars[j].b_io)
				continue;
			ATF_CHECK_MSG(bars[i].b_ext + bars[i].b_size <=
			    bars[j].b_ext || bars[j].b_ext + bars[j].b_size <=
			    bars[i].b_ext, "BARs of devices %d and %d overlap",
			    bars[i].b_dev, bars[j].b_dev);
		}
	}
}

/* Tear the bus down; the maps free what is left themselves. */
static void
t_bus_destroy(struct t_bus *tb, struct t_bar *bars, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (bars[i].b_vmem != 0)
			vmem_xfree(bars[i].b_io ? tb->tb_vm_io : tb->tb_vm_mem,
			    bars[i].b_vmem, bars[i].b_size);
	}
	vmem_check(&tb->tb_ex_io->ex_vmem);
	vmem_check(&tb->tb_ex_mem->ex_vmem);
	extent_destroy(tb->tb_ex_io);
	extent_destroy(tb->tb_ex_mem);
	vmem_destroy(tb->tb_vm_io);
	vmem_destroy(tb->tb_vm_mem);
}

ATF_TC(assign_agree);
ATF_TC_HEAD(assign_agree, tc)
{

	atf_tc_set_md_var(tc, "descr", "BAR assignment through extent(9) and "
	    "through vmem_xalloc gives the same address for every BAR, each "
	    "naturally aligned, inside its window, crossing no boundary");
}
ATF_TC_BODY(assign_agree, tc)
{
	struct t_bus tb;
	uint32_t x = 1997;
	int i, first, assigned = 0;

	t_bus_create(&tb);
	t_nbar = t_make_bars(&x, 0, T_NDEV, t_bars);
	for (i = 0; i < t_nbar; i++) {
		if (t_assign(&tb, &t_bars[i]))
			assigned++;
	}
	ATF_CHECK(assigned > t_nbar / 2);
	t_check_disjoint(t_bars, t_nbar);

	/* Unplug every third device, plug in new ones, compare again. */
	for (i = 0; i < t_nbar; i++) {
		if (t_bars[i].b_ext != 0 && t_bars[i].b_dev % 3 == 0)
			t_unassign(&tb, &t_bars[i]);
	}
	first = t_nbar;
	t_nbar += t_make_bars(&x, T_NDEV, T_NDEV + T_NDEV / 3,
	    &t_bars[first]);
	for (i = first; i < t_nbar; i++)
		(void)t_assign(&tb, &t_bars[i]);
	t_check_disjoint(t_bars, t_nbar);
	ATF_CHECK_EQ(vmem_size(&tb.tb_ex_io->ex_vmem, VMEM_ALLOC),
	    vmem_size(tb.tb_vm_io, VMEM_ALLOC));
	ATF_CHECK_EQ(vmem_size(&tb.tb_ex_mem->ex_vmem, VMEM_ALLOC),
	    vmem_size(tb.tb_vm_mem, VMEM_ALLOC));
	extent_print(tb.tb_ex_io);
	t_bus_destroy(&tb, t_bars, t_nbar);
}

ATF_TC(bridge);
ATF_TC_HEAD(bridge, tc)
{

	atf_tc_set_md_var(tc, "descr", "a bridge takes a 16 MiB memory window "
	    "from its bus and assigns the BARs behind it from a map of that "
	    "window; they all fall inside it, aligned");
}
ATF_TC_BODY(bridge, tc)
{
	static struct t_bar bars[T_NBAR];
	struct extent *parent, *child;
	u_long win, a;
	uint32_t x = 7;
	int i, n;

	parent = extent_create("pci0-mem", T_MEM_START, T_MEM_END, NULL, 0,
	    EX_WAITOK);
	ATF_REQUIRE(parent != NULL);
	ATF_REQUIRE_EQ(extent_alloc(parent, 0x1000000, 0x100000, 0,
	    EX_NOWAIT, &win), 0);
	child = extent_create("pci1-mem", win, win + 0xffffff, NULL, 0,
	    EX_WAITOK | EX_NOCOALESCE);
	ATF_REQUIRE(child != NULL);
	n = t_make_bars(&x, 0, 16, bars);
	for (i = 0; i < n; i++) {
		if (bars[i].b_io || bars[i].b_size > 0x400000)
			continue;
		ATF_REQUIRE_EQ(extent_alloc(child, bars[i].b_size,
		    bars[i].b_size, 0, EX_NOWAIT, &a), 0);
		ATF_CHECK(a >= win && a + bars[i].b_size - 1 <= win + 0xffffff);
		ATF_CHECK_EQ(a % bars[i].b_size, 0);
		bars[i].b_ext = a;
	}
	for (i = 0; i < n; i++) {
		if (bars[i].b_ext != 0)
			ATF_CHECK_EQ(extent_free(child, bars[i].b_ext,
			    bars[i].b_size, EX_NOWAIT), 0);
	}
	ATF_CHECK_EQ(vmem_size(&child->ex_vmem, VMEM_ALLOC), 0);
	extent_destroy(child);
	ATF_CHECK_EQ(extent_free(parent, win, 0x1000000, EX_NOWAIT), 0);
	extent_destroy(parent);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, assign_agree);
	ATF_TP_ADD_TC(tp, bridge);
	return atf_no_error();
}
