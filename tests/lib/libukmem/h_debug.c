/*
 * h_debug.c: helper of t_hostlib's debug_environment case.  It writes one
 * byte past a kmem_alloc buffer and frees it: with kmem's debugging checks
 * on (UKMEM_DEBUG) the free panics, which aborts; otherwise it exits 0.
 */

#include <stdio.h>
#include <stdlib.h>

#include <sys/kmem.h>

int
main(void)
{
	char *p;

	p = kmem_alloc(100, KM_SLEEP);
	if (p == NULL)
		return 1;
	p[100] = 1;
	kmem_free(p, 100);
	printf("kmem_debug %#x: the overrun went unseen\n", kmem_debug);
	return 0;
}
