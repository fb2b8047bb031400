/*
 * pprof-series's growth table (see series.h): per function, its value in
 * every profile (flat, or cum with --cum), and the alloc_space of a heap
 * stream, summed within segments; written sorted by slope, then growth.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "msg.h"
#include "num.h"
#include "series.h"

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

static uint32_t *stamp;		/* per function: the row that last counted */
static uint32_t nrow;

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
void
growth_add(size_t id, int64_t v, int64_t a, int cum)
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
	if (!cum)
		F.cur[leaf] = num_add_ov(F.cur[leaf], v, &ov);
	for (i = 0; i < n; i++) {
		fn = f[i] & ~AGG_INLINE_BIT;
		if (stamp[fn] == nrow)
			continue;
		stamp[fn] = nrow;
		F.accur[fn] = num_add_ov(F.accur[fn], a, &ov);
		if (cum)
			F.cur[fn] = num_add_ov(F.cur[fn], v, &ov);
	}
}

void
growth_block(int first, int new_segment, int new_peak, double x)
{
	size_t i, nf = G.nnodes;

	growth_grow(nf);
	for (i = 0; i < nf; i++) {
		int64_t v = F.cur[i];

		if (first) {
			F.first[i] = v;
			F.max[i] = v;
		} else if (v > F.max[i])
			F.max[i] = v;
		if (!first && !new_segment && v > F.last[i])
			F.grew[i]++;
		/* Growth and allocation count within each process. */
		if (new_segment) {
			if (!first)
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

void
growth_close_segment(const struct lsq *fit)
{
	size_t i;

	if (fit->n > 0)
		for (i = 0; i < F.cap; i++) {
			F.num[i] += F.sxy[i] - fit->sx * F.sy[i] / fit->n;
			F.sy[i] = F.sxy[i] = 0;
		}
}

void
growth_close_series(void)
{
	size_t i;

	for (i = 0; i < F.cap; i++)
		F.growth[i] = num_add_ov(F.growth[i], num_sub_ov(F.last[i],
		    F.seg_first[i], &ov), &ov);
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

void
growth_write(struct obuf *out, const struct view *v, size_t profiles,
    size_t intervals, int alloc, int cum)
{
	size_t i, n = 0, nf = G.nnodes;
	uint32_t *order = xrealloc(NULL, (nf + 1) * sizeof *order);
	double pxx = v->fit.pxx;

	gnames = xrealloc(NULL, (nf + 1) * sizeof *gnames);
	gslope = xrealloc(NULL, (nf + 1) * sizeof *gslope);
	for (i = 0; i < nf; i++) {
		gnames[i] = xstrdup(plain_name((uint32_t)i));
		gslope[i] = pxx > 0 ? F.num[i] / pxx : 0;
		if (F.seen[i])
			order[n++] = (uint32_t)i;
	}
	qsort(order, n, sizeof *order, cmp_growth);
	obuf_puts(out, cum ? "##value\tcum\n" : "##value\tflat\n");
	obuf_puts(out, "##profiles\t");
	obuf_u64(out, profiles);
	obuf_puts(out, "\n##intervals\t");
	obuf_u64(out, intervals);
	obuf_puts(out, "\n#first\tat_peak\tmax\tlast\tgrowth\tslope_per_min"
	    "\tgrew%");
	if (alloc >= 0)
		obuf_puts(out, "\talloc_during\talloc_during_cum");
	obuf_puts(out, "\tfunction\n");
	for (i = 0; i < n; i++) {
		uint32_t f = order[i];

		obuf_i64(out, F.first[f]);
		obuf_putc(out, '\t');
		obuf_i64(out, F.atpeak[f]);
		obuf_putc(out, '\t');
		obuf_i64(out, F.max[f]);
		obuf_putc(out, '\t');
		obuf_i64(out, F.last[f]);
		obuf_putc(out, '\t');
		obuf_i64(out, F.growth[f]);
		obuf_putc(out, '\t');
		put_f(out, pxx > 0 ? gslope[f] : NAN, 3);
		obuf_putc(out, '\t');
		put_f(out, intervals ? 100.0 * F.grew[f] / (double)intervals :
		    NAN, 2);
		obuf_putc(out, '\t');
		if (alloc >= 0) {
			obuf_i64(out, F.adur[f]);
			obuf_putc(out, '\t');
			obuf_i64(out, F.acdur[f]);
			obuf_putc(out, '\t');
		}
		esc_meta_out(out, gnames[f]);
		obuf_putc(out, '\n');
	}
	free(order);
	for (i = 0; i < nf; i++)
		free(gnames[i]);
	free(gnames);
	free(gslope);
}
