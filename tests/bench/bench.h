/*
 * bench.h: small helpers shared by the benchmark programs under
 * tests/bench; host programs only, never built into a kernel.
 */

#ifndef _TESTS_BENCH_BENCH_H_
#define _TESTS_BENCH_BENCH_H_

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Nanoseconds on the monotonic clock. */
static inline uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* Print prog's message and exit: the benchmark cannot go on. */
static inline void
bench_fail(const char *prog, const char *msg, unsigned long a)
{

	fprintf(stderr, "%s: %s (%#lx)\n", prog, msg, a);
	exit(1);
}

#endif /* !_TESTS_BENCH_BENCH_H_ */
