/* grow_test - grow's capacities, its overflow checks, its arrays. */
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>

#include "unit.h"

int
main(void)
{
	int64_t *v = NULL, *was;
	size_t cap = 0, i;

	/* The arithmetic: first, then doubling; an adequate cap stays. */
	CHECK(grow_cap(0, 0, 8, 64) == 64);
	CHECK(grow_cap(0, 65, 8, 64) == 128);
	CHECK(grow_cap(0, 1, 8, 0) == 1);
	CHECK(grow_cap(100, 100, 8, 64) == 100);
	CHECK(grow_cap(100, 101, 8, 64) == 200);
	CHECK(grow_cap(3, 1000, 1, 64) == 1536);
	/* Overflow: of the doubling, of the byte size. */
	CHECK(grow_cap(0, SIZE_MAX, 1, 64) == 0);
	CHECK(grow_cap(SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 2, 1, 64) == 0);
	CHECK(grow_cap(0, SIZE_MAX / 8 + 1, 8, 64) == 0);
	CHECK(grow_cap(SIZE_MAX / 4, SIZE_MAX / 4, 8, 1) == 0);
	CHECK(grow_cap(0, (size_t)1 << 20, 8, 1) == (size_t)1 << 20);

	/* The array: at least one element, the contents kept. */
	CHECK(grow(&v, &cap, 0, sizeof *v, 4) == 0);
	CHECK(v != NULL && cap == 4);
	for (i = 0; i < 1000; i++) {
		CHECK(grow(&v, &cap, i + 1, sizeof *v, 4) == 0);
		v[i] = (int64_t)i * 3;
	}
	CHECK(cap == 1024);
	for (i = 0; i < 1000 && v[i] == (int64_t)i * 3; i++)
		;
	CHECK(i == 1000);
	/* A failure leaves the array and its capacity as they were. */
	was = v;
	CHECK(grow(&v, &cap, SIZE_MAX / 4, sizeof *v, 4) == -1);
	CHECK(v == was && cap == 1024 && v[999] == 2997);
	CHECK(grow(&v, &cap, 1024, sizeof *v, 4) == 0 && v == was);
	free(v);
	return unit_done();
}
