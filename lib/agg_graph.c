/*
 * agg_graph - see agg.h: what is computed once the samples are merged
 * (flat and cum, one side's of them, the trimmed table and its inline
 * marks). agg.c builds the tables this reads.
 */
#include "agg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "esc.h"
#include "grow.h"
#include "num.h"

/* pprof's default edge fraction: lighter edges are cut before labelling. */
#define EDGE_FRACTION 0.001

#define NOMEM(err, errlen) errf(err, errlen, "out of memory")

/* pprof's focusedAndNotIgnored, at the level of function names. */
static int
wanted(const struct agg *a, const struct agg_sample *sm)
{
	uint32_t i;
	int focused = a->opt.focus == NULL;

	if (a->opt.focus == NULL && a->opt.ignore == NULL)
		return 1;
	for (i = 0; i < sm->n; i++) {
		const struct agg_node *n =
		    &a->nodes[a->frames[sm->off + i] & ~AGG_INLINE_BIT];

		if (n->ignore)
			return 0;
		if (n->focus)
			focused = 1;
	}
	return focused;
}

/*
 * Adds up flat and cum over the merged samples, as pprof's graph does.
 * Which sample last added to a node's cum is kept apart from the nodes:
 * a stack names the same few functions again and again, and the check
 * then stays in a small array.
 */
int
agg_build(struct agg *a, char *err, size_t errlen)
{
	size_t i;
	uint32_t stamp = 0, j, *stamps;

	if ((stamps = calloc(a->nnodes + 1, sizeof *stamps)) == NULL)
		return NOMEM(err, errlen);
	for (i = 0; i < a->nsamples; i++) {
		struct agg_sample *sm = &a->samples[i];

		if (sm->v == 0)
			continue;
		/* pprof totals the profile before it applies focus. */
		a->total = num_add_ov(a->total, num_abs_ov(sm->v,
		    &a->overflow), &a->overflow);
		if (!wanted(a, sm))
			continue;
		sm->used = 1;
		stamp++;
		for (j = 0; j < sm->n; j++) {
			uint32_t id = a->frames[sm->off + j] & ~AGG_INLINE_BIT;

			if (stamps[id] != stamp) {
				stamps[id] = stamp;
				a->nodes[id].cum = num_add_ov(a->nodes[id].cum,
				    sm->v, &a->overflow);
			}
		}
		if (sm->n > 0) {
			struct agg_node *leaf = &a->nodes[a->frames[sm->off +
			    sm->n - 1] & ~AGG_INLINE_BIT];

			leaf->flat = num_add_ov(leaf->flat, sm->v,
			    &a->overflow);
		}
	}
	free(stamps);
	return 0;
}

int
agg_side(struct agg *a, unsigned side, double r, int64_t *flat,
    int64_t *cum, int64_t *total, char *err, size_t errlen)
{
	size_t i;
	uint32_t j, id, *stamps;
	int64_t v;

	if ((stamps = calloc(a->nnodes + 1, sizeof *stamps)) == NULL)
		return NOMEM(err, errlen);
	for (i = 0; i < a->nsamples; i++) {
		const struct agg_sample *sm = &a->samples[i];

		if (sm->side != side)
			continue;
		v = r != 1 ? (int64_t)round((double)sm->v * r) : sm->v;
		*total = num_add_ov(*total, num_abs_ov(v, &a->overflow),
		    &a->overflow);
		if (v == 0)
			continue;
		for (j = 0; j < sm->n; j++) {
			id = a->frames[sm->off + j] & ~AGG_INLINE_BIT;
			if (stamps[id] != (uint32_t)i + 1) {
				stamps[id] = (uint32_t)i + 1;
				cum[id] = num_add_ov(cum[id], v, &a->overflow);
			}
		}
		if (sm->n > 0) {
			id = a->frames[sm->off + sm->n - 1] & ~AGG_INLINE_BIT;
			flat[id] = num_add_ov(flat[id], v, &a->overflow);
		}
	}
	free(stamps);
	return 0;
}

int
agg_stack_text(const struct agg *a, size_t id, struct sbuf *b)
{
	const uint32_t *fr;
	uint32_t f;
	size_t j, n, len;
	const char *name;

	fr = agg_frames(a, id, &n);
	for (j = 0; j < n; j++) {
		f = fr[j];
		name = agg_name(a, f & ~AGG_INLINE_BIT, &len);
		if (j > 0)
			sbuf_putc(b, ';');
		sbuf_put(b, name, len);
		if (f & AGG_INLINE_BIT)
			sbuf_put(b, ESC_INLINE_MARK, ESC_INLINE_MARK_LEN);
	}
	return b->oom ? -1 : 0;
}

