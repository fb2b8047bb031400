/* num - see num.h. */
#include "num.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
num_i64n(const char *s, size_t n, int64_t *out)
{
	uint64_t v = 0, lim;
	size_t i = 0;
	int neg = 0;

	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (lim - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int
num_i64(const char *s, int64_t *out)
{
	return num_i64n(s, strlen(s), out);
}

int
num_double(const char *s, double *out)
{
	char *end;
	double v;

	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno == ERANGE || isnan(v) || isinf(v))
		return -1;
	*out = v;
	return 0;
}

int
num_size(const char *s, size_t *out)
{
	static const struct { const char *sfx; int shift; } sfx[] = {
		{ "", 0 }, { "b", 0 },
		{ "k", 10 }, { "kb", 10 }, { "kib", 10 },
		{ "m", 20 }, { "mb", 20 }, { "mib", 20 },
		{ "g", 30 }, { "gb", 30 }, { "gib", 30 },
	};
	size_t i, n = strspn(s, "0123456789");
	int64_t v;

	if (n == 0 || num_i64n(s, n, &v) != 0)
		return -1;
	for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		if (strcasecmp(s + n, sfx[i].sfx) != 0)
			continue;
		if ((uint64_t)v > (uint64_t)SIZE_MAX >> sfx[i].shift)
			return -1;
		*out = (size_t)v << sfx[i].shift;
		return 0;
	}
	return -1;
}
