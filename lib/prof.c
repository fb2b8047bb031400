/* prof - see prof.h. */
#include "prof.h"

#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "errf.h"
#include "esc.h"
#include "grow.h"
#include "htab.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__ValueType PB_ValueType;
typedef Perftools__Profiles__Sample PB_Sample;
typedef Perftools__Profiles__Location PB_Location;
typedef Perftools__Profiles__Function PB_Function;
typedef Perftools__Profiles__Mapping PB_Mapping;

/*
 * protobuf-c allocates every part of a message separately. The profile is
 * decoded one top-level message (a sample, a location, ...) at a time and
 * copied into compact tables at once, so protobuf-c's allocations go to a
 * scratch buffer that is emptied after each message: it stays small and
 * warm in the cache, and the only memory the profile keeps is its tables.
 */
struct scratch_block {
	struct scratch_block *next;
	max_align_t data[];
};

struct scratch {
	unsigned char *buf;
	size_t used, cap;
	size_t spilled;			/* bytes in blocks since the reset */
	struct scratch_block *blocks;	/* what did not fit in buf */
};

static void *
scratch_alloc(void *ctx, size_t n)
{
	struct scratch *s = ctx;
	size_t align = sizeof(max_align_t);
	struct scratch_block *b;
	void *p;

	n = (n + align - 1) / align * align;
	if (n <= s->cap - s->used) {
		p = s->buf + s->used;
		s->used += n;
		return p;
	}
	if ((b = malloc(sizeof *b + n)) == NULL)
		return NULL;
	b->next = s->blocks;
	s->blocks = b;
	s->spilled += n;
	return b->data;
}

static void
scratch_free(void *ctx, void *p)
{
	(void)ctx;
	(void)p;
}

static void
scratch_free_blocks(struct scratch *s)
{
	while (s->blocks != NULL) {
		struct scratch_block *next = s->blocks->next;

		free(s->blocks);
		s->blocks = next;
	}
}

/* Empties the scratch; a message that spilled makes buf big enough. */
static int
scratch_reset(struct scratch *s)
{
	size_t want = s->used + s->spilled;

	scratch_free_blocks(s);
	s->used = 0;
	s->spilled = 0;
	if (want > s->cap || s->buf == NULL) {
		size_t cap = want > 65536 ? want * 2 : 65536;
		unsigned char *nb = realloc(s->buf, cap);

		if (nb == NULL)
			return -1;
		s->buf = nb;
		s->cap = cap;
	}
	return 0;
}

static void
scratch_release(struct scratch *s)
{
	scratch_free_blocks(s);
	free(s->buf);
}

/*
 * Inflates every gzip member of in (Go's reader accepts concatenated
 * members too) into a new buffer of at most max bytes.
 */
static int
gunzip(const unsigned char *in, size_t inlen, size_t max,
    unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	z_stream z;
	unsigned char *buf, *nb;
	size_t cap, hint;
	int rc;

	/* The trailer holds the last member's size mod 2^32: a good guess. */
	hint = inlen >= 4 ? (size_t)in[inlen - 4] | (size_t)in[inlen - 3] << 8 |
	    (size_t)in[inlen - 2] << 16 | (size_t)in[inlen - 1] << 24 : 0;
	cap = hint > 0 && hint <= max ? hint + 1 : 4 * inlen + 1024;
	if (cap > max + 1)
		cap = max + 1;
	if ((buf = malloc(cap)) == NULL) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		errf(err, errlen, "gzip: cannot initialise zlib");
		return -1;
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)inlen;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	for (;;) {
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			if (z.avail_in == 0)
				break;
			if (z.avail_in < 2 || z.next_in[0] != 0x1f ||
			    z.next_in[1] != 0x8b) {
				/* Go ignores nothing after a member either. */
				errf(err, errlen, "gzip: %u bytes of garbage "
				    "after the compressed stream", z.avail_in);
				goto fail;
			}
			inflateReset(&z);
			continue;
		}
		if (rc == Z_OK && z.avail_out > 0)
			continue;
		if (rc == Z_BUF_ERROR && z.avail_in == 0) {
			errf(err, errlen, "truncated gzip stream");
			goto fail;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			errf(err, errlen, "corrupt gzip stream: %s",
			    z.msg ? z.msg : "inflate failed");
			goto fail;
		}
		/* The output is full. */
		if (z.total_out > max || cap > max) {
			errf(err, errlen, "decompressed size exceeds %zu "
			    "bytes (see --max-size)", max);
			goto fail;
		}
		{
			size_t used = (size_t)(z.next_out - buf);
			size_t ncap = grow_cap(cap, cap + 1, 1, 0);

			if (ncap == 0 || ncap > max + 1)
				ncap = max + 1;

			if ((nb = realloc(buf, ncap)) == NULL) {
				errf(err, errlen, "out of memory");
				goto fail;
			}
			buf = nb;
			cap = ncap;
			z.next_out = buf + used;
			z.avail_out = (uInt)(cap - used);
		}
	}
	*outlen = (size_t)(z.next_out - buf);
	inflateEnd(&z);
	if (*outlen > max) {
		free(buf);
		errf(err, errlen, "decompressed size exceeds %zu bytes "
		    "(see --max-size)", max);
		return -1;
	}
	*out = buf;
	return 0;
fail:
	inflateEnd(&z);
	free(buf);
	return -1;
}

/* Describes what non-profile bytes look like, for the error message. */
static void
describe_junk(const unsigned char *d, size_t n, char *err, size_t errlen)
{
	size_t i = 0, k;
	char shown[33];

	while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' ||
	    d[i] == '\n'))
		i++;
	if (i < n && d[i] == '<') {
		errf(err, errlen, "not a profile: looks like an HTML or "
		    "XML document");
		return;
	}
	for (k = 0; k < sizeof shown - 1 && i + k < n; k++) {
		if (d[i + k] < 0x20 || d[i + k] > 0x7e)
			break;
		shown[k] = (char)d[i + k];
	}
	shown[k] = '\0';
	if (k >= 8 || i + k == n)
		errf(err, errlen, "not a profile: starts with text \"%s\"",
		    shown);
	else
		errf(err, errlen, "not a profile: neither gzip nor a pprof "
		    "protobuf");
}

/* The reason describe_junk gave, said of what a gzip stream held. */
static void
gzip_junk(char *err, size_t errlen)
{
	static const char pre[] = "not a profile: ", what[] = "neither gzip "
	    "nor a pprof protobuf";
	char was[512];

	if (strncmp(err, pre, sizeof pre - 1) != 0)
		return;
	snprintf(was, sizeof was, "%s", err + sizeof pre - 1);
	errf(err, errlen, "not a profile: a gzip stream whose content %s",
	    strcmp(was, what) == 0 ? "is not a pprof protobuf" : was);
}

