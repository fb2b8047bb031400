/*
 * errf - a module's error message, formatted into its caller's buffer.
 *
 * lib/ never prints: a function that can fail takes (char *err, size_t
 * errlen) and, on failure, writes one line there for the tool to print
 * after its own "tool: file: ". errf is that write, returning -1 so that
 * a failure path can end in one statement:
 *
 *	if (n > max)
 *		return errf(err, errlen, "larger than %zu bytes", max);
 */
#ifndef ERRF_H
#define ERRF_H

#include <stddef.h>

#if defined(__GNUC__)
#define ERRF_PRINTF __attribute__((format(printf, 3, 4)))
#else
#define ERRF_PRINTF
#endif

/*
 * Formats fmt into err (errlen bytes, cut short and NUL-terminated like
 * snprintf; nothing written when errlen is 0). Always returns -1.
 */
int errf(char *err, size_t errlen, const char *fmt, ...) ERRF_PRINTF;

#endif
