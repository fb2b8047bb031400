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
 * standard output empty.
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
#include "stream.h"
#include "version.h"

enum mode { ROWS, SUMMARY, GROWTH, LIST };
enum kind { HEAP, CPU, GOROUTINE, OTHER };
static const char *kind_name[] = { "heap", "cpu", "goroutine", "other" };

static struct {
	const char *type, *categories;
	enum mode mode;
	int cum;
} opt;

/* Least squares of y on x, one intercept per segment (see lsq_close). */
struct lsq {
	double n, sx, sxx, sy, sxy, syy, y0;	/* this segment, y - y0 */
	double pxx, pxy, pyy;			/* pooled, centred */
};

/* The series so far; the first block fixes the types. */
static struct {
	char **types, **units;
	size_t ntypes, ncols;	/* ncols: ntypes + categories + other */
	int col, cpu;		/* chosen type; cpu/nanoseconds or -1 */
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
	int64_t growth;		/* chosen type: sum of last - first */
	int64_t seg_first;	/* chosen type in the segment's first */
	int64_t cpu_sum, dur_sum;
	struct sbuf restarts;	/* "5,9" */
	uint32_t nsegments;
	size_t peak;
	struct lsq fit;
	size_t intervals;	/* consecutive pairs within a segment */
} S;

/* The profile being read. */
static int64_t *cur;		/* ncols */
static int64_t block_time, block_duration;
static char *block_source, *block_file, *block_build_id;

/* Stacks, functions, categories; the profiler's bit, or 0. */
static struct cat_set cats;
static uint64_t profiler_bit;
static struct agg G;		/* its stacks and functions alone */
static uint64_t *fmask, *smask;	/* per function, per stack */
static size_t fmask_n, smask_cap;
static uint32_t *stamp;		/* per function: the row that last counted */
static uint32_t nrow;
static char err[1024];

/* Set by any sum that overflowed 64 bits. */
static int ov;

/* --growth: per function; a* the alloc_space of a heap stream, flat and
 * with callees (c), within segments. */
static struct {
	size_t cap;
	int64_t *cur, *first, *last, *max, *atpeak;
	int64_t *seg_first, *growth;
	int64_t *acur, *alast, *adur, *accur, *aclast, *acdur;
	uint32_t *grew;
	unsigned char *seen;
	double *sy, *sxy, *num;
} F;

static void usage(void);

/* Returns p grown from old to new elements of size sz, zero-filled. */
static void *
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
	S.ncols = m->ntypes + cats.n + 1;
	S.types = xrealloc(NULL, m->ntypes * sizeof *S.types);
	S.units = xrealloc(NULL, m->ntypes * sizeof *S.units);
	S.cumulative = xrealloc(NULL, m->ntypes);
	for (i = 0; i < m->ntypes; i++) {
		S.types[i] = xstrdup(m->types[i]);
		S.units[i] = xstrdup(m->units[i]);
		S.cumulative[i] = (unsigned char)is_cumulative(m->types[i]);
	}
	if ((S.col = stream_pick_type(s, opt.type, err, sizeof err)) < 0)
		msg_die(1, "%s", err);
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
static const char *
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
growth_grow(size_t nf)
{
	if (nf > F.cap) {
		size_t c = F.cap ? F.cap : 1024;

		while (c < nf)
			c *= 2;
		F.cur = xgrow(F.cur, F.cap, c, sizeof *F.cur);
		F.first = xgrow(F.first, F.cap, c, sizeof *F.first);
		F.last = xgrow(F.last, F.cap, c, sizeof *F.last);
		F.max = xgrow(F.max, F.cap, c, sizeof *F.max);
		F.atpeak = xgrow(F.atpeak, F.cap, c, sizeof *F.atpeak);
		F.grew = xgrow(F.grew, F.cap, c, sizeof *F.grew);
		F.seen = xgrow(F.seen, F.cap, c, sizeof *F.seen);
		F.sy = xgrow(F.sy, F.cap, c, sizeof *F.sy);
		F.sxy = xgrow(F.sxy, F.cap, c, sizeof *F.sxy);
		F.num = xgrow(F.num, F.cap, c, sizeof *F.num);
		F.seg_first = xgrow(F.seg_first, F.cap, c, sizeof *F.seg_first);
		F.growth = xgrow(F.growth, F.cap, c, sizeof *F.growth);
		F.acur = xgrow(F.acur, F.cap, c, sizeof *F.acur);
		F.alast = xgrow(F.alast, F.cap, c, sizeof *F.alast);
		F.adur = xgrow(F.adur, F.cap, c, sizeof *F.adur);
		F.accur = xgrow(F.accur, F.cap, c, sizeof *F.accur);
		F.aclast = xgrow(F.aclast, F.cap, c, sizeof *F.aclast);
		F.acdur = xgrow(F.acdur, F.cap, c, sizeof *F.acdur);
		F.cap = c;
	}
}

/*
 * Adds a sample's value (v, and alloc_space a) to its functions: flat to
 * the leaf, cum once to each function of the stack (recursion once).
 */
