/*
 * agg - see agg.h: the tables (names, stacks, merged samples) the rows
 * are read into; agg_graph.c computes on them.
 */
#include "agg.h"

#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "esc.h"
#include "grow.h"
#include "num.h"

#ifdef __GNUC__
#define PREFETCH(p) __builtin_prefetch(p)
#define HOT_INLINE inline __attribute__((always_inline))
#else
#define PREFETCH(p) ((void)(p))
#define HOT_INLINE inline
#endif

#define NOMEM(err, errlen) errf(err, errlen, "out of memory")

static char *
dup(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static int
compile(regex_t *re, const char *pattern, const char *what, char *err,
    size_t errlen)
{
	char buf[256];
	int rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);

	if (rc == 0)
		return 0;
	regerror(rc, re, buf, sizeof buf);
	return errf(err, errlen, "%s: bad regular expression %s: %s", what,
	    pattern, buf);
}

static int name_index_rebuild(struct agg *, size_t, int);

int
agg_init(struct agg *a, const struct agg_opt *o, char *err, size_t errlen)
{
	memset(a, 0, sizeof *a);
	a->opt = *o;
	htab_init(&a->labelsets);
	htab_init(&a->hdr.comments);
	if (o->focus != NULL && compile(&a->focus, o->focus, "--focus", err,
	    errlen) != 0) {
		a->opt.focus = a->opt.ignore = NULL;
		return -1;
	}
	if (o->ignore != NULL && compile(&a->ignore, o->ignore, "--ignore",
	    err, errlen) != 0) {
		a->opt.ignore = NULL;
		return -1;
	}
	/* Never NULL: an empty stack is frames + its offset, too. */
	if (name_index_rebuild(a, 4096, 0) != 0 ||
	    grow(&a->frames, &a->frames_cap, 1, sizeof *a->frames,
	    65536) != 0)
		return NOMEM(err, errlen);
	return 0;
}

void
agg_free(struct agg *a)
{
	size_t i;

	if (a->opt.focus != NULL)
		regfree(&a->focus);
	if (a->opt.ignore != NULL)
		regfree(&a->ignore);
	free(a->hdr.type);
	free(a->hdr.unit);
	for (i = 0; a->hdr.types != NULL && i < a->hdr.ntypes; i++)
		free(a->hdr.types[i]);
	free(a->hdr.types);
	free(a->hdr.file);
	free(a->hdr.build_id);
	htab_free(&a->hdr.comments);
	for (i = 0; a->raw != NULL && i < a->nnodes; i++)
		free(a->raw[i]);
	free(a->raw);
	free(a->nodes);
	free(a->namebuf);
	free(a->frames);
	free(a->samples);
	htab_free(&a->labelsets);
	free(a->stackv);
	free(a->sslots);
	free(a->texts);
	free(a->hkey);
	free(a->hid);
	free(a->slots);
	free(a->name_index);
	free(a->pend);
	memset(a, 0, sizeof *a);
}

/* The first block fixes the types and the column; pprof keeps them. */
static int
first_block(struct agg *a, const struct stream *s, char *err, size_t errlen)
{
	const struct stream_meta *m = &s->meta;
	struct agg_header *h = &a->hdr;

	if ((h->col = stream_pick_type(s, a->opt.type, err, errlen)) < 0)
		return -1;
	if ((h->types = calloc(m->ntypes + 1, sizeof *h->types)) == NULL)
		return NOMEM(err, errlen);
	for (h->ntypes = 0; h->ntypes < m->ntypes; h->ntypes++)
		if ((h->types[h->ntypes] = dup(m->types[h->ntypes])) == NULL)
			return NOMEM(err, errlen);
	if ((h->type = dup(m->types[h->col])) == NULL ||
	    (h->unit = dup(m->units[h->col])) == NULL)
		return NOMEM(err, errlen);
	return 0;
}

