/*
 * pprof-diff - per-function flat and cum of two profiles, A (the base)
 * and B, and their difference: what `go tool pprof -top -base A B` counts.
 *
 * pprof's -base merges B with A's samples negated, so every function's
 * flat and cum in its table are B's minus A's; this prints both sides and
 * the delta. Each side is a sample stream (all its profiles merged, as
 * pprof-top merges them) or a table pprof-top wrote; the two kinds are
 * told apart by their first line. --normalize is pprof's -normalize: B's
 * samples are scaled by sum(A)/sum(B) and rounded one by one before
 * anything is added up, so that the numbers stay pprof's to the unit.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "esc.h"
#include "grow.h"
#include "htab.h"
#include "msg.h"
#include "num.h"
#include "obuf.h"
#include "sbuf.h"
#include "stream.h"
#include "version.h"

static struct {
	const char *type;
	int normalize, cum_sort, sort_given, folded;
} opt;

struct side {
	const char *path, *name;	/* operand; name for messages */
	unsigned id;			/* its samples' side in the agg */
	int table;			/* a pprof-top table, not a stream */
	char *type, *unit;
	char **types;			/* a stream's first block's */
	size_t ntypes;
	int col;
	int64_t total;			/* sum of |value| */
	int64_t *flat, *cum;		/* per function id */
	size_t cap;
};

/* Both sides' samples and functions: B's side 1, A's (the base) 0. */
static struct agg G;
static struct side A = { .id = 0 }, B = { .id = 1 };
static char err[1024];
static int overflow;		/* a sum did not fit in 64 bits */

static void usage(void);

static int64_t
abs64(int64_t v)
{
	return num_abs_ov(v, &overflow);
}

/* Makes room in a side's per-function arrays for every function so far. */
static void
fit(struct side *d)
{
	size_t old = d->cap, c = d->cap;

	if (G.nnodes <= d->cap)
		return;
	/* The same size and start: both capacities grow alike. */
	if (grow(&d->flat, &c, G.nnodes, sizeof *d->flat, 1024) != 0 ||
	    grow(&d->cum, &d->cap, G.nnodes, sizeof *d->cum, 1024) != 0)
		msg_die(1, "out of memory");
	memset(d->flat + old, 0, (d->cap - old) * sizeof *d->flat);
	memset(d->cum + old, 0, (d->cap - old) * sizeof *d->cum);
}

/*
 * The type the diff is of: -t, else B's (read first): its default type,
 * as the merged profile of pprof -base takes its header from B.
 */
static const char *
chosen_type(void)
{
	if (opt.type != NULL)
		return opt.type;
	return B.type;
}

static void
begin_block(struct side *d, const struct stream *s)
{
	const struct stream_meta *m = &s->meta;
	size_t i;

	if (d->types != NULL) {
		if (stream_same_types(s, d->types, NULL, d->ntypes, err,
		    sizeof err) != 0)
			msg_die(1, "%s", err);
		return;
	}
	d->ntypes = m->ntypes;
	d->types = xrealloc(NULL, (m->ntypes + 1) * sizeof *d->types);
	for (i = 0; i < m->ntypes; i++)
		d->types[i] = xstrdup(m->types[i]);
	if ((d->col = stream_pick_type(s, chosen_type(), err,
	    sizeof err)) < 0)
		msg_die(1, "%s", err);
	d->type = xstrdup(m->types[d->col]);
	d->unit = xstrdup(m->units[d->col]);
}

/* Splits line at tabs into f (at most max); returns the field count. */
static size_t
split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	for (;;) {
		char *tab = strchr(p, '\t');

		if (n < max)
			f[n] = p;
		n++;
		if (tab == NULL)
			return n;
		*tab = '\0';
		p = tab + 1;
	}
}