static void
growth_add(size_t id, int64_t v, int64_t a)
{
	size_t n, i, cap = F.cap;
	const uint32_t *f = agg_frames(&G, id, &n);
	uint32_t leaf, fn;

	growth_grow(G.nnodes);
	if (n == 0)
		return;
	if (cap != F.cap || stamp == NULL) {
		stamp = xrealloc(stamp, F.cap * sizeof *stamp);
		memset(stamp, 0, F.cap * sizeof *stamp);
		nrow = 0;
	}
	if (++nrow == 0) {
		memset(stamp, 0, F.cap * sizeof *stamp);
		nrow = 1;
	}
	leaf = f[n - 1] & ~AGG_INLINE_BIT;
	F.acur[leaf] = num_add_ov(F.acur[leaf], a, &ov);
	if (!opt.cum)
		F.cur[leaf] = num_add_ov(F.cur[leaf], v, &ov);
	for (i = 0; i < n; i++) {
		fn = f[i] & ~AGG_INLINE_BIT;
		if (stamp[fn] == nrow)
			continue;
		stamp[fn] = nrow;
		F.accur[fn] = num_add_ov(F.accur[fn], a, &ov);
		if (opt.cum)
			F.cur[fn] = num_add_ov(F.cur[fn], v, &ov);
	}
}

