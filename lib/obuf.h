/*
 * obuf - a write buffer in front of a FILE, for programs that print a lot
 * of small TSV fields.
 *
 * stdio's per-call locking costs more than the formatting when a tool
 * writes tens of megabytes a field at a time; obuf collects bytes in a
 * private buffer and hands them to fwrite in large blocks. Usage:
 *
 *	struct obuf ob;
 *	obuf_init(&ob, stdout);
 *	obuf_puts(&ob, "flat"); obuf_putc(&ob, '\t'); obuf_i64(&ob, -42);
 *	if (obuf_flush(&ob) != 0) ... write error ...
 *
 * A write error is sticky: later calls do nothing and obuf_flush returns -1.
 * Set tees and ntee (after obuf_init; the array stays the caller's) and
 * each block goes to every one of those files too, as tee(1) would copy
 * it, without a process and a pipe between. After a write error, failed
 * is the file that refused the block and errnum its errno (0 if unknown).
 *
 * A tool that writes a named file (beside its standard output) writes it
 * whole or not at all: obuf_create opens a temporary file beside it,
 * obuf_commit flushes, closes and renames it into place, obuf_discard
 * removes it. Both report failures as one line "PATH: reason" in err.
 *
 *	if (obuf_create(&ob, path, err, sizeof err) != 0) ... err ...
 *	... obuf_puts(&ob, ...) ...
 *	if (obuf_commit(&ob, err, sizeof err) != 0) ... err ...
 */
#ifndef OBUF_H
#define OBUF_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define OBUF_SIZE (1 << 16)

struct obuf {
	FILE *fp;
	FILE **tees;		/* more copies of every block */
	size_t ntee;
	FILE *failed;		/* the file of the first write error */
	int errnum;		/* and its errno */
	size_t len;
	int err;
	char *tmp;		/* obuf_create's temporary file, else NULL */
	const char *path;	/* and the file it becomes */
	char buf[OBUF_SIZE];
};

void obuf_init(struct obuf *ob, FILE *fp);
int obuf_flush(struct obuf *ob);
int obuf_create(struct obuf *ob, const char *path, char *err, size_t errlen);
int obuf_commit(struct obuf *ob, char *err, size_t errlen);
void obuf_discard(struct obuf *ob);
void obuf_write_slow(struct obuf *ob, const char *s, size_t n);
void obuf_i64(struct obuf *ob, int64_t v);
void obuf_u64(struct obuf *ob, uint64_t v);

static inline void
obuf_put(struct obuf *ob, const char *s, size_t n)
{
	if (n <= OBUF_SIZE - ob->len) {
		memcpy(ob->buf + ob->len, s, n);
		ob->len += n;
		return;
	}
	obuf_write_slow(ob, s, n);
}

static inline void
obuf_puts(struct obuf *ob, const char *s)
{
	obuf_put(ob, s, strlen(s));
}

static inline void
obuf_putc(struct obuf *ob, char c)
{
	if (ob->len == OBUF_SIZE)
		obuf_flush(ob);
	ob->buf[ob->len++] = c;
}

#endif
