/* prof - see prof.h. */
#include "prof.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "esc.h"
#include "htab.h"

typedef Perftools__Profiles__Profile PB_Profile;
typedef Perftools__Profiles__Sample PB_Sample;
typedef Perftools__Profiles__Location PB_Location;
typedef Perftools__Profiles__Function PB_Function;
typedef Perftools__Profiles__Mapping PB_Mapping;
typedef Perftools__Profiles__Label PB_Label;

/*
 * protobuf-c allocates every message separately; a profile has hundreds of
 * thousands of them. A bump arena makes decoding cheaper and freeing a
 * single walk over a few chunks.
 */
struct prof_arena {
	struct prof_arena *next;
	size_t used, cap;
	max_align_t data[];
};

#define ARENA_CHUNK ((size_t)1 << 20)

static void *
arena_alloc(void *ctx, size_t n)
{
	struct prof_arena **head = ctx, *a = *head;
	size_t align = sizeof(max_align_t);
	void *p;

	n = (n + align - 1) / align * align;
	if (a == NULL || a->cap - a->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		a = malloc(sizeof *a + cap);
		if (a == NULL)
			return NULL;
		a->cap = cap;
		a->used = 0;
		a->next = *head;
		*head = a;
	}
	p = (char *)a->data + a->used;
	a->used += n;
	return p;
}

static void
arena_free_one(void *ctx, void *p)
{
	(void)ctx;
	(void)p;
}

