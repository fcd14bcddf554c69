/*
 * t_bus_pci.h: the PCI-like bus driver that t_bus_pci and t_mtbf share.
 * It assigns I/O and memory windows to its devices twice, through
 * extent(9) as bus drivers do and through vmem_xalloc directly, every
 * request EX_NOWAIT or VM_NOSLEEP; a bridge takes a window from its bus
 * and serves the devices behind it from a map of its own.
 *
 * The bus has a 16-bit I/O space and a 1 GiB memory window below 4 GiB
 * whose upper half is prefetchable.  Each device has up to three BARs
 * whose sizes are powers of 2; a BAR is naturally aligned, may not cross
 * a boundary (4 KiB for I/O, 256 MiB for memory), and prefetchable BARs
 * go in the prefetchable half.  BARs are assigned largest first, as
 * firmware does.  A request that fails leaves its BAR unassigned (address
 * 0, which no window holds) and is counted by its error, as a driver
 * reports a device it could not configure.  Included once per test
 * program, so its functions are static.
 */

#ifndef _TESTS_KERN_BUS_T_BUS_PCI_H_
#define _TESTS_KERN_BUS_T_BUS_PCI_H_

#include "../t_rand.h"

#define	T_IO_START	0x1000UL
#define	T_IO_END	0xffffUL
#define	T_IO_BOUNDARY	0x1000UL
#define	T_MEM_START	0x80000000UL
#define	T_MEM_END	0xbfffffffUL
#define	T_PF_START	0xa0000000UL	/* prefetchable half */
#define	T_MEM_BOUNDARY	0x10000000UL
#define	T_NDEV		48
#define	T_NBAR		(3 * (T_NDEV + T_NDEV / 3))
#define	T_BRIDGE_SIZE	0x1000000UL	/* a bridge's memory window */
#define	T_BRIDGE_NDEV	16		/* devices behind a bridge */

struct t_bar {
	int	b_dev;
	bool	b_io;
	bool	b_prefetch;
	u_long	b_size;
	u_long	b_ext;		/* address through extent(9), or 0 */
	u_long	b_vmem;		/* address through vmem_xalloc, or 0 */
};

/* The failures the driver saw, by error. */
struct t_pci_fails {
	u_int	pf_ext_nomem;	/* extent(9): ENOMEM, no memory */
	u_int	pf_ext_nospace;	/* extent(9): EAGAIN, no space */
	u_int	pf_vmem;	/* vmem_xalloc: ENOMEM */
};

static struct t_pci_fails t_pci_fails;

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

