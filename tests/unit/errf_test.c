/* errf_test - errf formats, truncates and always fails. */
#include "errf.h"

#include "unit.h"

int
main(void)
{
	char err[16], tiny[4];

	memset(err, 'x', sizeof err);
	CHECK(errf(err, sizeof err, "bad %s at byte %zu", "tag", (size_t)7)
	    == -1);
	CHECK_STR(err, "bad tag at byte");	/* cut to 15 bytes and a NUL */
	CHECK(errf(err, sizeof err, "%d", 42) == -1);
	CHECK_STR(err, "42");
	CHECK(errf(tiny, sizeof tiny, "out of memory") == -1);
	CHECK_STR(tiny, "out");
	/* No room: nothing written, still a failure. */
	tiny[0] = 'k';
	CHECK(errf(tiny, 0, "ignored") == -1);
	CHECK(tiny[0] == 'k');
	return unit_done();
}
