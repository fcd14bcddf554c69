/*
 * kernel.h: the test kernel's clock, command line and startup.
 *
 * hardclock runs on every CPU hz times a second from the clock interrupt,
 * at IPL_VM, told how many ticks passed (late interrupts catch up; the
 * count comes from the time source, which clock_time_us reads).  A clock hook is a function it calls there on every CPU, as
 * a device interrupt handler would run: it may allocate with VM_NOSLEEP
 * or KM_NOSLEEP, and must not sleep.  clockhook_establish allocates the
 * hook's record with KM_SLEEP and returns it as the handle;
 * clockhook_disestablish returns only once no CPU is still running the
 * hook, and frees the record.
 */

#ifndef _SYS_KERNEL_H_
#define _SYS_KERNEL_H_

#include <sys/types.h>

/* A test program built into the kernel (the build generates the table). */
struct atf_kernel_prog {
	const char	*ap_name;	/* tests/.../t_name */
	int		(*ap_main)(int, char **);
};

extern const struct atf_kernel_prog atf_kernel_progs[];

extern int hz;
extern volatile uint64_t ticks;
extern char kernel_bootargs[];

__BEGIN_DECLS
void	hardclock(u_int);
uint64_t clock_time_us(void);
void	clockhook_init(void);
void	*clockhook_establish(void (*)(void *), void *);
void	clockhook_disestablish(void *);
void	kernel_main(void) __dead;
const char *kernel_getarg(const char *);
void	cons_putc(int);
void	xc_init(void);
void	demo_run(void);
int	atf_kernel_run(const char *);
void	atf_kernel_panic(const char *) __dead;
__END_DECLS

#endif /* !_SYS_KERNEL_H_ */
