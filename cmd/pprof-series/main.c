/*
 * pprof-series - the timeline of many profiles of one process: one row
 * per profile (its totals and hotspot categories), then a summary (peak,
 * growth, slope, restarts, allocation during the run, CPU cores), or,
 * with --growth, the per-function leak suspects table.
 *
 * The stream is read once, in order, and nothing is kept per sample: a
 * profile becomes a row of numbers as soon as its block ends, so memory
 * grows with the profiles' rows and the distinct stacks and functions,
 * never with the samples. Rows are written at the end, so an error leaves
 * standard output empty. --also-series and --also-growth add outputs
 * (views, series.h) that the same pass fills: an hour of heap profiles is
 * a stream of hundreds of megabytes, read once for all of them.
 *
 * Restarts split the series into segments: an alloc_* (or other
 * cumulative) total that falls, or a different binary. Everything that
 * compares profiles does it within a segment: allocation during the run
 * is the sum over segments of last minus first, and the slope is one
 * least-squares line with an intercept per segment, so a restart neither
 * counts as negative allocation nor breaks the leak's slope.
 *
 * A sample one of whose frames is in the category "profiler" (the cost of
 * serving the profiles) counts in that category alone, and --growth
 * leaves it out: it is the measurement's cost, not the service's. Every
 * sum is checked: values that overflow 64 bits are refused.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "cat.h"
#include "esc.h"
#include "grow.h"
#include "msg.h"
#include "num.h"
#include "obuf.h"
#include "sbuf.h"
#include "series.h"
#include "stream.h"
#include "version.h"

enum kind { HEAP, CPU, GOROUTINE, OTHER };
static const char *kind_name[] = { "heap", "cpu", "goroutine", "other" };

static struct {
	const char *type, *categories;
	enum mode mode;
	int cum;
} opt;

/*
 * The outputs: views[0] standard output's (-t, -s, -g), then the files of
 * --also-series and --also-growth; at most one has the growth table.
 */
static struct view *views, *gview;
static size_t nviews;
static int need_stacks;		/* a view has categories or growth */

/* The series so far; the first block fixes the types. */
static struct {
	char **types, **units;
	size_t ntypes, ncols;	/* ncols: ntypes + per view categories + other */
	int cpu;		/* cpu/nanoseconds or -1 */
	int alloc;		/* alloc_space of a heap stream, or -1 */
	unsigned char *cumulative;	/* per type: counts since start */
	enum kind kind;
	char *file, *build_id;	/* of the last block */
	int64_t t0, seg_t0;	/* first time, segment's first time */
	/* per profile */
	size_t n, cap;
	int64_t *vals;		/* ncols per profile */
	int64_t *time, *duration;
	uint32_t *segment;
	char **source;
	/* per segment */
	int64_t *during;	/* ntypes: sum of last - first */
	int64_t cpu_sum, dur_sum;
	struct sbuf restarts;	/* "5,9" */
	uint32_t nsegments;
	size_t intervals;	/* consecutive pairs within a segment */
} S;

/* The profile being read. */
static int64_t *cur;		/* ncols */
static int64_t block_time, block_duration;
static char *block_source, *block_file, *block_build_id;

/* Stacks, functions, categories; the profiler's bit, or 0. */
static struct cat_set cats;
static uint64_t profiler_bit;
struct agg G;
static uint64_t *fmask, *smask;	/* per function, per stack */
static size_t fmask_n, smask_cap;
static char err[1024];

int ov;

static void usage(void);

/* Returns p grown from old to new elements of size sz, zero-filled. */
void *
xgrow(void *p, size_t old, size_t new, size_t sz)
{
	p = xrealloc(p, new * sz);
	memset((char *)p + old * sz, 0, (new - old) * sz);
	return p;
}

static int
is_cumulative(const char *type)
{
	/* Go's heap, mutex and block profiles count from process start. */
	return strncmp(type, "alloc_", 6) == 0 ||
	    strcmp(type, "contentions") == 0 || strcmp(type, "delay") == 0;
}

