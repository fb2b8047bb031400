/* gz - see gz.h. */
#include "gz.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "errf.h"
#include "grow.h"

#define GZ_STEP (64 * 1024)	/* the thread's output published at a time */

/* What one step of the member loop came to. */
enum { STEP_MORE, STEP_END, STEP_FULL, STEP_GARBAGE, STEP_TRUNCATED,
	STEP_CORRUPT };

/*
 * The member loop, one inflate call at a time: a member's end is the
 * start of the next when one follows, as Go reads them.
 */
static int
step(z_stream *z)
{
	int rc = inflate(z, Z_NO_FLUSH);

	if (rc == Z_STREAM_END) {
		if (z->avail_in == 0)
			return STEP_END;
		if (z->avail_in < 2 || z->next_in[0] != 0x1f ||
		    z->next_in[1] != 0x8b)
			return STEP_GARBAGE;
		inflateReset(z);
		return STEP_MORE;
	}
	if (rc == Z_OK && z->avail_out > 0)
		return STEP_MORE;
	if (rc == Z_BUF_ERROR && z->avail_in == 0)
		return STEP_TRUNCATED;
	if (rc != Z_OK && rc != Z_BUF_ERROR)
		return STEP_CORRUPT;
	return STEP_FULL;
}

size_t
gz_size_hint(const unsigned char *in, size_t inlen)
{
	if (inlen < 4)
		return 0;
	return (size_t)in[inlen - 4] | (size_t)in[inlen - 3] << 8 |
	    (size_t)in[inlen - 2] << 16 | (size_t)in[inlen - 1] << 24;
}

static int
too_big(size_t max, char *err, size_t errlen)
{
	return errf(err, errlen, "decompressed size exceeds %zu bytes "
	    "(see --max-size)", max);
}

int
gz_inflate(const unsigned char *in, size_t inlen, size_t max,
    unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	z_stream z;
	unsigned char *buf, *nb;
	size_t cap, hint = gz_size_hint(in, inlen), used, ncap;
	int rc = -1;

	cap = hint > 0 && hint <= max ? hint + 1 : 4 * inlen + 1024;
	if (cap > max + 1)
		cap = max + 1;
	if ((buf = malloc(cap)) == NULL)
		return errf(err, errlen, "out of memory");
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		return errf(err, errlen, "gzip: cannot initialise zlib");
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)inlen;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	for (;;) {
		switch (step(&z)) {
		case STEP_MORE:
			continue;
		case STEP_END:
			break;
		case STEP_GARBAGE:
			/* Go ignores nothing after a member either. */
			errf(err, errlen, "gzip: %u bytes of garbage after "
			    "the compressed stream", z.avail_in);
			goto out;
		case STEP_TRUNCATED:
			errf(err, errlen, "truncated gzip stream");
			goto out;
		case STEP_CORRUPT:
			errf(err, errlen, "corrupt gzip stream: %s",
			    z.msg ? z.msg : "inflate failed");
			goto out;
		case STEP_FULL:
			if (z.total_out > max || cap > max) {
				too_big(max, err, errlen);
				goto out;
			}
			used = (size_t)(z.next_out - buf);
			if ((ncap = grow_cap(cap, cap + 1, 1, 0)) == 0 ||
			    ncap > max + 1)
				ncap = max + 1;
			if ((nb = realloc(buf, ncap)) == NULL) {
				errf(err, errlen, "out of memory");
				goto out;
			}
			buf = nb;
			cap = ncap;
			z.next_out = buf + used;
			z.avail_out = (uInt)(cap - used);
			continue;
		}
		break;
	}
	*outlen = (size_t)(z.next_out - buf);
	if (*outlen > max)
		too_big(max, err, errlen);
	else {
		*out = buf;
		buf = NULL;
		rc = 0;
	}
out:
	inflateEnd(&z);
	free(buf);
	return rc;
}

/* The member loop without growing: a full buffer stops it. */
static void *
inflate_thread(void *arg)
{
	struct gz_thread *t = arg;
	z_stream z;
	int s, state = GZ_STOPPED;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		atomic_store_explicit(&t->state, state, memory_order_release);
		atomic_store_explicit(&t->then_done, 1, memory_order_release);
		return NULL;
	}
	z.next_in = (unsigned char *)t->in;
	z.avail_in = (uInt)t->inlen;
	z.next_out = t->buf;
	while (!atomic_load_explicit(&t->quit, memory_order_relaxed)) {
		size_t room = t->cap - (size_t)(z.next_out - t->buf);

		if (room == 0)
			break;
		z.avail_out = (uInt)(room < GZ_STEP ? room : GZ_STEP);
		s = step(&z);
		atomic_store_explicit(&t->avail, (size_t)(z.next_out - t->buf),
		    memory_order_release);
		/* Full: the step's room is used up; the next step's is new. */
		if (s == STEP_MORE || (s == STEP_FULL && z.avail_out == 0))
			continue;
		if (s == STEP_END)
			state = GZ_INFLATED;
		break;
	}
	inflateEnd(&z);
	atomic_store_explicit(&t->state, state, memory_order_release);
	if (state == GZ_INFLATED)
		t->then_rc = t->then(t->arg, t->buf,
		    (size_t)(z.next_out - t->buf));
	atomic_store_explicit(&t->then_done, 1, memory_order_release);
	return NULL;
}

int
gz_start(struct gz_thread *t, const unsigned char *in, size_t inlen,
    unsigned char *buf, size_t cap,
    int (*then)(void *, const unsigned char *, size_t), void *arg)
{
	memset(t, 0, sizeof *t);
	t->in = in;
	t->inlen = inlen;
	t->buf = buf;
	t->cap = cap;
	t->then = then;
	t->arg = arg;
	t->then_rc = -1;
	atomic_init(&t->avail, 0);
	atomic_init(&t->state, GZ_INFLATING);
	atomic_init(&t->quit, 0);
	atomic_init(&t->then_done, 0);
	return pthread_create(&t->thread, NULL, inflate_thread, t) == 0 ? 0 :
	    -1;
}

size_t
gz_avail(struct gz_thread *t, int *state)
{
	/* The state first: once it is final, so is what it read of avail. */
	*state = atomic_load_explicit(&t->state, memory_order_acquire);
	return atomic_load_explicit(&t->avail, memory_order_acquire);
}

void
gz_await(struct gz_thread *t, size_t avail)
{
	unsigned spins = 0;

	while (atomic_load_explicit(&t->avail, memory_order_acquire) == avail &&
	    atomic_load_explicit(&t->state, memory_order_acquire) ==
	    GZ_INFLATING)
		if (++spins % 64 == 0)
			sched_yield();
}

int
gz_await_then(struct gz_thread *t)
{
	unsigned spins = 0;

	while (!atomic_load_explicit(&t->then_done, memory_order_acquire))
		if (++spins % 64 == 0)
			sched_yield();
	return t->then_rc;
}

void
gz_stop(struct gz_thread *t)
{
	atomic_store_explicit(&t->quit, 1, memory_order_relaxed);
	pthread_join(t->thread, NULL);
}
