/*
 * prof_walk - the walk of a Profile message into prof's tables.
 *
 * The top level of the message is read here by hand (wire.h): its
 * scalars, the string table, the comments, and the framing of every
 * message, so that an error names the byte where it is. Of the messages,
 * a sample of location ids and values alone (what Go writes: most of a
 * CPU profile) is read by hand as well, measured to halve the walk; a
 * sample with labels or anything else, and every sample_type, mapping,
 * location, function and period_type, goes to the protobuf-c code
 * generated from profile.proto, one message at a time, and is copied
 * into the tables at once. tests/fuzz/fuzz-decode checks every table
 * against protobuf-c's decoding of the whole profile.
 *
 * The walk may take the string table alone, or all but it, so that
 * prof.c can walk both halves at once (see prof_impl.h for the calls).
 */
#include "prof_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "grow.h"
#include "wire.h"

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
 *
 * packed_varints appends the varints of d[pos..end): location ids when
 * vals is NULL, else values. 0, 1 when they are not all short varints,
 * -1 when memory runs out.
 */
static int
packed_varints(struct walk *w, const unsigned char *d, size_t pos,
    size_t end, int64_t *vals)
{
	uint64_t v;

	while (pos < end) {
		if (wire_short_varint(d, end, &pos, &v) != 0)
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
		if (wire_short_varint(d, n, &pos, &tag) != 0)
			goto other;
		if (tag == (1 << 3 | 2) || tag == (2 << 3 | 2)) {
			if (wire_short_varint(d, n, &pos, &len) != 0 ||
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
		if (wire_varint(d, end, &pos, &v) != 0) {
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
 * went wrong. See prof_impl.h for *resume and final.
 */
int
prof_walk(struct walk *w, const unsigned char *d, size_t n, size_t *resume,
    int final)
{
	size_t pos = *resume, start = pos;
	struct wire_field f;
	int rc;

	while (pos < n) {
		start = pos;
		*resume = start;
		switch ((rc = wire_field(d, n, &pos, &f))) {
		case WIRE_OK:
			break;
		case WIRE_SHORT:
			goto truncated;
		case WIRE_PAST_END:
			if (!final)
				return 1;
			return errf(w->err, w->errlen, "truncated protobuf: "
			    "field %u at byte %zu needs %llu bytes, %zu remain",
			    f.num, start, (unsigned long long)f.v, n - f.off);
		default:
			if (start == 0)
				prof_junk(d, n, w->err, w->errlen);
			else if (rc == WIRE_BAD_NUMBER)
				errf(w->err, w->errlen, "malformed protobuf: "
				    "bad field number at byte %zu", start);
			else
				errf(w->err, w->errlen, "malformed protobuf: "
				    "wire type %u at byte %zu", f.type, start);
			return -1;
		}
		if (f.type == WIRE_VARINT) {
			if (is_message(f.num))
				return walk_error_type(w, f.num, f.type, start);
			if (!takes(w, f.num))
				continue;
			if (f.num == F_COMMENT) {
				if (add_comment(w, f.v) != 0)
					return walk_oom(w);
			} else
				set_scalar(w->p, f.num, (int64_t)f.v);
		} else if (f.type != WIRE_LEN) {
			if (f.num <= F_DOC_URL)
				return walk_error_type(w, f.num, f.type, start);
		} else if (is_message(f.num)) {
			if (takes(w, f.num) && (rc = walk_bytes(w, f.num, d,
			    f.off, (size_t)f.v, start)) != 0)
				return rc == -1 ? walk_oom(w) : -1;
		} else if (f.num == F_COMMENT) {
			if (takes(w, f.num) && packed_comments(w, d, f.off,
			    f.off + (size_t)f.v, start) != 0)
				return -1;
		} else if (f.num <= F_DOC_URL)
			return walk_error_type(w, f.num, f.type, start);
	}
	*resume = pos;
	return 0;
truncated:
	if (!final)
		return 1;
	if (start == 0 && pos >= n) {
		prof_junk(d, n, w->err, w->errlen);
		return -1;
	}
	return errf(w->err, w->errlen, "truncated protobuf: field at byte %zu "
	    "runs past the end (%zu bytes)", start, n);
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

int
prof_walk_begin(struct walk *w, struct prof *p, size_t n, char *err,
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

int
prof_walk_end(struct walk *w, const unsigned char *d)
{
	if (walk_period(w, d) != 0 ||
	    prof_check(w->p, w, w->err, w->errlen) != 0)
		return -1;
	return 0;
}

void
prof_walk_release(struct walk *w)
{
	free(w->locid);
	free(w->wideid);
	free(w->period);
	scratch_release(&w->sc);
}