static enum kind
kind_of(const struct stream *s)
{
	const struct stream_meta *m = &s->meta;

	if (stream_type_index(s, "alloc_space") >= 0 &&
	    stream_type_index(s, "inuse_space") >= 0)
		return HEAP;
	if (S.cpu >= 0)
		return CPU;
	if (m->ntypes == 1 && strcmp(m->types[0], "goroutine") == 0)
		return GOROUTINE;
	return OTHER;
}

static void
first_block(const struct stream *s)
{
	const struct stream_meta *m = &s->meta;
	size_t i;

	S.ntypes = m->ntypes;
	S.ncols = m->ntypes + nviews * (cats.n + 1);
	S.types = xrealloc(NULL, m->ntypes * sizeof *S.types);
	S.units = xrealloc(NULL, m->ntypes * sizeof *S.units);
	S.cumulative = xrealloc(NULL, m->ntypes);
	for (i = 0; i < m->ntypes; i++) {
		S.types[i] = xstrdup(m->types[i]);
		S.units[i] = xstrdup(m->units[i]);
		S.cumulative[i] = (unsigned char)is_cumulative(m->types[i]);
	}
	for (i = 0; i < nviews; i++) {
		views[i].col = stream_pick_type(s, views[i].type, err,
		    sizeof err);
		if (views[i].col < 0)
			msg_die(1, "%s", err);
		views[i].cat0 = m->ntypes + i * (cats.n + 1);
	}
	S.cpu = stream_type_index(s, "cpu");
	if (S.cpu >= 0 && strcmp(m->units[S.cpu], "nanoseconds") != 0)
		S.cpu = -1;
	S.kind = kind_of(s);
	S.alloc = S.kind == HEAP ? stream_type_index(s, "alloc_space") : -1;
	S.during = xgrow(NULL, 0, S.ntypes, sizeof *S.during);
	cur = xgrow(NULL, 0, S.ncols, sizeof *cur);
	S.t0 = m->time_nanos;
}

static void
types_of_first(char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < S.ntypes && n < len; i++) {
		int w = snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
		    S.types[i]);

		if (w < 0)
			break;
		n += (size_t)w;
	}
}

/* Checks a new block against the series; dies on what cannot mix. */
static void
begin_block(const struct stream *s)
{
	const struct stream_meta *m = &s->meta;
	char b[512];

	if (m->time_nanos == 0)
		msg_die(1, "%s:%zu: profile block %s has no time: a series "
		    "needs the time of every profile", s->name, s->lineno,
		    m->source);
	if (S.types == NULL)
		first_block(s);
	else if (stream_same_types(s, S.types, S.units, S.ntypes, err,
	    sizeof err) != 0) {
		types_of_first(b, sizeof b);
		msg_die(1, "%s (%s): a series holds one kind of profile", err,
		    b);
	} else if (m->time_nanos < S.time[S.n - 1])
		msg_die(1, "%s:%zu: profile block %s is older than the one "
		    "before it (%s): profiles must be in time order (sort the "
		    "files, e.g. with ls -v)", s->name, s->lineno, m->source,
		    S.source[S.n - 1]);
	block_time = m->time_nanos;
	block_duration = m->duration_nanos;
	free(block_source);
	free(block_file);
	free(block_build_id);
	block_source = xstrdup(m->source);
	block_file = xstrdup(m->file);
	block_build_id = xstrdup(m->build_id);
}

/* The plain name of function id, in a buffer of its own until the next. */
const char *
plain_name(uint32_t id)
{
	static char *buf;
	static size_t cap;
	size_t len;
	const char *e = agg_name(&G, id, &len);

	if (grow(&buf, &cap, len + 1, 1, 256) != 0)
		msg_die(1, "out of memory");
	memcpy(buf, e, len);
	buf[esc_unescape(buf, len)] = '\0';
	return buf;
}

