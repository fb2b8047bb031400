/*
 * gz_test - gz_inflate's members, caps and every message; the thread's
 * output, its then(), and how it stops.
 */
#include "gz.h"

#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "unit.h"

/* n bytes of something zlib compresses, but not to nothing. */
static unsigned char *
data_of(size_t n)
{
	unsigned char *d = malloc(n);
	size_t i;

	for (i = 0; d != NULL && i < n; i++)
		d[i] = (unsigned char)(i * 7 % 251 ^ i >> 9);
	return d;
}

/* One gzip member of d[0..n) appended at out + *len. */
static void
gzip_into(const unsigned char *d, size_t n, unsigned char *out, size_t *len,
    size_t cap)
{
	z_stream z;

	memset(&z, 0, sizeof z);
	deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)d;
	z.avail_in = (uInt)n;
	z.next_out = out + *len;
	z.avail_out = (uInt)(cap - *len);
	deflate(&z, Z_FINISH);
	*len += z.total_out;
	deflateEnd(&z);
}

static size_t then_len;
static const unsigned char *then_buf;

static int
then(void *arg, const unsigned char *buf, size_t len)
{
	then_buf = buf;
	then_len = len;
	return *(int *)arg;
}

/* Reads the thread's output as it comes; its final state. */
static int
follow(struct gz_thread *t, size_t *avail)
{
	int state;

	for (;;) {
		*avail = gz_avail(t, &state);
		if (state != GZ_INFLATING)
			return state;
		gz_await(t, *avail);
	}
}

int
main(void)
{
	size_t n = 1 << 20, cap = 2 * n, glen = 0, one, len, avail;
	unsigned char *d = data_of(n), *gz = malloc(cap), *out, *buf;
	char err[128];
	struct gz_thread t;
	int zero = 0, state;

	/* Two members: the whole is both, the hint the last one's size. */
	gzip_into(d, n / 4, gz, &glen, cap);
	one = glen;
	gzip_into(d + n / 4, n - n / 4, gz, &glen, cap);
	CHECK(gz_size_hint(gz, glen) == n - n / 4);
	CHECK(gz_size_hint(gz, 3) == 0);
	CHECK(gz_inflate(gz, glen, n, &out, &len, err, sizeof err) == 0);
	CHECK(len == n && memcmp(out, d, n) == 0);
	free(out);

	/* Every failure, worded. */
	CHECK(gz_inflate(gz, glen, n - 1, &out, &len, err, sizeof err) == -1);
	CHECK_STR(err, "decompressed size exceeds 1048575 bytes "
	    "(see --max-size)");
	CHECK(gz_inflate(gz, one - 5, n, &out, &len, err, sizeof err) == -1);
	CHECK_STR(err, "truncated gzip stream");
	memcpy(gz + glen, "junk", 4);
	CHECK(gz_inflate(gz, glen + 4, n, &out, &len, err, sizeof err) == -1);
	CHECK_STR(err, "gzip: 4 bytes of garbage after the compressed stream");
	gz[12] ^= 0xff;
	CHECK(gz_inflate(gz, one, n, &out, &len, err, sizeof err) == -1);
	CHECK(strncmp(err, "corrupt gzip stream: ", 21) == 0);
	gz[12] ^= 0xff;

	/* The thread: all of both members, then then() with all of it. */
	buf = malloc(n + 1);
	CHECK(gz_start(&t, gz, glen, buf, n + 1, then, &zero) == 0);
	state = follow(&t, &avail);
	CHECK(state == GZ_INFLATED && avail == n);
	CHECK(gz_await_then(&t) == 0 && then_buf == buf && then_len == n);
	gz_stop(&t);
	CHECK(memcmp(buf, d, n) == 0);

	/* A buffer too small, a cut stream: stopped, then() not called. */
	then_len = 0;
	CHECK(gz_start(&t, gz, glen, buf, n / 2, then, &zero) == 0);
	CHECK(follow(&t, &avail) == GZ_STOPPED && avail == n / 2);
	CHECK(gz_await_then(&t) == -1 && then_len == 0);
	gz_stop(&t);
	CHECK(gz_start(&t, gz, one - 5, buf, n + 1, then, &zero) == 0);
	CHECK(follow(&t, &avail) == GZ_STOPPED && avail <= n / 4);
	CHECK(gz_await_then(&t) == -1);
	gz_stop(&t);
	/* Given up on at once: joined, whatever it had done. */
	CHECK(gz_start(&t, gz, glen, buf, n + 1, then, &zero) == 0);
	gz_stop(&t);
	free(buf);
	free(gz);
	free(d);
	return unit_done();
}
