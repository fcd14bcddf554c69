/*
 * rump_misc.c: panic, delay and the page level of the host platform.
 *
 * Kernel virtual addresses for kmem are one large reservation of the host
 * address space, inaccessible until backed.  Backing a range makes it
 * readable and writable (the host supplies zeroed pages on first touch);
 * unbacking discards the pages and makes the range inaccessible again, so
 * a stale pointer into released memory faults, as it does in the kernel.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "rump_host.h"

#define	RUMP_KVA_SIZE	((size_t)16 << 30)	/* 16 GiB of address space */

void	uvm_km_bootstrap(uintptr_t, uintptr_t);
void	kmem_init(void);

void
panic(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("panic: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	abort();
}

void
delay(unsigned int us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* Reserve kernel virtual space, build the kmem arenas on it, start kmem. */
void
rump_page_init(void)
{
	void *va;

	va = mmap(NULL, RUMP_KVA_SIZE, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (va == MAP_FAILED) {
		perror("rump: cannot reserve kernel virtual space");
		abort();
	}
	uvm_km_bootstrap((uintptr_t)va, (uintptr_t)va + RUMP_KVA_SIZE);
	kmem_init();
}

int
uvm_km_back(uintptr_t va, size_t size, unsigned int flags)
{

	(void)flags;
	if (mprotect((void *)va, size, PROT_READ | PROT_WRITE) == -1)
		return ENOMEM;
	return 0;
}

/* Unback at once: a process has no TLB of its own to batch. */
bool
uvm_km_unback(uintptr_t va, size_t size)
{

	if (madvise((void *)va, size, MADV_DONTNEED) == -1 ||
	    mprotect((void *)va, size, PROT_NONE) == -1)
		panic("uvm_km_unback: cannot release [%#lx, %#lx)",
		    (unsigned long)va, (unsigned long)(va + size));
	return true;
}

/* One page for vmem's boundary tags, outside the kmem range. */
void *
uvm_km_page_alloc(unsigned int flags)
{
	void *va;

	(void)flags;
	va = mmap(NULL, (size_t)1 << PAGE_SHIFT, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return va == MAP_FAILED ? NULL : va;
}

void
uvm_km_page_free(void *va)
{

	if (munmap(va, (size_t)1 << PAGE_SHIFT) == -1)
		panic("uvm_km_page_free: cannot release %p", va);
}

/* The kernel's strlcpy; the host C library may lack it. */
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size != 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