int
agg_block(struct agg *a, const struct stream *s, char *err, size_t errlen)
{
	const struct stream_meta *m = &s->meta;
	struct agg_header *h = &a->hdr;
	size_t i;

	if (h->types == NULL) {
		if (first_block(a, s, err, errlen) != 0)
			return -1;
	} else if (stream_same_types(s, h->types, NULL, h->ntypes, err,
	    errlen) != 0)
		return -1;
	if (h->file == NULL && m->file != NULL && *m->file != '\0') {
		if ((h->file = dup(m->file)) == NULL ||
		    (h->build_id = dup(m->build_id)) == NULL)
			return NOMEM(err, errlen);
	}
	for (i = 0; i < m->ncomments; i++)
		if (htab_intern(&h->comments, m->comments[i],
		    strlen(m->comments[i])) < 0)
			return NOMEM(err, errlen);
	if (m->time_nanos != 0 &&
	    (h->time_nanos == 0 || m->time_nanos < h->time_nanos))
		h->time_nanos = m->time_nanos;
	h->duration_nanos = num_add_ov(h->duration_nanos, m->duration_nanos,
	    &a->overflow);
	return 0;
}

/* -1 when out of memory, else whether the name matches. */
static int
matches(regex_t *re, const char *esc_name, size_t len)
{
	char *raw = malloc(len + 1);
	int m;

	if (raw == NULL)
		return -1;
	memcpy(raw, esc_name, len);
	raw[esc_unescape(raw, len)] = '\0';
	m = regexec(re, raw, 0, NULL, 0) == 0;
	free(raw);
	return m;
}

/*
 * Half a million frames name some twenty thousand functions, so the
 * lookup of a frame's name is the inner loop. The index keeps each name's
 * hash, length, node and name offset in one slot of 16 bytes, at most half
 * full: a hit costs one slot and one comparison with the name.
 */
struct agg_name_slot {
	uint32_t hash;
	uint32_t name;		/* the node's name, copied: one miss less */
	uint32_t len, id;	/* id: node index + 1; 0 is empty */
};

/*
 * The index's hash reads only a name's length and its first, middle and
 * last eight bytes: ten percent of pprof-top's time is saved. Names made
 * to agree on all of them would pile up in one probe sequence, so a probe
 * longer than LONG_PROBE switches the index to hashing whole names.
 */
#define LONG_PROBE 64

/* Eight bytes as a little-endian number, whatever the host's order. */
static inline uint64_t
load64(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint64_t)u[0] | (uint64_t)u[1] << 8 | (uint64_t)u[2] << 16 |
	    (uint64_t)u[3] << 24 | (uint64_t)u[4] << 32 |
	    (uint64_t)u[5] << 40 | (uint64_t)u[6] << 48 | (uint64_t)u[7] << 56;
}

static inline uint32_t
name_hash(int whole, const char *f, size_t len)
{
	uint64_t x = 0, y = 0, z = 0;
	size_t i;

	if (whole) {
		x = htab_hash(f, len);
		return (uint32_t)(x ^ (x >> 32));
	}
	if (len >= 8) {
		x = load64(f);
		y = load64(f + len - 8);
		if (len > 16)
			z = load64(f + len / 2 - 4);
	} else
		for (i = 0; i < len; i++)
			x |= (uint64_t)(unsigned char)f[i] << 8 * i;
	x = (x ^ len) * 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 29) ^ y) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 31) ^ z) * 0x94d049bb133111ebULL;
	return (uint32_t)(x ^ (x >> 32));
}

/* Moves the index to cap slots; with rehash, names are hashed anew. */
static int
name_index_rebuild(struct agg *a, size_t cap, int rehash)
{
	struct agg_name_slot *t = calloc(cap, sizeof *t), *o = a->name_index;
	size_t i, k;

	if (t == NULL)
		return -1;
	for (i = 0; i < a->name_index_cap; i++) {
		if (o[i].id == 0)
			continue;
		if (rehash)
			o[i].hash = name_hash(a->whole_names,
			    a->namebuf + o[i].name, o[i].len);
		for (k = o[i].hash & (cap - 1); t[k].id != 0;
		    k = (k + 1) & (cap - 1))
			;
		t[k] = o[i];
	}
	free(o);
	a->name_index = t;
	a->name_index_cap = cap;
	return 0;
}

