/*
 * t_bus_pci.c: a PCI-like bus assigns I/O and memory windows to its
 * devices, as bus drivers use extent(9), and the same assignment is made
 * with vmem_xalloc directly; the two must agree address for address.
 *
 * The driver, its bus and its bridges are in t_bus_pci.h, which t_mtbf
 * runs under fault injection.  BARs are assigned largest first, as
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

#include "t_bus_pci.h"

static struct t_bar t_bars[T_NBAR];
static int t_nbar;

/* Assign one BAR both ways; both must succeed or fail, at one address. */
static bool
t_assign_agree(struct t_bus *tb, struct t_bar *b)
{
	bool both = t_assign(tb, b);

	ATF_REQUIRE_MSG((b->b_ext != 0) == (b->b_vmem != 0), "dev %d size "
	    "%#lx: extent %#lx, vmem %#lx", b->b_dev, b->b_size, b->b_ext,
	    b->b_vmem);
	ATF_CHECK_EQ_MSG(b->b_ext, b->b_vmem, "dev %d size %#lx: extent "
	    "%#lx, vmem %#lx", b->b_dev, b->b_size, b->b_ext, b->b_vmem);
	return both;
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
		if (t_assign_agree(&tb, &t_bars[i]))
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
		(void)t_assign_agree(&tb, &t_bars[i]);
	t_check_disjoint(t_bars, t_nbar);
	ATF_CHECK_EQ(vmem_size(&tb.tb_ex_io->ex_vmem, VMEM_ALLOC),
	    vmem_size(tb.tb_vm_io, VMEM_ALLOC));
	ATF_CHECK_EQ(vmem_size(&tb.tb_ex_mem->ex_vmem, VMEM_ALLOC),
	    vmem_size(tb.tb_vm_mem, VMEM_ALLOC));
	ATF_CHECK_EQ(t_pci_fails.pf_ext_nomem, 0);
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
	static struct t_bar bars[3 * T_BRIDGE_NDEV];
	struct extent *parent;
	uint32_t x = 7;
	u_long nfail = 0;

	parent = extent_create("pci0-mem", T_MEM_START, T_MEM_END, NULL, 0,
	    EX_WAITOK);
	ATF_REQUIRE(parent != NULL);
	t_bridge(parent, &x, bars, &nfail);
	ATF_CHECK_EQ(t_pci_fails.pf_ext_nomem + t_pci_fails.pf_ext_nospace,
	    0);
	ATF_CHECK_EQ(nfail, 0);
	ATF_CHECK_EQ(vmem_size(&parent->ex_vmem, VMEM_ALLOC), 0);
	extent_destroy(parent);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, assign_agree);
	ATF_TP_ADD_TC(tp, bridge);
	return atf_no_error();
}
