/*
 * t_rand.h: the tests' pseudo-random numbers, a 32-bit xorshift
 * sequence (Marsaglia, 2003) whose state the caller keeps and seeds, so
 * that every run of a case makes the same requests.
 */

#ifndef _TESTS_KERN_T_RAND_H_
#define _TESTS_KERN_T_RAND_H_

#include <sys/types.h>

/* The next number of the sequence in *x (never 0 unless seeded 0). */
static inline uint32_t
t_rand(uint32_t *x)
{

	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

#endif /* !_TESTS_KERN_T_RAND_H_ */
