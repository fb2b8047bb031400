/*
 * line-stamp - every line of its input, as it arrives, prefixed with the
 * time it arrived: "time_ns<TAB>text". The wrapper puts it between the
 * test and test-events(1), which needs to know when each line came and
 * cannot learn it from a file written afterwards; awk and sh have no clock
 * finer than a second, so this is the one small tool that reads it.
 *
 * A line's time is CLOCK_REALTIME, in ns since the epoch, when its first
 * byte was read: a line printed in two writes ("waiting... ", then "done"
 * a minute later) is stamped when it began. What one read brings is
 * written out at once, whole lines only, so a reader downstream sees each
 * line when it came. A line longer than MAX_LINE is cut there, each piece
 * a line of its own (so that a stream without newlines cannot grow the
 * buffer for ever); a last line without a newline gets one.
 *
 * The test must never stall or die because of what is downstream: when
 * standard output fails (the reader is gone), line-stamp says so once and
 * goes on reading its input to the end, dropping it, so that the writer
 * upstream is never blocked or sent SIGPIPE.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "sbuf.h"
#include "version.h"

#define MAX_LINE ((size_t)1 << 20)
#define CHUNK 65536

static struct sbuf line = SBUF_INIT;	/* the line in progress */
static int64_t line_ns;			/* its first byte's time */
static int out_failed;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Writes b whole to stdout; on failure says so once, and drops from then. */
static void
put_out(const struct sbuf *b)
{
	size_t off = 0;
	ssize_t n;

	while (!out_failed && off < b->len) {
		n = write(STDOUT_FILENO, b->s + off, b->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			msg_warn("stdout: %s; reading on, dropping the lines",
			    n < 0 ? strerror(errno) : "write error");
			out_failed = 1;
			return;
		}
		off += (size_t)n;
	}
}

/* The line in progress, stamped, joins out. */
static void
end_line(struct sbuf *out)
{
	sbuf_i64(out, line_ns);
	sbuf_putc(out, '\t');
	sbuf_put(out, line.s != NULL ? line.s : "", line.len);
	sbuf_putc(out, '\n');
	sbuf_reset(&line);
	if (out->oom || line.oom)
		msg_die(1, "out of memory");
}

/* One read's bytes, at time ns: the lines they end go to out. */
static void
take(const char *p, size_t n, int64_t ns, struct sbuf *out)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl != NULL ? (size_t)(nl - p) : n;

		if (line.len == 0)
			line_ns = ns;
		if (k > MAX_LINE - line.len)
			k = MAX_LINE - line.len;
		sbuf_put(&line, p, k);
		p += k;
		n -= k;
		if (n > 0 && *p == '\n') {
			p++;
			n--;
			end_line(out);
		} else if (line.len == MAX_LINE)
			end_line(out);
	}
}

static void
usage(int status)
{
	fprintf(status != 0 ? stderr : stdout, "usage: %s\n", msg_prog());
	exit(status);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sbuf out = SBUF_INIT;
	char buf[CHUNK];
	ssize_t n;
	int ch;

	msg_init(argv);
	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'V':
			printf("%s %s\n", msg_prog(), E2E_PROFILE_VERSION);
			return 0;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	/* A reader that is gone is an EPIPE to say, not a death. */
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			msg_die(1, "stdin: %s", strerror(errno));
		if (n == 0)
			break;
		take(buf, (size_t)n, now_ns(), &out);
		put_out(&out);
		sbuf_reset(&out);
	}
	if (line.len > 0) {
		end_line(&out);
		put_out(&out);
	}
	sbuf_free(&out);
	sbuf_free(&line);
	return out_failed;
}
