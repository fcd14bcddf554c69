/*
 * t_vmem.c: vmem(9), function by function.
 */

#include <sys/param.h>
#include <sys/errno.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

#include <atf-c.h>

ATF_TC(create_alloc_free);
ATF_TC_HEAD(create_alloc_free, tc)
{

	atf_tc_set_md_var(tc, "descr", "vmem_create, vmem_alloc, vmem_free "
	    "and vmem_size account for every byte");
}
ATF_TC_BODY(create_alloc_free, tc)
{
	vmem_addr_t a, b;
	vmem_t *vm;

	vm = vmem_create("t", 0x1000, 0x10000, 0x10, NULL, NULL, NULL, 0,
	    VM_SLEEP, 0);
	ATF_REQUIRE(vm != NULL);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_FREE), 0x10000);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x100, VM_SLEEP, &a), 0);
	ATF_REQUIRE_EQ(vmem_alloc(vm, 0x11, VM_NOSLEEP, &b), 0);
	ATF_CHECK(a >= 0x1000 && a + 0x100 <= 0x11000);
	ATF_CHECK(b + 0x20 <= a || a + 0x100 <= b);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0x120);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC | VMEM_FREE), 0x10000);
	vmem_free(vm, a, 0x100);
	vmem_free(vm, b, 0x11);
	ATF_CHECK_EQ(vmem_size(vm, VMEM_ALLOC), 0);
	vmem_check(vm);
	vmem_destroy(vm);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, create_alloc_free);
	return atf_no_error();
}
