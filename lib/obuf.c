/* obuf - see obuf.h. */
#include "obuf.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errf.h"

void
obuf_init(struct obuf *ob, FILE *fp)
{
	ob->fp = fp;
	ob->tees = NULL;
	ob->ntee = 0;
	ob->failed = NULL;
	ob->errnum = 0;
	ob->len = 0;
	ob->err = 0;
	ob->tmp = NULL;
	ob->path = NULL;
}

int
obuf_create(struct obuf *ob, const char *path, char *err, size_t errlen)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + sizeof ".tmp.XXXXXX");
	mode_t mask;
	FILE *fp;
	int fd, e;

	if (tmp == NULL)
		return errf(err, errlen, "%s: out of memory", path);
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
	if ((fd = mkstemp(tmp)) < 0) {
		e = errno;
		free(tmp);
		return errf(err, errlen, "%s: %s", path, strerror(e));
	}
	/* mkstemp's 0600, as the shell's > would create it. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (fp = fdopen(fd, "w")) == NULL) {
		e = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		return errf(err, errlen, "%s: %s", path, strerror(e));
	}
	obuf_init(ob, fp);
	ob->tmp = tmp;
	ob->path = path;
	return 0;
}

int
obuf_commit(struct obuf *ob, char *err, size_t errlen)
{
	int bad, e;

	errno = 0;
	bad = obuf_flush(ob) != 0;
	e = errno;
	if (fclose(ob->fp) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	ob->fp = NULL;
	if (!bad && rename(ob->tmp, ob->path) != 0) {
		bad = 1;
		e = errno;
	}
	if (bad) {
		unlink(ob->tmp);
		errf(err, errlen, "%s: %s", ob->path, e ? strerror(e) :
		    "write error");
	}
	free(ob->tmp);
	ob->tmp = NULL;
	return bad ? -1 : 0;
}

void
obuf_discard(struct obuf *ob)
{
	if (ob->fp != NULL)
		fclose(ob->fp);
	ob->fp = NULL;
	if (ob->tmp != NULL)
		unlink(ob->tmp);
	free(ob->tmp);
	ob->tmp = NULL;
}

/* A failed write to fp: the sticky error, and which file it was. */
static void
fail(struct obuf *ob, FILE *fp)
{
	ob->err = 1;
	ob->failed = fp;
	ob->errnum = errno;
}

/* Hands the buffer to the file and the tees. */
static void
put_block(struct obuf *ob)
{
	size_t i;

	if (ob->len > 0 && !ob->err) {
		if (fwrite(ob->buf, 1, ob->len, ob->fp) != ob->len)
			fail(ob, ob->fp);
		for (i = 0; i < ob->ntee && !ob->err; i++)
			if (fwrite(ob->buf, 1, ob->len, ob->tees[i]) != ob->len)
				fail(ob, ob->tees[i]);
	}
	ob->len = 0;
}

int
obuf_flush(struct obuf *ob)
{
	size_t i;

	put_block(ob);
	if (!ob->err && fflush(ob->fp) != 0)
		fail(ob, ob->fp);
	for (i = 0; i < ob->ntee && !ob->err; i++)
		if (fflush(ob->tees[i]) != 0)
			fail(ob, ob->tees[i]);
	return ob->err ? -1 : 0;
}

void
obuf_write_slow(struct obuf *ob, const char *s, size_t n)
{
	while (n > 0) {
		size_t room = OBUF_SIZE - ob->len;

		if (room == 0) {
			put_block(ob);
			continue;
		}
		if (room > n)
			room = n;
		memcpy(ob->buf + ob->len, s, room);
		ob->len += room;
		s += room;
		n -= room;
	}
}

void
obuf_u64(struct obuf *ob, uint64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof tmp;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	obuf_put(ob, p, (size_t)(tmp + sizeof tmp - p));
}

void
obuf_i64(struct obuf *ob, int64_t v)
{
	if (v < 0) {
		obuf_putc(ob, '-');
		obuf_u64(ob, (uint64_t)0 - (uint64_t)v);
		return;
	}
	obuf_u64(ob, (uint64_t)v);
}
