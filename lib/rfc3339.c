/* rfc3339 - see rfc3339.h. */
#include "rfc3339.h"

#include <stdio.h>
#include <string.h>

/*
 * Days since the epoch of a civil date (proleptic Gregorian): Howard
 * Hinnant's days_from_civil.
 */
static int64_t
epoch_days(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Its inverse, civil_from_days. */
static void
civil(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

/* n digits at s as a number, or -1. */
static int64_t
digits(const char *s, int n)
{
	int64_t v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
month_days(int64_t y, int64_t m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

int
rfc3339_ns(const char *s, int64_t *ns)
{
	int64_t y, mo, d, h, mi, sec, frac = 0, off = 0, v;
	const char *p;
	int nf;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return -1;
	p = s + 19;
	if (*p == '.') {
		for (p++, nf = 0; *p >= '0' && *p <= '9' && nf < 9; p++, nf++)
			frac = frac * 10 + (*p - '0');
		if (nf == 0)
			return -1;
		for (; nf < 9; nf++)
			frac *= 10;
	}
	if (*p == '+' || *p == '-') {
		int64_t oh = digits(p + 1, 2), om = digits(p + 4, 2);

		if (strlen(p) != 6 || p[3] != ':' || oh < 0 || oh > 23 ||
		    om < 0 || om > 59)
			return -1;
		off = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
	} else if (strcmp(p, "Z") != 0)
		return -1;
	v = epoch_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	if (v < 0 || v > INT64_MAX / 1000000000 - 1)
		return -1;
	*ns = v * 1000000000 + frac;
	return 0;
}

void
rfc3339_ms(int64_t ns, char out[RFC3339_MS_SIZE])
{
	uint64_t u = ns > 0 ? (uint64_t)ns : 0, s = u / 1000000000;
	int64_t y, m, d;

	civil((int64_t)(s / 86400), &y, &m, &d);
	/* The ranges spelt out, so that the compiler sees the size too. */
	snprintf(out, RFC3339_MS_SIZE, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
	    (unsigned)(y > 9999 ? 9999 : y), (unsigned)(m & 15),
	    (unsigned)(d & 31), (unsigned)(s % 86400 / 3600),
	    (unsigned)(s % 3600 / 60), (unsigned)(s % 60),
	    (unsigned)(u / 1000000 % 1000));
}