/* The category bits of a stack seen for the first time. */
static uint64_t
stack_mask(size_t id)
{
	size_t n, i, nf = G.nnodes;
	const uint32_t *f = agg_frames(&G, id, &n);
	uint64_t m = 0;

	if (nf > fmask_n) {
		fmask = xrealloc(fmask, nf * sizeof *fmask);
		for (i = fmask_n; i < nf; i++)
			fmask[i] = cat_match(&cats, plain_name((uint32_t)i));
		fmask_n = nf;
	}
	for (i = 0; i < n; i++)
		m |= fmask[f[i] & ~AGG_INLINE_BIT];
	return m;
}

static void
add_row(const struct stream_row *row)
{
	uint64_t m, b;
	size_t i, k;
	long id;
	int isnew;

	for (i = 0; i < S.ntypes; i++)
		cur[i] = num_add_ov(cur[i], row->values[i], &ov);
	if (!need_stacks)
		return;
	id = agg_stack(&G, agg_site(row->site, row->site_len), row->stack,
	    row->stack_len, &isnew, err, sizeof err);
	if (id < 0)
		msg_die(1, "%s", err);
	if (isnew) {
		if ((size_t)id >= smask_cap) {
			smask_cap = smask_cap ? smask_cap * 2 : 4096;
			smask = xrealloc(smask, smask_cap * sizeof *smask);
		}
		smask[id] = stack_mask((size_t)id);
	}
	m = smask[id];
	/* The profiler's own samples count in its category alone. */
	if (m & profiler_bit)
		m = profiler_bit;
	if (gview != NULL && (profiler_bit == 0 || m != profiler_bit))
		growth_add((size_t)id, row->values[gview->col],
		    S.alloc >= 0 ? row->values[S.alloc] : 0, opt.cum);
	for (k = 0; k < nviews; k++) {
		int64_t v = row->values[views[k].col], *c = cur + views[k].cat0;

		if (views[k].mode != ROWS)
			continue;
		if (m == 0) {
			c[cats.n] = num_add_ov(c[cats.n], v, &ov);
			continue;
		}
		for (i = 0, b = m; b != 0; i++, b >>= 1)
			if (b & 1)
				c[i] = num_add_ov(c[i], v, &ov);
	}
}

static void
lsq_add(struct lsq *l, double x, double y)
{
	if (l->n == 0)
		l->y0 = y;
	y -= l->y0;
	l->n++;
	l->sx += x;
	l->sxx += x * x;
	l->sy += y;
	l->sxy += x * y;
	l->syy += y * y;
}

/* Folds the segment into the pooled sums: a fit with its own intercept. */
static void
lsq_close(struct lsq *l)
{
	if (l->n > 0) {
		l->pxx += l->sxx - l->sx * l->sx / l->n;
		l->pxy += l->sxy - l->sx * l->sy / l->n;
		l->pyy += l->syy - l->sy * l->sy / l->n;
	}
	l->n = l->sx = l->sxx = l->sy = l->sxy = l->syy = 0;
}

static void
close_segment(void)
{
	size_t k;

	if (gview != NULL)
		growth_close_segment(&gview->fit);
	for (k = 0; k < nviews; k++)
		lsq_close(&views[k].fit);
}

/* Two non-empty strings that differ. */
static int
changed(const char *a, const char *b)
{
	return a != NULL && b != NULL && *a != '\0' && *b != '\0' &&
	    strcmp(a, b) != 0;
}

/*
 * Did the process restart between the last profile and this one? A
 * cumulative total fell, or the main binary is another one (an upgrade
 * replaced the pod). Go's profiles carry no process id or start time.
 */
static int
restarted(const int64_t *tot)
{
	const int64_t *prev = S.vals + (S.n - 1) * S.ncols;
	size_t i;

	for (i = 0; i < S.ntypes; i++)
		if (S.cumulative[i] && tot[i] < prev[i])
			return 1;
	return changed(S.file, block_file) ||
	    changed(S.build_id, block_build_id);
}