static void
table_meta(struct side *d, char **f, size_t nf, size_t lineno)
{
	char *k = f[0] + 2;

	if (strcmp(k, "type") != 0 && strcmp(k, "unit") != 0 &&
	    strcmp(k, "total") != 0)
		return;
	if (nf < 2)
		msg_die(1, "%s:%zu: ##%s needs a value", d->name, lineno, k);
	if (strcmp(k, "total") == 0) {
		if (num_i64(f[1], &d->total) != 0)
			msg_die(1, "%s:%zu: ##total: not a number", d->name,
			    lineno);
		return;
	}
	f[1][esc_unescape(f[1], strlen(f[1]))] = '\0';
	if (strcmp(k, "type") == 0) {
		free(d->type);
		d->type = xstrdup(f[1]);
	} else {
		free(d->unit);
		d->unit = xstrdup(f[1]);
	}
}

static void
table_row(struct side *d, char **f, size_t nf, size_t lineno)
{
	int64_t flat, cum;
	long id;

	if (nf < 6)
		msg_die(1, "%s:%zu: expected 7 fields, got %zu", d->name,
		    lineno, nf);
	if (num_i64(f[0], &flat) != 0 || num_i64(f[3], &cum) != 0)
		msg_die(1, "%s:%zu: flat or cum is not an integer", d->name,
		    lineno);
	if ((id = agg_func(&G, f[5], esc_unescape(f[5], strlen(f[5])), err,
	    sizeof err)) < 0)
		msg_die(1, "%s", err);
	fit(d);
	d->flat[id] = num_add_ov(d->flat[id], flat, &overflow);
	d->cum[id] = num_add_ov(d->cum[id], cum, &overflow);
}

/*
 * Reads the rest of a pprof-top TSV table whose first line, already read
 * by the stream reader that refused it, is first.
 */
