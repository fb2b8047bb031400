/*
 * pprof-top - the per-function flat/cum table of a sample stream, as
 * `go tool pprof -top` computes it.
 *
 * The stream's samples are merged (identical labels and stack summed, as
 * pprof merges profiles), filtered by --focus/--ignore, then attributed to
 * functions: flat to the leaf frame, cum once per function per sample.
 * The node fraction and -n trim the table as pprof's report does, and the
 * "(inline)" marks come from the call edges that remain after trimming,
 * because pprof rebuilds its graph from the kept nodes before it labels
 * them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agg.h"
#include "esc.h"
#include "htab.h"
#include "msg.h"
#include "num.h"
#include "obuf.h"
#include "sbuf.h"
#include "stream.h"
#include "units.h"
#include "version.h"

static struct {
	struct agg_opt agg;
	int pprof_format;
} opt = { AGG_OPT_INIT, 0 };

static struct agg A;

static void usage(void);

static struct obuf out;

static void
pct2(char *buf, size_t len, int64_t v)
{
	snprintf(buf, len, "%.2f", A.total != 0 ? 100.0 * (double)v /
	    (double)A.total : 0.0);
}

static void
write_tsv(const uint32_t *order, size_t n, size_t orig, size_t dropped)
{
	char a[32], b[32], c[32];
	int64_t sum = 0;
	size_t i;

	obuf_puts(&out, "##type\t");
	esc_meta_out(&out, A.hdr.type);
	obuf_puts(&out, "\n##unit\t");
	esc_meta_out(&out, A.hdr.unit);
	obuf_puts(&out, "\n##total\t");
	obuf_i64(&out, A.total);
	obuf_puts(&out, "\n##nodes\t");
	obuf_u64(&out, n);
	obuf_putc(&out, '\t');
	obuf_u64(&out, orig + dropped);
	obuf_puts(&out, "\n#flat\tflat%\tsum%\tcum\tcum%\tfunction\tinline\n");
	for (i = 0; i < n; i++) {
		const struct agg_node *nd = &A.nodes[order[i]];

		sum = num_add_ov(sum, nd->flat, &A.overflow);
		pct2(a, sizeof a, nd->flat);
		pct2(b, sizeof b, sum);
		pct2(c, sizeof c, nd->cum);
		obuf_i64(&out, nd->flat);
		obuf_putc(&out, '\t');
		obuf_puts(&out, a);
		obuf_putc(&out, '\t');
		obuf_puts(&out, b);
		obuf_putc(&out, '\t');
		obuf_i64(&out, nd->cum);
		obuf_putc(&out, '\t');
		obuf_puts(&out, c);
		obuf_putc(&out, '\t');
		esc_meta_out(&out, agg_raw(&A, order[i]));
		obuf_putc(&out, '\t');
		obuf_puts(&out, agg_inline_label(nd));
		obuf_putc(&out, '\n');
	}
}

/* Go's time.Format(t, "Jan 2, 2006 at 3:04pm (MST)") in local time. */
static void
go_time(char *buf, size_t len, int64_t nanos)
{
	time_t t = (time_t)(nanos / 1000000000);
	struct tm tm;
	char mon[8], zone[16];
	int h;

	if (nanos % 1000000000 < 0)
		t--;
	if (localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	strftime(mon, sizeof mon, "%b", &tm);
	strftime(zone, sizeof zone, "%Z", &tm);
	h = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
	snprintf(buf, len, "%s %d, %d at %d:%02d%s (%s)", mon, tm.tm_mday,
	    tm.tm_year + 1900, h, tm.tm_min, tm.tm_hour < 12 ? "am" : "pm",
	    zone);
}

static void
line(const char *s)
{
	obuf_puts(&out, s);
	obuf_putc(&out, '\n');
}

static void
write_pprof_labels(const char *unit)
{
	struct sbuf b = SBUF_INIT;
	char v[128], w[128], p[32];
	size_t i;

	if (A.hdr.file != NULL) {
		const char *base = strrchr(A.hdr.file, '/');

		obuf_puts(&out, "File: ");
		line(base != NULL && base[1] != '\0' ? base + 1 : A.hdr.file);
		if (*A.hdr.build_id != '\0') {
			obuf_puts(&out, "Build ID: ");
			line(A.hdr.build_id);
		}
	}
	for (i = 0; i < htab_count(&A.hdr.comments); i++) {
		const char *c = htab_key(&A.hdr.comments, i, NULL);

		if (c[0] != '#')
			line(c);
	}
	obuf_puts(&out, "Type: ");
	line(A.hdr.type);
	if (A.hdr.time_nanos != 0) {
		go_time(v, sizeof v, A.hdr.time_nanos);
		obuf_puts(&out, "Time: ");
		line(v);
	}
	if (A.hdr.duration_nanos != 0) {
		const char *tu;
		double tn = units_scale(A.total, A.hdr.unit, "nanoseconds", &tu);

		units_label(v, sizeof v, A.hdr.duration_nanos, "nanoseconds",
		    "auto");
		units_label(w, sizeof w, A.total, A.hdr.unit, unit);
		p[0] = '\0';
		if (strcmp(tu, "ns") == 0 && tn != 0) {
			units_percent(p + 1, sizeof p - 2, (int64_t)tn,
			    A.hdr.duration_nanos);
			p[0] = '(';
			strcat(p, ")");
		}
		sbuf_printf(&b, "Duration: %s, Total samples = %s %s", v, w, p);
		line(b.s);
	}
	if (opt.agg.focus != NULL || opt.agg.ignore != NULL) {
		line("Active filters:");
		if (opt.agg.focus != NULL) {
			obuf_puts(&out, "   focus=");
			line(opt.agg.focus);
		}
		if (opt.agg.ignore != NULL) {
			obuf_puts(&out, "   ignore=");
			line(opt.agg.ignore);
		}
	}
	sbuf_free(&b);
}

static void
write_pprof(const uint32_t *order, size_t n, size_t orig, size_t dropped)
{
	const char *unit = "minimum";
	char a[128], b[128], c[384], d[32], e[32], f[32];
	int64_t min = 0, sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct agg_node *nd = &A.nodes[order[i]];
		int64_t m = agg_abs(&A, nd->flat) ? agg_abs(&A, nd->flat) : agg_abs(&A, nd->cum);

		sum = num_add_ov(sum, nd->flat, &A.overflow);
		if (m > 0 && (min == 0 || m < min))
			min = m;
	}
	if (n > 0)
		unit = units_pick(min, A.total, A.hdr.unit);
	write_pprof_labels(unit);
	units_label(a, sizeof a, sum, A.hdr.unit, unit);
	units_percent(d, sizeof d, sum, A.total);
	units_label(b, sizeof b, A.total, A.hdr.unit, unit);
	obuf_puts(&out, "Showing nodes accounting for ");
	obuf_puts(&out, a);
	obuf_puts(&out, ", ");
	obuf_puts(&out, d + strspn(d, " "));
	obuf_puts(&out, " of ");
	obuf_puts(&out, b);
	line(" total");
	if (A.total != 0 && dropped > 0) {
		units_label(a, sizeof a, agg_abs(&A, (int64_t)((double)A.total *
		    opt.agg.nodefraction)), A.hdr.unit, unit);
		snprintf(b, sizeof b, "Dropped %zu node%s (cum <= ", dropped,
		    dropped > 1 ? "s" : "");
		obuf_puts(&out, b);
		obuf_puts(&out, a);
		line(")");
	}
	if (A.total != 0 && n > 0 && n < orig) {
		snprintf(b, sizeof b, "Showing top %zu nodes out of %zu", n,
		    orig);
		line(b);
	}
	snprintf(a, sizeof a, "%10s %5s%% %5s%% %10s %5s%%", "flat", "flat",
	    "sum", "cum", "cum");
	line(a);
	sum = 0;
	for (i = 0; i < n; i++) {
		const struct agg_node *nd = &A.nodes[order[i]];
		const char *inl = agg_inline_label(nd);

		sum = num_add_ov(sum, nd->flat, &A.overflow);
		units_label(a, sizeof a, nd->flat, A.hdr.unit, unit);
		units_label(b, sizeof b, nd->cum, A.hdr.unit, unit);
		units_percent(d, sizeof d, nd->flat, A.total);
		units_percent(e, sizeof e, sum, A.total);
		units_percent(f, sizeof f, nd->cum, A.total);
		snprintf(c, sizeof c, "%10s %s %s %10s %s  ", a, d, e, b, f);
		obuf_puts(&out, c);
		obuf_puts(&out, agg_raw(&A, order[i]));
		if (*inl != '\0') {
			obuf_puts(&out, " (");
			obuf_puts(&out, inl);
			obuf_putc(&out, ')');
		}
		obuf_putc(&out, '\n');
	}
}

