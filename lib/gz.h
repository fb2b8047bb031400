/*
 * gz - gzip inflation for the profile loader: whole, or on a thread.
 *
 * Go writes a profile as one gzip member; Go's reader, and so pprof,
 * also takes several concatenated, and nothing after the last. Both ways
 * of inflating here share that one member loop, and the one guess of the
 * size to come: the last member's trailer (ISIZE, its length mod 2^32).
 *
 * gz_inflate inflates everything into a new buffer under a size cap and
 * words every failure for the user. The thread (gz_start ... gz_stop)
 * inflates into a buffer the caller sized from gz_size_hint while the
 * caller reads what is already out: it never grows the buffer and says
 * only whether it got to the end, so a caller falls back on gz_inflate
 * for anything unusual and its message.
 *
 *	struct gz_thread t;
 *	if (gz_start(&t, in, inlen, buf, cap, then, arg) == 0) {
 *		... n = gz_avail(&t, &state); read buf[0..n); gz_await(&t, n);
 *		gz_stop(&t);
 *	}
 */
#ifndef GZ_H
#define GZ_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

/* The uncompressed size the trailer of in gives; 0 when inlen < 4. */
size_t gz_size_hint(const unsigned char *in, size_t inlen);

/*
 * Inflates every gzip member of in into a new buffer (*out, *outlen) of
 * at most max bytes. Returns 0, or -1 with err set: "truncated gzip
 * stream", "corrupt gzip stream: ...", "gzip: N bytes of garbage after
 * the compressed stream", "decompressed size exceeds max bytes (see
 * --max-size)", "out of memory".
 */
int gz_inflate(const unsigned char *in, size_t inlen, size_t max,
    unsigned char **out, size_t *outlen, char *err, size_t errlen);

/* What gz_avail says of the thread. */
enum { GZ_INFLATING, GZ_INFLATED, GZ_STOPPED };

/* An inflating thread; its fields are gz.c's. */
struct gz_thread {
	pthread_t thread;
	const unsigned char *in;
	size_t inlen;
	unsigned char *buf;
	size_t cap;
	int (*then)(void *, const unsigned char *, size_t);
	void *arg;
	int then_rc;
	atomic_size_t avail;	/* bytes of buf the caller may read */
	atomic_int state;
	atomic_int quit;	/* the caller has given up */
	atomic_int then_done;
};

/*
 * Starts a thread inflating in (inlen bytes, all of them read as gzip)
 * into buf[0..cap), publishing the output 64 KiB at a time. If every
 * member inflates within cap, the thread then calls then(arg, buf, len)
 * with all of it (the caller must not write what then reads). Returns 0,
 * or -1 when no thread could be started.
 */
int gz_start(struct gz_thread *t, const unsigned char *in, size_t inlen,
    unsigned char *buf, size_t cap,
    int (*then)(void *, const unsigned char *, size_t), void *arg);

/*
 * How many bytes of buf are out, final once *state is GZ_INFLATED (all
 * inflated) or GZ_STOPPED (an error, a full buffer, or gz_stop).
 */
size_t gz_avail(struct gz_thread *t, int *state);

/* Waits until more than avail bytes are out, or the inflating stops. */
void gz_await(struct gz_thread *t, size_t avail);

/* Waits for then's result; -1 when the inflating did not get to then. */
int gz_await_then(struct gz_thread *t);

/* Tells the thread to give up, and joins it. */
void gz_stop(struct gz_thread *t);

#endif