static void
read_table(struct side *d, FILE *fp, const char *first)
{
	static const char header[] = "#flat\tflat%\tsum%\tcum\tcum%\tfunction";
	char *line = xstrdup(first), *f[8];
	size_t cap = strlen(line) + 1, lineno = 1, nf;
	int rows = 0, seen_total = 0;
	ssize_t n = (ssize_t)strlen(line);

	d->table = 1;
	for (; n >= 0; n = getline(&line, &cap, fp), lineno++) {
		if (lineno > 1 && n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (lineno == 1 || strncmp(line, "##", 2) == 0) {
			if (rows)
				msg_die(1, "%s:%zu: metadata after the rows",
				    d->name, lineno);
			nf = split(line, f, 8);
			seen_total |= strcmp(f[0], "##total") == 0;
			table_meta(d, f, nf < 8 ? nf : 8, lineno);
			continue;
		}
		if (line[0] == '#') {
			if (rows || strncmp(line, header, sizeof header - 1))
				msg_die(1, "%s:%zu: not a pprof-top table "
				    "header", d->name, lineno);
			rows = 1;
			continue;
		}
		if (!rows)
			msg_die(1, "%s:%zu: a row before the column header",
			    d->name, lineno);
		nf = split(line, f, 8);
		table_row(d, f, nf < 8 ? nf : 8, lineno);
	}
	if (ferror(fp))
		msg_die(1, "%s: read error", d->name);
	if (d->type == NULL || d->unit == NULL || !seen_total || !rows)
		msg_die(1, "%s: a pprof-top table needs ##type, ##unit, "
		    "##total and a column header", d->name);
	if (opt.type != NULL && strcmp(opt.type, d->type) != 0)
		msg_die(1, "%s: a table of %s, not %s", d->name, d->type,
		    opt.type);
	free(line);
}

/* Reads one operand: a sample stream, or else a pprof-top table. */
static void
read_side(struct side *d)
{
	FILE *fp = strcmp(d->path, "-") == 0 ? stdin : fopen(d->path, "r");
	struct stream s;
	struct stream_row row;
	int rc;

	if (fp == NULL)
		msg_die(1, "%s: %s", d->path, strerror(errno));
	d->name = fp == stdin ? "stdin" : d->path;
	stream_input_buffer(fp);
	stream_init(&s, fp, d->name);
	while ((rc = stream_next(&s, &row)) > 0) {
		if (rc == STREAM_BLOCK)
			begin_block(d, &s);
		else if (agg_add(&G, &row, d->id, row.values[d->col], err,
		    sizeof err) != 0)
			msg_die(1, "%s", err);
	}
	if (rc < 0 && s.blocks == 0 && s.lineno == 1 && s.line != NULL &&
	    strncmp(s.line, "##", 2) == 0)
		read_table(d, fp, s.line);
	else if (rc < 0)
		msg_die(1, "%s", s.err);
	else if (s.blocks == 0 && stream_empty(d->name, err, sizeof err) != 0)
		msg_die(1, "%s", err);
	stream_free(&s);
	if (fp != stdin)
		fclose(fp);
}

/* A stream side's samples, scaled when r is not 1, added up by function. */
static void
attribute(struct side *d, double r)
{
	fit(d);
	if (agg_side(&G, d->id, r, d->flat, d->cum, &d->total, err,
	    sizeof err) != 0)
		msg_die(1, "%s", err);
}

/* A table side scaled by r, function by function. */
static void
scale_table(struct side *d, double r)
{
	size_t i;

	for (i = 0; i < d->cap; i++) {
		d->flat[i] = (int64_t)round((double)d->flat[i] * r);
		d->cum[i] = (int64_t)round((double)d->cum[i] * r);
	}
	d->total = (int64_t)round((double)d->total * r);
}

/* The sum of the values, which pprof's -normalize compares. */
static int64_t
net(const struct side *d)
{
	size_t i;
	int64_t sum = 0;

	if (d->table)
		return d->total;
	for (i = 0; i < G.nsamples; i++)
		if (G.samples[i].side == d->id)
			sum += G.samples[i].v;
	return sum;
}

static struct obuf out;
static int64_t *dflat, *dcum;	/* B - A per function, for sorting */
static char **names;

/* 100 * delta / |a| with two decimals, "-" when a is 0. */
static void
put_pct(int64_t delta, int64_t a)
{
	char buf[64];

	if (a == 0) {
		obuf_putc(&out, '-');
		return;
	}
	snprintf(buf, sizeof buf, "%.2f", 100.0 * (double)delta /
	    fabs((double)a));
	obuf_puts(&out, buf);
}

static void
meta_i64(const char *k, int64_t v)
{
	obuf_puts(&out, k);
	obuf_i64(&out, v);
	obuf_putc(&out, '\n');
}

/* The plain name of an escaped one, NUL-terminated, to free. */
static char *
plain(const char *esc, size_t len)
{
	char *p = xrealloc(NULL, len + 1);

	memcpy(p, esc, len);
	p[esc_unescape(p, len)] = '\0';
	return p;
}

static int
cmp_fn(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int64_t x1 = abs64(opt.cum_sort ? dcum[x] : dflat[x]);
	int64_t y1 = abs64(opt.cum_sort ? dcum[y] : dflat[y]);
	int64_t x2 = abs64(opt.cum_sort ? dflat[x] : dcum[x]);
	int64_t y2 = abs64(opt.cum_sort ? dflat[y] : dcum[y]);

	if (x1 != y1)
		return x1 > y1 ? -1 : 1;
	if (x2 != y2)
		return x2 > y2 ? -1 : 1;
	return strcmp(names[x], names[y]);
}

static void
put_pair(int64_t a, int64_t b)
{
	obuf_i64(&out, a);
	obuf_putc(&out, '\t');
	obuf_i64(&out, b);
	obuf_putc(&out, '\t');
	obuf_i64(&out, num_sub_ov(b, a, &overflow));
	obuf_putc(&out, '\t');
	put_pct(num_sub_ov(b, a, &overflow), a);
	obuf_putc(&out, '\t');
}

static void
write_diff(double scale)
{
	size_t i, n = 0, nf = G.nnodes, len;
	const char *k;
	uint32_t *order = xrealloc(NULL, (nf + 1) * sizeof *order);
	char buf[64];

	fit(&A);
	fit(&B);
	dflat = xrealloc(NULL, (nf + 1) * sizeof *dflat);
	dcum = xrealloc(NULL, (nf + 1) * sizeof *dcum);
	names = xrealloc(NULL, (nf + 1) * sizeof *names);
	for (i = 0; i < nf; i++) {
		dflat[i] = num_sub_ov(B.flat[i], A.flat[i], &overflow);
		dcum[i] = num_sub_ov(B.cum[i], A.cum[i], &overflow);
		k = agg_name(&G, (uint32_t)i, &len);
		names[i] = plain(k, len);
		if (A.flat[i] || A.cum[i] || B.flat[i] || B.cum[i])
			order[n++] = (uint32_t)i;
	}
	qsort(order, n, sizeof *order, cmp_fn);
	num_sub_ov(B.total, A.total, &overflow);
	/* Nothing is written yet: refuse sums that did not fit. */
	if (overflow || G.overflow)
		msg_die(1, "%s, %s: values overflow a 64-bit sum", A.name,
		    B.name);
	obuf_puts(&out, "##type\t");
	esc_meta_out(&out, B.type);
	obuf_puts(&out, "\n##unit\t");
	esc_meta_out(&out, B.unit);
	obuf_puts(&out, "\n##a\t");
	esc_meta_out(&out, A.path);
	obuf_puts(&out, "\n##b\t");
	esc_meta_out(&out, B.path);
	obuf_puts(&out, "\n##scale_b\t");
	snprintf(buf, sizeof buf, "%.17g", scale);
	obuf_puts(&out, buf);
	obuf_putc(&out, '\n');
	meta_i64("##total_a\t", A.total);
	meta_i64("##total_b\t", B.total);
	meta_i64("##total_delta\t", num_sub_ov(B.total, A.total, &overflow));
	obuf_puts(&out, "##total_delta%\t");
	put_pct(num_sub_ov(B.total, A.total, &overflow), A.total);
	obuf_puts(&out, "\n#flat_a\tflat_b\tflat_delta\tflat_delta%\tcum_a\t"
	    "cum_b\tcum_delta\tcum_delta%\tfunction\n");
	for (i = 0; i < n; i++) {
		uint32_t f = order[i];

		put_pair(A.flat[f], B.flat[f]);
		put_pair(A.cum[f], B.cum[f]);
		esc_meta_out(&out, names[f]);
		obuf_putc(&out, '\n');
	}
	free(order);
}

/* --folded: per stack, A's sum and B's, for difffolded's two columns. */
static struct htab fstacks;
static int64_t *fsum[2];
static size_t fcap;

static void
fold_side(const struct side *d, int which, double r)
{
	struct sbuf b = SBUF_INIT;
	size_t i;
	int64_t v;
	long id;

	for (i = 0; i < G.nsamples; i++) {
		if (G.samples[i].side != d->id || G.samples[i].n == 0)
			continue;
		v = G.samples[i].v;
		if (r != 1)
			v = (int64_t)round((double)v * r);
		sbuf_reset(&b);
		if (agg_stack_text(&G, G.samples[i].stack, &b) != 0 ||
		    (id = htab_intern(&fstacks, b.s, b.len)) < 0)
			msg_die(1, "out of memory");
		if ((size_t)id >= fcap) {
			size_t c = fcap ? fcap * 2 : 1024;

			fsum[0] = xrealloc(fsum[0], c * sizeof *fsum[0]);
			fsum[1] = xrealloc(fsum[1], c * sizeof *fsum[1]);
			memset(fsum[0] + fcap, 0, (c - fcap) * sizeof *fsum[0]);
			memset(fsum[1] + fcap, 0, (c - fcap) * sizeof *fsum[1]);
			fcap = c;
		}
		fsum[which][id] = num_add_ov(fsum[which][id], v, &overflow);
	}
	sbuf_free(&b);
}

static int
cmp_fstack(const void *a, const void *b)
{
	size_t la, lb;
	const char *ka = htab_key(&fstacks, *(const uint32_t *)a, &la);
	const char *kb = htab_key(&fstacks, *(const uint32_t *)b, &lb);
	int c = memcmp(ka, kb, la < lb ? la : lb);

	return c != 0 ? c : (la > lb) - (la < lb);
}

/* "stack a b" per stack, sorted by stack, stacks zero on both sides out. */
static void
write_folded(double scale)
{
	size_t i, n;
	uint32_t *order;

	htab_init(&fstacks);
	fold_side(&A, 0, 1);
	fold_side(&B, 1, scale);
	if (overflow || G.overflow)
		msg_die(1, "%s, %s: values overflow a 64-bit sum", A.name,
		    B.name);
	n = htab_count(&fstacks);
	order = xrealloc(NULL, (n + 1) * sizeof *order);
	for (i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	qsort(order, n, sizeof *order, cmp_fstack);
	for (i = 0; i < n; i++) {
		size_t len;
		const char *k = htab_key(&fstacks, order[i], &len);

		if (fsum[0][order[i]] == 0 && fsum[1][order[i]] == 0)
			continue;
		obuf_put(&out, k, len);
		obuf_putc(&out, ' ');
		obuf_i64(&out, fsum[0][order[i]]);
		obuf_putc(&out, ' ');
		obuf_i64(&out, fsum[1][order[i]]);
		obuf_putc(&out, '\n');
	}
	free(order);
}

static void
parse_options(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "folded", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "normalize", no_argument, NULL, 'N' },
		{ "sort", required_argument, NULL, 's' },
		{ "type", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			opt.folded = 1;
			break;
		case 'h':
			printf("usage: pprof-diff [-t type] [--normalize] "
			    "[--sort flat|cum | --folded] a b\n"
			    "Per-function flat and cum of two profiles and "
			    "their difference b - a,\nas go tool pprof -top "
			    "-base a b. See pprof-diff(1).\n");
			exit(0);
		case 'N':
			opt.normalize = 1;
			break;
		case 's':
			opt.sort_given = 1;
			if (strcmp(optarg, "cum") == 0)
				opt.cum_sort = 1;
			else if (strcmp(optarg, "flat") == 0)
				opt.cum_sort = 0;
			else
				msg_die(2, "--sort: expected flat or cum, not "
				    "%s", optarg);
			break;
		case 't':
			opt.type = optarg;
			break;
		case 'V':
			printf("pprof-diff %s\n", E2E_PROFILE_VERSION);
			exit(0);
		default:
			usage();
		}
	}
}

