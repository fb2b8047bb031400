/* obuf_test - what obuf writes, past its buffer, and a sticky error. */
#include "obuf.h"

#include <stdlib.h>

#include "unit.h"

static struct obuf ob;

int
main(void)
{
	FILE *fp = tmpfile(), *full;
	static char big[OBUF_SIZE + 100], back[3 * OBUF_SIZE];
	size_t n;
	int i;

	CHECK(fp != NULL);
	obuf_init(&ob, fp);
	obuf_puts(&ob, "flat\t");
	obuf_i64(&ob, INT64_MIN);
	obuf_putc(&ob, '\t');
	obuf_u64(&ob, UINT64_MAX);
	obuf_putc(&ob, '\n');
	memset(big, 'x', sizeof big);
	obuf_put(&ob, big, sizeof big);
	for (i = 0; i < OBUF_SIZE; i++)
		obuf_putc(&ob, 'y');
	CHECK(obuf_flush(&ob) == 0);
	rewind(fp);
	n = fread(back, 1, sizeof back, fp);
	CHECK(n == 47 + sizeof big + OBUF_SIZE);
	back[47] = '\0';
	CHECK_STR(back, "flat\t-9223372036854775808\t18446744073709551615\n");
	CHECK(back[47 + sizeof big - 1] == 'x' &&
	    back[47 + sizeof big] == 'y' && back[n - 1] == 'y');
	fclose(fp);

	/* A full disk: the flush fails, and so does every one after it. */
	if ((full = fopen("/dev/full", "w")) != NULL) {
		obuf_init(&ob, full);
		obuf_puts(&ob, "lost");
		CHECK(obuf_flush(&ob) == -1);
		obuf_puts(&ob, "more");
		CHECK(obuf_flush(&ob) == -1 && ob.err);
		fclose(full);
	}
	return unit_done();
}