/* A new function; -1 when out of room (err set). */
static long
new_node(struct agg *a, const char *f, size_t len, char *err, size_t errlen)
{
	struct agg_node *n;
	int m;

	if (len >= UINT32_MAX - a->namebuf_len ||
	    a->nnodes >= AGG_INLINE_BIT - 1)
		return errf(err, errlen, "too many or too long function names");
	if (grow(&a->nodes, &a->nodes_cap, a->nnodes + 1, sizeof *a->nodes,
	    1024) != 0 || grow(&a->namebuf, &a->namebuf_cap,
	    a->namebuf_len + len + 1, 1, 65536) != 0)
		return NOMEM(err, errlen);
	n = &a->nodes[a->nnodes];
	memset(n, 0, sizeof *n);
	memcpy(a->namebuf + a->namebuf_len, f, len);
	a->namebuf[a->namebuf_len + len] = '\0';
	n->name = (uint32_t)a->namebuf_len;
	n->len = (uint32_t)len;
	a->namebuf_len += len + 1;
	if (a->opt.focus != NULL) {
		if ((m = matches(&a->focus, f, len)) < 0)
			return NOMEM(err, errlen);
		n->focus = (unsigned)m;
		a->any_focus |= m;
	}
	if (a->opt.ignore != NULL) {
		if ((m = matches(&a->ignore, f, len)) < 0)
			return NOMEM(err, errlen);
		n->ignore = (unsigned)m;
		a->any_ignore |= m;
	}
	return (long)a->nnodes++;
}

/*
 * Equal names: a call to memcmp for twenty-odd bytes cost more than the
 * comparison, half a million times.
 */
static inline int
same_name(const char *x, const char *y, size_t len)
{
	size_t i;

	if (len < 8)
		return memcmp(x, y, len) == 0;
	for (i = 0; i + 8 < len; i += 8)
		if (load64(x + i) != load64(y + i))
			return 0;
	return load64(x + len - 8) == load64(y + len - 8);
}

/* A function met for the first time, filed in the empty slot k. */
static long
add_node(struct agg *a, const char *f, size_t len, uint32_t h, size_t k,
    char *err, size_t errlen)
{
	struct agg_name_slot *sl;
	size_t cap = a->name_index_cap;
	long id;

	if ((id = new_node(a, f, len, err, errlen)) < 0)
		return -1;
	sl = &a->name_index[k];
	sl->hash = h;
	sl->name = a->nodes[id].name;
	sl->len = (uint32_t)len;
	sl->id = (uint32_t)id + 1;
	if (a->nnodes * 2 > cap && name_index_rebuild(a, cap * 2, 0) != 0)
		return NOMEM(err, errlen);
	return id;
}

/*
 * The id of a function by its escaped name. Inline, the new one's path
 * apart: once a frame, half a million times a large profile, a call
 * cost as much as the lookup.
 */
static HOT_INLINE long
node_of(struct agg *a, const char *f, size_t len, uint32_t h, char *err,
    size_t errlen)
{
	struct agg_name_slot *sl;
	size_t k, probes = 0, cap = a->name_index_cap;

	for (k = h & (cap - 1); a->name_index[k].id != 0;
	    k = (k + 1) & (cap - 1)) {
		if (++probes > LONG_PROBE)
			a->long_probe = 1;
		sl = &a->name_index[k];
		if (sl->hash == h && sl->len == len &&
		    same_name(a->namebuf + sl->name, f, len))
			return (long)sl->id - 1;
	}
	return add_node(a, f, len, h, k, err, errlen);
}

/*
 * A stack's frames are split and hashed first, then looked up: the index
 * slots of all of them are fetched at once instead of one miss after
 * another.
 */
struct agg_pending {
	const char *f;
	uint32_t len, inl;
	uint32_t h;
};

