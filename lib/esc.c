/* esc - see esc.h. */
#include "esc.h"

#include <string.h>

/*
 * Appends s[0..n), escaping the always-escaped bytes and those in extra.
 * Most names need no escape at all, so the scan looks bytes up in a table
 * and copies clean runs whole.
 */
static void
esc_put(struct sbuf *b, const char *s, size_t n, const char *extra)
{
	unsigned char special[256] = { 0 };
	size_t i, run = 0;

	special['\\'] = '\\';
	special['\t'] = 't';
	special['\n'] = 'n';
	special['\r'] = 'r';
	for (; *extra != '\0'; extra++)
		special[(unsigned char)*extra] = (unsigned char)*extra;
	for (i = 0; i < n; i++) {
		unsigned char e = special[(unsigned char)s[i]];

		if (e == 0)
			continue;
		sbuf_put(b, s + run, i - run);
		sbuf_putc(b, '\\');
		sbuf_putc(b, (char)e);
		run = i + 1;
	}
	sbuf_put(b, s + run, n - run);
}

void
esc_frame(struct sbuf *b, const char *s, size_t n, int inlined)
{
	if (n >= ESC_INLINE_MARK_LEN &&
	    memcmp(s + n - ESC_INLINE_MARK_LEN, ESC_INLINE_MARK,
	    ESC_INLINE_MARK_LEN) == 0) {
		esc_put(b, s, n - 1, ";");
		sbuf_put(b, "\\]", 2);
	} else
		esc_put(b, s, n, ";");
	if (inlined)
		sbuf_put(b, ESC_INLINE_MARK, ESC_INLINE_MARK_LEN);
}

void
esc_label(struct sbuf *b, const char *s)
{
	esc_put(b, s, strlen(s), ",=:");
}

void
esc_meta(struct sbuf *b, const char *s)
{
	esc_put(b, s, strlen(s), "");
}

void
esc_meta_out(struct obuf *ob, const char *s)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		char e;

		switch (*s) {
		case '\\': e = '\\'; break;
		case '\t': e = 't'; break;
		case '\n': e = 'n'; break;
		case '\r': e = 'r'; break;
		default: continue;
		}
		obuf_put(ob, run, (size_t)(s - run));
		obuf_putc(ob, '\\');
		obuf_putc(ob, e);
		run = s + 1;
	}
	obuf_put(ob, run, (size_t)(s - run));
}

size_t
esc_unescape(char *s, size_t n)
{
	size_t i, j;

	for (i = j = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			s[j++] = s[i];
			continue;
		}
		switch (s[++i]) {
		case 't': s[j++] = '\t'; break;
		case 'n': s[j++] = '\n'; break;
		case 'r': s[j++] = '\r'; break;
		default: s[j++] = s[i]; break;
		}
	}
	return j;
}
