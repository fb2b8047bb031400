/*
 * sbuf - a growable byte string.
 *
 * The buffer owns its memory (s, always NUL-terminated when cap > 0);
 * sbuf_free releases it. An allocation failure does not abort: the buffer
 * stops growing, sets oom, and the caller checks oom once at the end of a
 * batch of appends. Zero-initialised (SBUF_INIT) is an empty string.
 */
#ifndef SBUF_H
#define SBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sbuf {
	char *s;
	size_t len;
	size_t cap;
	int oom;
};

#define SBUF_INIT { NULL, 0, 0, 0 }

int sbuf_grow(struct sbuf *b, size_t more);
void sbuf_free(struct sbuf *b);
void sbuf_i64(struct sbuf *b, int64_t v);
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline void
sbuf_put(struct sbuf *b, const char *p, size_t n)
{
	if (b->cap - b->len <= n && sbuf_grow(b, n) != 0)
		return;
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static inline void
sbuf_puts(struct sbuf *b, const char *p)
{
	sbuf_put(b, p, strlen(p));
}

static inline void
sbuf_putc(struct sbuf *b, char c)
{
	if (b->cap - b->len <= 1 && sbuf_grow(b, 1) != 0)
		return;
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

static inline void
sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

#endif
