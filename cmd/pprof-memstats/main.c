/*
 * pprof-memstats - the Go runtime's own memory figures, from the text of
 * /debug/pprof/heap?debug=1 (or allocs?debug=1), one TSV row per input.
 *
 * The sampled heap profile counts live objects as of the last GC; the
 * runtime's MemStats say what the process really holds and took from
 * the OS. The block's parser is lib/memstats (pprof-fetch checks a
 * fetched memstats body with the same one); this is its command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esc.h"
#include "memstats.h"
#include "msg.h"
#include "sbuf.h"
#include "slurp.h"
#include "version.h"

#define MAX_SIZE ((size_t)256 << 20)	/* a debug=1 text is a few MB */

static void usage(int status);

static void
put_row(const char *source, const struct memstats *m)
{
	struct sbuf b = SBUF_INIT;
	size_t i;

	esc_meta(&b, source);
	if (b.oom)
		msg_die(1, "out of memory");
	printf("%s", b.s);
	sbuf_free(&b);
	for (i = 0; i < MEMSTATS_NFIELDS; i++)
		printf("\t%jd", (intmax_t)m->v[i]);
	printf("\t%jd\t%jd\n", (intmax_t)m->pause_ns, (intmax_t)m->pauses);
}

/* One input: 0 with its row written, 1 with its error reported. */
static int
one(const char *path)
{
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	struct memstats m;
	char err[256], *text;
	size_t len;
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
	int e;

	if (fd < 0) {
		msg_warn("%s: %s", name, strerror(errno));
		return 1;
	}
	e = slurp(fd, MAX_SIZE, &text, &len);
	if (fd != STDIN_FILENO)
		close(fd);
	if (e == EFBIG) {
		msg_warn("%s: larger than %zu bytes", name, MAX_SIZE);
		return 1;
	}
	if (e != 0) {
		msg_warn("%s: %s", name, strerror(e));
		return 1;
	}
	if (memstats_parse(text, len, &m, err, sizeof err) != 0) {
		msg_warn("%s: %s", name, err);
		free(text);
		return 1;
	}
	free(text);
	put_row(name, &m);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, i, rc = 0;

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
	argc -= optind;
	argv += optind;

	printf("##memstats\truntime.MemStats of heap?debug=1\n");
	printf("##pause_ring\t%d\n", MEMSTATS_PAUSE_RING);
	printf("#source\tsys\theap_sys\theap_inuse\theap_idle\t"
	    "heap_released\tstack_inuse\tnext_gc\tnum_gc\tpause_total_ns\t"
	    "pauses\n");
	if (argc == 0)
		rc |= one("-");
	for (i = 0; i < argc; i++)
		rc |= one(argv[i]);
	return msg_close_stdout() | rc;
}

static void
usage(int status)
{
	fprintf(status != 0 ? stderr : stdout, "usage: %s [file ...]\n",
	    msg_prog());
	exit(status);
}
