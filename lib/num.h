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

#endif