/* The view's growth, the last profile's minus the segment's first. */
static void
view_growth(struct view *v)
{
	v->growth = num_add_ov(v->growth, num_sub_ov(S.vals[(S.n - 1) *
	    S.ncols + v->col], v->seg_first, &ov), &ov);
}

static void
end_block(void)
{
	int64_t *row;
	int new_segment = 0, new_peak = 0;
	size_t i, k;
	double x;

	if (S.n == S.cap) {
		S.cap = S.cap ? S.cap * 2 : 64;
		S.vals = xrealloc(S.vals, S.cap * S.ncols * sizeof *S.vals);
		S.time = xrealloc(S.time, S.cap * sizeof *S.time);
		S.duration = xrealloc(S.duration, S.cap * sizeof *S.duration);
		S.segment = xrealloc(S.segment, S.cap * sizeof *S.segment);
		S.source = xrealloc(S.source, S.cap * sizeof *S.source);
	}
	if (S.n == 0 || restarted(cur)) {
		new_segment = 1;
		if (S.n > 0) {
			for (k = 0; k < nviews; k++)
				view_growth(&views[k]);
			close_segment();
			sbuf_printf(&S.restarts, "%s%zu",
			    S.restarts.len ? "," : "", S.n);
		}
		S.nsegments++;
		S.seg_t0 = block_time;
		for (k = 0; k < nviews; k++)
			views[k].seg_first = cur[views[k].col];
	} else
		S.intervals++;
	for (i = 0; i < S.ntypes; i++)
		if (S.cumulative[i] && !new_segment)
			S.during[i] = num_add_ov(S.during[i], num_sub_ov(cur[i],
			    S.vals[(S.n - 1) * S.ncols + i], &ov), &ov);
	if (S.cpu >= 0) {
		S.cpu_sum = num_add_ov(S.cpu_sum, cur[S.cpu], &ov);
		S.dur_sum = num_add_ov(S.dur_sum, block_duration, &ov);
	}
	row = S.vals + S.n * S.ncols;
	memcpy(row, cur, S.ncols * sizeof *cur);
	memset(cur, 0, S.ncols * sizeof *cur);
	S.time[S.n] = block_time;
	S.duration[S.n] = block_duration;
	S.segment[S.n] = S.nsegments - 1;
	S.source[S.n] = block_source;
	block_source = NULL;
	x = (double)(block_time - S.seg_t0) / 60e9;
	for (k = 0; k < nviews; k++) {
		struct view *v = &views[k];
		int p = S.n == 0 || row[v->col] > S.vals[v->peak * S.ncols +
		    v->col];

		if (p)
			v->peak = S.n;
		if (v == gview)
			new_peak = p;
		lsq_add(&v->fit, x, (double)row[v->col]);
	}
	if (gview != NULL)
		growth_block(S.n == 0, new_segment, new_peak, x);
	free(S.file);
	free(S.build_id);
	S.file = block_file;
	S.build_id = block_build_id;
	block_file = block_build_id = NULL;
	S.n++;
}

/* Closes the last segment: its growth, its share of the fit. */
static void
close_series(void)
{
	size_t k;

	for (k = 0; k < nviews; k++)
		view_growth(&views[k]);
	if (gview != NULL)
		growth_close_series();
	close_segment();
}

static int
read_stream(FILE *fp, const char *name)
{
	struct stream s;
	struct stream_row row;
	int rc, open = 0;

	stream_input_buffer(fp);
	stream_init(&s, fp, name);
	while ((rc = stream_next(&s, &row)) > 0) {
		if (rc == STREAM_ROW) {
			add_row(&row);
			continue;
		}
		if (open)
			end_block();
		begin_block(&s);
		open = 1;
	}
	if (rc == 0 && open)
		end_block();
	if (rc < 0)
		msg_warn("%s", s.err);
	stream_free(&s);
	return rc < 0 ? -1 : 0;
}

static struct obuf out;
static const struct view *V;	/* the one being written to out */

