/* obuf - see obuf.h. */
#include "obuf.h"

void
obuf_init(struct obuf *ob, FILE *fp)
{
	ob->fp = fp;
	ob->len = 0;
	ob->err = 0;
}

int
obuf_flush(struct obuf *ob)
{
	if (ob->len > 0 && !ob->err &&
	    fwrite(ob->buf, 1, ob->len, ob->fp) != ob->len)
		ob->err = 1;
	ob->len = 0;
	if (!ob->err && fflush(ob->fp) != 0)
		ob->err = 1;
	return ob->err ? -1 : 0;
}

void
obuf_write_slow(struct obuf *ob, const char *s, size_t n)
{
	while (n > 0) {
		size_t room = OBUF_SIZE - ob->len;

		if (room == 0) {
			if (!ob->err &&
			    fwrite(ob->buf, 1, ob->len, ob->fp) != ob->len)
				ob->err = 1;
			ob->len = 0;
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
