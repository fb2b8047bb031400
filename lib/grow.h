/*
 * grow - an array's capacity, doubled, with every size checked.
 *
 * A growing array here is a pointer and a capacity in elements. grow
 * makes room for need elements: the capacity starts at first and doubles
 * until it holds need, and a count or byte size that would not fit in a
 * size_t fails instead of wrapping round to a small allocation.
 *
 *	int64_t *v = NULL;
 *	size_t n = 0, cap = 0;
 *	if (grow(&v, &cap, n + 1, sizeof *v, 1024) != 0)
 *		return -1;		(v and cap as they were)
 *	v[n++] = x;
 *
 * grow_cap is the arithmetic alone, for an array allocated another way
 * (calloc'd, or several arrays that share one capacity).
 */
#ifndef GROW_H
#define GROW_H

#include <stddef.h>

/*
 * The capacity, in elements of elem bytes, that holds need: cap when it
 * already does and is not 0, else cap (first when cap is 0; first 0
 * counts as 1) doubled until it does. 0 when that many elements of elem
 * bytes would not fit in a size_t.
 */
size_t grow_cap(size_t cap, size_t need, size_t elem, size_t first);

/*
 * Grows the array whose pointer is at ap (the address of any object
 * pointer: it is copied, not cast) from *cap elements of elem bytes to
 * grow_cap's capacity, so that afterwards *cap >= need and *cap > 0.
 * Returns 0, or -1 when the size overflows or realloc fails, the array
 * and *cap left as they were.
 */
int grow(void *ap, size_t *cap, size_t need, size_t elem, size_t first);

#endif