int64_t
agg_abs(struct agg *a, int64_t v)
{
	return num_abs_ov(v, &a->overflow);
}

/* qsort has no context argument: the agg being sorted. */
static struct agg *sorting;

static int
cmp_node(const void *x, const void *y)
{
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
	struct agg *a = sorting;
	const struct agg_node *l = &a->nodes[i], *r = &a->nodes[j];
	int cs = a->opt.cum_sort;
	int64_t lk1 = agg_abs(a, cs ? l->cum : l->flat);
	int64_t rk1 = agg_abs(a, cs ? r->cum : r->flat);
	int64_t lk2 = agg_abs(a, cs ? l->flat : l->cum);
	int64_t rk2 = agg_abs(a, cs ? r->flat : r->cum);
	int c;

	if (lk1 != rk1)
		return lk1 > rk1 ? -1 : 1;
	if ((c = strcmp(a->raw[i], a->raw[j])) != 0)
		return c;
	if (lk2 != rk2)
		return lk2 > rk2 ? -1 : 1;
	return (i > j) - (i < j);
}

/*
 * Picks the rows as pprof's newTrimmedGraph does: nodes whose |cum| is
 * below the node fraction of the flat total go, then the -n largest stay.
 */
static long
select_nodes(struct agg *a, uint32_t *order, size_t *orig, size_t *dropped,
    int64_t *edge_cutoff, char *err, size_t errlen)
{
	size_t i, n = 0, kept = 0, len;
	int64_t flatsum = 0, cutoff;
	const char *k;
	char *r;

	for (i = 0; i < a->nnodes; i++) {
		if (a->nodes[i].flat == 0 && a->nodes[i].cum == 0)
			continue;
		order[n++] = (uint32_t)i;
		flatsum = num_add_ov(flatsum, a->nodes[i].flat, &a->overflow);
	}
	cutoff = agg_abs(a, (int64_t)((double)flatsum * a->opt.nodefraction));
	*edge_cutoff = agg_abs(a, (int64_t)((double)flatsum * EDGE_FRACTION));
	for (i = 0; i < n; i++) {
		if (cutoff > 0 && agg_abs(a, a->nodes[order[i]].cum) < cutoff)
			continue;
		k = agg_name(a, order[i], &len);
		if ((r = malloc(len + 1)) == NULL)
			return NOMEM(err, errlen);
		memcpy(r, k, len);
		r[esc_unescape(r, len)] = '\0';
		a->raw[order[i]] = r;
		order[kept++] = order[i];
	}
	*dropped = n - kept;
	*orig = kept;
	sorting = a;
	qsort(order, kept, sizeof *order, cmp_node);
	sorting = NULL;
	if (a->opt.count > 0 && (size_t)a->opt.count < kept)
		kept = (size_t)a->opt.count;
	for (i = 0; i < kept; i++)
		a->nodes[order[i]].kept = 1;
	return (long)kept;
}

/*
 * The call edges between kept nodes, as pprof's graph has them: an edge
 * counts each sample once (its first occurrence, walking from the root),
 * is inline only if every such occurrence is, and weighs the sum of those
 * samples' values.
 */
struct edges {
	uint64_t *key;		/* parent << 32 | child, + 1; 0 is empty */
	unsigned char *inl;
	int64_t *weight;
	size_t *seen;		/* the last sample that counted */
	size_t n, cap;
};

static size_t
edge_slot(const struct edges *e, uint64_t k)
{
	size_t i = (size_t)(k * 0x9e3779b97f4a7c15ULL >> 20) & (e->cap - 1);

	while (e->key[i] != 0 && e->key[i] != k)
		i = (i + 1) & (e->cap - 1);
	return i;
}

static void
edges_free(struct edges *e)
{
	free(e->key);
	free(e->inl);
	free(e->weight);
	free(e->seen);
}