/* Inline, and grow called only when full: once a frame, like node_of. */
static inline int
pend_frame(struct agg *a, const char *f, size_t len)
{
	struct agg_pending *pf;

	if (a->npend >= a->pend_cap && grow(&a->pend, &a->pend_cap,
	    a->npend + 1, sizeof *a->pend, 256) != 0)
		return -1;
	pf = &a->pend[a->npend++];
	pf->inl = esc_frame_inlined(f, len);
	if (pf->inl)
		len -= ESC_INLINE_MARK_LEN;
	pf->f = f;
	pf->len = (uint32_t)len;
	pf->h = name_hash(a->whole_names, f, len);
	PREFETCH(&a->name_index[pf->h & (a->name_index_cap - 1)]);
	return 0;
}

static int
push_pending(struct agg *a, char *err, size_t errlen)
{
	size_t i;
	long id;

	if (grow(&a->frames, &a->frames_cap, a->nframes + a->npend,
	    sizeof *a->frames, 65536) != 0)
		return NOMEM(err, errlen);
	for (i = 0; i < a->npend; i++) {
		id = node_of(a, a->pend[i].f, a->pend[i].len, a->pend[i].h,
		    err, errlen);
		if (id < 0)
			return -1;
		a->frames[a->nframes++] = (uint32_t)id |
		    (a->pend[i].inl ? AGG_INLINE_BIT : 0);
	}
	a->npend = 0;
	/* Between stacks: no pending frame holds a hash of the old kind. */
	if (a->long_probe && !a->whole_names) {
		a->whole_names = 1;
		if (name_index_rebuild(a, a->name_index_cap, 1) != 0)
			return NOMEM(err, errlen);
	}
	return 0;
}

#define BYTES_01 0x0101010101010101ULL
#define BYTES_7F 0x7f7f7f7f7f7f7f7fULL

/* The high bit of each byte of x that equals c, and of no other byte. */
static inline uint64_t
bytes_equal(uint64_t x, unsigned char c)
{
	uint64_t y = x ^ (BYTES_01 * c);

	return ~(((y & BYTES_7F) + BYTES_7F) | y | BYTES_7F);
}

/* Index of the lowest byte whose high bit is set in m (nonzero). */
static inline size_t
lowest_byte(uint64_t m)
{
#ifdef __GNUC__
	return (size_t)__builtin_ctzll(m) / 8;
#else
	size_t k = 0;

	while ((m & 0x80) == 0) {
		m >>= 8;
		k++;
	}
	return k;
#endif
}

/* The frames of a stack with a backslash: "\;" is not a separator. */
static int
split_escaped(struct agg *a, const char *s, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == ';') {
			if (pend_frame(a, s + start, i - start) != 0)
				return -1;
			start = i + 1;
		}
	}
	return pend_frame(a, s + start, len - start);
}

/*
 * Splits an escaped stack into pending frames, root first. The
 * separators are found eight bytes at a time: frames are short, so a
 * call per frame (memchr) would cost more than the search. Escapes are
 * rare: one memchr call finds a stack with a backslash, which is split
 * byte by byte.
 */
static int
split_stack(struct agg *a, const char *s, size_t len)
{
	size_t i, k, start = 0;
	uint64_t w, m;

	if (memchr(s, '\\', len) != NULL)
		return split_escaped(a, s, len);
	for (i = 0; len - i >= 8; i += 8) {
		w = load64(s + i);
		for (m = bytes_equal(w, ';'); m != 0; m &= m - 1) {
			k = i + lowest_byte(m);
			if (pend_frame(a, s + start, k - start) != 0)
				return -1;
			start = k + 1;
		}
	}
	for (; i < len; i++)
		if (s[i] == ';') {
			if (pend_frame(a, s + start, i - start) != 0)
				return -1;
			start = i + 1;
		}
	return pend_frame(a, s + start, len - start);
}

/* Appends the node ids of an escaped stack; their count, or -1. */
static long
parse_stack(struct agg *a, const char *s, size_t len, char *err,
    size_t errlen)
{
	size_t n;

	if (len == 0)
		return 0;
	if (split_stack(a, s, len) != 0) {
		a->npend = 0;
		return NOMEM(err, errlen);
	}
	n = a->npend;
	if (push_pending(a, err, errlen) != 0)
		return -1;
	return (long)n;
}

