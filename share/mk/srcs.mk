# share/mk/srcs.mk: the kernel sources each host compiles.
#
# ALLOC_SRCS are the allocator and its glue to the page level, and the
# harnesses' stand-in for NetBSD's uvm_km_bootstrap: machine-independent,
# compiled unchanged for the host platform and for the test kernel.
# (sys/uvm/uvm_kmem_page.c is the glue's page level for a NetBSD kernel
# only; make netbsd-check compiles it.)
# RUMP_SRCS are the host platform's glue (ordinary host C).

ALLOC_SRCS+=	sys/kern/kern_malloc.c
ALLOC_SRCS+=	sys/kern/subr_extent.c
ALLOC_SRCS+=	sys/kern/subr_kmem.c
ALLOC_SRCS+=	sys/kern/subr_kmem_cache.c
ALLOC_SRCS+=	sys/kern/subr_kmem_debug.c
ALLOC_SRCS+=	sys/kern/subr_kmem_depot.c
ALLOC_SRCS+=	sys/kern/subr_kmem_qcache.c
ALLOC_SRCS+=	sys/kern/subr_kmem_slab.c
ALLOC_SRCS+=	sys/kern/subr_kmem_util.c
ALLOC_SRCS+=	sys/kern/subr_vmem.c
ALLOC_SRCS+=	sys/kern/subr_vmem_arena.c
ALLOC_SRCS+=	sys/kern/subr_vmem_bt.c
ALLOC_SRCS+=	sys/kern/subr_vmem_busy.c
ALLOC_SRCS+=	sys/kern/subr_vmem_check.c
ALLOC_SRCS+=	sys/kern/subr_vmem_fit.c
ALLOC_SRCS+=	sys/kern/subr_vmem_mtbf.c
ALLOC_SRCS+=	sys/kern/subr_vmem_tree.c
ALLOC_SRCS+=	sys/uvm/uvm_kmem.c
ALLOC_SRCS+=	sys/harness/uvm/uvm_km.c

RUMP_SRCS+=	sys/harness/rump/rump_cpu.c
RUMP_SRCS+=	sys/harness/rump/rump_keep.c
RUMP_SRCS+=	sys/harness/rump/rump_misc.c
RUMP_SRCS+=	sys/harness/rump/rump_sync.c
RUMP_SRCS+=	sys/harness/rump/rump_thread.c

# Headers installed with the host library for programs outside the tree.
LIB_INCS+=	sys/sys/kmem.h
LIB_INCS+=	sys/sys/vmem.h