static void
add_row(const struct stream_row *row)
{
	int64_t v = row->values[S.col];
	uint64_t m;
	size_t i;
	long id;
	int isnew;

	for (i = 0; i < S.ntypes; i++)
		cur[i] = num_add_ov(cur[i], row->values[i], &ov);
	if (opt.mode == SUMMARY)
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
	if (opt.mode == GROWTH) {
		if (profiler_bit == 0 || m != profiler_bit)
			growth_add((size_t)id, v,
			    S.alloc >= 0 ? row->values[S.alloc] : 0);
		return;
	}
	if (m == 0) {
		cur[S.ncols - 1] = num_add_ov(cur[S.ncols - 1], v, &ov);
		return;
	}
	for (i = 0; m != 0; i++, m >>= 1)
		if (m & 1)
			cur[S.ntypes + i] = num_add_ov(cur[S.ntypes + i], v,
			    &ov);
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
	size_t i;

	if (opt.mode == GROWTH && S.fit.n > 0)
		for (i = 0; i < F.cap; i++) {
			F.num[i] += F.sxy[i] - S.fit.sx * F.sy[i] / S.fit.n;
			F.sy[i] = F.sxy[i] = 0;
		}
	lsq_close(&S.fit);
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

static void
growth_block(int new_segment, int new_peak, double x)
{
	size_t i, nf = G.nnodes;

	growth_grow(nf);
	for (i = 0; i < nf; i++) {
		int64_t v = F.cur[i];

		if (S.n == 0) {
			F.first[i] = v;
			F.max[i] = v;
		} else if (v > F.max[i])
			F.max[i] = v;
		if (S.n > 0 && !new_segment && v > F.last[i])
			F.grew[i]++;
		/* Growth and allocation count within each process. */
		if (new_segment) {
			if (S.n > 0)
				F.growth[i] = num_add_ov(F.growth[i],
				    num_sub_ov(F.last[i], F.seg_first[i], &ov),
				    &ov);
			F.seg_first[i] = v;
		} else {
			F.adur[i] = num_add_ov(F.adur[i],
			    num_sub_ov(F.acur[i], F.alast[i], &ov), &ov);
			F.acdur[i] = num_add_ov(F.acdur[i],
			    num_sub_ov(F.accur[i], F.aclast[i], &ov), &ov);
		}
		F.alast[i] = F.acur[i];
		F.aclast[i] = F.accur[i];
		F.acur[i] = F.accur[i] = 0;
		if (new_peak)
			F.atpeak[i] = v;
		if (v != 0 || F.alast[i] != 0)
			F.seen[i] = 1;
		F.sy[i] += (double)v;
		F.sxy[i] += x * (double)v;
		F.last[i] = v;
		F.cur[i] = 0;
	}
}

static void
end_block(void)
{
	int64_t *row;
	int new_segment = 0, new_peak;
	size_t i;
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
			S.growth = num_add_ov(S.growth, num_sub_ov(S.vals[(S.n -
			    1) * S.ncols + S.col], S.seg_first, &ov), &ov);
			close_segment();
			sbuf_printf(&S.restarts, "%s%zu",
			    S.restarts.len ? "," : "", S.n);
		}
		S.nsegments++;
		S.seg_t0 = block_time;
		S.seg_first = cur[S.col];
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
	new_peak = S.n == 0 || row[S.col] > S.vals[S.peak * S.ncols + S.col];
	if (new_peak)
		S.peak = S.n;
	x = (double)(block_time - S.seg_t0) / 60e9;
	lsq_add(&S.fit, x, (double)row[S.col]);
	if (opt.mode == GROWTH)
		growth_block(new_segment, new_peak, x);
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
	size_t i;

	S.growth = num_add_ov(S.growth, num_sub_ov(S.vals[(S.n - 1) *
	    S.ncols + S.col], S.seg_first, &ov), &ov);
	for (i = 0; opt.mode == GROWTH && i < F.cap; i++)
		F.growth[i] = num_add_ov(F.growth[i], num_sub_ov(F.last[i],
		    F.seg_first[i], &ov), &ov);
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

/* A derived number with d decimals; "-" when it does not exist. */
static void
put_f(double v, int d)
{
	char buf[64];

	if (isnan(v) || isinf(v)) {
		obuf_putc(&out, '-');
		return;
	}
	snprintf(buf, sizeof buf, "%.*f", d, v);
	obuf_puts(&out, strcmp(buf, "-0.000") == 0 ? "0.000" : buf);
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
	esc_meta_out(&out, S.types[S.col]);
	obuf_puts(&out, "\n##unit\t");
	esc_meta_out(&out, S.units[S.col]);
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
			put_f(cores(i), 6);
		}
		for (j = S.ntypes; j < S.ncols; j++) {
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
	if (opt.mode == ROWS)
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
	put_f(v, d);
	nl();
}

static void
write_summary(void)
{
	const int64_t *first = S.vals, *last = S.vals + (S.n - 1) * S.ncols;
	const struct lsq *l = &S.fit;
	double slope = l->pxx > 0 ? l->pxy / l->pxx : NAN;
	double r2 = l->pxx > 0 && l->pyy > 0 ?
	    l->pxy * l->pxy / (l->pxx * l->pyy) : NAN;
	size_t i, peak = 0;
	char k[256];

	if (opt.mode == SUMMARY)
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
	kv_i64("first", first[S.col]);
	kv_i64("last", last[S.col]);
	kv_i64("growth", S.growth);
	kv_i64("peak", S.vals[S.peak * S.ncols + S.col]);
	kv_i64("peak_seq", (int64_t)S.peak);
	kv_i64("peak_time_ns", S.time[S.peak]);
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

static char **gnames;		/* for sorting the growth table */
static double *gslope;

static int
cmp_growth(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int64_t gx = F.growth[x], gy = F.growth[y];

	if (gslope[x] != gslope[y])
		return gslope[x] > gslope[y] ? -1 : 1;
	if (gx != gy)
		return gx > gy ? -1 : 1;
	return strcmp(gnames[x], gnames[y]);
}

static void
write_growth(void)
{
	size_t i, n = 0, nf = G.nnodes;
	uint32_t *order = xrealloc(NULL, (nf + 1) * sizeof *order);
	double pxx = S.fit.pxx;

	gnames = xrealloc(NULL, (nf + 1) * sizeof *gnames);
	gslope = xrealloc(NULL, (nf + 1) * sizeof *gslope);
	for (i = 0; i < nf; i++) {
		gnames[i] = xstrdup(plain_name((uint32_t)i));
		gslope[i] = pxx > 0 ? F.num[i] / pxx : 0;
		if (F.seen[i])
			order[n++] = (uint32_t)i;
	}
	qsort(order, n, sizeof *order, cmp_growth);
	obuf_puts(&out, opt.cum ? "##value\tcum\n" : "##value\tflat\n");
	obuf_puts(&out, "##profiles\t");
	obuf_u64(&out, S.n);
	obuf_puts(&out, "\n##intervals\t");
	obuf_u64(&out, S.intervals);
	obuf_puts(&out, "\n#first\tat_peak\tmax\tlast\tgrowth\tslope_per_min"
	    "\tgrew%");
	if (S.alloc >= 0)
		obuf_puts(&out, "\talloc_during\talloc_during_cum");
	obuf_puts(&out, "\tfunction\n");
	for (i = 0; i < n; i++) {
		uint32_t f = order[i];

		obuf_i64(&out, F.first[f]);
		tab();
		obuf_i64(&out, F.atpeak[f]);
		tab();
		obuf_i64(&out, F.max[f]);
		tab();
		obuf_i64(&out, F.last[f]);
		tab();
		obuf_i64(&out, F.growth[f]);
		tab();
		put_f(pxx > 0 ? gslope[f] : NAN, 3);
		tab();
		put_f(S.intervals ? 100.0 * F.grew[f] / (double)S.intervals :
		    NAN, 2);
		tab();
		if (S.alloc >= 0) {
			obuf_i64(&out, F.adur[f]);
			tab();
			obuf_i64(&out, F.acdur[f]);
			tab();
		}
		esc_meta_out(&out, gnames[f]);
		nl();
	}
	free(order);
	for (i = 0; i < nf; i++)
		free(gnames[i]);
	free(gnames);
	free(gslope);
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

	while ((ch = getopt_long(argc, argv, "gst:", longopts, NULL)) != -1) {
		switch (ch) {
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
			    "file] [-s | -g [--cum]] [file ...]\n"
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
	if (opt.cum && opt.mode != GROWTH)
		msg_die(2, "--cum applies only to --growth");
}

int
main(int argc, char *argv[])
{
	int i, rc;

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
	head();
	if (opt.mode == GROWTH)
		write_growth();
	else {
		if (opt.mode == ROWS)
			write_rows();
		write_summary();
	}
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
	    "[-s | -g [--cum]] [file ...]\n"
	    "       pprof-series [--categories file] --list-categories\n");
	exit(2);
}
