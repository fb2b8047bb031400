/*
 * esc - the escaping rules of the sample stream (see README, "Sample
 * stream").
 *
 * A field of the stream is one line of text between tabs, so every escaped
 * form writes backslash, tab, newline and carriage return as \\ \t \n \r.
 * On top of that:
 *   - a stack frame also escapes ';' (the frame separator) as \; and, when
 *     the name itself ends in "_[i]", writes that final ']' as \] so the
 *     "_[i]" suffix stays the unambiguous mark of an inlined frame;
 *   - a label key or value also escapes ',' '=' ':' (the label syntax).
 * esc_unescape reverses any of them. Appends go to an sbuf (see sbuf.h).
 */
#ifndef ESC_H
#define ESC_H

#include <stddef.h>
#include <string.h>

#include "obuf.h"
#include "sbuf.h"

/* The suffix that marks a frame inlined into its caller. */
#define ESC_INLINE_MARK "_[i]"
#define ESC_INLINE_MARK_LEN 4

void esc_frame(struct sbuf *b, const char *s, size_t n, int inlined);
void esc_label(struct sbuf *b, const char *s);
void esc_meta(struct sbuf *b, const char *s);
/* esc_meta's escapes, written straight to an output buffer. */
void esc_meta_out(struct obuf *ob, const char *s);

/*
 * Unescapes s[0..n) in place and returns the new length; a trailing lone
 * backslash is kept as is. Does not NUL-terminate.
 */
size_t esc_unescape(char *s, size_t n);

/*
 * Nonzero when the escaped frame f[0..n) carries the inline mark. Inline:
 * the readers ask it of every frame.
 */
static inline int
esc_frame_inlined(const char *f, size_t n)
{
	return n >= ESC_INLINE_MARK_LEN &&
	    memcmp(f + n - ESC_INLINE_MARK_LEN, ESC_INLINE_MARK,
	    ESC_INLINE_MARK_LEN) == 0;
}

#endif