static int
edges_grow(struct edges *e)
{
	struct edges g;
	size_t i, j;

	memset(&g, 0, sizeof g);
	if ((g.cap = grow_cap(e->cap, e->cap + 1, sizeof *g.seen, 1024)) == 0)
		return -1;
	g.key = calloc(g.cap, sizeof *g.key);
	g.inl = calloc(g.cap, 1);
	g.weight = calloc(g.cap, sizeof *g.weight);
	g.seen = calloc(g.cap, sizeof *g.seen);
	if (g.key == NULL || g.inl == NULL || g.weight == NULL ||
	    g.seen == NULL) {
		edges_free(&g);
		return -1;
	}
	for (i = 0; i < e->cap; i++) {
		if (e->key[i] == 0)
			continue;
		j = edge_slot(&g, e->key[i]);
		g.key[j] = e->key[i];
		g.inl[j] = e->inl[i];
		g.weight[j] = e->weight[i];
		g.seen[j] = e->seen[i];
	}
	g.n = e->n;
	edges_free(e);
	*e = g;
	return 0;
}

static int
edge_add(struct agg *a, struct edges *e, uint32_t parent, uint32_t child,
    int inl, size_t sample, int64_t w)
{
	uint64_t k = ((uint64_t)parent << 32 | child) + 1;
	size_t i;

	if ((e->n + 1) * 2 > e->cap && edges_grow(e) != 0)
		return -1;
	i = edge_slot(e, k);
	if (e->key[i] == 0) {
		e->key[i] = k;
		e->inl[i] = (unsigned char)inl;
		e->weight[i] = w;
		e->seen[i] = sample;
		e->n++;
		return 0;
	}
	if (e->seen[i] == sample)
		return 0;
	e->seen[i] = sample;
	e->weight[i] = num_add_ov(e->weight[i], w, &a->overflow);
	if (!inl)
		e->inl[i] = 0;
	return 0;
}

/* The edges of the kept frames of every sample in the graph. */
static int
add_edges(struct agg *a, struct edges *e, const unsigned char *kept)
{
	size_t i;

	for (i = 0; i < a->nsamples; i++) {
		const struct agg_sample *sm = &a->samples[i];
		uint32_t j, parent = UINT32_MAX;

		if (!sm->used)
			continue;
		for (j = 0; j < sm->n; j++) {
			uint32_t f = a->frames[sm->off + j];
			uint32_t id = f & ~AGG_INLINE_BIT;

			if (!kept[id])
				continue;
			if (parent != UINT32_MAX && parent != id &&
			    edge_add(a, e, parent, id,
			    (f & AGG_INLINE_BIT) != 0, i + 1, sm->v) != 0)
				return -1;
			parent = id;
		}
	}
	return 0;
}

/*
 * Walks every sample's kept frames as pprof's graph builder does (frames
 * of dropped nodes are skipped, recursion adds no edge), drops the edges
 * lighter than the edge fraction, and marks each kept node by the kinds
 * of edges that still reach it.
 */
static int
mark_inline(struct agg *a, int64_t edge_cutoff)
{
	struct edges e;
	unsigned char *kept = malloc(a->nnodes + 1);
	size_t i;
	int rc = -1;

	memset(&e, 0, sizeof e);
	if (kept == NULL || edges_grow(&e) != 0)
		goto done;
	/* Asked of every frame: a byte each stays in the cache. */
	for (i = 0; i < a->nnodes; i++)
		kept[i] = a->nodes[i].kept;
	if (add_edges(a, &e, kept) != 0)
		goto done;
	for (i = 0; i < e.cap; i++) {
		uint32_t child;

		if (e.key[i] == 0 || agg_abs(a, e.weight[i]) < edge_cutoff)
			continue;
		child = (uint32_t)(e.key[i] - 1);
		if (e.inl[i])
			a->nodes[child].in_inline = 1;
		else
			a->nodes[child].in_noinline = 1;
	}
	rc = 0;
done:
	edges_free(&e);
	free(kept);
	return rc;
}

long
agg_select(struct agg *a, uint32_t **order, size_t *orig, size_t *dropped,
    char *err, size_t errlen)
{
	int64_t edge_cutoff;
	long n;

	*order = malloc((a->nnodes + 1) * sizeof **order);
	a->raw = calloc(a->nnodes + 1, sizeof *a->raw);
	if (*order == NULL || a->raw == NULL) {
		free(*order);
		*order = NULL;
		return NOMEM(err, errlen);
	}
	n = select_nodes(a, *order, orig, dropped, &edge_cutoff, err, errlen);
	if (n < 0 || mark_inline(a, edge_cutoff) != 0) {
		free(*order);
		*order = NULL;
		return n < 0 ? -1 : NOMEM(err, errlen);
	}
	return n;
}

const char *
agg_inline_label(const struct agg_node *n)
{
	if (!n->in_inline)
		return "";
	return n->in_noinline ? "partial-inline" : "inline";
}