/* A derived number with d decimals; "-" when it does not exist. */
void
put_f(struct obuf *o, double v, int d)
{
	char buf[64];

	if (isnan(v) || isinf(v)) {
		obuf_putc(o, '-');
		return;
	}
	snprintf(buf, sizeof buf, "%.*f", d, v);
	obuf_puts(o, strcmp(buf, "-0.000") == 0 ? "0.000" : buf);
}

static void
tab(void)
{
	obuf_putc(&out, '\t');
}

static void
nl(void)
{
	obuf_putc(&out, '\n');
}

static void
head(void)
{
	obuf_puts(&out, "##series\t");
	obuf_puts(&out, kind_name[S.kind]);
	obuf_puts(&out, "\n##type\t");
	esc_meta_out(&out, S.types[V->col]);
	obuf_puts(&out, "\n##unit\t");
	esc_meta_out(&out, S.units[V->col]);
	nl();
}

static double
cores(size_t i)
{
	if (S.cpu < 0 || S.duration[i] <= 0)
		return NAN;
	return (double)S.vals[i * S.ncols + S.cpu] / (double)S.duration[i];
}

static void
write_rows(void)
{
	size_t i, j;

	obuf_puts(&out, "##categories\t");
	esc_meta_out(&out, cats.source);
	obuf_puts(&out, "\n#seq\ttime_ns\telapsed_ns\tsegment\tduration_ns");
	for (i = 0; i < S.ntypes; i++) {
		tab();
		esc_meta_out(&out, S.types[i]);
		obuf_putc(&out, '/');
		esc_meta_out(&out, S.units[i]);
	}
	if (S.kind == CPU)
		obuf_puts(&out, "\tcores");
	for (i = 0; i < cats.n; i++) {
		obuf_puts(&out, "\tcat:");
		esc_meta_out(&out, cats.name[i]);
	}
	obuf_puts(&out, "\tcat:other\tsource\n");
	for (i = 0; i < S.n; i++) {
		const int64_t *row = S.vals + i * S.ncols;

		obuf_u64(&out, i);
		tab();
		obuf_i64(&out, S.time[i]);
		tab();
		obuf_i64(&out, S.time[i] - S.t0);
		tab();
		obuf_u64(&out, S.segment[i]);
		tab();
		obuf_i64(&out, S.duration[i]);
		for (j = 0; j < S.ntypes; j++) {
			tab();
			obuf_i64(&out, row[j]);
		}
		if (S.kind == CPU) {
			tab();
			put_f(&out, cores(i), 6);
		}
		for (j = V->cat0; j <= V->cat0 + cats.n; j++) {
			tab();
			obuf_i64(&out, row[j]);
		}
		tab();
		esc_meta_out(&out, S.source[i]);
		nl();
	}
}

/* One summary entry: "##key<TAB>" after the rows, "key<TAB>" alone. */
static void
key(const char *k)
{
	if (V->mode == ROWS)
		obuf_puts(&out, "##");
	obuf_puts(&out, k);
	tab();
}

static void
kv_i64(const char *k, int64_t v)
{
	key(k);
	obuf_i64(&out, v);
	nl();
}

static void
kv_f(const char *k, double v, int d)
{
	key(k);
	put_f(&out, v, d);
	nl();
}

