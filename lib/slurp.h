/*
 * slurp - the one whole-file reader of lib/.
 *
 * Reads an open file descriptor to its end into one malloc'd buffer. A
 * regular file is read into a buffer of its size (one allocation, one
 * read and the read that sees the end); a pipe grows its buffer by
 * doubling. The buffer has a NUL after the last byte read, so text can be
 * parsed in place; binary callers ignore it.
 *
 * The result is an errno value rather than a message, because each caller
 * words the failure in its own terms (a profile's --max-size, a TSV
 * file's path):
 *
 *	char *buf;
 *	size_t len;
 *	int e = slurp(fd, max, &buf, &len);
 *	if (e == EFBIG) ... more than max bytes
 *	else if (e != 0) ... strerror(e) (ENOMEM: out of memory)
 *	... free(buf);
 */
#ifndef SLURP_H
#define SLURP_H

#include <stddef.h>

/*
 * Reads fd (not closed) to its end. Returns 0 with *out (len + 1 bytes,
 * out[len] == '\0') and *len; or EFBIG once more than max bytes have come,
 * ENOMEM, or the errno of a failed read, with nothing allocated. A read
 * interrupted by a signal is retried.
 */
int slurp(int fd, size_t max, char **out, size_t *len);

#endif
