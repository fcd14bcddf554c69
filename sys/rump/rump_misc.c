/*
 * rump_misc.c: panic, delay and the page level of the host platform.
 *
 * Kernel virtual addresses for kmem are one large reservation of the host
 * address space, inaccessible until backed.  Backing a range makes it
 * readable and writable (the host supplies zeroed pages on first touch);
 * unbacking discards its pages at once, so that memory kmem gives back
 * leaves the process, as it leaves the kernel.
 *
 * Access is changed a chunk (RUMP_KVA_CHUNK bytes, aligned) at a time, not
 * a range at a time: each chunk counts the bytes backed in it, becomes
 * accessible when the count leaves 0 and inaccessible when it comes back
 * to 0.  So a stale pointer into released memory faults, as it does in
 * the kernel, once nothing else in its chunk is backed (before that it
 * reads zeros); and a slab, a few pages, costs no host call to back, since
 * a new slab falls in a chunk already accessible: one mprotect a chunk
 * instead of one a slab, which made first-touch allocation far slower
 * than the C library's.  The counts live under one host lock, taken with
 * preemption off so that a cross call cannot run into it on this thread.
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
#define	RUMP_KVA_CHUNK	((size_t)1 << 20)	/* unit of access changes */
#define	RUMP_KVA_NCHUNK	(RUMP_KVA_SIZE / RUMP_KVA_CHUNK)

static uintptr_t rump_kva;			/* the reservation */
static pthread_mutex_t rump_kva_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t rump_kva_backed[RUMP_KVA_NCHUNK];	/* bytes backed a chunk */

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

	/* One chunk more, to align the reservation to a chunk. */
	va = mmap(NULL, RUMP_KVA_SIZE + RUMP_KVA_CHUNK, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (va == MAP_FAILED) {
		perror("rump: cannot reserve kernel virtual space");
		abort();
	}
	rump_kva = ((uintptr_t)va + RUMP_KVA_CHUNK - 1) &
	    ~(uintptr_t)(RUMP_KVA_CHUNK - 1);
	uvm_km_bootstrap(rump_kva, rump_kva + RUMP_KVA_SIZE);
	kmem_init();
}

/* The first chunk [va, va + size) meets. */
static uintptr_t
rump_kva_chunk(uintptr_t va)
{

	return va & ~(uintptr_t)(RUMP_KVA_CHUNK - 1);
}

/* The bytes of [va, va + size) in chunk c. */
static size_t
rump_kva_meet(uintptr_t c, uintptr_t va, size_t size)
{
	uintptr_t start = c > va ? c : va;
	uintptr_t end = c + RUMP_KVA_CHUNK < va + size ? c + RUMP_KVA_CHUNK :
	    va + size;

	return end - start;
}

/*
 * Count n more bytes backed in chunk c, making it accessible if they are
 * the first; -1 if the host refuses.
 * => rump_kva_lock held.
 */
static int
rump_kva_hold(uintptr_t c, size_t n)
{
	size_t *count = &rump_kva_backed[(c - rump_kva) / RUMP_KVA_CHUNK];

	if (*count == 0 && mprotect((void *)c, RUMP_KVA_CHUNK,
	    PROT_READ | PROT_WRITE) == -1)
		return -1;
	*count += n;
	return 0;
}

/*
 * Count n fewer bytes backed in chunk c, making it inaccessible if they
 * were the last.
 * => rump_kva_lock held.
 */
static void
rump_kva_release(uintptr_t c, size_t n)
{
	size_t *count = &rump_kva_backed[(c - rump_kva) / RUMP_KVA_CHUNK];

	if (*count < n)
		panic("uvm_km_unback: chunk %#lx: %zu bytes backed, %zu "
		    "released", (unsigned long)c, *count, n);
	if ((*count -= n) == 0 &&
	    mprotect((void *)c, RUMP_KVA_CHUNK, PROT_NONE) == -1)
		panic("uvm_km_unback: cannot protect chunk %#lx",
		    (unsigned long)c);
}

/* Take the chunk lock, with preemption off (no cross call meanwhile). */
static void
rump_kva_enter(void)
{

	rump_lwp.rl_nopreempt++;
	pthread_mutex_lock(&rump_kva_lock);
}

/* Drop the chunk lock. */
static void
rump_kva_exit(void)
{

	pthread_mutex_unlock(&rump_kva_lock);
	rump_lwp.rl_nopreempt--;
}

int
uvm_km_back(uintptr_t va, size_t size, unsigned int flags)
{
	uintptr_t c, d;

	(void)flags;
	rump_kva_enter();
	for (c = rump_kva_chunk(va); c < va + size; c += RUMP_KVA_CHUNK) {
		if (rump_kva_hold(c, rump_kva_meet(c, va, size)) != 0) {
			for (d = rump_kva_chunk(va); d < c;
			    d += RUMP_KVA_CHUNK)
				rump_kva_release(d, rump_kva_meet(d, va, size));
			rump_kva_exit();
			return ENOMEM;
		}
	}
	rump_kva_exit();
	return 0;
}

void
uvm_km_unback(uintptr_t va, size_t size)
{
	uintptr_t c;

	if (madvise((void *)va, size, MADV_DONTNEED) == -1)
		panic("uvm_km_unback: cannot release [%#lx, %#lx)",
		    (unsigned long)va, (unsigned long)(va + size));
	rump_kva_enter();
	for (c = rump_kva_chunk(va); c < va + size; c += RUMP_KVA_CHUNK)
		rump_kva_release(c, rump_kva_meet(c, va, size));
	rump_kva_exit();
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
