/*
 * units - numbers formatted the way `go tool pprof` formats them.
 *
 * pprof scales raw sample values (bytes, nanoseconds, counts) to a unit
 * (B kB MB GB TB PB; ns us ms s hrs; GCU multiples), prints them with
 * "%.2f" minus a trailing ".00", and prints percentages with two decimals
 * (or two significant digits below 1%). These functions reproduce those
 * rules, including the corner cases (zero, negative values, units pprof
 * does not know, which it prints as a suffix or not at all), so that
 * pprof-top's --format pprof output can match pprof byte for byte.
 *
 * Unit names are compared as pprof does: case-insensitively, a plural
 * "s" ignored for names longer than two letters.
 */
#ifndef UNITS_H
#define UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * pprof's measurement.Scale: value in unit from, converted to unit to, or
 * auto-scaled when to is "minimum" or "auto". *unit points to a static
 * name or into from/to; it may be "".
 */
double units_scale(int64_t value, const char *from, const char *to,
    const char **unit);

/* measurement.ScaledLabel into buf: "1.50MB", "0", "176". */
void units_label(char *buf, size_t len, int64_t value, const char *from,
    const char *to);

/* measurement.Percentage into buf: "  100%", "72.73%", "0.094%". */
void units_percent(char *buf, size_t len, int64_t value, int64_t total);

/*
 * The output unit pprof's report picks for a table whose smallest
 * non-zero entry is min and whose total is max (selectOutputUnit).
 */
const char *units_pick(int64_t min, int64_t max, const char *sample_unit);

#endif
