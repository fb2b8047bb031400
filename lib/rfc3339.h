/*
 * rfc3339 - RFC 3339 times to and from nanoseconds since the epoch.
 *
 * The streams carry times as RFC 3339 (the fetch log, test-events.tsv) or
 * as ns since the epoch (the series); a tool reading one and writing the
 * other converts here, without timegm (not POSIX) or the TZ environment.
 *
 *	int64_t ns;
 *	if (rfc3339_ns("2026-12-02T03:00:00.5+01:00", &ns) != 0) ...bad...
 *	char buf[RFC3339_MS_SIZE];
 *	rfc3339_ms(ns, buf);		"2026-12-02T02:00:00.500Z"
 */
#ifndef RFC3339_H
#define RFC3339_H

#include <stdint.h>

#define RFC3339_MS_SIZE 32

/*
 * YYYY-MM-DDTHH:MM:SS[.F](Z|+HH:MM|-HH:MM), F 1 to 9 digits, the day
 * checked against its month (29 February only in a leap year), no leap
 * second, at or after the epoch and before 2262 (int64 ns). Returns 0
 * with *ns, or -1 with *ns untouched.
 */
int rfc3339_ns(const char *s, int64_t *ns);

/* ns (>= 0) as RFC 3339, UTC, milliseconds cut (not rounded), into out. */
void rfc3339_ms(int64_t ns, char out[RFC3339_MS_SIZE]);

#endif
