/*
 * systm.h: the kernel's small C library and its assertions.
 *
 * Each host supplies these functions: the test kernel in sys/kern, the
 * host platform from the process it runs in.  panic() never returns; on
 * the host platform it prints its message and aborts the process, so that
 * a test expecting a panic expects SIGABRT.
 */

#ifndef _SYS_SYSTM_H_
#define _SYS_SYSTM_H_

#include <sys/types.h>

#include <stdarg.h>

__BEGIN_DECLS
int	printf(const char *, ...) __printflike(1, 2);
int	vprintf(const char *, va_list) __printflike(1, 0);
int	snprintf(char *, size_t, const char *, ...) __printflike(3, 4);
int	vsnprintf(char *, size_t, const char *, va_list) __printflike(3, 0);
void	panic(const char *, ...) __dead __printflike(1, 2);

void	*memcpy(void *, const void *, size_t);
void	*memmove(void *, const void *, size_t);
void	*memset(void *, int, size_t);
int	memcmp(const void *, const void *, size_t);
size_t	strlen(const char *);
int	strcmp(const char *, const char *);
int	strncmp(const char *, const char *, size_t);
size_t	strlcpy(char *, const char *, size_t);

/* Busy-wait for the given number of microseconds. */
void	delay(unsigned int);
__END_DECLS

/* A fact the compiler can check. */
#define	CTASSERT(x)		_Static_assert((x), #x)

#ifdef DIAGNOSTIC
#define	KASSERTMSG(e, msg, ...)						\
	(__predict_true(e) ? (void)0 :					\
	    panic("kernel diagnostic assertion \"%s\" failed: "	\
	    "file \"%s\", line %d: " msg, #e, __FILE__, __LINE__,	\
	    ## __VA_ARGS__))
#define	KASSERT(e)		KASSERTMSG(e, " ")
#define	__diagused
#else
#define	KASSERTMSG(e, msg, ...)	((void)0)
#define	KASSERT(e)		((void)0)
#define	__diagused		__unused
#endif

#endif /* !_SYS_SYSTM_H_ */