static void
parse_options(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "focus", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "nodefraction", required_argument, NULL, 'N' },
		{ "sort", required_argument, NULL, 's' },
		{ "type", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int64_t n;
	int ch;

	while ((ch = getopt_long(argc, argv, "n:t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			opt.agg.focus = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "pprof") == 0)
				opt.pprof_format = 1;
			else if (strcmp(optarg, "tsv") == 0)
				opt.pprof_format = 0;
			else
				msg_die(2, "--format: expected tsv or pprof, "
				    "not %s", optarg);
			break;
		case 'h':
			printf("usage: pprof-top [-t type] [-n count] "
			    "[--nodefraction f] [--format tsv|pprof]\n"
			    "                 [--focus re] [--ignore re] "
			    "[--sort flat|cum] [file ...]\n"
			    "Per-function flat and cum table of a sample "
			    "stream, as go tool pprof -top.\n"
			    "See pprof-top(1).\n");
			exit(0);
		case 'i':
			opt.agg.ignore = optarg;
			break;
		case 'n':
			if (num_i64(optarg, &n) != 0 || n < 0 || n > 1 << 30)
				msg_die(2, "-n: not a node count: %s", optarg);
			opt.agg.count = (long)n;
			break;
		case 'N':
			if (num_double(optarg, &opt.agg.nodefraction) != 0 ||
			    opt.agg.nodefraction < 0 || opt.agg.nodefraction > 1)
				msg_die(2, "--nodefraction: not a fraction "
				    "from 0 to 1: %s", optarg);
			break;
		case 's':
			if (strcmp(optarg, "cum") == 0)
				opt.agg.cum_sort = 1;
			else if (strcmp(optarg, "flat") == 0)
				opt.agg.cum_sort = 0;
			else
				msg_die(2, "--sort: expected flat or cum, not "
				    "%s", optarg);
			break;
		case 't':
			opt.agg.type = optarg;
			break;
		case 'V':
			printf("pprof-top %s\n", E2E_PROFILE_VERSION);
			exit(0);
		default:
			usage();
		}
	}
}

int
main(int argc, char *argv[])
{
	uint32_t *order;
	size_t orig, dropped;
	char err[1024];
	long n;
	int i;

	msg_init(argv);
	parse_options(argc, argv);
	argc -= optind;
	argv += optind;

	if (agg_init(&A, &opt.agg, err, sizeof err) != 0)
		msg_die(2, "%s", err);
	if (argc == 0 && agg_read(&A, stdin, "stdin", err, sizeof err) != 0)
		msg_die(1, "%s", err);
	for (i = 0; i < argc; i++) {
		FILE *fp = strcmp(argv[i], "-") == 0 ? stdin :
		    fopen(argv[i], "r");
		int rc;

		if (fp == NULL)
			msg_die(1, "%s: %s", argv[i], strerror(errno));
		rc = agg_read(&A, fp, fp == stdin ? "stdin" : argv[i], err,
		    sizeof err);
		if (fp != stdin)
			fclose(fp);
		if (rc != 0)
			msg_die(1, "%s", err);
	}
	if (agg_build(&A, err, sizeof err) != 0)
		msg_die(1, "%s", err);
	if (opt.agg.focus != NULL && !A.any_focus)
		msg_warn("--focus %s matched no samples", opt.agg.focus);
	if (opt.agg.ignore != NULL && !A.any_ignore)
		msg_warn("--ignore %s matched no samples", opt.agg.ignore);
	if ((n = agg_select(&A, &order, &orig, &dropped, err,
	    sizeof err)) < 0)
		msg_die(1, "%s", err);
	if (A.overflow)
		msg_die(1, "%s: values overflow a 64-bit sum",
		    argc > 0 ? argv[argc - 1] : "stdin");
	obuf_init(&out, stdout);
	if (opt.pprof_format)
		write_pprof(order, (size_t)n, orig, dropped);
	else
		write_tsv(order, (size_t)n, orig, dropped);
	free(order);
	agg_free(&A);
	if (obuf_flush(&out) != 0) {
		msg_warn("stdout: write error");
		return 1;
	}
	return msg_close_stdout();
}

static void
usage(void)
{
	fprintf(stderr, "usage: pprof-top [-t type] [-n count] "
	    "[--nodefraction f] [--format tsv|pprof]\n"
	    "                 [--focus re] [--ignore re] [--sort flat|cum] "
	    "[file ...]\n");
	exit(2);
}