static void
arena_release(struct prof_arena *a)
{
	while (a != NULL) {
		struct prof_arena *next = a->next;

		free(a);
		a = next;
	}
}

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
prof_read_all(int fd, size_t max, unsigned char **out, size_t *outlen,
    char *err, size_t errlen)
{
	unsigned char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;
	struct stat st;

	/* A regular file is read into one buffer of its size. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size <= max) {
		cap = (size_t)st.st_size + 65536;
		if ((buf = malloc(cap)) == NULL) {
			seterr(err, errlen, "out of memory");
			return -1;
		}
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 262144;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				seterr(err, errlen, "out of memory");
				return -1;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			seterr(err, errlen, "%s", strerror(errno));
			free(buf);
			return -1;
		}
		len += (size_t)n;
		if (len > max) {
			seterr(err, errlen, "larger than %zu bytes "
			    "(see --max-size)", max);
			free(buf);
			return -1;
		}
	}
	*out = buf;
	*outlen = len;
	return 0;
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
		seterr(err, errlen, "out of memory");
		return -1;
	}
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		seterr(err, errlen, "gzip: cannot initialise zlib");
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
				seterr(err, errlen, "gzip: %u bytes of garbage "
				    "after the compressed stream", z.avail_in);
				goto fail;
			}
			inflateReset(&z);
			continue;
		}
		if (rc == Z_OK && z.avail_out > 0)
			continue;
		if (rc == Z_BUF_ERROR && z.avail_in == 0) {
			seterr(err, errlen, "truncated gzip stream");
			goto fail;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			seterr(err, errlen, "corrupt gzip stream: %s",
			    z.msg ? z.msg : "inflate failed");
			goto fail;
		}
		/* The output is full. */
		if (z.total_out > max || cap > max) {
			seterr(err, errlen, "decompressed size exceeds %zu "
			    "bytes (see --max-size)", max);
			goto fail;
		}
		{
			size_t used = (size_t)(z.next_out - buf);
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;

			if ((nb = realloc(buf, ncap)) == NULL) {
				seterr(err, errlen, "out of memory");
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
		seterr(err, errlen, "decompressed size exceeds %zu bytes "
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
		seterr(err, errlen, "not a profile: looks like an HTML or "
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
		seterr(err, errlen, "not a profile: starts with text \"%s\"",
		    shown);
	else
		seterr(err, errlen, "not a profile: neither gzip nor a pprof "
		    "protobuf");
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

/*
 * Walks the top level of the message before protobuf-c sees it: a
 * truncated or foreign file then gets a reason that names the byte where
 * it went wrong instead of protobuf-c's bare failure.
 */
static int
wire_check(const unsigned char *d, size_t n, char *err, size_t errlen)
{
	size_t pos = 0, start;
	uint64_t tag, len;
	int rc;

	while (pos < n) {
		start = pos;
		if ((rc = read_varint(d, n, &pos, &tag)) != 0)
			goto truncated;
		if (tag >> 3 == 0 || tag >> 3 > 536870911) {
			if (start == 0) {
				describe_junk(d, n, err, errlen);
				return -1;
			}
			seterr(err, errlen, "malformed protobuf: bad field "
			    "number at byte %zu", start);
			return -1;
		}
		switch (tag & 7) {
		case 0:
			if (read_varint(d, n, &pos, &len) != 0)
				goto truncated;
			break;
		case 1:
		case 5:
			if (n - pos < ((tag & 7) == 1 ? 8u : 4u))
				goto truncated;
			pos += (tag & 7) == 1 ? 8 : 4;
			break;
		case 2:
			if (read_varint(d, n, &pos, &len) != 0)
				goto truncated;
			if (len > n - pos) {
				seterr(err, errlen, "truncated protobuf: field "
				    "%llu at byte %zu needs %llu bytes, %zu "
				    "remain", (unsigned long long)(tag >> 3),
				    start, (unsigned long long)len, n - pos);
				return -1;
			}
			pos += (size_t)len;
			break;
		default:
			if (start == 0) {
				describe_junk(d, n, err, errlen);
				return -1;
			}
			seterr(err, errlen, "malformed protobuf: wire type %u "
			    "at byte %zu", (unsigned)(tag & 7), start);
			return -1;
		}
	}
	return 0;
truncated:
	if (start == 0 && pos >= n) {
		describe_junk(d, n, err, errlen);
		return -1;
	}
	seterr(err, errlen, "truncated protobuf: field at byte %zu runs past "
	    "the end (%zu bytes)", start, n);
	return -1;
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
		seterr(err, errlen, "string index %lld out of range "	\
		    "(table has %zu entries) in %s", (long long)(i),	\
		    p->nstr, what_);					\
		return -1;						\
	}								\
} while (0)

static int
check_strings(struct prof *p, char *err, size_t errlen)
{
	const PB_Profile *pb = p->pb;
	size_t i, j;

	for (i = 0; i < pb->n_sample_type; i++) {
		CHECK_STR(pb->sample_type[i]->type, "sample type %zu", i + 1);
		CHECK_STR(pb->sample_type[i]->unit, "sample type %zu", i + 1);
	}
	for (i = 0; i < pb->n_sample; i++)
		for (j = 0; j < pb->sample[i]->n_label; j++) {
			const PB_Label *l = pb->sample[i]->label[j];

			CHECK_STR(l->key, "a label of sample %zu", i + 1);
			CHECK_STR(l->str, "a label of sample %zu", i + 1);
			CHECK_STR(l->num_unit, "a label of sample %zu", i + 1);
		}
	for (i = 0; i < pb->n_mapping; i++) {
		CHECK_STR(pb->mapping[i]->filename, "mapping %llu",
		    (unsigned long long)pb->mapping[i]->id);
		CHECK_STR(pb->mapping[i]->build_id, "mapping %llu",
		    (unsigned long long)pb->mapping[i]->id);
	}
	for (i = 0; i < pb->n_function; i++) {
		const PB_Function *f = pb->function[i];

		CHECK_STR(f->name, "function %llu", (unsigned long long)f->id);
		CHECK_STR(f->system_name, "function %llu",
		    (unsigned long long)f->id);
		CHECK_STR(f->filename, "function %llu",
		    (unsigned long long)f->id);
	}
	for (i = 0; i < pb->n_comment; i++)
		CHECK_STR(pb->comment[i], "comment %zu", i + 1);
	CHECK_STR(pb->drop_frames, "drop_frames");
	CHECK_STR(pb->keep_frames, "keep_frames");
	CHECK_STR(pb->default_sample_type, "default_sample_type");
	CHECK_STR(pb->doc_url, "doc_url");
	if (pb->period_type != NULL) {
		CHECK_STR(pb->period_type->type, "period_type");
		CHECK_STR(pb->period_type->unit, "period_type");
	}
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
 * Appends the name pprof prints for a frame without a function name: the
 * mapping's file in brackets, or <unknown>.
 */
static void
unnamed_frame(const struct prof *p, const PB_Mapping *m, struct sbuf *b,
    int inlined)
{
	const char *file = m != NULL ? prof_str(p, m->filename) : "";
	const char *base;
	size_t n;

	if (*file == '\0') {
		esc_frame(b, "<unknown>", 9, inlined);
		return;
	}
	basename_of(file, &base, &n);
	{
		struct sbuf t = SBUF_INIT;

		sbuf_putc(&t, '[');
		sbuf_put(&t, base, n);
		sbuf_putc(&t, ']');
		if (!t.oom)
			esc_frame(b, t.s, t.len, inlined);
		else
			b->oom = 1;
		sbuf_free(&t);
	}
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

static uint64_t
mix_str(uint64_t h, const char *s)
{
	size_t n = strlen(s);

	return mix(mix(h, n), htab_hash(s, n));
}

static uint64_t
mapping_key(const struct prof *p, const PB_Mapping *m)
{
	uint64_t size = m->memory_limit - m->memory_start;
	const char *id = prof_str(p, m->build_id);

	size = size + 0x1000 - 1;
	size -= size % 0x1000;
	if (*id == '\0')
		id = prof_str(p, m->filename);
	return mix_str(mix(mix(1, size), m->file_offset), id);
}

static uint64_t
function_key(const struct prof *p, const PB_Function *f)
{
	uint64_t h = mix(2, (uint64_t)f->start_line);

	h = mix_str(h, prof_str(p, f->name));
	h = mix_str(h, prof_str(p, f->system_name));
	return mix_str(h, prof_str(p, f->filename));
}

static uint64_t
location_key(const struct prof *p, const PB_Location *l,
    const PB_Mapping *m, const struct idmap *funcs, const uint64_t *fkeys)
{
	uint64_t h = mix(3, l->is_folded);
	size_t j;

	if (m != NULL)
		h = mix(mix(h, l->address - m->memory_start),
		    mapping_key(p, m));
	else
		h = mix(mix(h, l->address), 0);
	for (j = 0; j < l->n_line; j++) {
		long fi = idmap_get(funcs, l->line[j]->function_id);

		h = mix(h, fi >= 0 ? fkeys[fi] : 0);
		h = mix(h, (uint64_t)l->line[j]->line);
	}
	return mix(h, l->n_line);
}

/* Builds the escaped, root-first frame text of every location. */
static int
resolve_locations(struct prof *p, const struct idmap *maps,
    const struct idmap *funcs, char *err, size_t errlen)
{
	const PB_Profile *pb = p->pb;
	struct sbuf b = SBUF_INIT;
	uint64_t *fkeys;
	size_t i, j;

	if ((fkeys = malloc((pb->n_function + 1) * sizeof *fkeys)) == NULL)
		goto oom;
	for (i = 0; i < pb->n_function; i++)
		fkeys[i] = function_key(p, pb->function[i]);
	p->locframes = calloc(pb->n_location + 1, sizeof *p->locframes);
	p->locframes_len = calloc(pb->n_location + 1,
	    sizeof *p->locframes_len);
	p->lockey = calloc(pb->n_location + 1, sizeof *p->lockey);
	if (p->locframes == NULL || p->locframes_len == NULL ||
	    p->lockey == NULL)
		goto oom;
	for (i = 0; i < pb->n_location; i++) {
		const PB_Location *l = pb->location[i];
		long mi = idmap_get(maps, l->mapping_id);
		const PB_Mapping *m = mi >= 0 ? pb->mapping[mi] : NULL;

		sbuf_reset(&b);
		if (l->n_line == 0)
			unnamed_frame(p, m, &b, 0);
		/* Lines are innermost first; the stream wants root first. */
		for (j = l->n_line; j-- > 0;) {
			long fi;
			const char *name;

			if (l->line[j]->function_id == 0) {
				seterr(err, errlen, "location %llu has a line "
				    "without a function",
				    (unsigned long long)l->id);
				goto fail;
			}
			fi = idmap_get(funcs, l->line[j]->function_id);
			if (fi < 0) {
				seterr(err, errlen, "location %llu refers to "
				    "missing function %llu",
				    (unsigned long long)l->id,
				    (unsigned long long)l->line[j]->function_id);
				goto fail;
			}
			if (j + 1 < l->n_line)
				sbuf_putc(&b, ';');
			name = prof_str(p, pb->function[fi]->name);
			if (*name == '\0')
				unnamed_frame(p, m, &b, j + 1 < l->n_line);
			else
				esc_frame(&b, name, strlen(name),
				    j + 1 < l->n_line);
		}
		if (b.oom || (p->locframes[i] = arena_alloc(&p->arena,
		    b.len + 1)) == NULL)
			goto oom;
		p->lockey[i] = location_key(p, l, m, funcs, fkeys);
		memcpy(p->locframes[i], b.s, b.len + 1);
		p->locframes_len[i] = b.len;
	}
	sbuf_free(&b);
	free(fkeys);
	return 0;
oom:
	seterr(err, errlen, "out of memory");
fail:
	sbuf_free(&b);
	free(fkeys);
	return -1;
}

static int
resolve_samples(struct prof *p, const struct idmap *locs, char *err,
    size_t errlen)
{
	const PB_Profile *pb = p->pb;
	size_t i, j;

	if (pb->n_sample > 0 && pb->n_sample_type == 0) {
		seterr(err, errlen, "samples but no sample types");
		return -1;
	}
	p->sample_loc = calloc(pb->n_sample + 1, sizeof *p->sample_loc);
	if (p->sample_loc == NULL)
		goto oom;
	for (i = 0; i < pb->n_sample; i++) {
		const PB_Sample *s = pb->sample[i];
		uint32_t *ix;

		if (s->n_value != pb->n_sample_type) {
			seterr(err, errlen, "sample %zu has %zu values for %zu "
			    "sample types", i + 1, s->n_value,
			    pb->n_sample_type);
			return -1;
		}
		ix = arena_alloc(&p->arena, (s->n_location_id + 1) *
		    sizeof *ix);
		if (ix == NULL)
			goto oom;
		for (j = 0; j < s->n_location_id; j++) {
			long li = idmap_get(locs, s->location_id[j]);

			if (li < 0) {
				seterr(err, errlen, "sample %zu refers to "
				    "missing location %llu", i + 1,
				    (unsigned long long)s->location_id[j]);
				return -1;
			}
			ix[j] = (uint32_t)li;
		}
		p->sample_loc[i] = ix;
	}
	return 0;
oom:
	seterr(err, errlen, "out of memory");
	return -1;
}

static int
build_idmap(struct idmap *m, void **msgs, size_t n, size_t idoff,
    const char *what, char *err, size_t errlen)
{
	uint64_t *ids, bad = 0;
	size_t i;
	int rc;

	if ((ids = malloc((n + 1) * sizeof *ids)) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		memcpy(&ids[i], (char *)msgs[i] + idoff, sizeof ids[i]);
	rc = idmap_build(m, ids, n, &bad);
	free(ids);
	if (rc == 1)
		seterr(err, errlen, "%s with the reserved id 0", what);
	else if (rc == 2)
		seterr(err, errlen, "two %ss with id %llu", what,
		    (unsigned long long)bad);
	else if (rc < 0)
		seterr(err, errlen, "out of memory");
	return rc == 0 ? 0 : -1;
}

static int
resolve(struct prof *p, char *err, size_t errlen)
{
	PB_Profile *pb = p->pb;
	struct idmap maps, funcs, locs;
	int rc = -1;

	memset(&maps, 0, sizeof maps);
	memset(&funcs, 0, sizeof funcs);
	memset(&locs, 0, sizeof locs);
	if (check_strings(p, err, errlen) != 0)
		return -1;
	if (build_idmap(&maps, (void **)pb->mapping, pb->n_mapping,
	    offsetof(PB_Mapping, id), "mapping", err, errlen) != 0 ||
	    build_idmap(&funcs, (void **)pb->function, pb->n_function,
	    offsetof(PB_Function, id), "function", err, errlen) != 0 ||
	    build_idmap(&locs, (void **)pb->location, pb->n_location,
	    offsetof(PB_Location, id), "location", err, errlen) != 0)
		goto out;
	if (resolve_locations(p, &maps, &funcs, err, errlen) != 0 ||
	    resolve_samples(p, &locs, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	idmap_free(&maps);
	idmap_free(&funcs);
	idmap_free(&locs);
	return rc;
}

int
prof_load(struct prof **out, const unsigned char *data, size_t len,
    size_t max_size, char *err, size_t errlen)
{
	ProtobufCAllocator alloc;
	unsigned char *raw = NULL;
	struct prof *p;

	*out = NULL;
	if (len == 0) {
		seterr(err, errlen, "empty file");
		return -1;
	}
	if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		if (gunzip(data, len, max_size, &raw, &len, err, errlen) != 0)
			return -1;
		data = raw;
		if (len == 0) {
			free(raw);
			seterr(err, errlen, "empty profile inside gzip");
			return -1;
		}
	} else if (len > max_size) {
		seterr(err, errlen, "larger than %zu bytes (see --max-size)",
		    max_size);
		return -1;
	}
	if (looks_like_text(data, len)) {
		describe_junk(data, len, err, errlen);
		free(raw);
		return -1;
	}
	if (wire_check(data, len, err, errlen) != 0) {
		free(raw);
		return -1;
	}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		free(raw);
		seterr(err, errlen, "out of memory");
		return -1;
	}
	alloc.alloc = arena_alloc;
	alloc.free = arena_free_one;
	alloc.allocator_data = &p->arena;
	p->pb = perftools__profiles__profile__unpack(&alloc, len, data);
	free(raw);
	if (p->pb == NULL) {
		seterr(err, errlen, "malformed protobuf: not a pprof profile");
		prof_free(p);
		return -1;
	}
	p->str = p->pb->string_table;
	p->nstr = p->pb->n_string_table;
	if (resolve(p, err, errlen) != 0) {
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
	free(p->locframes);
	free(p->locframes_len);
	free(p->lockey);
	free(p->sample_loc);
	arena_release(p->arena);
	free(p);
}

size_t
prof_ntypes(const struct prof *p)
{
	return p->pb->n_sample_type;
}

const char *
prof_type(const struct prof *p, size_t i)
{
	return prof_str(p, p->pb->sample_type[i]->type);
}

const char *
prof_unit(const struct prof *p, size_t i)
{
	return prof_str(p, p->pb->sample_type[i]->unit);
}

int
prof_type_index(const struct prof *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->pb->n_sample_type; i++)
		if (strcmp(prof_type(p, i), name) == 0)
			return (int)i;
	return -1;
}

int
prof_default_type(const struct prof *p)
{
	const char *def = prof_str(p, p->pb->default_sample_type);
	int i;

	if (*def != '\0' && (i = prof_type_index(p, def)) >= 0)
		return i;
	return (int)p->pb->n_sample_type - 1;
}

void
prof_stack(const struct prof *p, size_t i, struct sbuf *b)
{
	const PB_Sample *s = p->pb->sample[i];
	const uint32_t *ix = p->sample_loc[i];
	size_t j;

	for (j = s->n_location_id; j-- > 0;) {
		sbuf_put(b, p->locframes[ix[j]], p->locframes_len[ix[j]]);
		if (j > 0)
			sbuf_putc(b, ';');
	}
}

/*
 * Labels are a map to pprof: write them in one canonical order (string
 * labels, then numeric, each by key; values of a key in file order) so
 * that equal label sets are equal text. A sample may carry millions of
 * labels, so they are sorted with qsort, file order breaking ties.
 */
struct label_ref {
	const PB_Label *l;
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
prof_write_stack(const struct prof *p, size_t i, struct obuf *ob)
{
	const PB_Sample *s = p->pb->sample[i];
	const uint32_t *ix = p->sample_loc[i];
	size_t j;

	for (j = s->n_location_id; j-- > 0;) {
		obuf_put(ob, p->locframes[ix[j]], p->locframes_len[ix[j]]);
		if (j > 0)
			obuf_putc(ob, ';');
	}
}

void
prof_labels(const struct prof *p, size_t i, struct sbuf *b)
{
	const PB_Sample *s = p->pb->sample[i];
	struct label_ref sorted[64], *ls = sorted;
	size_t j, n = 0;

	if (s->n_label > sizeof sorted / sizeof sorted[0] &&
	    (ls = malloc(s->n_label * sizeof *ls)) == NULL) {
		b->oom = 1;
		return;
	}
	for (j = 0; j < s->n_label; j++) {
		const PB_Label *l = s->label[j];

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
		const PB_Label *l = ls[j].l;

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
	return p->pb->n_mapping > 0 ?
	    prof_str(p, p->pb->mapping[0]->filename) : "";
}

const char *
prof_main_build_id(const struct prof *p)
{
	return p->pb->n_mapping > 0 ?
	    prof_str(p, p->pb->mapping[0]->build_id) : "";
}

uint64_t
prof_site(const struct prof *p, size_t i)
{
	const PB_Sample *s = p->pb->sample[i];
	const uint32_t *ix = p->sample_loc[i];
	uint64_t h = mix(4, s->n_location_id);
	size_t j;

	for (j = 0; j < s->n_location_id; j++)
		h = mix(h, p->lockey[ix[j]]);
	return h;
}
