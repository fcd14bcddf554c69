/*
 * t_bus_dma.h: the bus_dma-style driver that t_bus_dma and the
 * kernel-only t_bus_dma_intr share: a physical arena of 8 GiB, a DMA
 * arena below 4 GiB importing from it, size-aligned rings that never
 * cross 64 KiB, scatter segments under a 30-bit device's limit, all
 * taken with VM_NOSLEEP, and an ownership map of the pages below 4 GiB
 * that catches any two holders of one page.  Included once per test
 * program, so its functions are static.
 */

#ifndef _TESTS_KERN_BUS_T_BUS_DMA_H_
#define _TESTS_KERN_BUS_T_BUS_DMA_H_

#include "../t_rand.h"

#ifndef TEST_SCALE
#define	TEST_SCALE	1
#endif

#define	T_PHYS_SIZE	(8UL << 30)	/* physical addresses: 8 GiB */
#define	T_DMA_MAX	((4UL << 30) - 1) /* the DMA arena's last address */
#define	T_SEG_MAX	((1UL << 30) - 1) /* a 30-bit device's last address */
#define	T_RING_NOCROSS	0x10000UL
#define	T_THREADS	4
#define	T_NPAGES	((T_DMA_MAX + 1) / PAGE_SIZE)

static vmem_t *t_phys, *t_dma;
static volatile uint8_t t_owner[T_NPAGES];
static volatile u_int t_failures;

/* Claim or release the pages of [a, a + size); panic on a conflict. */
static void
t_own(vmem_addr_t a, vmem_size_t size, uint8_t from, uint8_t to)
{
	vmem_size_t i;
	uint8_t o;

	for (i = a / PAGE_SIZE; i < (a + size) / PAGE_SIZE; i++) {
		o = from;
		if (!__atomic_compare_exchange_n(&t_owner[i], &o, to, false,
		    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			panic("page %#lx held by %u, not %u",
			    (unsigned long)i * PAGE_SIZE, o, from);
	}
}

/* A ring of size bytes: aligned to its size, within one 64 KiB block. */
static bool
t_ring_alloc(vmem_size_t size, uint8_t id, vmem_addr_t *ap)
{

	if (vmem_xalloc(t_dma, size, size, 0, T_RING_NOCROSS, 0, T_DMA_MAX,
	    VM_NOSLEEP | VM_INSTANTFIT, ap) != 0) {
		atomic_inc_uint(&t_failures);
		return false;
	}
	if (*ap % size != 0 || *ap / T_RING_NOCROSS !=
	    (*ap + size - 1) / T_RING_NOCROSS || *ap + size - 1 > T_DMA_MAX)
		panic("ring %#lx size %#zx breaks its constraints",
		    (unsigned long)*ap, size);
	t_own(*ap, size, 0, id);
	return true;
}

/* A scatter segment under the 30-bit limit. */
static bool
t_seg_alloc(vmem_size_t size, uint8_t id, vmem_addr_t *ap)
{

	if (vmem_xalloc(t_dma, size, 0, 0, 0, 0, T_SEG_MAX,
	    VM_NOSLEEP | VM_BESTFIT, ap) != 0) {
		atomic_inc_uint(&t_failures);
		return false;
	}
	if (*ap + size - 1 > T_SEG_MAX)
		panic("segment %#lx size %#zx above the device's limit",
		    (unsigned long)*ap, size);
	t_own(*ap, size, 0, id);
	return true;
}

/* Release what t_ring_alloc or t_seg_alloc gave. */
static void
t_dma_free(vmem_addr_t a, vmem_size_t size, uint8_t id)
{

	t_own(a, size, id, 0);
	vmem_xfree(t_dma, a, size);
}

/* One round of a driver: a ring and a scatter list, then back. */
static void
t_driver_round(uint32_t *x, uint8_t id)
{
	vmem_addr_t ring, seg[8];
	vmem_size_t rsize, ssize[8];
	bool have_ring;
	int i;

	rsize = PAGE_SIZE << (t_rand(x) % 5);
	have_ring = t_ring_alloc(rsize, id, &ring);
	for (i = 0; i < 8; i++) {
		ssize[i] = PAGE_SIZE * (1 + t_rand(x) % 4);
		if (!t_seg_alloc(ssize[i], id, &seg[i]))
			ssize[i] = 0;
	}
	for (i = 0; i < 8; i++) {
		if (ssize[i] != 0)
			t_dma_free(seg[i], ssize[i], id);
	}
	if (have_ring)
		t_dma_free(ring, rsize, id);
}

/* A driver thread: rounds at IPL_VM and at IPL_NONE, alternately. */
static void
t_driver_main(void *arg)
{
	uint8_t id = (uint8_t)(uintptr_t)arg;
	uint32_t x = id * 2654435761u + 1;
	int round, s;

	for (round = 0; round < 3000 / TEST_SCALE; round++) {
		if (round % 2 == 0) {
			s = splvm();
			t_driver_round(&x, id);
			splx(s);
		} else
			t_driver_round(&x, id);
	}
	kthread_exit(0);
}

/* Make the physical arena and the DMA arena below 4 GiB. */
static void
t_arenas_create(void)
{

	t_phys = vmem_create("phys", 0, T_PHYS_SIZE, PAGE_SIZE, NULL, NULL,
	    NULL, 0, VM_SLEEP, IPL_VM);
	t_dma = vmem_create("dma32", 0, 0, PAGE_SIZE, vmem_alloc, vmem_free,
	    t_phys, 0, VM_SLEEP, IPL_VM);
	ATF_REQUIRE(t_phys != NULL && t_dma != NULL);
}

/* Check that everything came back, and tear the arenas down. */
static void
t_arenas_destroy(void)
{

	ATF_CHECK_EQ(vmem_size(t_dma, VMEM_ALLOC), 0);
	vmem_check(t_dma);
	vmem_destroy(t_dma);
	ATF_CHECK_EQ(vmem_size(t_phys, VMEM_ALLOC), 0);
	vmem_check(t_phys);
	vmem_destroy(t_phys);
}

#endif /* !_TESTS_KERN_BUS_T_BUS_DMA_H_ */