/* Both sides' samples by function, B scaled by scale. */
static void
diff_tables(double scale)
{
	if (!A.table)
		attribute(&A, 1);
	if (!B.table)
		attribute(&B, scale);
	else if (scale != 1)
		scale_table(&B, scale);
}

int
main(int argc, char *argv[])
{
	double scale = 1;

	msg_init(argv);
	parse_options(argc, argv);
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage();
	if (opt.folded && opt.sort_given)
		msg_die(2, "--folded is sorted by stack: no --sort");
	if (strcmp(argv[0], "-") == 0 && strcmp(argv[1], "-") == 0)
		msg_die(2, "only one of a and b can be standard input");

	{
		struct agg_opt o = AGG_OPT_INIT;

		if (agg_init(&G, &o, err, sizeof err) != 0)
			msg_die(1, "%s", err);
	}
	A.path = argv[0];
	B.path = argv[1];
	/* B first: without -t, its default type is the diff's. */
	read_side(&B);
	read_side(&A);
	if (strcmp(A.type, B.type) != 0)
		msg_die(1, "%s is of %s, %s of %s: not comparable", A.name,
		    A.type, B.name, B.type);
	if (strcmp(A.unit, B.unit) != 0)
		msg_die(1, "%s is in %s, %s in %s: not comparable", A.name,
		    A.unit, B.name, B.unit);
	if (opt.normalize) {
		int64_t na = net(&A), nb = net(&B);

		scale = nb != 0 ? (double)na / (double)nb : 0;
	}
	obuf_init(&out, stdout);
	if (opt.folded) {
		if (A.table || B.table)
			msg_die(1, "%s: --folded needs two sample streams, "
			    "not a pprof-top table", A.table ? A.name : B.name);
		write_folded(scale);
	} else {
		diff_tables(scale);
		write_diff(scale);
	}
	if (obuf_flush(&out) != 0) {
		msg_warn("stdout: write error");
		return 1;
	}
	return msg_close_stdout();
}

static void
usage(void)
{
	fprintf(stderr, "usage: pprof-diff [-t type] [--normalize] "
	    "[--sort flat|cum | --folded] a b\n");
	exit(2);
}
