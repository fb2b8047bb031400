/*
 * leak-verdict - after the test: is what the process still holds a leak?
 *
 * It compares the heap and the goroutines of a settle window (profiles
 * taken with ?gc=1 once the test's main phase ended and the load went
 * away) with a baseline taken before the main phase, and calls it one of
 * three, with the figures and thresholds that decided:
 *
 *   likely-leak  the heap kept more than the retain threshold beyond the
 *                baseline and still grows over the window (or there is
 *                no second profile to show it does not), or goroutines
 *                are not back to baseline, or the runtime's
 *                goroutineleak profile has samples;
 *   bounded      the heap kept more than the threshold but is flat over
 *                the window: a cache, or a leak that grows only under
 *                load (the per-function rows tell which);
 *   no-leak      neither.
 *
 * The thresholds and why they are what they are: leak-verdict.1. Per
 * function, the flat inuse_space of the baseline and of the last settle
 * profile, as pprof-diff computes it (lib/agg); per stack, the goroutine
 * counts of the baseline and of the last settle profile.
 */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "grow.h"
#include "htab.h"
#include "msg.h"
#include "num.h"
#include "version.h"

#define MIB (1024 * 1024)

/*
 * A sample with a frame of the profiler is what serving a profile costs
 * (the settle window fetches heap and goroutine profiles at once, so one
 * is being written while the other's GC runs): the measurement's own,
 * left out of every figure. The pattern is lib/categories.tsv's
 * "profiler", anchored at a frame.
 */
#define PROFILER_RE "(^|;)(net/http/pprof|runtime/pprof)\\."

static regex_t profiler_re;

/* One input file: its blocks' times, totals and per-key sums. */
struct input {
	const char *path, *name;
	const char *type;	/* the type to read, NULL: the default */
	size_t nblocks;
	int64_t *time, *total;	/* per block */
	int64_t profiler;	/* the last block's profiler samples, left out */
	char *first_source;	/* the first block's ##profile */
	int col;
};

/* Goroutine counts by stack, of one block. */
struct stacks {
	struct htab h;		/* stack text (escaped) -> id */
	int64_t *n;
	size_t cap;
};

static struct agg G;		/* the heap: side 0 baseline, k+1 block k */
static char err[512];
static int overflow;

static void usage(int status);

static void
push_block(struct input *in, const struct stream *s)
{
	size_t n = in->nblocks + 1;

	in->time = xrealloc(in->time, n * sizeof *in->time);
	in->total = xrealloc(in->total, n * sizeof *in->total);
	in->time[n - 1] = s->meta.time_nanos;
	in->total[n - 1] = 0;
	in->profiler = 0;
	if (n > 1 && s->meta.time_nanos < in->time[n - 2])
		msg_die(1, "%s:%zu: profile %s is older than the one before",
		    in->name, s->lineno, s->meta.source);
	if (n == 1)
		in->first_source = xstrdup(s->meta.source);
	in->nblocks = n;
	if ((in->col = stream_pick_type(s, in->type, err, sizeof err)) < 0)
		msg_die(1, "%s", err);
}

