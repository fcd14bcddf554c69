/*
 * errno.h: the error numbers kernel interfaces return.
 *
 * The values match the host C library's so that host-platform test
 * programs, which see both, agree with the kernel on every number.
 */

#ifndef _SYS_ERRNO_H_
#define _SYS_ERRNO_H_

#ifndef EINTR
#define	EINTR		4	/* interrupted system call */
#endif
#ifndef EAGAIN
#define	EAGAIN		11	/* resource temporarily unavailable */
#endif
#ifndef ENOMEM
#define	ENOMEM		12	/* cannot allocate memory */
#endif
#ifndef EBUSY
#define	EBUSY		16	/* device or resource busy */
#endif
#ifndef EINVAL
#define	EINVAL		22	/* invalid argument */
#endif
#ifndef ETIMEDOUT
#define	ETIMEDOUT	110	/* operation timed out */
#endif
#ifndef EWOULDBLOCK
#define	EWOULDBLOCK	EAGAIN	/* operation would block */
#endif

#endif /* !_SYS_ERRNO_H_ */
