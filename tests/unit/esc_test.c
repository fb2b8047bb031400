/* Unit tests for lib/esc.c: the sample stream's escapes. */
#include <stdlib.h>

#include "esc.h"
#include "unit.h"

static const char *
frame(const char *name, int inlined)
{
	static struct sbuf b = SBUF_INIT;

	sbuf_reset(&b);
	esc_frame(&b, name, strlen(name), inlined);
	return b.s;
}

static const char *
unescaped(const char *s)
{
	static char buf[256];
	size_t n = strlen(s);

	memcpy(buf, s, n);
	buf[esc_unescape(buf, n)] = '\0';
	return buf;
}

int
main(void)
{
	struct sbuf b = SBUF_INIT;
	const char *names[] = { "main.main", "a;b", "tab\there", "new\nline",
	    "back\\slash", "ends_[i]", "\\;", "x_[i\\]", "" };
	size_t i;

	CHECK_STR(frame("main.main", 0), "main.main");
	CHECK_STR(frame("main.main", 1), "main.main_[i]");
	CHECK_STR(frame("a;b\tc\\d", 0), "a\\;b\\tc\\\\d");
	CHECK_STR(frame("odd_[i]", 0), "odd_[i\\]");
	CHECK_STR(frame("odd_[i]", 1), "odd_[i\\]_[i]");
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *f = frame(names[i], 0);

		CHECK(!esc_frame_inlined(f, strlen(f)));
		CHECK(strchr(f, '\t') == NULL && strchr(f, '\n') == NULL);
		CHECK_STR(unescaped(f), names[i]);
		f = frame(names[i], 1);
		CHECK(esc_frame_inlined(f, strlen(f)));
	}
	esc_label(&b, "k=v,w:x");
	CHECK_STR(b.s, "k\\=v\\,w\\:x");
	sbuf_reset(&b);
	esc_meta(&b, "a\tb;c");
	CHECK_STR(b.s, "a\\tb;c");
	CHECK_STR(unescaped("trailing\\"), "trailing\\");
	sbuf_free(&b);
	return unit_done();
}
