/* obuf_test - what obuf writes, past its buffer, a sticky error, and a
 * named file written whole or not at all, a tee. */
#include "obuf.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

static struct obuf ob;

/* With a tee, both files get every byte, past the buffer too. */
static void
tee_copy(void)
{
	static char big[OBUF_SIZE + 7], a[2 * OBUF_SIZE], b[2 * OBUF_SIZE];
	FILE *x = tmpfile(), *y = tmpfile();

	CHECK(x != NULL && y != NULL);
	obuf_init(&ob, x);
	ob.tees = &y;
	ob.ntee = 1;
	memset(big, 'z', sizeof big);
	obuf_puts(&ob, "head\t");
	obuf_put(&ob, big, sizeof big);
	obuf_i64(&ob, -1);
	CHECK(obuf_flush(&ob) == 0);
	rewind(x);
	rewind(y);
	CHECK(fread(a, 1, sizeof a, x) == 5 + sizeof big + 2);
	CHECK(fread(b, 1, sizeof b, y) == 5 + sizeof big + 2);
	CHECK(memcmp(a, b, 5 + sizeof big + 2) == 0);
	CHECK(memcmp(a + 5 + sizeof big, "-1", 2) == 0);
	fclose(x);
	fclose(y);
}

/* A tee that refuses the block: the error is sticky, failed names that
 * file and errnum says why; the main file had its copy. */
static void
tee_fails(void)
{
	FILE *x = tmpfile(), *tees[2];

	CHECK(x != NULL);
	tees[0] = tmpfile();
	tees[1] = fopen("/dev/full", "w");
	if (tees[0] == NULL || tees[1] == NULL) {
		fclose(x);
		return;
	}
	setvbuf(tees[1], NULL, _IONBF, 0);
	obuf_init(&ob, x);
	ob.tees = tees;
	ob.ntee = 2;
	obuf_puts(&ob, "row\n");
	CHECK(obuf_flush(&ob) == -1);
	CHECK(ob.failed == tees[1]);
	CHECK(ob.errnum == ENOSPC);
	CHECK(ftell(x) == 4 && ftell(tees[0]) == 4);
	fclose(x);
	fclose(tees[0]);
	fclose(tees[1]);
}

/* obuf_create's file appears whole at commit, never before; discarded,
 * it never does; a file that cannot be created is one error line. */
static void
create_commit(void)
{
	char dir[] = "/tmp/obuf_test.XXXXXX", path[64], back[16], err[256];
	FILE *fp;
	size_t n;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/out.tsv", dir);
	CHECK(obuf_create(&ob, path, err, sizeof err) == 0);
	obuf_puts(&ob, "a\tb\n");
	CHECK(access(path, F_OK) != 0);
	CHECK(obuf_commit(&ob, err, sizeof err) == 0);
	CHECK((fp = fopen(path, "r")) != NULL);
	n = fread(back, 1, sizeof back - 1, fp);
	back[n] = '\0';
	fclose(fp);
	CHECK_STR(back, "a\tb\n");
	CHECK(unlink(path) == 0);
	CHECK(obuf_create(&ob, path, err, sizeof err) == 0);
	obuf_puts(&ob, "lost");
	obuf_discard(&ob);
	CHECK(access(path, F_OK) != 0);
	CHECK(rmdir(dir) == 0);	/* the temporary file went too */
	snprintf(path, sizeof path, "%s/none/out.tsv", dir);
	CHECK(obuf_create(&ob, path, err, sizeof err) == -1);
	CHECK(strncmp(err, path, strlen(path)) == 0 &&
	    strstr(err, ": No such file") != NULL);
}

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
	create_commit();
	tee_copy();
	tee_fails();
	return unit_done();
}
