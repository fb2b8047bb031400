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
 * prof_load walks the top level of the message itself and hands each
 * location and the like to protobuf-c alone; it reads plain samples
 * itself; a large gzip input is inflated on a second thread while the
 * walk goes on. protobuf-c's decoding of the whole message is the oracle:
 * when it refuses the bytes prof_load must refuse them too, and when
 * prof_load loads them every table must equal protobuf-c's. A gzip input
 * that loads is inflated here too, all members, and checked the same way.
 *
 *	make fuzz FUZZ_SECONDS=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "esc.h"
#include "htab.h"
#include "obuf.h"
#include "prof.h"
#include "profile.pb-c.h"
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

/* base points at the first element's id; elements are stride apart. */
static void
ids_build(struct ids *m, const void *base, size_t n, size_t stride)
{
	size_t i;

	if ((m->pair = malloc((2 * n + 1) * sizeof *m->pair)) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		memcpy(&m->pair[2 * i], (const char *)base + i * stride,
		    sizeof(uint64_t));
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
    const struct prof_location *l, long j)
{
	long mi = ids_get(&o->maps, l->mapping_id);
	const char *file = mi >= 0 ? prof_str(p, p->mappings[mi].filename) : "";
	const char *name = "", *slash;

	sbuf_reset(&o->want);
	if (j >= 0) {
		long fi = ids_get(&o->funcs, p->lines[l->line + j].function_id);

		if (fi < 0)
			abort();
		name = prof_str(p, p->functions[fi].name);
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
	const struct prof_sample *sm = &p->samples[si];
	const uint32_t *ix = p->locidx + sm->loc;
	size_t k = sm->nloc, i, start = 0;
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
		const struct prof_location *l;
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
			l = &p->locations[ix[k]];
			line = l->nline > 0 ? (long)l->nline - 1 : -1;
		} else
			l = &p->locations[ix[k]];
		frame_name(p, o, l, line);
		want_inl = line >= 0 && (size_t)line + 1 < l->nline;
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

/* A string of prof's table against protobuf-c's, up to the first NUL. */
static void
same_str(const struct prof *p, size_t i, const char *want)
{
	if (strcmp(p->str[i], want) != 0 || p->str_len[i] != strlen(want))
		abort();
}

/* The members of the gzip input d, inflated; NULL when zlib refuses. */
static unsigned char *
inflate_all(const uint8_t *d, size_t n, size_t *outlen)
{
	unsigned char *out = malloc(FUZZ_MAX_SIZE + 1);
	z_stream z;
	int rc;

	if (out == NULL)
		abort();
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		abort();
	z.next_in = (unsigned char *)d;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = FUZZ_MAX_SIZE + 1;
	while ((rc = inflate(&z, Z_NO_FLUSH)) == Z_STREAM_END &&
	    z.avail_in > 0)
		inflateReset(&z);
	*outlen = (size_t)(z.next_out - out);
	inflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	return out;
}

/* Every table of p against protobuf-c's decoding of the whole message. */
static void
same_as_protobuf_c(const struct prof *p, const uint8_t *data, size_t size)
{
	Perftools__Profiles__Profile *pb;
	size_t i, j;

	pb = perftools__profiles__profile__unpack(NULL, size, data);
	if (pb == NULL)
		abort();
	if (p->ntypes != pb->n_sample_type || p->nsample != pb->n_sample ||
	    p->nmapping != pb->n_mapping || p->nlocation != pb->n_location ||
	    p->nfunction != pb->n_function || p->nstr != pb->n_string_table ||
	    p->ncomment != pb->n_comment)
		abort();
	if (p->drop_frames != pb->drop_frames ||
	    p->keep_frames != pb->keep_frames ||
	    p->time_nanos != pb->time_nanos ||
	    p->duration_nanos != pb->duration_nanos ||
	    p->period != pb->period ||
	    p->default_sample_type != pb->default_sample_type ||
	    p->doc_url != pb->doc_url)
		abort();
	if (p->period_type != (pb->period_type ? pb->period_type->type : 0) ||
	    p->period_unit != (pb->period_type ? pb->period_type->unit : 0))
		abort();
	for (i = 0; i < pb->n_comment; i++)
		if (p->comment[i] != pb->comment[i])
			abort();
	for (i = 0; i < pb->n_sample_type; i++)
		if (p->types[i].type != pb->sample_type[i]->type ||
		    p->types[i].unit != pb->sample_type[i]->unit)
			abort();
	for (i = 0; i < pb->n_string_table; i++)
		same_str(p, i, pb->string_table[i]);
	for (i = 0; i < pb->n_sample; i++) {
		const Perftools__Profiles__Sample *s = pb->sample[i];
		const struct prof_sample *ps = &p->samples[i];

		if (ps->nloc != s->n_location_id || ps->nlabel != s->n_label ||
		    s->n_value != p->ntypes)
			abort();
		for (j = 0; j < s->n_value; j++)
			if (prof_value(p, i, j) != s->value[j])
				abort();
		for (j = 0; j < s->n_location_id; j++)
			if (p->locations[p->locidx[ps->loc + j]].id !=
			    s->location_id[j])
				abort();
		for (j = 0; j < s->n_label; j++) {
			const struct prof_label *l = &p->labels[ps->label + j];

			if (l->key != s->label[j]->key ||
			    l->str != s->label[j]->str ||
			    l->num != s->label[j]->num ||
			    l->num_unit != s->label[j]->num_unit)
				abort();
		}
	}
	for (i = 0; i < pb->n_mapping; i++) {
		const Perftools__Profiles__Mapping *m = pb->mapping[i];
		const struct prof_mapping *pm = &p->mappings[i];

		if (pm->id != m->id || pm->memory_start != m->memory_start ||
		    pm->memory_limit != m->memory_limit ||
		    pm->file_offset != m->file_offset ||
		    pm->filename != m->filename || pm->build_id != m->build_id)
			abort();
	}
	for (i = 0; i < pb->n_location; i++) {
		const Perftools__Profiles__Location *l = pb->location[i];
		const struct prof_location *pl = &p->locations[i];

		if (pl->id != l->id || pl->mapping_id != l->mapping_id ||
		    pl->address != l->address || pl->nline != l->n_line ||
		    pl->is_folded != l->is_folded)
			abort();
		for (j = 0; j < l->n_line; j++)
			if (p->lines[pl->line + j].function_id !=
			    l->line[j]->function_id ||
			    p->lines[pl->line + j].line != l->line[j]->line)
				abort();
	}
	for (i = 0; i < pb->n_function; i++) {
		const Perftools__Profiles__Function *f = pb->function[i];
		const struct prof_function *pf = &p->functions[i];

		if (pf->id != f->id || pf->name != f->name ||
		    pf->system_name != f->system_name ||
		    pf->filename != f->filename ||
		    pf->start_line != f->start_line)
			abort();
	}
	perftools__profiles__profile__free_unpacked(pb, NULL);
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
	struct sbuf b = SBUF_INIT;
	struct oracle o;
	size_t i;

	memset(&o, 0, sizeof o);
	ids_build(&o.maps, p->mappings, p->nmapping, sizeof *p->mappings);
	ids_build(&o.funcs, p->functions, p->nfunction, sizeof *p->functions);

	for (i = 0; i < p->nsample; i++) {
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
		if (p->samples[i].nloc > 0 &&
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
	if (size < 2 || data[0] != 0x1f || data[1] != 0x8b)
		same_as_protobuf_c(p, data, size);
	else {
		size_t rawlen;
		unsigned char *raw = inflate_all(data, size, &rawlen);

		/* What prof_load inflated, zlib inflates too. */
		if (raw == NULL)
			abort();
		same_as_protobuf_c(p, raw, rawlen);
		free(raw);
	}
	header(p);
	samples(p, ob, &folded);
	obuf_flush(ob);
	htab_free(&folded);
	free(ob);
	prof_free(p);
	return 0;
}