/* The value of each lowercase hex digit; 16 marks any other byte. */
static const unsigned char *
hexval(void)
{
	static unsigned char v[256];
	static int done;
	int c;

	if (done)
		return v;
	memset(v, 16, sizeof v);
	for (c = '0'; c <= '9'; c++)
		v[c] = (unsigned char)(c - '0');
	for (c = 'a'; c <= 'f'; c++)
		v[c] = (unsigned char)(c - 'a' + 10);
	done = 1;
	return v;
}

/*
 * pprof's site column is a hex hash; anything else is hashed as text.
 * The digits are read without a branch each: a bad one shows in "bad".
 */
uint64_t
agg_site(const char *p, size_t n)
{
	const unsigned char *hex = hexval();
	uint64_t v = 0;
	unsigned bad = 0, d;
	size_t i;

	if (n != 16)
		return htab_hash(p, n);
	for (i = 0; i < 16; i++) {
		d = hex[(unsigned char)p[i]];
		bad |= d;
		v = v << 4 | (d & 15);
	}
	return bad & 16 ? htab_hash(p, n) : v;
}

/* The hash item i of an index was filed by: a sample's, a stack's. */
typedef uint64_t (*item_hash)(const struct agg *, size_t);

static uint64_t
sample_hash(const struct agg *a, size_t i)
{
	return a->samples[i].hash;
}

static uint64_t
stack_hash(const struct agg *a, size_t i)
{
	return a->stackv[i].hash;
}

/* Doubles an index of count items (their id + 1; 0 is an empty slot). */
static int
index_grow(const struct agg *a, uint32_t **slots, size_t *nslots,
    size_t count, item_hash hash)
{
	size_t i, k, n = grow_cap(*nslots, *nslots + 1, sizeof **slots, 4096);
	uint32_t *t = n != 0 ? calloc(n, sizeof *t) : NULL;

	if (t == NULL)
		return -1;
	for (i = 0; i < count; i++) {
		for (k = (size_t)hash(a, i) & (n - 1); t[k] != 0;
		    k = (k + 1) & (n - 1))
			;
		t[k] = (uint32_t)i + 1;
	}
	free(*slots);
	*slots = t;
	*nslots = n;
	return 0;
}

/*
 * The stack's id by its frames: the text is split (the slow path), and a
 * stack met before gives its frames back. Splitting is one to one (the
 * frames joined again are the text), so equal frames are equal texts.
 */
static long
stack_of(struct agg *a, const char *s, size_t len, int *isnew, char *err,
    size_t errlen)
{
	size_t off = a->nframes, k, bytes;
	const struct agg_stack *st;
	uint64_t h;
	long n;

	if ((n = parse_stack(a, s, len, err, errlen)) < 0)
		return -1;
	bytes = (size_t)n * sizeof *a->frames;
	h = htab_hash((const char *)(a->frames + off), bytes);
	if (a->nstacks >= UINT32_MAX - 1 ||
	    ((a->nstacks + 1) * 2 > a->nsslots && index_grow(a, &a->sslots,
	    &a->nsslots, a->nstacks, stack_hash) != 0) ||
	    (a->nstacks >= a->stacks_cap && grow(&a->stackv, &a->stacks_cap,
	    a->nstacks + 1, sizeof *a->stackv, 4096) != 0)) {
		a->nframes = off;
		return NOMEM(err, errlen);
	}
	for (k = (size_t)h & (a->nsslots - 1); a->sslots[k] != 0;
	    k = (k + 1) & (a->nsslots - 1)) {
		st = &a->stackv[a->sslots[k] - 1];
		if (st->hash == h && st->n == (uint32_t)n &&
		    memcmp(a->frames + st->off, a->frames + off, bytes) == 0) {
			a->nframes = off;
			*isnew = 0;
			return (long)a->sslots[k] - 1;
		}
	}
	a->stackv[a->nstacks].off = off;
	a->stackv[a->nstacks].hash = h;
	a->stackv[a->nstacks].n = (uint32_t)n;
	a->stackv[a->nstacks].toff = SIZE_MAX;
	a->stackv[a->nstacks].tlen = 0;
	a->sslots[k] = (uint32_t)++a->nstacks;
	*isnew = 1;
	return (long)a->nstacks - 1;
}

