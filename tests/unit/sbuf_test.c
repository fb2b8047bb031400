/* sbuf_test - appends, numbers, printf, and a growth that cannot fit. */
#include "sbuf.h"

#include <stdint.h>

#include "unit.h"

int
main(void)
{
	struct sbuf b = { 0 };
	int i;

	sbuf_puts(&b, "a");
	sbuf_putc(&b, ';');
	sbuf_put(&b, "bcd", 2);
	sbuf_i64(&b, INT64_MIN);
	sbuf_putc(&b, ' ');
	sbuf_i64(&b, 0);
	sbuf_printf(&b, " %s=%d", "k", 42);
	CHECK_STR(b.s, "a;bc-9223372036854775808 0 k=42");
	CHECK(b.len == strlen(b.s) && !b.oom);
	sbuf_reset(&b);
	CHECK(b.len == 0 && b.s[0] == '\0');
	for (i = 0; i < 10000; i++)
		sbuf_putc(&b, (char)('a' + i % 26));
	CHECK(b.len == 10000 && b.cap > 10000 && b.s[9999] == 'a' + 9999 % 26);
	/* A size past SIZE_MAX marks the buffer and leaves it as it was. */
	CHECK(sbuf_grow(&b, SIZE_MAX - 5) == -1 && b.oom && b.len == 10000);
	/* Nothing that needs more room is appended after that. */
	for (i = 0; i < 10000; i++)
		sbuf_putc(&b, 'x');
	CHECK(b.len == b.cap - 1 && b.s[b.len] == '\0');
	sbuf_free(&b);
	CHECK(b.s == NULL && b.len == 0 && !b.oom);
	return unit_done();
}
