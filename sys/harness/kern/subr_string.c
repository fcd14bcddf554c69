/*
 * subr_string.c: the memory and string functions of <sys/systm.h> for
 * the test kernel, which links no C library.  The compiler also calls
 * memcpy and memset itself, for structure copies and initializers.
 */

#include <sys/param.h>
#include <sys/systm.h>

void *
memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s | n) & 7) == 0) {
		for (; n != 0; n -= 8, d += 8, s += 8)
			*(uint64_t *)(void *)d =
			    *(const uint64_t *)(const void *)s;
		return dst;
	}
	while (n-- != 0)
		*d++ = *s++;
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n-- != 0)
		d[n] = s[n];
	return dst;
}

void *
memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t w = (unsigned char)c * 0x0101010101010101ULL;

	if ((((uintptr_t)d | n) & 7) == 0) {
		for (; n != 0; n -= 8, d += 8)
			*(volatile uint64_t *)(void *)d = w;
		return dst;
	}
	while (n-- != 0)
		*(volatile unsigned char *)d++ = (unsigned char)c;
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n != 0; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t
strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

int
strcmp(const char *a, const char *b)
{

	for (; *a == *b; a++, b++)
		if (*a == '\0')
			return 0;
	return (unsigned char)*a - (unsigned char)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{

	for (; n != 0; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (*a == '\0')
			return 0;
	}
	return 0;
}

size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size != 0) {
		size_t m = MIN(n, size - 1);

		memcpy(dst, src, m);
		dst[m] = '\0';
	}
	return n;
}
