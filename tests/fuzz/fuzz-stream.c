/*
 * fuzz-stream - libFuzzer target for the sample-stream reader and the
 * graph built from it.
 *
 * Reads the input through stream_next() as pprof-top reads stdin, and
 * feeds each block and row to lib/agg as pprof-top does: the block
 * checks, the split of the escaped stack into frames (inline mark,
 * interning by name), the merge by site, labels and stack; then flat and
 * cum, the trimming and the inline marks. Every stack joined again from
 * its frames must be the row's text, and the flat column must add up to
 * the samples' values. The type lookups and the unit formatting pprof-top
 * prints with are exercised on every row.
 *
 *	make fuzz FUZZ_SECONDS=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "esc.h"
#include "num.h"
#include "stream.h"
#include "units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The stack row r went to, joined again from its frames, must be r's. */
static void
same_text(struct agg *a, const struct stream_row *r, struct sbuf *b)
{
	long id;

	id = agg_stack(a, agg_site(r->site, r->site_len), r->stack,
	    r->stack_len, NULL, NULL, 0);
	if (id < 0)
		abort();
	sbuf_reset(b);
	if (agg_stack_text(a, (size_t)id, b) != 0 || b->len != r->stack_len ||
	    (b->len > 0 && memcmp(b->s, r->stack, b->len) != 0))
		abort();
}

static int
block(const struct stream *s)
{
	char list[512];
	size_t i;
	int col = stream_default_type(s);

	for (i = 0; i < s->meta.ntypes; i++) {
		int k = stream_type_index(s, s->meta.types[i]);

		if (k < 0 || (size_t)k > i)
			abort();
	}
	stream_type_list(s, list, sizeof list);
	if (memchr(list, '\0', sizeof list) == NULL)
		abort();
	if (col >= 0 && (size_t)col >= s->meta.ntypes)
		abort();
	return col;
}

static void
row(const struct stream *s, const struct stream_row *r, int col,
    int64_t *min)
{
	char buf[128];
	int64_t v;

	if (r->stack[r->stack_len] != '\0' || r->labels[r->labels_len] != '\0')
		abort();
	if (col < 0)
		return;
	v = r->values[col];
	units_label(buf, sizeof buf, v, s->meta.units[col], "auto");
	units_label(buf, sizeof buf, v, s->meta.units[col], "minimum");
	units_percent(buf, sizeof buf, v, *min);
	if (v != 0 && v != INT64_MIN && (*min == 0 ||
	    (v < 0 ? -v : v) < *min))
		*min = v < 0 ? -v : v;
	(void)units_pick(*min, v, s->meta.units[col]);
}

/* Flat adds up to the samples' values; the table is pprof's. */
static void
graph(struct agg *a)
{
	uint32_t *order;
	size_t i, orig, dropped;
	int64_t flat = 0, v = 0;
	char err[256];
	int ov = 0;
	long n;

	if (agg_build(a, err, sizeof err) != 0)
		abort();
	for (i = 0; i < a->nnodes; i++)
		flat = num_add_ov(flat, a->nodes[i].flat, &ov);
	for (i = 0; i < a->nsamples; i++)
		if (a->samples[i].used && a->samples[i].n > 0)
			v = num_add_ov(v, a->samples[i].v, &ov);
	if (!a->overflow && !ov && flat != v)
		abort();
	n = agg_select(a, &order, &orig, &dropped, err, sizeof err);
	if (n < 0 || (size_t)n > orig || orig + dropped > a->nnodes)
		abort();
	for (i = 0; i < (size_t)n; i++)
		if (agg_raw(a, order[i]) == NULL ||
		    agg_inline_label(&a->nodes[order[i]]) == NULL)
			abort();
	free(order);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream s;
	struct stream_row r;
	struct agg a;
	struct agg_opt o = AGG_OPT_INIT;
	struct sbuf b = SBUF_INIT;
	char err[1024];
	int64_t min = 0;
	int rc, col = -1, ok = 1;
	FILE *fp;

	if (size == 0 || (fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	o.focus = "a";
	o.ignore = "^z";
	o.count = 8;
	if (agg_init(&a, &o, err, sizeof err) != 0)
		abort();
	stream_init(&s, fp, "fuzz");
	while ((rc = stream_next(&s, &r)) > 0) {
		if (rc == STREAM_BLOCK) {
			col = block(&s);
			/* A refused block ends the graph, as it ends pprof-top. */
			if (ok && agg_block(&a, &s, err, sizeof err) != 0) {
				if (strncmp(err, "fuzz", 4) != 0)
					abort();
				ok = 0;
			}
			continue;
		}
		row(&s, &r, col, &min);
		if (!ok)
			continue;
		if (agg_row(&a, &r, err, sizeof err) != 0)
			abort();
		same_text(&a, &r, &b);
	}
	/* An error names the input and the line. */
	if (rc < 0 && strncmp(s.err, "fuzz:", 5) != 0)
		abort();
	if (ok && rc == 0)
		graph(&a);
	stream_free(&s);
	agg_free(&a);
	sbuf_free(&b);
	fclose(fp);
	return 0;
}
