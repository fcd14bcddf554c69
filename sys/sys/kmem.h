/*
 * kmem.h: the kmem(9) kernel memory allocator interface.
 *
 * Object caches (kmem_cache_*) hand out fixed-size, optionally
 * constructed objects; kmem_alloc hands out memory of any size from a
 * set of size-class caches.  See kmem(9) and the theory comment at the
 * top of sys/kern/subr_kmem.c.
 *
 * It is a kernel header: it includes only kernel headers.  The host
 * library installs a wrapper of the same name for programs outside the
 * tree (see <sys/vmem.h>).  The names, types and flag values of the
 * interfaces NetBSD has are NetBSD's.
 */

#ifndef _SYS_KMEM_H_
#define _SYS_KMEM_H_

#include <sys/types.h>
#include <sys/vmem.h>

typedef struct kmem_cache kmem_cache_t;
typedef unsigned int km_flag_t;

/* Allocation flags: exactly one of KM_SLEEP and KM_NOSLEEP. */
#define	KM_SLEEP	0x00000001	/* may sleep; never fails */
#define	KM_NOSLEEP	0x00000002	/* never sleeps; may fail */

/* kmem_cache_create flags. */
#define	KMC_NOMAGAZINE	0x00000001	/* no per-CPU layer, only slabs */
#define	KMC_NOTOUCH	0x00000002	/* objects are not memory */
#define	KMC_DEBUG	0x00000004	/* debug, whatever kmem_debug */
#define	KMC_NODEBUG	0x00000008	/* do not debug, ditto */
#define	KMC_AUDIT	0x00000010	/* debug, and record who allocates */

/* Bits of kmem_debug, the default for caches created from then on. */
#define	KMEM_DEBUG_ON	0x00000001	/* patterns, redzones, buffer tags */
#define	KMEM_DEBUG_AUDIT 0x00000002	/* and audit records (KMC_AUDIT) */

/* Alignment of kmem_alloc buffers. */
#define	KMEM_ALIGN	8

#ifdef __cplusplus
extern "C" {
#endif
extern int	kmem_debug;

void	kmem_init(void);

kmem_cache_t *kmem_cache_create(const char *, size_t, size_t,
	    int (*)(void *, void *, int), void (*)(void *, void *),
	    void (*)(void *), void *, vmem_t *, int);
void	kmem_cache_destroy(kmem_cache_t *);
void	*kmem_cache_alloc(kmem_cache_t *, int);
void	kmem_cache_free(kmem_cache_t *, void *);

void	*kmem_alloc(size_t, km_flag_t);
void	*kmem_zalloc(size_t, km_flag_t);
void	kmem_free(void *, size_t);
size_t	kmem_roundup_size(size_t);

/* The same, for callers in interrupt context (KM_NOSLEEP only). */
void	*kmem_intr_alloc(size_t, km_flag_t);
void	*kmem_intr_zalloc(size_t, km_flag_t);
void	kmem_intr_free(void *, size_t);

/* Strings: kmem_strfree frees what any of the others returned. */
char	*kmem_asprintf(const char *, ...) __printflike(1, 2);
char	*kmem_strdupsize(const char *, size_t *, km_flag_t);
#define	kmem_strdup(s, f)	kmem_strdupsize((s), NULL, (f))
char	*kmem_strndup(const char *, size_t, km_flag_t);
void	kmem_strfree(char *);

/* A buffer on the caller's stack when it is large enough, else kmem's. */
void	*kmem_tmpbuf_alloc(size_t, void *, size_t, km_flag_t);
void	kmem_tmpbuf_free(void *, size_t, void *);

void	kmem_reap(void);
void	kmem_update(void);
void	kmem_print(void);
void	kmem_cache_print(kmem_cache_t *);
void	kmem_cache_leak_print(kmem_cache_t *);
void	kmem_leak_print(void);
#ifdef __cplusplus
}
#endif

#endif /* !_SYS_KMEM_H_ */
