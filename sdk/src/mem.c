/*
 * sel4ts libmicrokit: memcpy, memmove, memset and memcmp.
 *
 * PDs have no C library, but compilers emit calls to these four for struct copies and
 * large initialisers even in freestanding code. They are weak and sit in their own
 * archive member: a PD (or a C library linked before libmicrokit.a) that brings its own
 * versions gets those instead.
 *
 * The Makefile builds this file with loop-idiom recognition off, so the loops below are
 * not turned back into calls to themselves.
 */
#include <sel4/simple_types.h>

typedef unsigned long microkit_size_t;

__attribute__((weak)) void *memcpy(void *restrict dst, const void *restrict src, microkit_size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n-- > 0) {
        *d++ = *s++;
    }
    return dst;
}

__attribute__((weak)) void *memmove(void *dst, const void *src, microkit_size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0) {
        return dst;
    }
    if (d < s) {
        while (n-- > 0) {
            *d++ = *s++;
        }
    } else {
        /* Overlap with the destination above the source: copy from the end. */
        d += n;
        s += n;
        while (n-- > 0) {
            *--d = *--s;
        }
    }
    return dst;
}

__attribute__((weak)) void *memset(void *dst, int c, microkit_size_t n)
{
    unsigned char *d = dst;
    while (n-- > 0) {
        *d++ = (unsigned char)c;
    }
    return dst;
}

__attribute__((weak)) int memcmp(const void *a, const void *b, microkit_size_t n)
{
    const unsigned char *x = a;
    const unsigned char *y = b;
    for (; n > 0; n--, x++, y++) {
        if (*x != *y) {
            return *x < *y ? -1 : 1;
        }
    }
    return 0;
}
