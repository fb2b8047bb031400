/*
 * fuzz-decode - libFuzzer target for the profile decoder.
 *
 * Feeds the input to prof_load() as pprof-decode would (gzip or raw, under
 * a size cap), and when it loads, does what pprof-decode does with a
 * profile: the header's lookups, every sample's stack (both writers),
 * labels and site, and the folded stacks' interning. Checks what the
 * stream relies on besides memory safety: a refusal says why, the two
 * stack writers agree, no frame or label text holds a byte that would
 * break a stream line, and the stack text splits back (as pprof-top
 * splits it) into exactly the frames the profile names, inline marks
 * included.
 *
 *	make fuzz FUZZ_SECONDS=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "htab.h"
#include "obuf.h"
#include "prof.h"
#include "sbuf.h"

/* Small enough that a gzip bomb costs a fuzzer run little time. */
#define FUZZ_MAX_SIZE ((size_t)16 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

/* A stream field: no tab, newline or carriage return may survive. */
static void
check_field(const char *s, size_t n)
{
	if (memchr(s, '\t', n) != NULL || memchr(s, '\n', n) != NULL ||
	    memchr(s, '\r', n) != NULL)
		abort();
}

/* Id to index, for the frame oracle: sorted (id, index) pairs. */
struct ids {
	uint64_t *pair;
	size_t n;
};

