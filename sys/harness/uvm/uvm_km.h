/*
 * uvm_km.h: the harnesses' stand-in for NetBSD's uvm/uvm_km.h, as much of
 * it as the allocator's glue needs (uvm_km.c here).
 */

#ifndef _UVM_UVM_KM_H_
#define _UVM_UVM_KM_H_

#include <sys/types.h>
#include <sys/vmem.h>

#include <uvm/uvm_kmem.h>

__BEGIN_DECLS
void	uvm_km_bootstrap(vaddr_t, vaddr_t);
__END_DECLS

#endif /* !_UVM_UVM_KM_H_ */
