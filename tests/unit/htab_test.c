/* Unit tests for lib/htab.c: interning keeps first-insertion indices. */
#include <stdio.h>

#include "htab.h"
#include "unit.h"

int
main(void)
{
	struct htab h;
	char key[32];
	size_t len;
	int i;

	htab_init(&h);
	CHECK(htab_find(&h, "x", 1) == -1);
	for (i = 0; i < 100000; i++) {
		int n = snprintf(key, sizeof key, "k%d", i);

		CHECK(htab_intern(&h, key, (size_t)n) == i);
	}
	CHECK(htab_count(&h) == 100000);
	CHECK(htab_intern(&h, "k77", 3) == 77);
	CHECK(htab_find(&h, "k99999", 6) == 99999);
	CHECK(htab_find(&h, "k100000", 7) == -1);
	CHECK(htab_intern(&h, "a\0b", 3) == 100000);
	CHECK(htab_find(&h, "a\0c", 3) == -1);
	CHECK(htab_find(&h, "a", 1) == -1);
	CHECK_STR(htab_key(&h, 5, &len), "k5");
	CHECK(len == 2);
	CHECK(htab_intern(&h, "", 0) == 100001);
	CHECK(htab_find(&h, "", 0) == 100001);
	htab_free(&h);
	return unit_done();
}