static int
cmp_pair(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

static void
ids_build(struct ids *m, void **msgs, size_t n, size_t idoff)
{
	size_t i;

	if ((m->pair = malloc((2 * n + 1) * sizeof *m->pair)) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		memcpy(&m->pair[2 * i], (char *)msgs[i] + idoff, sizeof(uint64_t));
		m->pair[2 * i + 1] = i;
	}
	m->n = n;
	qsort(m->pair, n, 2 * sizeof *m->pair, cmp_pair);
}

static long
ids_get(const struct ids *m, uint64_t id)
{
	uint64_t key[2] = { id, 0 };
	const uint64_t *r = bsearch(key, m->pair, m->n, 2 * sizeof *m->pair,
	    cmp_pair);

	return r != NULL ? (long)r[1] : -1;
}

struct oracle {
	struct ids maps, funcs;
	struct sbuf want;
};

/* The name prof.h promises for frame j of location l (j < 0: no lines). */
static void
frame_name(const struct prof *p, struct oracle *o,
    const Perftools__Profiles__Location *l, long j)
{
	const Perftools__Profiles__Profile *pb = p->pb;
	long mi = ids_get(&o->maps, l->mapping_id);
	const char *file = mi >= 0 ? prof_str(p, pb->mapping[mi]->filename) : "";
	const char *name = "", *slash;

	sbuf_reset(&o->want);
	if (j >= 0) {
		long fi = ids_get(&o->funcs, l->line[j]->function_id);

		if (fi < 0)
			abort();
		name = prof_str(p, pb->function[fi]->name);
	}
	if (*name != '\0')
		sbuf_puts(&o->want, name);
	else if (*file == '\0')
		sbuf_puts(&o->want, "<unknown>");
	else {
		slash = strrchr(file, '/');
		sbuf_putc(&o->want, '[');
		sbuf_puts(&o->want, slash != NULL ? slash + 1 : file);
		sbuf_putc(&o->want, ']');
	}
	if (o->want.oom)
		abort();
}

/*
 * Splits the stack text as pprof-top does and checks each frame against
 * the profile, root first: location by location, each one's lines from
 * the outermost, all but that outermost marked inlined.
 */
static void
check_frames(const struct prof *p, size_t si, const char *s, size_t len,
    struct oracle *o)
{
	const Perftools__Profiles__Sample *sm = p->pb->sample[si];
	size_t k = sm->n_location_id, i, start = 0;
	long line = -2;
	char *raw;

	if (len == 0) {
		if (k != 0)
			abort();
		return;
	}
	if ((raw = malloc(len + 1)) == NULL)
		abort();
	for (i = 0; i <= len; i++) {
		const Perftools__Profiles__Location *l;
		size_t flen;
		int inl, want_inl;

		if (i < len && s[i] == '\\') {
			i++;
			continue;
		}
		if (i < len && s[i] != ';')
			continue;
		flen = i - start;
		/* The next frame of the profile: next line, or next location. */
		if (line < 0) {
			if (k == 0)
				abort();
			k--;
			l = p->pb->location[p->sample_loc[si][k]];
			line = l->n_line > 0 ? (long)l->n_line - 1 : -1;
		} else
			l = p->pb->location[p->sample_loc[si][k]];
		frame_name(p, o, l, line);
		want_inl = line >= 0 && (size_t)line + 1 < l->n_line;
		inl = esc_frame_inlined(s + start, flen);
		if (inl != want_inl)
			abort();
		if (inl)
			flen -= ESC_INLINE_MARK_LEN;
		memcpy(raw, s + start, flen);
		flen = esc_unescape(raw, flen);
		if (flen != o->want.len || memcmp(raw, o->want.s, flen) != 0)
			abort();
		line = line > 0 ? line - 1 : -2;
		start = i + 1;
	}
	if (k != 0 || line != -2)
		abort();
	free(raw);
}

static void
header(const struct prof *p)
{
	size_t i, n = prof_ntypes(p);
	int def = prof_default_type(p);

	if (def >= 0 && (size_t)def >= n)
		abort();
	if (def < 0 && n > 0)
		abort();
	for (i = 0; i < n; i++) {
		int k = prof_type_index(p, prof_type(p, i));

		/* The first type of that name: never a later one. */
		if (k < 0 || (size_t)k > i)
			abort();
		(void)prof_unit(p, i);
	}
	(void)prof_main_file(p);
	(void)prof_main_build_id(p);
}

static void
samples(const struct prof *p, struct obuf *ob, struct htab *folded)
{
	const Perftools__Profiles__Profile *pb = p->pb;
	struct sbuf b = SBUF_INIT;
	struct oracle o;
	size_t i;

	memset(&o, 0, sizeof o);
	ids_build(&o.maps, (void **)pb->mapping, pb->n_mapping,
	    offsetof(Perftools__Profiles__Mapping, id));
	ids_build(&o.funcs, (void **)pb->function, pb->n_function,
	    offsetof(Perftools__Profiles__Function, id));

	for (i = 0; i < p->pb->n_sample; i++) {
		sbuf_reset(&b);
		prof_stack(p, i, &b);
		if (b.oom)
			abort();
		check_field(b.s != NULL ? b.s : "", b.len);
		check_frames(p, i, b.s != NULL ? b.s : "", b.len, &o);
		/* Emptied, the buffer holds just this stack (if it fits). */
		ob->len = 0;
		prof_write_stack(p, i, ob);
		if (b.len <= OBUF_SIZE && (ob->len != b.len ||
		    (b.len > 0 && memcmp(ob->buf, b.s, b.len) != 0)))
			abort();
		if (p->pb->sample[i]->n_location_id > 0 &&
		    htab_intern(folded, b.s, b.len) < 0)
			abort();
		sbuf_reset(&b);
		prof_labels(p, i, &b);
		if (b.oom)
			abort();
		check_field(b.s != NULL ? b.s : "", b.len);
		(void)prof_site(p, i);
	}
	sbuf_free(&b);
	sbuf_free(&o.want);
	free(o.maps.pair);
	free(o.funcs.pair);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prof *p = (struct prof *)&p;
	struct obuf *ob;
	struct htab folded;
	char err[512];

	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	err[0] = '\0';
	if (prof_load(&p, data, size, FUZZ_MAX_SIZE, err, sizeof err) != 0) {
		/* A refusal names its reason and hands back nothing. */
		if (p != NULL || err[0] == '\0' || memchr(err, '\0',
		    sizeof err) == NULL)
			abort();
		return 0;
	}
	if ((ob = malloc(sizeof *ob)) == NULL)
		abort();
	obuf_init(ob, devnull);
	htab_init(&folded);
	header(p);
	samples(p, ob, &folded);
	obuf_flush(ob);
	htab_free(&folded);
	free(ob);
	prof_free(p);
	return 0;
}
