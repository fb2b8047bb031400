/*
 * Unit tests for lib/rfc3339.c: times against date(1)'s, zones,
 * fractions, leap days, the bounds, and what is refused.
 */
#include <stdint.h>

#include "rfc3339.h"
#include "unit.h"

static int64_t
ns_of(const char *s)
{
	int64_t ns = -7;

	return rfc3339_ns(s, &ns) == 0 ? ns : -1;
}

static const char *
ms_of(int64_t ns)
{
	static char buf[RFC3339_MS_SIZE];

	rfc3339_ms(ns, buf);
	return buf;
}

int
main(void)
{
	int64_t ns = 42;

	/* date -u -d 2026-12-02T02:00:00Z +%s: 1796176800 */
	CHECK(ns_of("2026-12-02T02:00:00Z") == 1796176800000000000);
	CHECK(ns_of("2026-12-02T03:00:00.5+01:00") == 1796176800500000000);
	CHECK(ns_of("2026-12-01T21:30:00.000000001-04:30") ==
	    1796176800000000001);
	CHECK(ns_of("1970-01-01T00:00:00Z") == 0);
	CHECK(ns_of("2024-02-29T00:00:00Z") == 1709164800000000000);
	CHECK(ns_of("2262-04-11T23:47:15Z") == 9223372035000000000);
	CHECK(ns_of("2026-12-02T02:00:00.1234567891Z") == -1);
	CHECK(ns_of("2023-02-29T00:00:00Z") == -1);
	CHECK(ns_of("1900-02-29T00:00:00Z") == -1);
	CHECK(ns_of("2000-02-29T00:00:00Z") == 951782400000000000);
	CHECK(ns_of("2026-04-31T00:00:00Z") == -1);
	CHECK(ns_of("2026-12-02T24:00:00Z") == -1);
	CHECK(ns_of("2026-12-02T02:00:60Z") == -1);
	CHECK(ns_of("2026-12-02T02:00:00") == -1);
	CHECK(ns_of("2026-12-02T02:00:00.Z") == -1);
	CHECK(ns_of("2026-12-02t02:00:00Z") == -1);
	CHECK(ns_of("2026-12-02T02:00:00+0100") == -1);
	CHECK(ns_of("2026-12-02T02:00:00Zx") == -1);
	CHECK(ns_of("1970-01-01T00:30:00+01:00") == -1);
	CHECK(ns_of("2262-04-12T00:00:00Z") == -1);
	CHECK(ns_of("") == -1);
	CHECK(rfc3339_ns("junk", &ns) == -1 && ns == 42);

	CHECK_STR(ms_of(0), "1970-01-01T00:00:00.000Z");
	CHECK_STR(ms_of(1796176800999999999), "2026-12-02T02:00:00.999Z");
	CHECK_STR(ms_of(951782400001000000), "2000-02-29T00:00:00.001Z");
	CHECK_STR(ms_of(INT64_MAX), "2262-04-11T23:47:16.854Z");
	return unit_done();
}