/* Do the frames of stack id spell the escaped text s[0..len)? */
static int
stack_is(const struct agg *a, size_t id, const char *s, size_t len)
{
	size_t j, pos = 0, nlen, n;
	const uint32_t *f = agg_frames(a, id, &n);
	const char *name;

	for (j = 0; j < n; j++) {
		if (j > 0 && (pos >= len || s[pos++] != ';'))
			return 0;
		name = agg_name(a, f[j] & ~AGG_INLINE_BIT, &nlen);
		if (len - pos < nlen || !same_name(s + pos, name, nlen))
			return 0;
		pos += nlen;
		if (f[j] & AGG_INLINE_BIT) {
			if (len - pos < ESC_INLINE_MARK_LEN ||
			    memcmp(s + pos, ESC_INLINE_MARK,
			    ESC_INLINE_MARK_LEN) != 0)
				return 0;
			pos += ESC_INLINE_MARK_LEN;
		}
	}
	return pos == len;
}

static uint64_t
hint_key(uint64_t hint, size_t len)
{
	uint64_t k = (hint ^ (uint64_t)len * 0x9e3779b97f4a7c15ULL) *
	    0xbf58476d1ce4e5b9ULL;

	return k ^ k >> 31;
}

static int
hint_grow(struct agg *a)
{
	size_t cap = grow_cap(a->hcap, a->hcap + 1, sizeof *a->hkey, 4096);
	size_t i, j;
	uint64_t *key = cap != 0 ? calloc(cap, sizeof *key) : NULL;
	uint32_t *id = cap != 0 ? calloc(cap, sizeof *id) : NULL;

	if (key == NULL || id == NULL) {
		free(key);
		free(id);
		return -1;
	}
	for (i = 0; i < a->hcap; i++) {
		if (a->hid[i] == 0)
			continue;
		for (j = a->hkey[i] & (cap - 1); id[j] != 0;
		    j = (j + 1) & (cap - 1))
			;
		key[j] = a->hkey[i];
		id[j] = a->hid[i];
	}
	free(a->hkey);
	free(a->hid);
	a->hkey = key;
	a->hid = id;
	a->hcap = cap;
	return 0;
}

long
agg_stack(struct agg *a, uint64_t hint, const char *s, size_t len,
    int *isnew, char *err, size_t errlen)
{
	uint64_t k = hint_key(hint, len);
	struct agg_stack *st;
	size_t i;
	int dummy;
	long id;

	if (isnew == NULL)
		isnew = &dummy;
	if ((a->hn + 1) * 2 > a->hcap && hint_grow(a) != 0)
		return NOMEM(err, errlen);
	for (i = k & (a->hcap - 1); a->hid[i] != 0;
	    i = (i + 1) & (a->hcap - 1)) {
		if (a->hkey[i] != k)
			continue;
		st = &a->stackv[a->hid[i] - 1];
		if (st->toff != SIZE_MAX ? st->tlen == len &&
		    memcmp(a->texts + st->toff, s, len) == 0 :
		    stack_is(a, a->hid[i] - 1, s, len)) {
			*isnew = 0;
			return (long)a->hid[i] - 1;
		}
		/* Another stack with this hint: the full path, unremembered. */
		return stack_of(a, s, len, isnew, err, errlen);
	}
	if ((id = stack_of(a, s, len, isnew, err, errlen)) < 0)
		return -1;
	/* Kept whole: a memcmp is cheaper than walking the frames' names. */
	st = &a->stackv[id];
	if (st->toff == SIZE_MAX && len < UINT32_MAX) {
		if (grow(&a->texts, &a->texts_cap, a->texts_len + len + 1, 1,
		    65536) != 0)
			return NOMEM(err, errlen);
		memcpy(a->texts + a->texts_len, s, len);
		st->toff = a->texts_len;
		st->tlen = (uint32_t)len;
		a->texts_len += len;
	}
	a->hkey[i] = k;
	a->hid[i] = (uint32_t)id + 1;
	a->hn++;
	return id;
}

