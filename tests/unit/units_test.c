/* Unit tests for lib/units.c: pprof's number formats. */
#include "units.h"
#include "unit.h"

static const char *
label(int64_t v, const char *from, const char *to)
{
	static char buf[64];

	units_label(buf, sizeof buf, v, from, to);
	return buf;
}

static const char *
pct(int64_t v, int64_t total)
{
	static char buf[32];

	units_percent(buf, sizeof buf, v, total);
	return buf;
}

int
main(void)
{
	/* Values and the strings go tool pprof prints for them. */
	CHECK_STR(label(1760000000, "nanoseconds", "s"), "1.76s");
	CHECK_STR(label(2002012950, "nanoseconds", "auto"), "2s");
	CHECK_STR(label(150000000, "nanoseconds", "ms"), "150ms");
	CHECK_STR(label(0, "nanoseconds", "s"), "0");
	CHECK_STR(label(-1500, "bytes", "kB"), "-1.46kB");
	CHECK_STR(label(1536, "bytes", "kB"), "1.50kB");
	CHECK_STR(label(37334169, "bytes", "MB"), "35.60MB");
	CHECK_STR(label(7200000000000LL, "nanoseconds", "auto"), "2hrs");
	CHECK_STR(label(176, "count", "count"), "176");
	CHECK_STR(label(2202344, "things", "things"), "2202344things");
	CHECK_STR(label(3, "bytes", "minimum"), "3B");
	CHECK_STR(label(1, "nanoseconds", "minimum"), "1ns");
	CHECK_STR(label(1000, "microseconds", "auto"), "1ms");
	CHECK_STR(label(5, "Bytes", "kilobytes"), "0");

	CHECK_STR(pct(1, 1), "  100%");
	CHECK_STR(pct(7273, 10000), "72.73%");
	CHECK_STR(pct(94, 100000), "0.094%");
	CHECK_STR(pct(42, 1000000), "0.0042%");
	CHECK_STR(pct(0, 100), "    0%");
	CHECK_STR(pct(5, 0), "    0%");
	CHECK_STR(pct(-3, 4), "75.00%");
	CHECK_STR(pct(9996, 10000), "  100%");

	/* The unit a table is printed in (pprof's selectOutputUnit). */
	CHECK_STR(units_pick(10000000, 1760000000, "nanoseconds"), "s");
	CHECK_STR(units_pick(10000000, 17600000000LL, "nanoseconds"), "s");
	CHECK_STR(units_pick(10000, 1760000000, "nanoseconds"), "ms");
	CHECK_STR(units_pick(512, 37334169, "bytes"), "kB");
	CHECK_STR(units_pick(1, 176, "count"), "count");
	CHECK_STR(units_pick(0, 0, "bytes"), "B");
	return unit_done();
}