/* Check that address a meets the constraints of BAR b. */
static void
t_bar_check(const struct t_bar *b, u_long a, const char *how)
{
	u_long sub0, sub1, boundary;

	t_bar_limits(b, &sub0, &sub1, &boundary);
	ATF_CHECK_MSG(a % b->b_size == 0 && a >= sub0 &&
	    a + b->b_size - 1 <= sub1 &&
	    a / boundary == (a + b->b_size - 1) / boundary,
	    "dev %d size %#lx: %s address %#lx breaks its constraints",
	    b->b_dev, b->b_size, how, a);
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

/* Count a failed extent(9) request by its error. */
static void
t_ext_failed(int dev, u_long size, int error)
{

	ATF_REQUIRE_MSG(error == ENOMEM || error == EAGAIN,
	    "dev %d size %#lx: extent error %d", dev, size, error);
	if (error == ENOMEM)
		t_pci_fails.pf_ext_nomem++;
	else
		t_pci_fails.pf_ext_nospace++;
}

/*
 * Assign one BAR both ways, each on its own: a failure leaves that
 * address 0 and is counted.  True if both succeeded.
 */
static bool
t_assign(struct t_bus *tb, struct t_bar *b)
{
	u_long sub0, sub1, boundary, ea;
	vmem_addr_t va;
	int error;

	t_bar_limits(b, &sub0, &sub1, &boundary);
	error = extent_alloc_subregion(b->b_io ? tb->tb_ex_io : tb->tb_ex_mem,
	    sub0, sub1, b->b_size, b->b_size, boundary,
	    EX_NOWAIT | EX_BOUNDZERO, &ea);
	if (error != 0)
		t_ext_failed(b->b_dev, b->b_size, error);
	else {
		t_bar_check(b, ea, "extent");
		b->b_ext = ea;
	}
	error = vmem_xalloc(b->b_io ? tb->tb_vm_io : tb->tb_vm_mem, b->b_size,
	    b->b_size, 0, boundary, sub0, sub1, VM_NOSLEEP | VM_BESTFIT, &va);
	if (error != 0) {
		ATF_REQUIRE_EQ_MSG(error, ENOMEM, "dev %d size %#lx: vmem "
		    "error %d", b->b_dev, b->b_size, error);
		t_pci_fails.pf_vmem++;
	} else {
		t_bar_check(b, va, "vmem");
		b->b_vmem = va;
	}
	return b->b_ext != 0 && b->b_vmem != 0;
}

/* Unassign one BAR both ways, whichever it holds. */
static void
t_unassign(struct t_bus *tb, struct t_bar *b)
{

	if (b->b_ext != 0)
		ATF_REQUIRE_EQ(extent_free(b->b_io ? tb->tb_ex_io :
		    tb->tb_ex_mem, b->b_ext, b->b_size, EX_NOWAIT), 0);
	if (b->b_vmem != 0)
		vmem_xfree(b->b_io ? tb->tb_vm_io : tb->tb_vm_mem, b->b_vmem,
		    b->b_size);
	b->b_ext = b->b_vmem = 0;
}

/* True if the ranges at a and c of sizes as and cs are disjoint. */
static bool
t_disjoint(u_long a, u_long as, u_long c, u_long cs)
{

	return a == 0 || c == 0 || a + as <= c || c + cs <= a;
}

/* Check that no two assigned BARs of one space overlap, either way. */
static void
t_check_disjoint(const struct t_bar *bars, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (bars[i].b_io != bars[j].b_io)
				continue;
			ATF_CHECK_MSG(t_disjoint(bars[i].b_ext, bars[i].b_size,
			    bars[j].b_ext, bars[j].b_size) &&
			    t_disjoint(bars[i].b_vmem, bars[i].b_size,
			    bars[j].b_vmem, bars[j].b_size),
			    "BARs of devices %d and %d overlap",
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

/*
 * A bridge on the bus whose memory map is parent: take a naturally
 * aligned window for it, assign the memory BARs of up to 4 MiB of
 * T_BRIDGE_NDEV devices behind it from a map of that window while the
 * window has room (naturally aligned powers of 2, largest first, leave
 * no hole a smaller one cannot use), check them, free everything and
 * give the window back.  A failed request is counted (t_pci_fails); if the
 * window's fails, no device behind the bridge is configured.  The
 * failures the child map's arena counted are added to *nfailp.
 */
static void
t_bridge(struct extent *parent, uint32_t *x, struct t_bar *bars,
    u_long *nfailp)
{
	struct t_bar *b;
	struct extent *child;
	u_long win, a, room = T_BRIDGE_SIZE;
	int error, i, n;

	error = extent_alloc(parent, T_BRIDGE_SIZE, T_BRIDGE_SIZE, 0,
	    EX_NOWAIT, &win);
	if (error != 0) {
		t_ext_failed(-1, T_BRIDGE_SIZE, error);
		return;
	}
	child = extent_create("pci1-mem", win, win + T_BRIDGE_SIZE - 1,
	    NULL, 0, EX_WAITOK | EX_NOCOALESCE);
	ATF_REQUIRE(child != NULL);
	n = t_make_bars(x, 0, T_BRIDGE_NDEV, bars);
	for (i = 0; i < n; i++) {
		b = &bars[i];
		if (b->b_io || b->b_size > 0x400000 || b->b_size > room)
			continue;
		error = extent_alloc(child, b->b_size, b->b_size, 0,
		    EX_NOWAIT, &a);
		if (error != 0) {
			t_ext_failed(b->b_dev, b->b_size, error);
			continue;
		}
		ATF_CHECK_MSG(a >= win && a + b->b_size - 1 <=
		    win + T_BRIDGE_SIZE - 1 && a % b->b_size == 0,
		    "dev %d size %#lx behind the bridge at %#lx: address %#lx",
		    b->b_dev, b->b_size, win, a);
		b->b_ext = a;
		room -= b->b_size;
	}
	t_check_disjoint(bars, n);
	for (i = 0; i < n; i++) {
		if (bars[i].b_ext != 0)
			ATF_CHECK_EQ(extent_free(child, bars[i].b_ext,
			    bars[i].b_size, EX_NOWAIT), 0);
	}
	ATF_CHECK_EQ(vmem_size(&child->ex_vmem, VMEM_ALLOC), 0);
	vmem_check(&child->ex_vmem);
	*nfailp += child->ex_vmem.vm_nfail;
	extent_destroy(child);
	ATF_CHECK_EQ(extent_free(parent, win, T_BRIDGE_SIZE, EX_NOWAIT), 0);
}

#endif /* !_TESTS_KERN_BUS_T_BUS_PCI_H_ */