static void
write_summary(void)
{
	const int64_t *first = S.vals, *last = S.vals + (S.n - 1) * S.ncols;
	const struct lsq *l = &V->fit;
	double slope = l->pxx > 0 ? l->pxy / l->pxx : NAN;
	double r2 = l->pxx > 0 && l->pyy > 0 ?
	    l->pxy * l->pxy / (l->pxx * l->pyy) : NAN;
	size_t i, peak = 0;
	char k[256];

	if (V->mode == SUMMARY)
		obuf_puts(&out, "#key\tvalue\n");
	kv_i64("profiles", (int64_t)S.n);
	kv_i64("segments", S.nsegments);
	kv_i64("restarts", S.nsegments - 1);
	key("restart_seqs");
	obuf_puts(&out, S.restarts.len ? S.restarts.s : "-");
	nl();
	kv_i64("first_time_ns", S.time[0]);
	kv_i64("last_time_ns", S.time[S.n - 1]);
	kv_i64("span_ns", S.time[S.n - 1] - S.t0);
	kv_i64("first", first[V->col]);
	kv_i64("last", last[V->col]);
	kv_i64("growth", V->growth);
	kv_i64("peak", S.vals[V->peak * S.ncols + V->col]);
	kv_i64("peak_seq", (int64_t)V->peak);
	kv_i64("peak_time_ns", S.time[V->peak]);
	kv_f("slope_per_min", slope, 3);
	kv_f("slope_r2", r2, 4);
	for (i = 0; i < S.ntypes; i++) {
		if (!S.cumulative[i])
			continue;
		snprintf(k, sizeof k, "%s_during", S.types[i]);
		kv_i64(k, S.during[i]);
	}
	if (S.kind != CPU)
		return;
	for (i = 0; i < S.n; i++)
		if (isnan(cores(peak)) || cores(i) > cores(peak))
			peak = i;
	kv_i64("cpu_ns", S.cpu_sum);
	kv_i64("duration_ns", S.dur_sum);
	kv_f("cores_mean", S.dur_sum > 0 ?
	    (double)S.cpu_sum / (double)S.dur_sum : NAN, 6);
	kv_f("cores_peak", cores(peak), 6);
	key("cores_peak_seq");
	if (isnan(cores(peak)))
		obuf_putc(&out, '-');
	else
		obuf_u64(&out, peak);
	nl();
}

static void
list_categories(void)
{
	size_t i;

	for (i = 0; i < cats.n; i++) {
		obuf_puts(&out, cats.name[i]);
		tab();
		obuf_puts(&out, cats.pattern[i]);
		nl();
	}
}

static void
parse_options(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "also-growth", required_argument, NULL, 'G' },
		{ "also-series", required_argument, NULL, 'S' },
		{ "categories", required_argument, NULL, 'c' },
		{ "cum", no_argument, NULL, 'C' },
		{ "growth", no_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ "list-categories", no_argument, NULL, 'l' },
		{ "summary", no_argument, NULL, 's' },
		{ "type", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, modes = 0;
	const char *eq;
	size_t k;

	/* views[0] is standard output's, filled in once the options are. */
	views = xgrow(NULL, 0, (size_t)argc, sizeof *views);
	nviews = 1;
	while ((ch = getopt_long(argc, argv, "gst:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'G':
			if (gview != NULL)
				msg_die(2, "--also-growth: given twice");
			gview = &views[nviews++];
			gview->mode = GROWTH;
			gview->path = optarg;
			break;
		case 'S':
			eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg || eq[1] == '\0')
				msg_die(2, "--also-series %s: not TYPE=FILE",
				    optarg);
			views[nviews].type = xstrdup(optarg);
			((char *)views[nviews].type)[eq - optarg] = '\0';
			views[nviews].path = eq + 1;
			views[nviews++].mode = ROWS;
			break;
		case 'c':
			opt.categories = optarg;
			break;
		case 'C':
			opt.cum = 1;
			break;
		case 'g':
			opt.mode = GROWTH;
			modes++;
			break;
		case 'h':
			printf("usage: pprof-series [-t type] [--categories "
			    "file] [-s | -g [--cum]]\n"
			    "           [--also-series type=file] "
			    "[--also-growth file] [file ...]\n"
			    "       pprof-series [--categories file] "
			    "--list-categories\n"
			    "One row per profile of a time series of "
			    "profiles, then a summary. See pprof-series(1).\n");
			exit(0);
		case 'l':
			opt.mode = LIST;
			modes++;
			break;
		case 's':
			opt.mode = SUMMARY;
			modes++;
			break;
		case 't':
			opt.type = optarg;
			break;
		case 'V':
			printf("pprof-series %s\n", E2E_PROFILE_VERSION);
			exit(0);
		default:
			usage();
		}
	}
	if (modes > 1)
		msg_die(2, "--summary, --growth and --list-categories exclude "
		    "each other");
	if (opt.mode == LIST && nviews > 1)
		msg_die(2, "--list-categories writes no series");
	if (opt.mode == GROWTH && gview != NULL)
		msg_die(2, "--growth and --also-growth exclude each other");
	if (opt.cum && opt.mode != GROWTH && gview == NULL)
		msg_die(2, "--cum applies only to --growth");
	views[0].type = opt.type;
	views[0].mode = opt.mode;
	if (opt.mode == GROWTH)
		gview = &views[0];
	else if (gview != NULL)
		gview->type = opt.type;
	for (k = 0; k < nviews; k++)
		if (views[k].mode != SUMMARY)
			need_stacks = 1;
}

