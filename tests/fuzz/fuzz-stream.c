/*
 * fuzz-stream - libFuzzer target for the sample-stream reader.
 *
 * Reads the input through stream_next() as pprof-top reads stdin, and
 * does with each block and row what pprof-top does before it sums: the
 * type lookups, the unit formatting, the label set interning, the split
 * of the escaped stack into frames (inline mark, unescaping, interning
 * by name), and the hashes of the row's site and frame ids it merges
 * by. The split is pprof-top's parse_stack loop (its escape-free fast
 * path gives the same frames), copied: it is static there; it belongs
 * in lib/ so that this target tests the real one.
 *
 *	make fuzz FUZZ_SECONDS=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "htab.h"
#include "stream.h"
#include "units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A row's frames as node ids, grown on demand: NULL until a frame. */
struct ids {
	uint32_t *v;
	size_t n, cap;
};

/* pprof-top's push_frame, minus its node table: the frame by name. */
static void
push_frame(const char *f, size_t len, struct htab *names, struct ids *ids)
{
	char *raw;
	long id;

	if (esc_frame_inlined(f, len))
		len -= ESC_INLINE_MARK_LEN;
	if ((id = htab_intern(names, f, len)) < 0)
		abort();
	if (ids->n == ids->cap) {
		ids->cap = ids->cap ? ids->cap * 2 : 64;
		if ((ids->v = realloc(ids->v, ids->cap * sizeof *ids->v)) == NULL)
			abort();
	}
	ids->v[ids->n++] = (uint32_t)id;
	/* What pprof-top prints and matches --focus against. */
	if ((raw = malloc(len + 1)) == NULL)
		abort();
	memcpy(raw, f, len);
	if (esc_unescape(raw, len) > len)
		abort();
	free(raw);
}

/* pprof-top's parse_stack: split at each ';' that is not escaped. */
static size_t
split_stack(const char *s, size_t len, struct htab *names, struct ids *ids)
{
	size_t i, start = 0, n = 0;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == ';') {
			push_frame(s + start, i - start, names, ids);
			n++;
			start = i + 1;
		}
	}
	push_frame(s + start, len - start, names, ids);
	return n + 1;
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
    struct htab *names, struct htab *labelsets, struct ids *ids,
    int64_t *min)
{
	char buf[128];
	int64_t v;

	if (r->stack[r->stack_len] != '\0' || r->labels[r->labels_len] != '\0')
		abort();
	if (r->labels_len > 0 &&
	    htab_intern(labelsets, r->labels, r->labels_len) < 0)
		abort();
	/* pprof-top's merge key: the site, and the stack's ids as bytes. */
	(void)htab_hash(r->site, r->site_len);
	ids->n = 0;
	if (split_stack(r->stack, r->stack_len, names, ids) != ids->n)
		abort();
	(void)htab_hash((const char *)ids->v, ids->n * sizeof *ids->v);
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream s;
	struct stream_row r;
	struct htab names, labelsets;
	struct ids ids = { NULL, 0, 0 };
	int64_t min = 0;
	int rc, col = -1;
	FILE *fp;

	if (size == 0 || (fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	htab_init(&names);
	htab_init(&labelsets);
	stream_init(&s, fp, "fuzz");
	while ((rc = stream_next(&s, &r)) > 0) {
		if (rc == STREAM_BLOCK)
			col = block(&s);
		else
			row(&s, &r, col, &names, &labelsets, &ids, &min);
	}
	/* An error names the input and the line. */
	if (rc < 0 && strncmp(s.err, "fuzz:", 5) != 0)
		abort();
	stream_free(&s);
	htab_free(&names);
	htab_free(&labelsets);
	free(ids.v);
	fclose(fp);
	return 0;
}