/*
 * Merges one row into the sample with the same site, labels and stack
 * (pprof's merge), keyed by the stack's node ids rather than its text.
 */
int
agg_add(struct agg *a, const struct stream_row *row, unsigned side,
    int64_t v, char *err, size_t errlen)
{
	struct agg_sample *sm, *old;
	uint64_t site = agg_site(row->site, row->site_len), h;
	uint32_t labels = 0;
	size_t k;
	long st, l;
	int isnew;

	if (a->nsamples >= UINT32_MAX - 1 ||
	    (a->nsamples >= a->samples_cap && grow(&a->samples,
	    &a->samples_cap, a->nsamples + 1, sizeof *a->samples, 4096) != 0) ||
	    ((a->nsamples + 1) * 2 > a->nslots && index_grow(a, &a->slots,
	    &a->nslots, a->nsamples, sample_hash) != 0))
		return NOMEM(err, errlen);
	if (row->labels_len > 0) {
		if ((l = htab_intern(&a->labelsets, row->labels,
		    row->labels_len)) < 0)
			return NOMEM(err, errlen);
		labels = (uint32_t)l + 1;
	}
	/*
	 * A sample is looked up by its site first, and its stack's frames
	 * compared with the text: a row met again is neither split nor
	 * looked up in the stack table.
	 */
	h = hint_key(site ^ ((uint64_t)labels << 32 | side) *
	    0xbf58476d1ce4e5b9ULL, row->stack_len);
	for (k = (size_t)h & (a->nslots - 1); a->slots[k] != 0;
	    k = (k + 1) & (a->nslots - 1)) {
		old = &a->samples[a->slots[k] - 1];
		if (old->hash == h && old->site == site &&
		    old->labels == labels && old->side == side &&
		    stack_is(a, old->stack, row->stack, row->stack_len)) {
			old->v = num_add_ov(old->v, v, &a->overflow);
			return 0;
		}
	}
	if ((st = stack_of(a, row->stack, row->stack_len, &isnew, err,
	    errlen)) < 0)
		return -1;
	sm = &a->samples[a->nsamples];
	sm->hash = h;
	sm->site = site;
	sm->stack = (uint32_t)st;
	sm->off = a->stackv[st].off;
	sm->n = a->stackv[st].n;
	sm->labels = labels;
	sm->side = side;
	sm->v = v;
	sm->used = 0;
	a->slots[k] = (uint32_t)++a->nsamples;
	return 0;
}

int
agg_row(struct agg *a, const struct stream_row *row, char *err,
    size_t errlen)
{
	return agg_add(a, row, 0, row->values[a->hdr.col], err, errlen);
}

long
agg_func(struct agg *a, const char *name, size_t len, char *err,
    size_t errlen)
{
	struct sbuf b = SBUF_INIT;
	const char *f;
	long id;

	esc_frame(&b, name, len, 0);
	if (b.oom) {
		sbuf_free(&b);
		return NOMEM(err, errlen);
	}
	f = b.s != NULL ? b.s : "";
	id = node_of(a, f, b.len, name_hash(a->whole_names, f, b.len), err,
	    errlen);
	sbuf_free(&b);
	return id;
}

int
agg_read(struct agg *a, FILE *fp, const char *name, char *err,
    size_t errlen)
{
	struct stream s;
	struct stream_row row;
	int rc;

	stream_input_buffer(fp);
	stream_init(&s, fp, name);
	while ((rc = stream_next(&s, &row)) > 0)
		if ((rc == STREAM_BLOCK ? agg_block(a, &s, err, errlen) :
		    agg_row(a, &row, err, errlen)) != 0) {
			stream_free(&s);
			return -1;
		}
	if (rc < 0)
		errf(err, errlen, "%s", s.err);
	else if (s.blocks == 0)
		stream_empty(name, err, errlen);
	stream_free(&s);
	return rc < 0 || s.blocks == 0 ? -1 : 0;
}