/* The view's output, to out. */
static void
write_view(const struct view *v)
{
	V = v;
	head();
	if (v->mode == GROWTH)
		growth_write(&out, v, S.n, S.intervals, S.alloc, opt.cum);
	else {
		if (v->mode == ROWS)
			write_rows();
		write_summary();
	}
}

int
main(int argc, char *argv[])
{
	int i, rc;
	size_t k;

	msg_init(argv);
	parse_options(argc, argv);
	argc -= optind;
	argv += optind;

	rc = opt.categories != NULL ?
	    cat_load(&cats, opt.categories, err, sizeof err) :
	    cat_defaults(&cats, err, sizeof err);
	if (rc != 0)
		msg_die(2, "%s", err);
	for (i = 0; i < (int)cats.n; i++)
		if (strcmp(cats.name[i], "profiler") == 0)
			profiler_bit = (uint64_t)1 << i;
	obuf_init(&out, stdout);
	if (opt.mode == LIST) {
		list_categories();
		goto done;
	}
	{
		struct agg_opt o = AGG_OPT_INIT;

		if (agg_init(&G, &o, err, sizeof err) != 0)
			msg_die(1, "%s", err);
	}
	if (argc == 0 && read_stream(stdin, "stdin") != 0)
		return 1;
	for (i = 0; i < argc; i++) {
		FILE *fp = strcmp(argv[i], "-") == 0 ? stdin :
		    fopen(argv[i], "r");

		if (fp == NULL)
			msg_die(1, "%s: %s", argv[i], strerror(errno));
		rc = read_stream(fp, fp == stdin ? "stdin" : argv[i]);
		if (fp != stdin)
			fclose(fp);
		if (rc != 0)
			return 1;
	}
	if (S.n == 0 && stream_empty(argc == 1 ? argv[0] : argc == 0 ?
	    "stdin" : "input", err, sizeof err) != 0)
		msg_die(1, "%s", err);
	close_series();
	if (ov)
		msg_die(1, "%s: values overflow a 64-bit sum",
		    argc > 0 ? argv[argc - 1] : "stdin");
	/* The files, each whole or not at all; then standard output. */
	for (k = 1; k < nviews; k++) {
		if (obuf_create(&out, views[k].path, err, sizeof err) != 0)
			msg_die(1, "%s", err);
		write_view(&views[k]);
		if (obuf_commit(&out, err, sizeof err) != 0)
			msg_die(1, "%s", err);
	}
	obuf_init(&out, stdout);
	write_view(&views[0]);
done:
	if (obuf_flush(&out) != 0) {
		msg_warn("stdout: write error");
		return 1;
	}
	return msg_close_stdout();
}

static void
usage(void)
{
	fprintf(stderr, "usage: pprof-series [-t type] [--categories file] "
	    "[-s | -g [--cum]]\n"
	    "           [--also-series type=file] [--also-growth file] "
	    "[file ...]\n"
	    "       pprof-series [--categories file] --list-categories\n");
	exit(2);
}
