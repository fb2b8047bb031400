/* grow - see grow.h. */
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t
grow_cap(size_t cap, size_t need, size_t elem, size_t first)
{
	size_t n;

	if (cap > 0 && need <= cap)
		return elem > 0 && cap > SIZE_MAX / elem ? 0 : cap;
	n = cap > 0 ? cap : first > 0 ? first : 1;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return 0;
		n *= 2;
	}
	if (elem > 0 && n > SIZE_MAX / elem)
		return 0;
	return n;
}

int
grow(void *ap, size_t *cap, size_t need, size_t elem, size_t first)
{
	void *a, *na;
	size_t n;

	if (*cap > 0 && need <= *cap)
		return 0;
	if ((n = grow_cap(*cap, need, elem, first)) == 0)
		return -1;
	memcpy(&a, ap, sizeof a);
	if ((na = realloc(a, n * elem)) == NULL)
		return -1;
	memcpy(ap, &na, sizeof na);
	*cap = n;
	return 0;
}
