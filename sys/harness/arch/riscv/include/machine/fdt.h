/*
 * machine/fdt.h: what the test kernel takes from the flattened device
 * tree that the firmware passes at boot.
 */

#ifndef _RISCV_MACHINE_FDT_H_
#define _RISCV_MACHINE_FDT_H_

#include <sys/types.h>

#include <machine/param.h>

#define	FDT_BOOTARGS_MAX	256

struct fdt_info {
	char		fi_bootargs[FDT_BOOTARGS_MAX];	/* /chosen */
	uint64_t	fi_timebase;	/* /cpus timebase-frequency, Hz */
	paddr_t		fi_mem_start;	/* first /memory range */
	paddr_t		fi_mem_end;
	u_long		fi_harts[MAXCPUS];	/* enabled /cpus/cpu@N */
	u_int		fi_nharts;
	paddr_t		fi_start;	/* the blob itself */
	paddr_t		fi_end;
};

__BEGIN_DECLS
int	fdt_parse(const void *, struct fdt_info *);
__END_DECLS

#endif /* !_RISCV_MACHINE_FDT_H_ */
