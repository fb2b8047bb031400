/* errf_test - errf formats, truncates and always fails. */
#include "errf.h"

#include "unit.h"

/* A formatter of the kind verrf is for: a place, then the message. */
static int
fail_at(char *err, size_t errlen, size_t line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "in:%zu: ", line), rc;

	va_start(ap, fmt);
	rc = verrf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

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
	CHECK(fail_at(err, sizeof err, 12, "bad %s", "row") == -1);
	CHECK_STR(err, "in:12: bad row");
	CHECK(fail_at(err, sizeof err, 12, "%s", "much too long") == -1);
	CHECK_STR(err, "in:12: much too");
	return unit_done();
}
