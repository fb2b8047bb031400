/* units - see units.h. The tables follow pprof's measurement package. */
#include "units.h"

#include <stdio.h>
#include <string.h>

struct unit {
	const char *name;
	const char *aliases[4];
	double factor;
};

struct unit_type {
	const struct unit *units;
	size_t n;
	const struct unit *def;
};

static const struct unit memory[] = {
	{ "B", { "b", "byte" }, 1 },
	{ "kB", { "kb", "kbyte", "kilobyte" }, 1024.0 },
	{ "MB", { "mb", "mbyte", "megabyte" }, 1048576.0 },
	{ "GB", { "gb", "gbyte", "gigabyte" }, 1073741824.0 },
	{ "TB", { "tb", "tbyte", "terabyte" }, 1099511627776.0 },
	{ "PB", { "pb", "pbyte", "petabyte" }, 1125899906842624.0 },
};

static const struct unit timeu[] = {
	{ "ns", { "ns", "nanosecond" }, 1 },
	{ "us", { "\xce\xbcs", "us", "microsecond" }, 1e3 },
	{ "ms", { "ms", "millisecond" }, 1e6 },
	{ "s", { "s", "sec", "second" }, 1e9 },
	{ "hrs", { "hour", "hr" }, 3600e9 },
};
static const struct unit time_default = { "s", { NULL }, 1e9 };

static const struct unit gcu[] = {
	{ "n*GCU", { "nanogcu" }, 1e-9 },
	{ "u*GCU", { "microgcu" }, 1e-6 },
	{ "m*GCU", { "milligcu" }, 1e-3 },
	{ "GCU", { "gcu" }, 1 },
	{ "k*GCU", { "kilogcu" }, 1e3 },
	{ "M*GCU", { "megagcu" }, 1e6 },
	{ "G*GCU", { "gigagcu" }, 1e9 },
	{ "T*GCU", { "teragcu" }, 1e12 },
	{ "P*GCU", { "petagcu" }, 1e15 },
};
static const struct unit gcu_default = { "GCU", { NULL }, 1 };

static const struct unit_type types[] = {
	{ memory, sizeof memory / sizeof memory[0], &memory[0] },
	{ timeu, sizeof timeu / sizeof timeu[0], &time_default },
	{ gcu, sizeof gcu / sizeof gcu[0], &gcu_default },
};

/* pprof's sniffUnit: lower case, a final 's' dropped past two letters. */
static const struct unit *
sniff(const struct unit_type *t, const char *name)
{
	char low[64];
	size_t i, j, n = strlen(name);

	if (n >= sizeof low)
		return NULL;
	for (i = 0; i <= n; i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
		    name[i] - 'A' + 'a' : name[i]);
	if (n > 2 && low[n - 1] == 's')
		low[n - 1] = '\0';
	for (i = 0; i < t->n; i++)
		for (j = 0; j < 4 && t->units[i].aliases[j] != NULL; j++)
			if (strcmp(low, t->units[i].aliases[j]) == 0)
				return &t->units[i];
	return NULL;
}

static int
convert(const struct unit_type *t, int64_t value, const char *from,
    const char *to, double *out, const char **unit)
{
	const struct unit *fu = sniff(t, from), *tu, *best = NULL;
	double v;
	size_t i;

	if (fu == NULL)
		return 0;
	v = (double)value * fu->factor;
	if (strcmp(to, "minimum") == 0 || strcmp(to, "auto") == 0) {
		for (i = 0; i < t->n; i++)
			if ((best == NULL || t->units[i].factor >= best->factor) &&
			    v / t->units[i].factor >= 1.0)
				best = &t->units[i];
		if (best == NULL)
			best = t->def;
		*out = v / best->factor;
		*unit = best->name;
		return 1;
	}
	tu = sniff(t, to);
	if (tu == NULL)
		tu = t->def;
	*out = v / tu->factor;
	*unit = tu->name;
	return 1;
}

double
units_scale(int64_t value, const char *from, const char *to,
    const char **unit)
{
	double v;
	size_t i;

	/* Go's -MinInt64 is itself; C's is undefined: leave it be. */
	if (value < 0 && value != INT64_MIN)
		return -units_scale(-value, from, to, unit);
	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (convert(&types[i], value, from, to, &v, unit))
			return v;
	if (strcmp(to, "count") == 0 || strcmp(to, "sample") == 0 ||
	    strcmp(to, "unit") == 0 || strcmp(to, "minimum") == 0 ||
	    strcmp(to, "auto") == 0)
		*unit = "";
	else
		*unit = to;
	return (double)value;
}

void
units_label(char *buf, size_t len, int64_t value, const char *from,
    const char *to)
{
	const char *unit;
	double v = units_scale(value, from, to, &unit);
	size_t n;

	snprintf(buf, len, "%.2f", v);
	n = strlen(buf);
	if (n >= 3 && strcmp(buf + n - 3, ".00") == 0)
		buf[n - 3] = '\0';
	if (strcmp(buf, "0") == 0 || strcmp(buf, "-0") == 0) {
		snprintf(buf, len, "0");
		return;
	}
	n = strlen(buf);
	snprintf(buf + n, len - n, "%s", unit);
}

void
units_percent(char *buf, size_t len, int64_t value, int64_t total)
{
	double r = 0;

	if (total != 0) {
		r = (double)value / (double)total;
		r = (r < 0 ? -r : r) * 100;
	}
	if (r >= 99.95 && r <= 100.05)
		snprintf(buf, len, "  100%%");
	else if (r >= 1.0)
		snprintf(buf, len, "%5.2f%%", r);
	else
		snprintf(buf, len, "%5.2g%%", r);
}

const char *
units_pick(int64_t min, int64_t max, const char *sample_unit)
{
	const char *minu, *maxu, *u;

	if (min == 0)
		min = max;
	units_scale(min, sample_unit, "minimum", &minu);
	units_scale(max, sample_unit, "minimum", &maxu);
	u = minu;
	/* Go's int64 arithmetic wraps; do the same without C's UB. */
	if (strcmp(minu, maxu) != 0 &&
	    (int64_t)((uint64_t)min * 100) < max)
		units_scale((int64_t)((uint64_t)min * 100), sample_unit,
		    "minimum", &u);
	return *u != '\0' ? u : sample_unit;
}