/* Whether the stack text[0..len) has a frame of the profiler. */
static int
is_profiler(const char *text, size_t len)
{
	static char *buf;
	static size_t cap;

	if (len + 1 > cap) {
		cap = len + 1;
		buf = xrealloc(buf, cap);
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	return regexec(&profiler_re, buf, 0, NULL, 0) == 0;
}

/* Adds v to the count of stack text[0..len) in st. */
static void
stacks_add(struct stacks *st, const char *text, size_t len, int64_t v)
{
	long id = htab_intern(&st->h, text, len);

	if (id < 0)
		msg_die(1, "out of memory");
	if ((size_t)id >= st->cap) {
		size_t c = grow_cap(st->cap, (size_t)id + 1, sizeof *st->n, 256);

		if (c == 0)
			msg_die(1, "out of memory");
		st->n = xrealloc(st->n, c * sizeof *st->n);
		memset(st->n + st->cap, 0, (c - st->cap) * sizeof *st->n);
		st->cap = c;
	}
	st->n[id] = num_add_ov(st->n[id], v, &overflow);
}

/*
 * Reads in: with heap, its rows into G on side side0 + block; with st,
 * the last block's counts by stack into st (earlier blocks' dropped).
 */
static void
read_input(struct input *in, unsigned side0, struct stacks *st)
{
	FILE *fp = strcmp(in->path, "-") == 0 ? stdin : fopen(in->path, "r");
	struct stream s;
	struct stream_row row;
	int rc;

	if (fp == NULL)
		msg_die(1, "%s: %s", in->path, strerror(errno));
	in->name = fp == stdin ? "stdin" : in->path;
	stream_input_buffer(fp);
	stream_init(&s, fp, in->name);
	while ((rc = stream_next(&s, &row)) > 0) {
		int64_t v;

		if (rc == STREAM_BLOCK) {
			push_block(in, &s);
			if (st != NULL && st->cap > 0)
				memset(st->n, 0, st->cap * sizeof *st->n);
			continue;
		}
		v = row.values[in->col];
		if (is_profiler(row.stack, row.stack_len)) {
			in->profiler = num_add_ov(in->profiler, v, &overflow);
			continue;
		}
		in->total[in->nblocks - 1] = num_add_ov(in->total[in->nblocks -
		    1], v, &overflow);
		if (st != NULL)
			stacks_add(st, row.stack, row.stack_len, v);
		else if (agg_add(&G, &row, side0 + (unsigned)in->nblocks - 1,
		    v, err, sizeof err) != 0)
			msg_die(1, "%s", err);
	}
	if (rc < 0)
		msg_die(1, "%s", s.err);
	if (s.blocks == 0 && stream_empty(in->name, err, sizeof err) != 0)
		msg_die(1, "%s", err);
	stream_free(&s);
	if (fp != stdin)
		fclose(fp);
}

static void
free_input(struct input *in)
{
	free(in->time);
	free(in->total);
	free(in->first_source);
}

static void
free_stacks(struct stacks *st)
{
	htab_free(&st->h);
	free(st->n);
}

static void
one_block(const struct input *in)
{
	if (in->nblocks != 1)
		msg_die(1, "%s: %zu profiles, not one: a baseline is one "
		    "profile", in->name, in->nblocks);
}

/* Least-squares slope of the totals over time, per second; 0 if flat. */
static double
slope(const struct input *in)
{
	double mt = 0, mv = 0, sxy = 0, sxx = 0;
	size_t i, n = in->nblocks;

	for (i = 0; i < n; i++) {
		mt += (double)(in->time[i] - in->time[0]) / 1e9 / (double)n;
		mv += (double)in->total[i] / (double)n;
	}
	for (i = 0; i < n; i++) {
		double dt = (double)(in->time[i] - in->time[0]) / 1e9 - mt;

		sxy += dt * ((double)in->total[i] - mv);
		sxx += dt * dt;
	}
	return sxx > 0 ? sxy / sxx : 0;
}

/* A row of the table: its kind, escaped name, two figures. */
struct row {
	const char *kind, *name;
	int64_t a, b;
};

static int
cmp_row(const void *x, const void *y)
{
	const struct row *p = x, *q = y;
	int64_t dp = p->b - p->a, dq = q->b - q->a;

	if (dp != dq)
		return dp > dq ? -1 : 1;
	return strcmp(p->name, q->name);
}

static void
put_rows(struct row *r, size_t n, long limit)
{
	size_t i;

	qsort(r, n, sizeof *r, cmp_row);
	for (i = 0; i < n && (limit == 0 || i < (size_t)limit); i++)
		printf("%s\t%s\t%jd\t%jd\t%jd\n", r[i].kind, r[i].name,
		    (intmax_t)r[i].a, (intmax_t)r[i].b,
		    (intmax_t)(r[i].b - r[i].a));
}

/* The heap rows: per function, flat in the baseline and the last. */
static size_t
heap_rows(unsigned last, struct row **out)
{
	size_t nf = G.nnodes, i, n = 0, len;
	int64_t *fa = xrealloc(NULL, (nf + 1) * sizeof *fa);
	int64_t *fb = xrealloc(NULL, (nf + 1) * sizeof *fb);
	int64_t *cum = xrealloc(NULL, (nf + 1) * sizeof *cum);
	int64_t tot = 0;
	struct row *r = xrealloc(NULL, (nf + 1) * sizeof *r);

	memset(fa, 0, (nf + 1) * sizeof *fa);
	memset(fb, 0, (nf + 1) * sizeof *fb);
	memset(cum, 0, (nf + 1) * sizeof *cum);
	if (agg_side(&G, 0, 1, fa, cum, &tot, err, sizeof err) != 0 ||
	    agg_side(&G, last, 1, fb, cum, &tot, err, sizeof err) != 0)
		msg_die(1, "%s", err);
	for (i = 0; i < nf; i++)
		if (fb[i] > fa[i]) {
			r[n].kind = "heap";
			r[n].name = agg_name(&G, (uint32_t)i, &len);
			r[n].a = fa[i];
			r[n++].b = fb[i];
		}
	free(fa);
	free(fb);
	free(cum);
	*out = r;
	return n;
}

/* The goroutine rows: stacks whose count rose from a to b. */
static size_t
goroutine_rows(const struct stacks *a, const struct stacks *b,
    const char *kind, struct row **out)
{
	size_t i, n = 0, cnt = htab_count(&b->h);
	struct row *r = xrealloc(NULL, (cnt + 1) * sizeof *r);

	for (i = 0; i < cnt; i++) {
		size_t len;
		const char *k = htab_key(&b->h, i, &len);
		long j = a != NULL ? htab_find(&a->h, k, len) : -1;
		int64_t va = j >= 0 ? a->n[j] : 0;

		if (b->n[i] > va) {
			r[n].kind = kind;
			r[n].name = k;
			r[n].a = va;
			r[n++].b = b->n[i];
		}
	}
	*out = r;
	return n;
}

/* The figures the verdict is made of; -1 (or NAN) where unknown. */
struct figures {
	int64_t base, settled, retained, retain_thr;
	int have_slope;
	double slope, slope_thr;
	int have_gr;
	int64_t gr_base, gr_settled, gr_thr;
	int64_t leak;		/* goroutineleak samples, -1: no profile */
};

static void
thresholds(struct figures *f, const struct input *settle)
{
	int64_t span = settle->time[settle->nblocks - 1] - settle->time[0];

	f->retained = num_sub_ov(f->settled, f->base, &overflow);
	f->retain_thr = f->base / 100 > MIB ? f->base / 100 : MIB;
	f->have_slope = settle->nblocks >= 2 && span > 0;
	if (f->have_slope) {
		f->slope = slope(settle);
		f->slope_thr = (double)f->retain_thr / ((double)span / 1e9);
	}
	if (f->have_gr)
		f->gr_thr = f->gr_base + (f->gr_base / 20 > 2 ?
		    f->gr_base / 20 : 2);
}

/* The verdict and its one sentence into reason. */
static const char *
verdict(const struct figures *f, char *reason, size_t len)
{
	int retained = f->retained > f->retain_thr;
	int grows = f->have_slope && f->slope > f->slope_thr;
	int gr = f->have_gr && f->gr_settled > f->gr_thr;
	char heap[256], gor[160] = "";

	if (f->have_slope)
		snprintf(heap, sizeof heap, "the heap kept %jd bytes beyond "
		    "the baseline (threshold %jd) and %s over the settle window "
		    "(%.0f B/s, threshold %.0f B/s)", (intmax_t)f->retained,
		    (intmax_t)f->retain_thr, grows ? "still grows" :
		    "does not grow", f->slope, f->slope_thr);
	else
		snprintf(heap, sizeof heap, "the heap kept %jd bytes beyond "
		    "the baseline (threshold %jd), one settle profile: no "
		    "slope", (intmax_t)f->retained, (intmax_t)f->retain_thr);
	if (f->have_gr)
		snprintf(gor, sizeof gor, "; %jd goroutines against %jd at "
		    "baseline (threshold %jd)", (intmax_t)f->gr_settled,
		    (intmax_t)f->gr_base, (intmax_t)f->gr_thr);
	if (f->leak > 0)
		snprintf(gor + strlen(gor), sizeof gor - strlen(gor),
		    "; %jd goroutines in the goroutineleak profile",
		    (intmax_t)f->leak);
	snprintf(reason, len, "%s%s", heap, gor);
	if ((retained && (grows || !f->have_slope)) || gr || f->leak > 0)
		return "likely-leak";
	return retained ? "bounded" : "no-leak";
}

static void
put_figures(const struct figures *f, const struct input *base,
    const struct input *settle, const struct input *gsettle)
{
	char reason[512];
	const char *v = verdict(f, reason, sizeof reason);

	printf("##verdict\t%s\n##reason\t%s\n##baseline\t%s\n", v, reason,
	    base->first_source);
	printf("##settle_profiles\t%zu\n##heap_baseline\t%jd\n"
	    "##heap_settled\t%jd\n##retained\t%jd\n##retain_threshold\t%jd\n",
	    settle->nblocks, (intmax_t)f->base, (intmax_t)f->settled,
	    (intmax_t)f->retained, (intmax_t)f->retain_thr);
	if (f->have_slope)
		printf("##settle_slope\t%.0f\n##slope_threshold\t%.0f\n",
		    f->slope, f->slope_thr);
	else
		printf("##settle_slope\t-\n##slope_threshold\t-\n");
	if (f->have_gr)
		printf("##goroutines_baseline\t%jd\n##goroutines_settled\t%jd\n"
		    "##goroutine_threshold\t%jd\n", (intmax_t)f->gr_base,
		    (intmax_t)f->gr_settled, (intmax_t)f->gr_thr);
	else
		printf("##goroutines_baseline\t-\n##goroutines_settled\t-\n"
		    "##goroutine_threshold\t-\n");
	if (f->leak >= 0)
		printf("##goroutineleak\t%jd\n", (intmax_t)f->leak);
	else
		printf("##goroutineleak\t-\n");
	printf("##profiler_heap\t%jd\n", (intmax_t)settle->profiler);
	if (f->have_gr)
		printf("##profiler_goroutines\t%jd\n",
		    (intmax_t)gsettle->profiler);
	else
		printf("##profiler_goroutines\t-\n");
	printf("#kind\tname\tbaseline\tsettled\tdelta\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "baseline-goroutine", required_argument, NULL, 'G' },
		{ "count", required_argument, NULL, 'n' },
		{ "goroutineleak", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "settle-goroutine", required_argument, NULL, 'g' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct input base = { 0 }, settle = { 0 }, gbase = { 0 };
	struct input gsettle = { 0 }, gleak = { 0 };
	struct stacks sb = { 0 }, ss = { 0 }, sl = { 0 };
	struct agg_opt o = AGG_OPT_INIT;
	struct figures f = { 0 };
	struct row *hr, *gr = NULL, *lr = NULL;
	size_t nh, ng = 0, nl = 0;
	int64_t limit = 10;
	int ch;

	msg_init(argv);
	while ((ch = getopt_long(argc, argv, "G:g:hl:n:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'G':
			gbase.path = optarg;
			break;
		case 'g':
			gsettle.path = optarg;
			break;
		case 'l':
			gleak.path = optarg;
			break;
		case 'n':
			if (num_i64(optarg, &limit) != 0 || limit < 0 ||
			    limit > 1 << 30)
				msg_die(2, "-n %s: not a count", optarg);
			break;
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
	if (argc != 2 || (gbase.path == NULL) != (gsettle.path == NULL))
		usage(2);

	if (agg_init(&G, &o, err, sizeof err) != 0)
		msg_die(1, "%s", err);
	if (regcomp(&profiler_re, PROFILER_RE, REG_EXTENDED | REG_NOSUB) != 0)
		msg_die(1, "the profiler's pattern does not compile");
	base.path = argv[0];
	settle.path = argv[1];
	base.type = settle.type = "inuse_space";
	read_input(&base, 0, NULL);
	one_block(&base);
	read_input(&settle, 1, NULL);
	f.base = base.total[0];
	f.settled = settle.total[settle.nblocks - 1];
	htab_init(&sb.h);
	htab_init(&ss.h);
	htab_init(&sl.h);
	if (gbase.path != NULL) {
		read_input(&gbase, 0, &sb);
		one_block(&gbase);
		read_input(&gsettle, 0, &ss);
		f.have_gr = 1;
		f.gr_base = gbase.total[0];
		f.gr_settled = gsettle.total[gsettle.nblocks - 1];
		ng = goroutine_rows(&sb, &ss, "goroutine", &gr);
	}
	f.leak = -1;
	if (gleak.path != NULL) {
		read_input(&gleak, 0, &sl);
		f.leak = gleak.total[gleak.nblocks - 1];
		nl = goroutine_rows(NULL, &sl, "goroutineleak", &lr);
	}
	thresholds(&f, &settle);
	nh = heap_rows((unsigned)settle.nblocks, &hr);
	/* Nothing is written yet: refuse sums that did not fit. */
	if (overflow || G.overflow)
		msg_die(1, "%s, %s: values overflow a 64-bit sum", base.name,
		    settle.name);
	put_figures(&f, &base, &settle, &gsettle);
	put_rows(hr, nh, (long)limit);
	if (ng > 0)
		put_rows(gr, ng, (long)limit);
	if (nl > 0)
		put_rows(lr, nl, (long)limit);
	free(hr);
	free(gr);
	free(lr);
	free_stacks(&sb);
	free_stacks(&ss);
	free_stacks(&sl);
	free_input(&base);
	free_input(&settle);
	free_input(&gbase);
	free_input(&gsettle);
	free_input(&gleak);
	agg_free(&G);
	regfree(&profiler_re);
	return msg_close_stdout();
}

static void
usage(int status)
{
	fprintf(status != 0 ? stderr : stdout,
	    "usage: %s [-n count] [-G baseline-goroutine -g settle-goroutine]\n"
	    "       [-l goroutineleak] baseline-heap settle-heap\n",
	    msg_prog());
	exit(status);
}