static int
read_varint(const unsigned char *d, size_t n, size_t *pos, uint64_t *v)
{
	uint64_t r = 0;
	int shift;

	for (shift = 0; shift < 64; shift += 7) {
		unsigned char c;

		if (*pos >= n)
			return -1;
		c = d[(*pos)++];
		r |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return -2;
}

static int
looks_like_text(const unsigned char *d, size_t n)
{
	size_t i, lim = n < 64 ? n : 64;

	for (i = 0; i < lim; i++)
		if ((d[i] < 0x20 || d[i] > 0x7e) && d[i] != '\t' &&
		    d[i] != '\n' && d[i] != '\r')
			return 0;
	return 1;
}

/*
 * Maps the ids of one table (mappings, functions or locations) to their
 * index. Go's runtime numbers them 1..n, so a direct array is the common
 * case; sparse ids fall back to a sorted array and binary search.
 */
struct idmap {
	uint32_t *dense;	/* id -> index + 1, 0 when absent */
	size_t ndense;
	uint64_t *sorted;	/* id << 0, with index in idx */
	uint32_t *idx;
	size_t n;
};

static int
cmp_pair(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Returns 0, 1 for a zero id, 2 for a duplicate (its id in *bad), -1 oom. */
static int
idmap_build(struct idmap *m, const uint64_t *ids, size_t n, uint64_t *bad)
{
	uint64_t max = 0;
	size_t i;

	memset(m, 0, sizeof *m);
	m->n = n;
	for (i = 0; i < n; i++) {
		if (ids[i] == 0)
			return 1;
		if (ids[i] > max)
			max = ids[i];
	}
	if (max <= 4 * (uint64_t)n + 1024) {
		m->ndense = (size_t)max + 1;
		if ((m->dense = calloc(m->ndense, sizeof *m->dense)) == NULL)
			return -1;
		for (i = 0; i < n; i++) {
			if (m->dense[ids[i]] != 0) {
				*bad = ids[i];
				return 2;
			}
			m->dense[ids[i]] = (uint32_t)i + 1;
		}
		return 0;
	}
	if ((m->sorted = malloc(2 * n * sizeof *m->sorted)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		m->sorted[2 * i] = ids[i];
		m->sorted[2 * i + 1] = i;
	}
	qsort(m->sorted, n, 2 * sizeof *m->sorted, cmp_pair);
	for (i = 1; i < n; i++)
		if (m->sorted[2 * i] == m->sorted[2 * i - 2]) {
			*bad = m->sorted[2 * i];
			return 2;
		}
	return 0;
}

/* Index of id, or -1. */
static long
idmap_get(const struct idmap *m, uint64_t id)
{
	size_t lo = 0, hi = m->n;

	if (m->dense != NULL)
		return id < m->ndense ? (long)m->dense[id] - 1 : -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->sorted[2 * mid] == id)
			return (long)m->sorted[2 * mid + 1];
		if (m->sorted[2 * mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void
idmap_free(struct idmap *m)
{
	free(m->dense);
	free(m->sorted);
}

/* What the walk fills, beyond struct prof itself. */
struct walk {
	struct prof *p;
	struct scratch sc;
	ProtobufCAllocator alloc;
	size_t cap_types, cap_samples, cap_values, cap_locid, cap_labels;
	size_t cap_mappings, cap_locations, cap_lines, cap_functions;
	size_t cap_str, cap_strlen, cap_comment, nvalues, nlocid, nlabels;
	size_t blob_len;
	uint32_t *locid;	/* per sample: location ids, then indices */
	uint64_t *wideid;	/* instead, once an id needed 64 bits */
	size_t nperiod, cap_period;
	size_t (*period)[3];	/* each period_type: offset, length, byte */
	int strings;		/* WALK_ALL, or which side of the split */
	char *err;
	size_t errlen;
};

/* What a walk takes: all, or its side of the split load_parallel makes. */
enum { WALK_ALL, WALK_NO_STRINGS, WALK_STRINGS };

/* Tables start at 64 entries and double. */
#define GROW(w, arr, capname, need) \
	grow(&(arr), &(w)->capname, (need), sizeof *(arr), 64)

static int
add_type(struct walk *w, const PB_ValueType *m)
{
	struct prof *p = w->p;

	if (GROW(w, p->types, cap_types, p->ntypes + 1) != 0)
		return -1;
	p->types[p->ntypes].type = m->type;
	p->types[p->ntypes].unit = m->unit;
	p->ntypes++;
	return 0;
}

/*
 * Location ids are kept in 32 bits, half the memory to write and read
 * back: Go numbers its locations from 1. The first id that needs more
 * moves them all to 64 bits.
 */
static int
reserve_ids(struct walk *w, size_t more)
{
	if (w->wideid != NULL)
		return GROW(w, w->wideid, cap_locid, w->nlocid + more);
	return GROW(w, w->locid, cap_locid, w->nlocid + more);
}

static int
widen_ids(struct walk *w)
{
	uint64_t *a = malloc((w->cap_locid + 1) * sizeof *a);
	size_t i;

	if (a == NULL)
		return -1;
	for (i = 0; i < w->nlocid; i++)
		a[i] = w->locid[i];
	free(w->locid);
	w->locid = NULL;
	w->wideid = a;
	return 0;
}

/* Appends id v, with room reserved; -1 if widening runs out of memory. */
static inline int
put_id(struct walk *w, uint64_t v)
{
	if (w->wideid == NULL) {
		if (v <= UINT32_MAX) {
			w->locid[w->nlocid++] = (uint32_t)v;
			return 0;
		}
		if (widen_ids(w) != 0)
			return -1;
	}
	w->wideid[w->nlocid++] = v;
	return 0;
}

static int
add_sample(struct walk *w, const PB_Sample *m)
{
	struct prof *p = w->p;
	struct prof_sample *s;
	size_t j;

	if (m->n_location_id > UINT32_MAX || m->n_label > UINT32_MAX ||
	    m->n_value > UINT32_MAX)
		return -1;
	if (GROW(w, p->samples, cap_samples, p->nsample + 1) != 0 ||
	    reserve_ids(w, m->n_location_id) != 0 ||
	    GROW(w, p->values, cap_values, w->nvalues + m->n_value) != 0 ||
	    GROW(w, p->labels, cap_labels, w->nlabels + m->n_label) != 0)
		return -1;
	s = &p->samples[p->nsample++];
	s->loc = w->nlocid;
	s->nloc = (uint32_t)m->n_location_id;
	s->label = w->nlabels;
	s->nlabel = (uint32_t)m->n_label;
	s->nvalue = (uint32_t)m->n_value;
	for (j = 0; j < m->n_location_id; j++)
		if (put_id(w, m->location_id[j]) != 0)
			return -1;
	if (m->n_value > 0)
		memcpy(p->values + w->nvalues, m->value,
		    m->n_value * sizeof *p->values);
	w->nvalues += m->n_value;
	for (j = 0; j < m->n_label; j++) {
		struct prof_label *l = &p->labels[w->nlabels++];

		l->key = m->label[j]->key;
		l->str = m->label[j]->str;
		l->num = m->label[j]->num;
		l->num_unit = m->label[j]->num_unit;
	}
	return 0;
}

/*
 * Samples are most of a CPU profile's messages, and protobuf-c, which
 * counts a packed field's elements before it allocates and parses them,
 * spent half of the walk on them. A sample of location ids and values
 * alone, packed or not (what Go writes), is read here straight into the
 * tables; any other (labels, unknown fields, a varint longer than nine
 * bytes, a byte out of place) goes to protobuf-c as before, and so do
 * all other messages. tests/fuzz/fuzz-decode checks every table against
 * protobuf-c's decoding of the whole profile.
 */
static int
short_varint(const unsigned char *d, size_t n, size_t *pos, uint64_t *v)
{
	size_t start = *pos;

	return read_varint(d, n, pos, v) == 0 && *pos - start <= 9 ? 0 : -1;
}

/*
 * Appends the varints of d[pos..end): location ids when vals is NULL,
 * else values. 0, 1 when they are not all short varints, -1 when memory
 * runs out.
 */
static int
packed_varints(struct walk *w, const unsigned char *d, size_t pos,
    size_t end, int64_t *vals)
{
	uint64_t v;

	while (pos < end) {
		if (short_varint(d, end, &pos, &v) != 0)
			return 1;
		if (vals != NULL)
			vals[w->nvalues++] = (int64_t)v;
		else if (put_id(w, v) != 0)
			return -1;
	}
	return 0;
}

/* 1: the sample is in the tables; 0: for protobuf-c; -1: out of memory. */
static int
add_sample_fast(struct walk *w, const unsigned char *d, size_t n)
{
	struct prof *p = w->p;
	struct prof_sample *s;
	size_t pos = 0, end, loc = w->nlocid, val = w->nvalues, nval;
	uint64_t tag, len;
	int rc;

	/* A sample has no more ids and values than bytes. */
	if (GROW(w, p->samples, cap_samples, p->nsample + 1) != 0 ||
	    reserve_ids(w, n) != 0 ||
	    GROW(w, p->values, cap_values, w->nvalues + n) != 0)
		return -1;
	while (pos < n) {
		if (short_varint(d, n, &pos, &tag) != 0)
			goto other;
		if (tag == (1 << 3 | 2) || tag == (2 << 3 | 2)) {
			if (short_varint(d, n, &pos, &len) != 0 ||
			    len > n - pos)
				goto other;
			end = pos + len;
		} else if (tag == (1 << 3 | 0) || tag == (2 << 3 | 0)) {
			/* One varint: the rest of its bytes follow. */
			end = pos;
			while (end < n && d[end] & 0x80)
				end++;
			if (end++ == n)
				goto other;
		} else
			goto other;
		rc = packed_varints(w, d, pos, end,
		    tag >> 3 == 2 ? p->values : NULL);
		if (rc < 0)
			return -1;
		if (rc > 0)
			goto other;
		pos = end;
	}
	nval = w->nvalues - val;
	if (w->nlocid - loc > UINT32_MAX || nval > UINT32_MAX)
		goto other;
	s = &p->samples[p->nsample++];
	s->loc = loc;
	s->nloc = (uint32_t)(w->nlocid - loc);
	s->label = w->nlabels;
	s->nlabel = 0;
	s->nvalue = (uint32_t)nval;
	return 1;
other:
	w->nlocid = loc;
	w->nvalues = val;
	return 0;
}

static int
add_mapping(struct walk *w, const PB_Mapping *m)
{
	struct prof *p = w->p;
	struct prof_mapping *pm;

	if (GROW(w, p->mappings, cap_mappings, p->nmapping + 1) != 0)
		return -1;
	pm = &p->mappings[p->nmapping++];
	pm->id = m->id;
	pm->memory_start = m->memory_start;
	pm->memory_limit = m->memory_limit;
	pm->file_offset = m->file_offset;
	pm->filename = m->filename;
	pm->build_id = m->build_id;
	return 0;
}

static int
add_location(struct walk *w, const PB_Location *m)
{
	struct prof *p = w->p;
	struct prof_location *l;
	size_t j;

	if (m->n_line > UINT32_MAX ||
	    GROW(w, p->locations, cap_locations, p->nlocation + 1) != 0 ||
	    GROW(w, p->lines, cap_lines, p->nlines + m->n_line) != 0)
		return -1;
	l = &p->locations[p->nlocation++];
	l->id = m->id;
	l->mapping_id = m->mapping_id;
	l->address = m->address;
	l->is_folded = m->is_folded;
	l->line = p->nlines;
	l->nline = (uint32_t)m->n_line;
	for (j = 0; j < m->n_line; j++) {
		p->lines[p->nlines].function_id = m->line[j]->function_id;
		p->lines[p->nlines].line = m->line[j]->line;
		p->nlines++;
	}
	return 0;
}

static int
add_function(struct walk *w, const PB_Function *m)
{
	struct prof *p = w->p;
	struct prof_function *f;

	if (GROW(w, p->functions, cap_functions, p->nfunction + 1) != 0)
		return -1;
	f = &p->functions[p->nfunction++];
	f->id = m->id;
	f->name = m->name;
	f->system_name = m->system_name;
	f->filename = m->filename;
	f->start_line = m->start_line;
	return 0;
}

/*
 * A string is kept as C sees it, up to its first NUL, in one blob sized
 * for the whole message: every string costs at least a byte of framing,
 * so the blob never moves and the pointers stay valid.
 */
static int
add_string(struct walk *w, const unsigned char *d, size_t n)
{
	struct prof *p = w->p;
	const unsigned char *nul = memchr(d, '\0', n);
	char *s = p->strblob + w->blob_len;

	if (GROW(w, p->str, cap_str, p->nstr + 1) != 0 ||
	    GROW(w, p->str_len, cap_strlen, p->nstr + 1) != 0)
		return -1;
	if (nul != NULL)
		n = (size_t)(nul - d);
	memcpy(s, d, n);
	s[n] = '\0';
	w->blob_len += n + 1;
	p->str[p->nstr] = s;
	p->str_len[p->nstr] = n;
	p->nstr++;
	return 0;
}

static int
add_comment(struct walk *w, uint64_t v)
{
	struct prof *p = w->p;

	if (GROW(w, p->comment, cap_comment, p->ncomment + 1) != 0)
		return -1;
	p->comment[p->ncomment++] = (int64_t)v;
	return 0;
}

/* The fields of Profile, by number, with the wire type each must have. */
enum {
	F_SAMPLE_TYPE = 1, F_SAMPLE, F_MAPPING, F_LOCATION, F_FUNCTION,
	F_STRING, F_DROP_FRAMES, F_KEEP_FRAMES, F_TIME, F_DURATION,
	F_PERIOD_TYPE, F_PERIOD, F_COMMENT, F_DEFAULT_TYPE, F_DOC_URL
};

static const char *const msg_name[] = {
	[F_SAMPLE_TYPE] = "sample_type", [F_SAMPLE] = "sample",
	[F_MAPPING] = "mapping", [F_LOCATION] = "location",
	[F_FUNCTION] = "function", [F_PERIOD_TYPE] = "period_type",
};

/* One length-delimited field: a message handed to protobuf-c, a string. */
static int
walk_bytes(struct walk *w, unsigned field, const unsigned char *base,
    size_t off, size_t n, size_t at)
{
	const unsigned char *d = base + off;
	ProtobufCAllocator *a = &w->alloc;
	void *m = NULL;
	int rc = 0;

	switch (field) {
	case F_STRING:
		return add_string(w, d, n) == 0 ? 0 : -1;
	case F_PERIOD_TYPE:
		if (GROW(w, w->period, cap_period, w->nperiod + 1) != 0)
			return -1;
		w->period[w->nperiod][0] = off;
		w->period[w->nperiod][1] = n;
		w->period[w->nperiod][2] = at;
		w->nperiod++;
		return 0;
	case F_SAMPLE_TYPE:
		if ((m = perftools__profiles__value_type__unpack(a, n, d)) != NULL)
			rc = add_type(w, m);
		break;
	case F_SAMPLE:
		if ((rc = add_sample_fast(w, d, n)) != 0)
			return rc > 0 ? 0 : -1;
		if ((m = perftools__profiles__sample__unpack(a, n, d)) != NULL)
			rc = add_sample(w, m);
		break;
	case F_MAPPING:
		if ((m = perftools__profiles__mapping__unpack(a, n, d)) != NULL)
			rc = add_mapping(w, m);
		break;
	case F_LOCATION:
		if ((m = perftools__profiles__location__unpack(a, n, d)) != NULL)
			rc = add_location(w, m);
		break;
	case F_FUNCTION:
		if ((m = perftools__profiles__function__unpack(a, n, d)) != NULL)
			rc = add_function(w, m);
		break;
	}
	if (scratch_reset(&w->sc) != 0)
		return -1;
	if (m == NULL) {
		errf(w->err, w->errlen, "malformed protobuf: bad %s message "
		    "at byte %zu", msg_name[field], at);
		return -2;
	}
	return rc;
}

/* Whether this walk takes the fields numbered field. */
static int
takes(const struct walk *w, unsigned field)
{
	if (w->strings == WALK_ALL)
		return 1;
	return (field == F_STRING) == (w->strings == WALK_STRINGS);
}

static int
walk_oom(struct walk *w)
{
	errf(w->err, w->errlen, "out of memory");
	return -1;
}

/* The comments of d[pos..end), packed; the field began at byte start. */
static int
packed_comments(struct walk *w, const unsigned char *d, size_t pos,
    size_t end, size_t start)
{
	uint64_t v;

	while (pos < end) {
		if (read_varint(d, end, &pos, &v) != 0) {
			errf(w->err, w->errlen, "malformed protobuf: bad "
			    "packed comment at byte %zu", start);
			return -1;
		}
		if (add_comment(w, v) != 0)
			return walk_oom(w);
	}
	return 0;
}

static int
walk_error_type(struct walk *w, unsigned field, unsigned wt, size_t at)
{
	errf(w->err, w->errlen, "malformed protobuf: field %u with wire "
	    "type %u at byte %zu", field, wt, at);
	return -1;
}

static void
set_scalar(struct prof *p, unsigned field, int64_t v)
{
	switch (field) {
	case F_DROP_FRAMES: p->drop_frames = v; break;
	case F_KEEP_FRAMES: p->keep_frames = v; break;
	case F_TIME: p->time_nanos = v; break;
	case F_DURATION: p->duration_nanos = v; break;
	case F_PERIOD: p->period = v; break;
	case F_DEFAULT_TYPE: p->default_sample_type = v; break;
	case F_DOC_URL: p->doc_url = v; break;
	}
}

static int
is_message(unsigned field)
{
	return (field >= F_SAMPLE_TYPE && field <= F_STRING) ||
	    field == F_PERIOD_TYPE;
}

/*
 * Walks the top level of the Profile message: each sample, location and
 * the like goes to protobuf-c alone and straight into the tables. A
 * truncated or foreign file gets a reason that names the byte where it
 * went wrong.
 *
 * The walk starts at *resume. While more bytes are to come (final is 0),
 * a field that runs past n is left for later: the walk returns 1 with
 * *resume at the field's first byte. It returns 0 when it has taken
 * every field, -1 on an error.
 */
static int
walk(struct walk *w, const unsigned char *d, size_t n, size_t *resume,
    int final)
{
	size_t pos = *resume, start = pos;
	uint64_t tag, v, len;
	unsigned field, wt;
	int rc;

	while (pos < n) {
		start = pos;
		*resume = start;
		if (read_varint(d, n, &pos, &tag) != 0)
			goto truncated;
		field = (unsigned)(tag >> 3 <= 536870911 ? tag >> 3 : 0);
		wt = (unsigned)(tag & 7);
		if (field == 0 || wt == 3 || wt == 4 || wt > 5) {
			if (start == 0) {
				describe_junk(d, n, w->err, w->errlen);
				return -1;
			}
			if (field == 0)
				errf(w->err, w->errlen, "malformed protobuf: "
				    "bad field number at byte %zu", start);
			else
				errf(w->err, w->errlen, "malformed protobuf: "
				    "wire type %u at byte %zu", wt, start);
			return -1;
		}
		if (wt == 0) {
			if (read_varint(d, n, &pos, &v) != 0)
				goto truncated;
			if (is_message(field))
				return walk_error_type(w, field, wt, start);
			if (!takes(w, field))
				continue;
			if (field == F_COMMENT) {
				if (add_comment(w, v) != 0)
					return walk_oom(w);
			} else
				set_scalar(w->p, field, (int64_t)v);
			continue;
		}
		if (wt == 1 || wt == 5) {
			size_t k = wt == 1 ? 8 : 4;

			if (n - pos < k)
				goto truncated;
			if (field <= F_DOC_URL)
				return walk_error_type(w, field, wt, start);
			pos += k;
			continue;
		}
		if (read_varint(d, n, &pos, &len) != 0)
			goto truncated;
		if (len > n - pos) {
			if (!final)
				return 1;
			errf(w->err, w->errlen, "truncated protobuf: field "
			    "%u at byte %zu needs %llu bytes, %zu remain", field,
			    start, (unsigned long long)len, n - pos);
			return -1;
		}
		if (is_message(field)) {
			if (takes(w, field) && (rc = walk_bytes(w, field, d,
			    pos, (size_t)len, start)) != 0)
				return rc == -1 ? walk_oom(w) : -1;
		} else if (field == F_COMMENT) {
			if (takes(w, field) && packed_comments(w, d, pos,
			    pos + (size_t)len, start) != 0)
				return -1;
		} else if (field <= F_DOC_URL)
			return walk_error_type(w, field, wt, start);
		pos += (size_t)len;
	}
	*resume = pos;
	return 0;
truncated:
	if (!final)
		return 1;
	if (start == 0 && pos >= n) {
		describe_junk(d, n, w->err, w->errlen);
		return -1;
	}
	errf(w->err, w->errlen, "truncated protobuf: field at byte %zu "
	    "runs past the end (%zu bytes)", start, n);
	return -1;
}

/*
 * A message field given twice is merged, which for protobuf is the same
 * as decoding its occurrences one after the other as one message.
 */
static int
walk_period(struct walk *w, const unsigned char *d)
{
	PB_ValueType *m;
	unsigned char *cat = NULL;
	size_t i, len = 0;

	if (w->nperiod == 0)
		return 0;
	if (w->nperiod == 1)
		m = perftools__profiles__value_type__unpack(&w->alloc,
		    w->period[0][1], d + w->period[0][0]);
	else {
		for (i = 0; i < w->nperiod; i++)
			len += w->period[i][1];
		if ((cat = malloc(len + 1)) == NULL) {
			errf(w->err, w->errlen, "out of memory");
			return -1;
		}
		for (len = 0, i = 0; i < w->nperiod; i++) {
			memcpy(cat + len, d + w->period[i][0], w->period[i][1]);
			len += w->period[i][1];
		}
		m = perftools__profiles__value_type__unpack(&w->alloc, len,
		    cat);
		free(cat);
	}
	if (m == NULL) {
		errf(w->err, w->errlen, "malformed protobuf: bad period_type "
		    "message at byte %zu", w->period[w->nperiod - 1][2]);
		return -1;
	}
	w->p->period_type = m->type;
	w->p->period_unit = m->unit;
	return 0;
}

const char *
prof_str(const struct prof *p, int64_t i)
{
	return i >= 0 && (size_t)i < p->nstr ? p->str[i] : "";
}

/* Fails unless string index i is in the table; what names the user. */
#define CHECK_STR(i, ...) do {						\
	if ((i) < 0 || (uint64_t)(i) >= p->nstr) {			\
		char what_[128];					\
		snprintf(what_, sizeof what_, __VA_ARGS__);		\
		errf(err, errlen, "string index %lld out of range "	\
		    "(table has %zu entries) in %s", (long long)(i),	\
		    p->nstr, what_);					\
		return -1;						\
	}								\
} while (0)

static int
check_strings(struct prof *p, char *err, size_t errlen)
{
	size_t i, j;

	for (i = 0; i < p->ntypes; i++) {
		CHECK_STR(p->types[i].type, "sample type %zu", i + 1);
		CHECK_STR(p->types[i].unit, "sample type %zu", i + 1);
	}
	for (i = 0; i < p->nsample; i++)
		for (j = 0; j < p->samples[i].nlabel; j++) {
			const struct prof_label *l =
			    &p->labels[p->samples[i].label + j];

			CHECK_STR(l->key, "a label of sample %zu", i + 1);
			CHECK_STR(l->str, "a label of sample %zu", i + 1);
			CHECK_STR(l->num_unit, "a label of sample %zu", i + 1);
		}
	for (i = 0; i < p->nmapping; i++) {
		CHECK_STR(p->mappings[i].filename, "mapping %llu",
		    (unsigned long long)p->mappings[i].id);
		CHECK_STR(p->mappings[i].build_id, "mapping %llu",
		    (unsigned long long)p->mappings[i].id);
	}
	for (i = 0; i < p->nfunction; i++) {
		const struct prof_function *f = &p->functions[i];

		CHECK_STR(f->name, "function %llu", (unsigned long long)f->id);
		CHECK_STR(f->system_name, "function %llu",
		    (unsigned long long)f->id);
		CHECK_STR(f->filename, "function %llu",
		    (unsigned long long)f->id);
	}
	for (i = 0; i < p->ncomment; i++)
		CHECK_STR(p->comment[i], "comment %zu", i + 1);
	CHECK_STR(p->drop_frames, "drop_frames");
	CHECK_STR(p->keep_frames, "keep_frames");
	CHECK_STR(p->default_sample_type, "default_sample_type");
	CHECK_STR(p->doc_url, "doc_url");
	CHECK_STR(p->period_type, "period_type");
	CHECK_STR(p->period_unit, "period_type");
	return 0;
}

static void
basename_of(const char *path, const char **base, size_t *n)
{
	const char *slash = strrchr(path, '/');

	*base = slash != NULL ? slash + 1 : path;
	*n = strlen(*base);
}

/*
 * The frame text and the key of each location are made the first time a
 * sample needs them: the first row goes out sooner, and the rest of the
 * work is done while the reader downstream is still busy with earlier
 * rows. prepare_frames settles beforehand all that could fail: every
 * line's function is found, and the memory for all of it is taken.
 */
struct prof_frames {
	struct sbuf text;	/* room reserved for every location's frames */
	struct sbuf tmp;	/* an unnamed frame, before it is escaped */
	size_t *off;		/* per location: its frames in text, or SIZE_MAX */
	size_t *len;
	uint64_t *key;
	uint32_t *linefn;	/* per line: its function's index */
	long *locmap;		/* per location: its mapping's index, or -1 */
	uint64_t *fkey;		/* per function: function_key, once fdone */
	unsigned char *fdone;
	uint64_t *strhash;	/* per string: htab_hash, once strdone */
	unsigned char *strdone;
};

static void
frames_free(struct prof_frames *fr)
{
	if (fr == NULL)
		return;
	sbuf_free(&fr->text);
	sbuf_free(&fr->tmp);
	free(fr->off);
	free(fr->len);
	free(fr->key);
	free(fr->linefn);
	free(fr->locmap);
	free(fr->fkey);
	free(fr->fdone);
	free(fr->strhash);
	free(fr->strdone);
	free(fr);
}

/*
 * Appends the name pprof prints for a frame without a function name: the
 * mapping's file in brackets, or <unknown>.
 */
static void
unnamed_frame(const struct prof *p, const struct prof_mapping *m,
    int inlined)
{
	struct prof_frames *fr = p->frames;
	const char *file = m != NULL ? prof_str(p, m->filename) : "";
	const char *base;
	size_t n;

	if (*file == '\0') {
		esc_frame(&fr->text, "<unknown>", 9, inlined);
		return;
	}
	basename_of(file, &base, &n);
	sbuf_reset(&fr->tmp);
	sbuf_putc(&fr->tmp, '[');
	sbuf_put(&fr->tmp, base, n);
	sbuf_putc(&fr->tmp, ']');
	esc_frame(&fr->text, fr->tmp.s, fr->tmp.len, inlined);
}

/*
 * pprof merges two samples when their labels match and their locations
 * are the same by its location key: the address relative to the mapping,
 * the mapping (by rounded size, offset, and build id or file), the folded
 * flag, and each line's function (name, system name, file, start line)
 * and line number. Stack text keeps only function names, so the decoder
 * hashes that key into each row's site column; rows with equal labels,
 * site and stack are one sample to pprof, within a profile and across
 * profiles of the same binary.
 */
static uint64_t
mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

/* String i, checked to be in the table; hashed once however often named. */
static uint64_t
mix_str(const struct prof *p, uint64_t h, int64_t i)
{
	struct prof_frames *fr = p->frames;
	size_t n = p->str_len[i];

	if (!fr->strdone[i]) {
		fr->strhash[i] = htab_hash(p->str[i], n);
		fr->strdone[i] = 1;
	}
	return mix(mix(h, n), fr->strhash[i]);
}

static uint64_t
mapping_key(const struct prof *p, const struct prof_mapping *m)
{
	uint64_t size = m->memory_limit - m->memory_start;
	int64_t id = m->build_id;

	size = size + 0x1000 - 1;
	size -= size % 0x1000;
	if (*prof_str(p, id) == '\0')
		id = m->filename;
	return mix_str(p, mix(mix(1, size), m->file_offset), id);
}

static uint64_t
function_key(const struct prof *p, uint32_t fi)
{
	struct prof_frames *fr = p->frames;
	const struct prof_function *f = &p->functions[fi];
	uint64_t h;

	if (fr->fdone[fi])
		return fr->fkey[fi];
	h = mix(2, (uint64_t)f->start_line);
	h = mix_str(p, h, f->name);
	h = mix_str(p, h, f->system_name);
	fr->fkey[fi] = mix_str(p, h, f->filename);
	fr->fdone[fi] = 1;
	return fr->fkey[fi];
}

static uint64_t
location_key(const struct prof *p, const struct prof_location *l,
    const struct prof_mapping *m)
{
	const uint32_t *fi = p->frames->linefn + l->line;
	uint64_t h = mix(3, (uint64_t)l->is_folded);
	size_t j;

	if (m != NULL)
		h = mix(mix(h, l->address - m->memory_start),
		    mapping_key(p, m));
	else
		h = mix(mix(h, l->address), 0);
	for (j = 0; j < l->nline; j++) {
		h = mix(h, function_key(p, fi[j]));
		h = mix(h, (uint64_t)p->lines[l->line + j].line);
	}
	return mix(h, l->nline);
}

/* Makes location li's escaped, root-first frame text and its key. */
static void
make_location(const struct prof *p, size_t li)
{
	struct prof_frames *fr = p->frames;
	const struct prof_location *l = &p->locations[li];
	const struct prof_mapping *m =
	    fr->locmap[li] >= 0 ? &p->mappings[fr->locmap[li]] : NULL;
	size_t j, start = fr->text.len;

	if (l->nline == 0)
		unnamed_frame(p, m, 0);
	/* Lines are innermost first; the stream wants root first. */
	for (j = l->nline; j-- > 0;) {
		const struct prof_function *f =
		    &p->functions[fr->linefn[l->line + j]];
		int inl = j + 1 < l->nline;

		if (inl)
			sbuf_putc(&fr->text, ';');
		if (p->str_len[f->name] == 0)
			unnamed_frame(p, m, inl);
		else
			esc_frame(&fr->text, p->str[f->name],
			    p->str_len[f->name], inl);
	}
	fr->off[li] = start;
	fr->len[li] = fr->text.len - start;
	fr->key[li] = location_key(p, l, m);
}

static const char *
location_frames(const struct prof *p, size_t li, size_t *len)
{
	struct prof_frames *fr = p->frames;

	if (fr->off[li] == SIZE_MAX)
		make_location(p, li);
	*len = fr->len[li];
	return fr->text.s + fr->off[li];
}

static uint64_t
location_key_of(const struct prof *p, size_t li)
{
	if (p->frames->off[li] == SIZE_MAX)
		make_location(p, li);
	return p->frames->key[li];
}

/* a + b, or SIZE_MAX when it does not fit. */
static size_t
add_size(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/*
 * An escaped frame takes at most two bytes a byte, the inline mark and a
 * separator; an unnamed one, the brackets or "<unknown>" besides.
 */
static size_t
frame_room(size_t name, size_t file)
{
	return add_size(add_size(name, file), add_size(name, file + 16));
}

/*
 * Finds every line's function, in the order the frames used to be made
 * (so the first error is the one it always was), and takes the memory
 * that making every location will need.
 */
static int
prepare_frames(struct prof *p, const struct idmap *maps,
    const struct idmap *funcs, char *err, size_t errlen)
{
	struct prof_frames *fr;
	size_t i, j, room = 1, maxfile = 0;

	if ((fr = calloc(1, sizeof *fr)) == NULL)
		goto oom;
	p->frames = fr;
	fr->off = malloc((p->nlocation + 1) * sizeof *fr->off);
	fr->len = malloc((p->nlocation + 1) * sizeof *fr->len);
	fr->key = malloc((p->nlocation + 1) * sizeof *fr->key);
	fr->locmap = malloc((p->nlocation + 1) * sizeof *fr->locmap);
	fr->linefn = malloc((p->nlines + 1) * sizeof *fr->linefn);
	fr->fkey = malloc((p->nfunction + 1) * sizeof *fr->fkey);
	fr->fdone = calloc(p->nfunction + 1, 1);
	fr->strhash = malloc((p->nstr + 1) * sizeof *fr->strhash);
	fr->strdone = calloc(p->nstr + 1, 1);
	if (fr->off == NULL || fr->len == NULL || fr->key == NULL ||
	    fr->locmap == NULL || fr->linefn == NULL || fr->fkey == NULL ||
	    fr->fdone == NULL || fr->strhash == NULL || fr->strdone == NULL)
		goto oom;
	for (i = 0; i < p->nlocation; i++) {
		const struct prof_location *l = &p->locations[i];
		long mi = idmap_get(maps, l->mapping_id);
		size_t file = mi >= 0 ?
		    p->str_len[p->mappings[mi].filename] : 0;

		fr->off[i] = SIZE_MAX;
		fr->locmap[i] = mi;
		if (file > maxfile)
			maxfile = file;
		if (l->nline == 0)
			room = add_size(room, frame_room(0, file));
		for (j = l->nline; j-- > 0;) {
			const struct prof_line *ln = &p->lines[l->line + j];
			long fi;

			if (ln->function_id == 0) {
				errf(err, errlen, "location %llu has a line "
				    "without a function",
				    (unsigned long long)l->id);
				return -1;
			}
			if ((fi = idmap_get(funcs, ln->function_id)) < 0) {
				errf(err, errlen, "location %llu refers to "
				    "missing function %llu",
				    (unsigned long long)l->id,
				    (unsigned long long)ln->function_id);
				return -1;
			}
			fr->linefn[l->line + j] = (uint32_t)fi;
			room = add_size(room, frame_room(
			    p->str_len[p->functions[fi].name], file));
		}
	}
	if (room > SIZE_MAX / 4 || sbuf_grow(&fr->text, room) != 0 ||
	    sbuf_grow(&fr->tmp, add_size(maxfile, 3)) != 0)
		goto oom;
	return 0;
oom:
	errf(err, errlen, "out of memory");
	return -1;
}

/*
 * Checks every sample's values and locations. The location ids become
 * indices in place; ids of 64 bits too: index k (4 bytes) is written only
 * after id k (8 bytes at twice the offset) has been read.
 */
static int
resolve_samples(struct prof *p, struct walk *w, const struct idmap *locs,
    char *err, size_t errlen)
{
	uint32_t *ix = w->wideid != NULL ? (uint32_t *)(void *)w->wideid :
	    w->locid;
	size_t i, j;

	if (p->nsample > 0 && p->ntypes == 0) {
		errf(err, errlen, "samples but no sample types");
		return -1;
	}
	for (i = 0; i < p->nsample; i++) {
		const struct prof_sample *s = &p->samples[i];

		if (s->nvalue != p->ntypes) {
			errf(err, errlen, "sample %zu has %zu values for %zu "
			    "sample types", i + 1, (size_t)s->nvalue,
			    p->ntypes);
			return -1;
		}
		for (j = s->loc; j < s->loc + s->nloc; j++) {
			uint64_t id = w->wideid != NULL ? w->wideid[j] :
			    w->locid[j];
			long li = idmap_get(locs, id);

			if (li < 0) {
				errf(err, errlen, "sample %zu refers to "
				    "missing location %llu", i + 1,
				    (unsigned long long)id);
				return -1;
			}
			ix[j] = (uint32_t)li;
		}
	}
	p->locidx = ix;
	w->locid = NULL;	/* p->locidx now */
	w->wideid = NULL;
	return 0;
}

/* The ids of one table; base points at its first element's id. */
static int
build_idmap(struct idmap *m, const void *base, size_t n, size_t stride,
    const char *what, char *err, size_t errlen)
{
	uint64_t *ids, bad = 0;
	size_t i;
	int rc;

	if ((ids = malloc((n + 1) * sizeof *ids)) == NULL) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		memcpy(&ids[i], (const char *)base + i * stride, sizeof ids[i]);
	rc = idmap_build(m, ids, n, &bad);
	free(ids);
	if (rc == 1)
		errf(err, errlen, "%s with the reserved id 0", what);
	else if (rc == 2)
		errf(err, errlen, "two %ss with id %llu", what,
		    (unsigned long long)bad);
	else if (rc < 0)
		errf(err, errlen, "out of memory");
	return rc == 0 ? 0 : -1;
}

static int
resolve(struct prof *p, struct walk *w, char *err, size_t errlen)
{
	struct idmap maps, funcs, locs;
	int rc = -1;

	memset(&maps, 0, sizeof maps);
	memset(&funcs, 0, sizeof funcs);
	memset(&locs, 0, sizeof locs);
	if (check_strings(p, err, errlen) != 0)
		return -1;
	if (build_idmap(&maps, p->mappings, p->nmapping, sizeof *p->mappings,
	    "mapping", err, errlen) != 0 ||
	    build_idmap(&funcs, p->functions, p->nfunction,
	    sizeof *p->functions, "function", err, errlen) != 0 ||
	    build_idmap(&locs, p->locations, p->nlocation,
	    sizeof *p->locations, "location", err, errlen) != 0)
		goto out;
	if (prepare_frames(p, &maps, &funcs, err, errlen) != 0 ||
	    resolve_samples(p, w, &locs, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	idmap_free(&maps);
	idmap_free(&funcs);
	idmap_free(&locs);
	return rc;
}

/* Readies w to walk a message of at most n bytes into p. */
static int
decode_begin(struct walk *w, struct prof *p, size_t n, char *err,
    size_t errlen)
{
	memset(w, 0, sizeof *w);
	w->p = p;
	w->err = err;
	w->errlen = errlen;
	w->alloc.alloc = scratch_alloc;
	w->alloc.free = scratch_free;
	w->alloc.allocator_data = &w->sc;
	if (scratch_reset(&w->sc) != 0 ||
	    (p->strblob = malloc(n + 1)) == NULL) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* After the walk of the whole message d: what needs every table. */
static int
decode_end(struct walk *w, const unsigned char *d)
{
	if (walk_period(w, d) != 0 ||
	    resolve(w->p, w, w->err, w->errlen) != 0)
		return -1;
	return 0;
}

static void
decode_release(struct walk *w)
{
	free(w->locid);
	free(w->wideid);
	free(w->period);
	scratch_release(&w->sc);
}

/* Decodes and resolves the raw message d of n bytes into p. */
static int
decode(struct prof *p, const unsigned char *d, size_t n, char *err,
    size_t errlen)
{
	struct walk w;
	size_t pos = 0;
	int rc = -1;

	if (decode_begin(&w, p, n, err, errlen) == 0 &&
	    walk(&w, d, n, &pos, 1) == 0 && decode_end(&w, d) == 0)
		rc = 0;
	decode_release(&w);
	return rc;
}

/*
 * A large gzip profile is inflated by a second thread while this one
 * walks what is already out: zlib and the walk are the two largest costs
 * of a load, and on two cores they take about as long together as the
 * walk alone. The inflating thread, done first, then reads the string
 * table, which this walk leaves to it: the strings are their own tables,
 * written by no one else. Only the common case goes this way: a gzip
 * trailer that gives the right size, and a profile that decodes without
 * error. Anything else is loaded again from the start, one step after
 * the other, so that every error is worded as the serial path words it.
 */
#define PARALLEL_MIN (256 * 1024)	/* smaller: a thread costs more */
#define INFLATE_STEP (64 * 1024)	/* output published at a time */

enum { INFLATING, INFLATED, INFLATE_STOPPED };

struct inflater {
	pthread_t thread;
	const unsigned char *in;
	size_t inlen;
	unsigned char *buf;
	size_t cap;
	atomic_size_t avail;	/* bytes of buf the walk may read */
	atomic_int state;
	atomic_int quit;	/* the walk has given up */
	struct walk *strings;	/* the walk of the string table */
	int strings_rc;
	atomic_int strings_done;
};

/* The gzip loop of gunzip, without growing: a full buffer stops it. */
static void *
inflate_thread(void *arg)
{
	struct inflater *f = arg;
	z_stream z;
	int rc, state = INFLATE_STOPPED;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		atomic_store_explicit(&f->state, state, memory_order_release);
		atomic_store_explicit(&f->strings_done, 1,
		    memory_order_release);
		return NULL;
	}
	z.next_in = (unsigned char *)f->in;
	z.avail_in = (uInt)f->inlen;
	z.next_out = f->buf;
	while (!atomic_load_explicit(&f->quit, memory_order_relaxed)) {
		size_t room = f->cap - (size_t)(z.next_out - f->buf);

		if (room == 0)
			break;
		z.avail_out = (uInt)(room < INFLATE_STEP ? room : INFLATE_STEP);
		rc = inflate(&z, Z_NO_FLUSH);
		atomic_store_explicit(&f->avail, (size_t)(z.next_out - f->buf),
		    memory_order_release);
		if (rc == Z_OK)
			continue;
		if (rc != Z_STREAM_END)
			break;
		if (z.avail_in == 0) {
			state = INFLATED;
			break;
		}
		if (z.avail_in < 2 || z.next_in[0] != 0x1f ||
		    z.next_in[1] != 0x8b)
			break;
		inflateReset(&z);
	}
	inflateEnd(&z);
	atomic_store_explicit(&f->state, state, memory_order_release);
	if (state == INFLATED) {
		size_t pos = 0;

		f->strings_rc = walk(f->strings, f->buf,
		    (size_t)(z.next_out - f->buf), &pos, 1);
	}
	atomic_store_explicit(&f->strings_done, 1, memory_order_release);
	return NULL;
}

/* Waits for the inflater to publish more than avail bytes, or to stop. */
static void
await_output(struct inflater *f, size_t avail)
{
	unsigned spins = 0;

	while (atomic_load_explicit(&f->avail, memory_order_acquire) == avail &&
	    atomic_load_explicit(&f->state, memory_order_acquire) == INFLATING)
		if (++spins % 64 == 0)
			sched_yield();
}

/* Waits for the string table's walk; its result. */
static int
await_strings(struct inflater *f)
{
	unsigned spins = 0;

	while (!atomic_load_explicit(&f->strings_done, memory_order_acquire))
		if (++spins % 64 == 0)
			sched_yield();
	return f->strings_rc;
}

/* This thread's walk, beside the inflater's; 0, or -1 to load serially. */
static int
walk_beside(struct walk *w, struct inflater *f, size_t max_size)
{
	size_t pos = 0, avail;
	int state;

	for (;;) {
		state = atomic_load_explicit(&f->state, memory_order_acquire);
		avail = atomic_load_explicit(&f->avail, memory_order_acquire);
		if (state == INFLATE_STOPPED ||
		    (state == INFLATED && (avail == 0 || avail > max_size)))
			return -1;
		if (pos == 0 && avail < 64 && state == INFLATING) {
			await_output(f, avail);
			continue;
		}
		if (pos == 0 && looks_like_text(f->buf, avail))
			return -1;
		if (walk(w, f->buf, avail, &pos, state == INFLATED) < 0)
			return -1;
		if (state == INFLATED)
			return await_strings(f) == 0 ? 0 : -1;
		await_output(f, avail);
	}
}

/* Decodes beside the inflater: 0 and *out, or -1 to load serially. */
static int
load_parallel(struct prof **out, struct inflater *f, size_t max_size,
    char *err, size_t errlen)
{
	struct prof *p;
	struct walk w, sw;
	char swerr[256];
	int rc = -1;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return -1;
	if (decode_begin(&w, p, f->cap, err, errlen) != 0) {
		decode_release(&w);
		prof_free(p);
		return -1;
	}
	memset(&sw, 0, sizeof sw);
	sw.p = p;
	sw.err = swerr;
	sw.errlen = sizeof swerr;
	sw.strings = WALK_STRINGS;
	w.strings = WALK_NO_STRINGS;
	f->strings = &sw;
	if (pthread_create(&f->thread, NULL, inflate_thread, f) == 0) {
		rc = walk_beside(&w, f, max_size);
		atomic_store_explicit(&f->quit, 1, memory_order_relaxed);
		pthread_join(f->thread, NULL);
	}
	if (rc == 0)
		rc = decode_end(&w, f->buf);
	decode_release(&w);
	decode_release(&sw);
	if (rc != 0) {
		prof_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

/* 0 and *out, or -1 when the profile is to be loaded serially. */
static int
try_parallel(struct prof **out, const unsigned char *in, size_t inlen,
    size_t max_size, char *err, size_t errlen)
{
	struct inflater f;
	size_t hint;
	int rc;

	hint = (size_t)in[inlen - 4] | (size_t)in[inlen - 3] << 8 |
	    (size_t)in[inlen - 2] << 16 | (size_t)in[inlen - 1] << 24;
	if (hint < PARALLEL_MIN || hint > max_size || inlen > UINT_MAX)
		return -1;
	memset(&f, 0, sizeof f);
	f.in = in;
	f.inlen = inlen;
	f.cap = hint + 1;
	if ((f.buf = malloc(f.cap)) == NULL)
		return -1;
	atomic_init(&f.avail, 0);
	atomic_init(&f.state, INFLATING);
	atomic_init(&f.quit, 0);
	atomic_init(&f.strings_done, 0);
	rc = load_parallel(out, &f, max_size, err, errlen);
	free(f.buf);
	return rc;
}

int
prof_load(struct prof **out, const unsigned char *data, size_t len,
    size_t max_size, char *err, size_t errlen)
{
	unsigned char *raw = NULL;
	struct prof *p;
	int rc;

	*out = NULL;
	if (len == 0) {
		errf(err, errlen, "empty file");
		return -1;
	}
	if (len >= 18 && data[0] == 0x1f && data[1] == 0x8b &&
	    try_parallel(out, data, len, max_size, err, errlen) == 0)
		return 0;
	if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		if (gunzip(data, len, max_size, &raw, &len, err, errlen) != 0)
			return -1;
		data = raw;
		if (len == 0) {
			free(raw);
			errf(err, errlen, "empty profile inside gzip");
			return -1;
		}
	} else if (len > max_size) {
		errf(err, errlen, "larger than %zu bytes (see --max-size)",
		    max_size);
		return -1;
	}
	if (looks_like_text(data, len)) {
		describe_junk(data, len, err, errlen);
		if (raw != NULL)
			gzip_junk(err, errlen);
		free(raw);
		return -1;
	}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		free(raw);
		errf(err, errlen, "out of memory");
		return -1;
	}
	rc = decode(p, data, len, err, errlen);
	if (rc != 0 && raw != NULL)
		gzip_junk(err, errlen);
	free(raw);
	if (rc != 0) {
		prof_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void
prof_free(struct prof *p)
{
	if (p == NULL)
		return;
	free(p->comment);
	free(p->types);
	free(p->samples);
	free(p->values);
	free(p->locidx);
	free(p->labels);
	free(p->mappings);
	free(p->locations);
	free(p->lines);
	free(p->functions);
	free(p->str);
	free(p->str_len);
	free(p->strblob);
	frames_free(p->frames);
	free(p);
}

size_t
prof_ntypes(const struct prof *p)
{
	return p->ntypes;
}

const char *
prof_type(const struct prof *p, size_t i)
{
	return prof_str(p, p->types[i].type);
}

const char *
prof_unit(const struct prof *p, size_t i)
{
	return prof_str(p, p->types[i].unit);
}

int
prof_type_index(const struct prof *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->ntypes; i++)
		if (strcmp(prof_type(p, i), name) == 0)
			return (int)i;
	return -1;
}

int
prof_default_type(const struct prof *p)
{
	const char *def = prof_str(p, p->default_sample_type);
	int i;

	if (*def != '\0' && (i = prof_type_index(p, def)) >= 0)
		return i;
	return (int)p->ntypes - 1;
}

void
prof_stack(const struct prof *p, size_t i, struct sbuf *b)
{
	const struct prof_sample *s = &p->samples[i];
	const uint32_t *ix = p->locidx + s->loc;
	const char *f;
	size_t j, n;

	for (j = s->nloc; j-- > 0;) {
		f = location_frames(p, ix[j], &n);
		sbuf_put(b, f, n);
		if (j > 0)
			sbuf_putc(b, ';');
	}
}

void
prof_write_stack(const struct prof *p, size_t i, struct obuf *ob)
{
	const struct prof_sample *s = &p->samples[i];
	const uint32_t *ix = p->locidx + s->loc;
	const char *f;
	size_t j, n;

	for (j = s->nloc; j-- > 0;) {
		f = location_frames(p, ix[j], &n);
		obuf_put(ob, f, n);
		if (j > 0)
			obuf_putc(ob, ';');
	}
}

/*
 * Labels are a map to pprof: write them in one canonical order (string
 * labels, then numeric, each by key; values of a key in file order) so
 * that equal label sets are equal text. A sample may carry millions of
 * labels, so they are sorted with qsort, file order breaking ties.
 */
struct label_ref {
	const struct prof_label *l;
	const char *key;
	size_t pos;
};

static int
cmp_label(const void *a, const void *b)
{
	const struct label_ref *x = a, *y = b;
	int nx = x->l->str == 0, ny = y->l->str == 0, c;

	if (nx != ny)
		return nx - ny;
	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

void
prof_labels(const struct prof *p, size_t i, struct sbuf *b)
{
	const struct prof_sample *s = &p->samples[i];
	const struct prof_label *all;
	struct label_ref sorted[64], *ls = sorted;
	size_t j, n = 0;

	if (s->nlabel == 0)
		return;		/* labels may be NULL: no sample had one */
	all = p->labels + s->label;
	if (s->nlabel > sizeof sorted / sizeof sorted[0] &&
	    (ls = malloc(s->nlabel * sizeof *ls)) == NULL) {
		b->oom = 1;
		return;
	}
	for (j = 0; j < s->nlabel; j++) {
		const struct prof_label *l = &all[j];

		/* pprof drops a label with neither a string nor a number. */
		if (l->str == 0 && l->num == 0 && l->num_unit == 0)
			continue;
		ls[n].l = l;
		ls[n].key = prof_str(p, l->key);
		ls[n].pos = j;
		n++;
	}
	qsort(ls, n, sizeof *ls, cmp_label);
	for (j = 0; j < n; j++) {
		const struct prof_label *l = ls[j].l;

		if (j > 0)
			sbuf_putc(b, ',');
		esc_label(b, prof_str(p, l->key));
		if (l->str != 0) {
			sbuf_putc(b, '=');
			esc_label(b, prof_str(p, l->str));
			continue;
		}
		sbuf_putc(b, ':');
		sbuf_i64(b, l->num);
		if (l->num_unit != 0) {
			sbuf_putc(b, ':');
			esc_label(b, prof_str(p, l->num_unit));
		}
	}
	if (ls != sorted)
		free(ls);
}

const char *
prof_main_file(const struct prof *p)
{
	return p->nmapping > 0 ? prof_str(p, p->mappings[0].filename) : "";
}

const char *
prof_main_build_id(const struct prof *p)
{
	return p->nmapping > 0 ? prof_str(p, p->mappings[0].build_id) : "";
}

uint64_t
prof_site(const struct prof *p, size_t i)
{
	const struct prof_sample *s = &p->samples[i];
	const uint32_t *ix = p->locidx + s->loc;
	uint64_t h = mix(4, s->nloc);
	size_t j;

	for (j = 0; j < s->nloc; j++)
		h = mix(h, location_key_of(p, ix[j]));
	return h;
}
