/*
 * subr_kmem_util.c: the conveniences NetBSD's kmem(9) offers on top of
 * kmem_alloc and kmem_free: the interrupt entry points, strings, and
 * temporary buffers.
 *
 * Each is a thin caller of the kmem_alloc family in subr_kmem.c, with
 * nothing of its own to lock; what they allocate is ordinary kmem_alloc
 * memory of the size they say, so kmem_free with that size frees it.
 * They call the family's _caller forms (<sys/kmem_impl.h>) with their
 * own return address, so that an audit record, and a leak report, names
 * the code that called them rather than this file.
 * A string's size is its length with the NUL, so kmem_strfree frees a
 * string only if its length is the one it was allocated with: a string
 * shortened in place frees a size of another class, which the debug
 * checks (kmem_debug) catch and a plain build does not.
 */

#define	_KMEM_PRIVATE

#include <sys/param.h>
#include <sys/kmem.h>
#include <sys/kmem_impl.h>
#include <sys/systm.h>

/*
 * kmem_roundup_size: size rounded up to KMEM_ALIGN, the granularity of
 * kmem_alloc; a caller may allocate that many bytes and use them all.
 */
size_t
kmem_roundup_size(size_t size)
{

	return roundup2(size, KMEM_ALIGN);
}

/* ---- NetBSD's conveniences: interrupt entry points, strings, buffers */

/*
 * kmem_intr_alloc, kmem_intr_zalloc, kmem_intr_free: the entry points
 * NetBSD names for callers that may run in interrupt context.  Here
 * kmem_alloc with KM_NOSLEEP is already safe at IPL_VM and below (the
 * per-CPU layer blocks interrupts, every lock is a spin mutex at IPL_VM),
 * so these are kmem_alloc, kmem_zalloc and kmem_free under their other
 * names; KM_SLEEP in an interrupt handler panics in either.
 */
void *
kmem_intr_alloc(size_t size, km_flag_t kmflags)
{

	return kmem_alloc_caller(size, kmflags, __builtin_return_address(0));
}

void *
kmem_intr_zalloc(size_t size, km_flag_t kmflags)
{

	return kmem_zalloc_caller(size, kmflags, __builtin_return_address(0));
}

void
kmem_intr_free(void *p, size_t size)
{

	kmem_free_caller(p, size, __builtin_return_address(0));
}

/*
 * kmem_asprintf: a new string formatted as printf would, to be freed
 * with kmem_strfree.
 * => thread context: allocates with KM_SLEEP, never fails.
 */
char *
kmem_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *str;
	int len, n __diagused;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		panic("kmem_asprintf: format \"%s\" cannot be formatted", fmt);
	str = kmem_alloc_caller((size_t)len + 1, KM_SLEEP,
	    __builtin_return_address(0));
	va_start(ap, fmt);
	n = vsnprintf(str, (size_t)len + 1, fmt, ap);
	va_end(ap);
	KASSERT(n == len);
	return str;
}

/*
 * kmem_strdupsize: a copy of str in kmem_alloc memory, its size with the
 * NUL in *lenp if lenp is not NULL (kmem_strdup passes NULL).
 * => KM_NOSLEEP may fail (NULL); KM_SLEEP never does.
 */
char *
kmem_strdupsize(const char *str, size_t *lenp, km_flag_t kmflags)
{
	size_t len = strlen(str) + 1;
	char *p;

	p = kmem_alloc_caller(len, kmflags, __builtin_return_address(0));
	if (p == NULL)
		return NULL;
	memcpy(p, str, len);
	if (lenp != NULL)
		*lenp = len;
	return p;
}

/*
 * kmem_strndup: a copy of at most maxlen bytes of str, always
 * terminated; maxlen must not be 0.
 * => KM_NOSLEEP may fail (NULL); KM_SLEEP never does.
 */
char *
kmem_strndup(const char *str, size_t maxlen, km_flag_t kmflags)
{
	size_t len;
	char *p;

	if (str == NULL || maxlen == 0)
		panic("kmem_strndup(%p, %zu): no string, or maxlen 0", str,
		    maxlen);
	for (len = 0; len < maxlen && str[len] != '\0'; len++)
		continue;
	p = kmem_alloc_caller(len + 1, kmflags, __builtin_return_address(0));
	if (p == NULL)
		return NULL;
	memcpy(p, str, len);
	p[len] = '\0';
	return p;
}

/*
 * kmem_strfree: free a string from kmem_asprintf, kmem_strdup,
 * kmem_strdupsize or kmem_strndup, unchanged in length; NULL is ignored.
 */
void
kmem_strfree(char *str)
{

	if (str != NULL)
		kmem_free_caller(str, strlen(str) + 1,
		    __builtin_return_address(0));
}

/*
 * kmem_tmpbuf_alloc: stackbuf if size bytes fit in its stackbufsize,
 * else size bytes of kmem_alloc memory; kmem_tmpbuf_free takes the same
 * size and stackbuf and frees only the latter kind.
 * => KM_NOSLEEP may fail (NULL) when the stack buffer is too small.
 */
void *
kmem_tmpbuf_alloc(size_t size, void *stackbuf, size_t stackbufsize,
    km_flag_t kmflags)
{

	if (size <= stackbufsize)
		return stackbuf;
	return kmem_alloc_caller(size, kmflags, __builtin_return_address(0));
}

void
kmem_tmpbuf_free(void *buf, size_t size, void *stackbuf)
{

	if (buf != stackbuf)
		kmem_free_caller(buf, size, __builtin_return_address(0));
}
