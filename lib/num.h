/*
 * num - checked parsing of numbers given on command lines and in streams.
 *
 * Each function accepts the whole string or nothing (no trailing junk, no
 * empty string, no overflow) and returns 0 on success, -1 otherwise,
 * leaving *out untouched on failure. The programs never use atoi.
 */
#ifndef NUM_H
#define NUM_H

#include <stddef.h>
#include <stdint.h>

int num_i64(const char *s, int64_t *out);
/* Same, for s[0..n) that need not be NUL-terminated. */
int num_i64n(const char *s, size_t n, int64_t *out);
int num_double(const char *s, double *out);
/* A byte count with an optional binary suffix: k, M, G (or kB, MiB, ...). */
int num_size(const char *s, size_t *out);

/*
 * Checked int64 arithmetic for totals: the result wraps as Go's would and
 * *ov is set when it did, so a tool can refuse input whose values do not
 * fit in a 64-bit sum instead of printing garbage (or trapping under a
 * sanitizer).
 */
static inline int64_t
num_add_ov(int64_t a, int64_t b, int *ov)
{
	if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
		*ov = 1;
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static inline int64_t
num_sub_ov(int64_t a, int64_t b, int *ov)
{
	if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b))
		*ov = 1;
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

static inline int64_t
num_abs_ov(int64_t v, int *ov)
{
	if (v == INT64_MIN)
		*ov = 1;
	return v < 0 ? (int64_t)((uint64_t)0 - (uint64_t)v) : v;
}

#endif
