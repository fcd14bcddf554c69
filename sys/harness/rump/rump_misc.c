/*
 * rump_misc.c: panic, delay and the page level of the host platform.
 *
 * Kernel virtual addresses for kmem are one large reservation of the host
 * address space, inaccessible until backed.  Backing a range makes the
 * RUMP_KVA_CHUNK-aligned chunks around it readable and writable, once:
 * they stay so, and neighbouring chunks merge into one host mapping, so
 * the process's mappings stay few however the range is cut (Linux allows
 * 65,530; a change of access for each segment split one mapping per
 * segment).  Unbacking discards the pages with madvise, which splits
 * nothing: the memory leaves the process, and a stale pointer into it
 * reads zeros (kmem_debug's patterns catch writes after free).  Where the
 * host refuses access (mprotect fails), backing fails and a VM_NOSLEEP
 * request with it.
 *
 * UKMEM_DEBUG in the environment, read before kmem_init, sets kmem_debug
 * for a program that links the library, as libumem's UMEM_DEBUG does:
 * "0" or "none" turns kmem's debugging checks off, "audit" on with audit
 * records, any other value on.
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
#define	RUMP_KVA_CHUNK	((size_t)2 << 20)	/* unit of access changes */
#define	RUMP_KVA_NCHUNK	(RUMP_KVA_SIZE / RUMP_KVA_CHUNK)
#define	RUMP_KMEM_DEBUG_ON 0x1		/* KMEM_DEBUG_ON of <sys/kmem.h> */
#define	RUMP_KMEM_DEBUG_AUDIT 0x2	/* KMEM_DEBUG_AUDIT */

static uintptr_t rump_kva;		/* the reservation */
static uint64_t rump_kva_open[RUMP_KVA_NCHUNK / 64]; /* chunks made RW */
extern int kmem_debug;

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

/* Clock ticks (hz a second) since some fixed time, as getticks(9). */
int
getticks(void)
{
	extern int hz;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int)(ts.tv_sec * hz + ts.tv_nsec / (1000000000L / hz));
}

void
delay(unsigned int us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* Set kmem_debug from UKMEM_DEBUG, if the environment has it. */
static void
rump_debug_env(void)
{
	const char *s = getenv("UKMEM_DEBUG");

	if (s == NULL)
		return;
	if (*s == '\0' || strcmp(s, "0") == 0 || strcmp(s, "none") == 0)
		kmem_debug = 0;
	else if (strcmp(s, "audit") == 0)
		kmem_debug = RUMP_KMEM_DEBUG_ON | RUMP_KMEM_DEBUG_AUDIT;
	else
		kmem_debug = RUMP_KMEM_DEBUG_ON;
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
	rump_kva = (uintptr_t)va;
	rump_debug_env();
	uvm_km_bootstrap((uintptr_t)va, (uintptr_t)va + RUMP_KVA_SIZE);
	kmem_init();
}

/* Make chunk i of the reservation accessible, unless it already is. */
static int
rump_kva_open_chunk(size_t i)
{
	uint64_t bit = (uint64_t)1 << (i % 64);

	if ((__atomic_load_n(&rump_kva_open[i / 64], __ATOMIC_ACQUIRE) &
	    bit) != 0)
		return 0;
	if (mprotect((void *)(rump_kva + i * RUMP_KVA_CHUNK), RUMP_KVA_CHUNK,
	    PROT_READ | PROT_WRITE) == -1)
		return ENOMEM;
	__atomic_fetch_or(&rump_kva_open[i / 64], bit, __ATOMIC_RELEASE);
	return 0;
}

int
uvm_km_back(uintptr_t va, size_t size, unsigned int flags)
{
	size_t i;

	(void)flags;
	for (i = (va - rump_kva) / RUMP_KVA_CHUNK;
	    i <= (va + size - 1 - rump_kva) / RUMP_KVA_CHUNK; i++) {
		if (rump_kva_open_chunk(i) != 0)
			return ENOMEM;
	}
	return 0;
}

/* Unback at once: a process has no TLB of its own to batch. */
bool
uvm_km_unback(uintptr_t va, size_t size)
{

	if (madvise((void *)va, size, MADV_DONTNEED) == -1)
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
