/*
 * h_debug.c: helper of t_hostlib's debug_environment case.  It writes one
 * byte past a kmem_alloc buffer and frees it: with kmem's debugging checks
 * on (UKMEM_DEBUG) the free panics, which aborts; otherwise it exits 0.
 * With the argument "leak" it leaves two buffers allocated and prints
 * kmem's leak report instead.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/kmem.h>

int
main(int argc, char **argv)
{
	volatile int n = 2;
	char *p;
	int i;

	if (argc > 1 && strcmp(argv[1], "leak") == 0) {
		for (i = 0; i < n; i++)
			(void)kmem_alloc(100, KM_SLEEP);
		kmem_leak_print();
		return 0;
	}
	p = kmem_alloc(100, KM_SLEEP);
	if (p == NULL)
		return 1;
	p[100] = 1;
	kmem_free(p, 100);
	printf("kmem_debug %#x: the overrun went unseen\n", kmem_debug);
	return 0;
}
