/*
 * pprof-top - the per-function flat/cum table of a sample stream, as
 * `go tool pprof -top` computes it.
 *
 * The stream's samples are merged (identical labels and stack summed, as
 * pprof merges profiles), filtered by --focus/--ignore, then attributed to
 * functions: flat to the leaf frame, cum once per function per sample.
 * The node fraction and -n trim the table as pprof's report does, and the
 * "(inline)" marks come from the call edges that remain after trimming,
 * because pprof rebuilds its graph from the kept nodes before it labels
 * them.
 */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esc.h"
#include "htab.h"
#include "msg.h"
#include "num.h"
#include "obuf.h"
#include "sbuf.h"
#include "stream.h"
#include "units.h"
#include "version.h"

#define INLINE_BIT 0x80000000u

#ifdef __GNUC__
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* pprof's default edge fraction: lighter edges are cut before labelling. */
#define EDGE_FRACTION 0.001

struct node {
	int64_t flat, cum;
	uint32_t name;		/* offset of its escaped name in namebuf */
	uint32_t len;
	unsigned kept : 1, focus : 1, ignore : 1;
	unsigned in_inline : 1, in_noinline : 1;
};

/* A merged sample: the rows with equal site, labels and stack, summed. */
struct sample {
	uint64_t hash, site;
	size_t off;		/* its node ids: frames[off .. off + n) */
	uint32_t n;
	uint32_t labels;	/* 0, or 1 + index into labelsets */
	int64_t v;
	int used;		/* nonzero and wanted: in the graph */
};

/* What the table is of: the merged header of every block read. */
struct header {
	char *type, *unit, *default_type;
	char **types;		/* the first block's, to check the others */
	size_t ntypes;
	int col;
	char *file, *build_id;
	struct htab comments;
	int64_t time_nanos, duration_nanos;
};

static struct {
	const char *type;
	long count;
	double nodefraction;
	int pprof_format, cum_sort;
	const char *focus_re, *ignore_re;
	regex_t focus, ignore;
} opt = { NULL, 0, 0.005, 0, 0, NULL, NULL, { 0 }, { 0 } };

static struct htab labelsets;
static uint32_t *slots;		/* sample index + 1; 0 is empty */
static size_t nslots;
static struct node *nodes;	/* the functions, in order of appearance */
static size_t nnodes, nodes_cap;
static char *namebuf;		/* their escaped names, without mark */
static size_t namebuf_len, namebuf_cap;
static uint32_t *frames;
static size_t nframes, frames_cap;
static struct sample *samples;
static size_t nsamples, samples_cap;
static struct header hdr;
static int64_t total;
static int overflow;		/* a sum did not fit in 64 bits */

static void usage(void);

static int
same_types(const struct stream *s)
{
	size_t i;

	if (s->meta.ntypes != hdr.ntypes)
		return 0;
	for (i = 0; i < hdr.ntypes; i++)
		if (strcmp(s->meta.types[i], hdr.types[i]) != 0)
			return 0;
	return 1;
}

/* Takes in a new block's header; pprof refuses to merge unlike profiles. */
static int
begin_block(struct stream *s)
{
	const struct stream_meta *m = &s->meta;
	char list[512];
	size_t i;

	if (hdr.types == NULL) {
		hdr.ntypes = m->ntypes;
		hdr.types = xrealloc(NULL, (m->ntypes + 1) * sizeof *hdr.types);
		for (i = 0; i < m->ntypes; i++)
			hdr.types[i] = xstrdup(m->types[i]);
		hdr.col = opt.type != NULL ? stream_type_index(s, opt.type) :
		    stream_default_type(s);
		if (hdr.col < 0) {
			stream_type_list(s, list, sizeof list);
			if (opt.type == NULL)
				msg_warn("%s: profile block %s has no sample "
				    "types", s->name, m->source);
			else
				msg_warn("%s: no sample type %s (the profile "
				    "has: %s)", s->name, opt.type, list);
			return -1;
		}
		hdr.type = xstrdup(m->types[hdr.col]);
		hdr.unit = xstrdup(m->units[hdr.col]);
	} else if (!same_types(s)) {
		stream_type_list(s, list, sizeof list);
		msg_warn("%s:%zu: profile block %s has sample types %s, unlike "
		    "the first block", s->name, s->lineno, m->source, list);
		return -1;
	}
	if (hdr.file == NULL && m->file != NULL && *m->file != '\0') {
		hdr.file = xstrdup(m->file);
		hdr.build_id = xstrdup(m->build_id);
	}
	for (i = 0; i < m->ncomments; i++)
		if (htab_intern(&hdr.comments, m->comments[i],
		    strlen(m->comments[i])) < 0)
			msg_die(1, "out of memory");
	if (m->time_nanos != 0 &&
	    (hdr.time_nanos == 0 || m->time_nanos < hdr.time_nanos))
		hdr.time_nanos = m->time_nanos;
	hdr.duration_nanos = num_add_ov(hdr.duration_nanos, m->duration_nanos,
	    &overflow);
	return 0;
}

static int
matches(regex_t *re, const char *esc_name, size_t len)
{
	char *raw = xrealloc(NULL, len + 1);
	int m;

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
struct name_slot {
	uint32_t hash;
	uint32_t name;		/* the node's name, copied: one miss less */
	uint32_t len, id;	/* id: node index + 1; 0 is empty */
};

static struct name_slot *name_index;
static size_t name_index_cap;

/*
 * The index's hash reads only a name's length and its first, middle and
 * last eight bytes: ten percent of pprof-top's time is saved. Names made
 * to agree on all of them would pile up in one probe sequence, so a probe
 * longer than LONG_PROBE switches the index to hashing whole names.
 */
#define LONG_PROBE 64

static int whole_names;		/* hash whole names from now on */
static int long_probe;		/* seen since the last check */

/* Eight bytes as a little-endian number, whatever the host's order. */
static inline uint64_t
load64(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint64_t)u[0] | (uint64_t)u[1] << 8 | (uint64_t)u[2] << 16 |
	    (uint64_t)u[3] << 24 | (uint64_t)u[4] << 32 |
	    (uint64_t)u[5] << 40 | (uint64_t)u[6] << 48 | (uint64_t)u[7] << 56;
}

static uint32_t
name_hash(const char *f, size_t len)
{
	uint64_t a = 0, b = 0, c = 0;
	size_t i;

	if (whole_names) {
		a = htab_hash(f, len);
		return (uint32_t)(a ^ (a >> 32));
	}
	if (len >= 8) {
		a = load64(f);
		b = load64(f + len - 8);
		if (len > 16)
			c = load64(f + len / 2 - 4);
	} else
		for (i = 0; i < len; i++)
			a |= (uint64_t)(unsigned char)f[i] << 8 * i;
	a = (a ^ len) * 0x9e3779b97f4a7c15ULL;
	a = (a ^ (a >> 29) ^ b) * 0xbf58476d1ce4e5b9ULL;
	a = (a ^ (a >> 31) ^ c) * 0x94d049bb133111ebULL;
	return (uint32_t)(a ^ (a >> 32));
}

/* Moves the index to cap slots; with rehash, names are hashed anew. */
static void
name_index_rebuild(size_t cap, int rehash)
{
	struct name_slot *t = calloc(cap, sizeof *t);
	size_t i, k;

	if (t == NULL)
		msg_die(1, "out of memory");
	for (i = 0; i < name_index_cap; i++) {
		if (name_index[i].id == 0)
			continue;
		if (rehash)
			name_index[i].hash = name_hash(namebuf +
			    name_index[i].name, name_index[i].len);
		for (k = name_index[i].hash & (cap - 1); t[k].id != 0;
		    k = (k + 1) & (cap - 1))
			;
		t[k] = name_index[i];
	}
	free(name_index);
	name_index = t;
	name_index_cap = cap;
}

static const char *
node_name(uint32_t id, size_t *len)
{
	*len = nodes[id].len;
	return namebuf + nodes[id].name;
}

static uint32_t
new_node(const char *f, size_t len)
{
	struct node *n;

	if (len >= UINT32_MAX - namebuf_len || nnodes >= INLINE_BIT - 1)
		msg_die(1, "too many or too long function names");
	if (nnodes == nodes_cap) {
		nodes_cap = nodes_cap ? nodes_cap * 2 : 1024;
		nodes = xrealloc(nodes, nodes_cap * sizeof *nodes);
	}
	while (namebuf_cap - namebuf_len < len + 1) {
		namebuf_cap = namebuf_cap ? namebuf_cap * 2 : 65536;
		namebuf = xrealloc(namebuf, namebuf_cap);
	}
	n = &nodes[nnodes];
	memset(n, 0, sizeof *n);
	memcpy(namebuf + namebuf_len, f, len);
	namebuf[namebuf_len + len] = '\0';
	n->name = (uint32_t)namebuf_len;
	n->len = (uint32_t)len;
	namebuf_len += len + 1;
	if (opt.focus_re != NULL)
		n->focus = matches(&opt.focus, f, len);
	if (opt.ignore_re != NULL)
		n->ignore = matches(&opt.ignore, f, len);
	return (uint32_t)nnodes++;
}

/*
 * Equal names: a call to memcmp for twenty-odd bytes cost more than the
 * comparison, half a million times.
 */
static inline int
same_name(const char *a, const char *b, size_t len)
{
	size_t i;

	if (len < 8)
		return memcmp(a, b, len) == 0;
	for (i = 0; i + 8 < len; i += 8)
		if (load64(a + i) != load64(b + i))
			return 0;
	return load64(a + len - 8) == load64(b + len - 8);
}

static uint32_t
node_of(const char *f, size_t len, uint32_t h)
{
	struct name_slot *sl;
	size_t k, probes = 0;
	uint32_t id;

	for (k = h & (name_index_cap - 1); name_index[k].id != 0;
	    k = (k + 1) & (name_index_cap - 1)) {
		if (++probes > LONG_PROBE)
			long_probe = 1;
		sl = &name_index[k];
		if (sl->hash == h && sl->len == len &&
		    same_name(namebuf + sl->name, f, len))
			return sl->id - 1;
	}
	id = new_node(f, len);
	sl = &name_index[k];
	sl->hash = h;
	sl->name = (uint32_t)nodes[id].name;
	sl->len = (uint32_t)len;
	sl->id = id + 1;
	if (nnodes * 2 > name_index_cap)
		name_index_rebuild(name_index_cap * 2, 0);
	return id;
}

/*
 * A stack's frames are split and hashed first, then looked up: the index
 * slots of all of them are fetched at once instead of one miss after
 * another.
 */
struct pending {
	const char *f;
	uint32_t len, inl;
	uint32_t h;
};

static struct pending *pend;
static size_t npend, pend_cap;

static void
pend_frame(const char *f, size_t len)
{
	struct pending *pf;

	if (npend == pend_cap) {
		pend_cap = pend_cap ? pend_cap * 2 : 256;
		pend = xrealloc(pend, pend_cap * sizeof *pend);
	}
	pf = &pend[npend++];
	pf->inl = esc_frame_inlined(f, len);
	if (pf->inl)
		len -= ESC_INLINE_MARK_LEN;
	pf->f = f;
	pf->len = (uint32_t)len;
	pf->h = name_hash(f, len);
	PREFETCH(&name_index[pf->h & (name_index_cap - 1)]);
}

static void
push_pending(void)
{
	size_t i;

	if (frames_cap - nframes < npend) {
		while (frames_cap - nframes < npend)
			frames_cap = frames_cap ? frames_cap * 2 : 65536;
		frames = xrealloc(frames, frames_cap * sizeof *frames);
	}
	for (i = 0; i < npend; i++)
		frames[nframes++] = node_of(pend[i].f, pend[i].len,
		    pend[i].h) | (pend[i].inl ? INLINE_BIT : 0);
	npend = 0;
	/* Between stacks: no pending frame holds a hash of the old kind. */
	if (long_probe && !whole_names) {
		whole_names = 1;
		name_index_rebuild(name_index_cap, 1);
	}
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
static void
split_escaped(const char *s, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == ';') {
			pend_frame(s + start, i - start);
			start = i + 1;
		}
	}
	pend_frame(s + start, len - start);
}

/*
 * Appends the node ids of an escaped stack, root first. The separators
 * are found eight bytes at a time: frames are short, so a call per frame
 * (memchr) would cost more than the search. Escapes are rare: one memchr
 * call finds a stack with a backslash, which is split byte by byte.
 */
static uint32_t
parse_stack(const char *s, size_t len)
{
	size_t i, k, start = 0, n;
	uint64_t w, m;

	if (len == 0)
		return 0;
	if (memchr(s, '\\', len) != NULL)
		split_escaped(s, len);
	else {
		for (i = 0; len - i >= 8; i += 8) {
			w = load64(s + i);
			for (m = bytes_equal(w, ';'); m != 0; m &= m - 1) {
				k = i + lowest_byte(m);
				pend_frame(s + start, k - start);
				start = k + 1;
			}
		}
		for (; i < len; i++)
			if (s[i] == ';') {
				pend_frame(s + start, i - start);
				start = i + 1;
			}
		pend_frame(s + start, len - start);
	}
	n = npend;
	push_pending();
	return (uint32_t)n;
}

/* The value of each lowercase hex digit; 16 marks any other byte. */
static unsigned char hexval[256];

static void
hexval_init(void)
{
	int c;

	memset(hexval, 16, sizeof hexval);
	for (c = '0'; c <= '9'; c++)
		hexval[c] = (unsigned char)(c - '0');
	for (c = 'a'; c <= 'f'; c++)
		hexval[c] = (unsigned char)(c - 'a' + 10);
}

/*
 * pprof's site column is a hex hash; anything else is hashed as text.
 * The digits are read without a branch each: a bad one shows in "bad".
 */
static uint64_t
parse_site(const char *p, size_t n)
{
	uint64_t v = 0;
	unsigned bad = 0, d;
	size_t i;

	if (n != 16)
		return htab_hash(p, n);
	for (i = 0; i < 16; i++) {
		d = hexval[(unsigned char)p[i]];
		bad |= d;
		v = v << 4 | (d & 15);
	}
	return bad & 16 ? htab_hash(p, n) : v;
}

static int
same_sample(const struct sample *a, const struct sample *b)
{
	return a->hash == b->hash && a->site == b->site &&
	    a->labels == b->labels && a->n == b->n &&
	    memcmp(frames + a->off, frames + b->off,
	    a->n * sizeof *frames) == 0;
}

static void
grow_slots(void)
{
	size_t i, n = nslots ? nslots * 2 : 4096;
	uint32_t *t = calloc(n, sizeof *t);

	if (t == NULL)
		msg_die(1, "out of memory");
	for (i = 0; i < nsamples; i++) {
		size_t k = (size_t)samples[i].hash & (n - 1);

		while (t[k] != 0)
			k = (k + 1) & (n - 1);
		t[k] = (uint32_t)i + 1;
	}
	free(slots);
	slots = t;
	nslots = n;
}

/*
 * Merges one row into the sample with the same site, labels and stack
 * (pprof's merge), keyed by the stack's node ids rather than its text.
 */
static void
add_row(const struct stream_row *row)
{
	struct sample *sm;
	size_t k;

	if (nsamples == samples_cap) {
		samples_cap = samples_cap ? samples_cap * 2 : 4096;
		samples = xrealloc(samples, samples_cap * sizeof *samples);
	}
	if ((nsamples + 1) * 2 > nslots)
		grow_slots();
	sm = &samples[nsamples];
	memset(sm, 0, sizeof *sm);
	sm->off = nframes;
	sm->n = parse_stack(row->stack, row->stack_len);
	sm->site = parse_site(row->site, row->site_len);
	if (row->labels_len > 0) {
		long l = htab_intern(&labelsets, row->labels, row->labels_len);

		if (l < 0)
			msg_die(1, "out of memory");
		sm->labels = (uint32_t)l + 1;
	}
	sm->hash = htab_hash((const char *)(frames + sm->off),
	    sm->n * sizeof *frames) ^ sm->site * 0x9e3779b97f4a7c15ULL ^
	    sm->labels;
	for (k = (size_t)sm->hash & (nslots - 1); slots[k] != 0;
	    k = (k + 1) & (nslots - 1)) {
		struct sample *old = &samples[slots[k] - 1];

		if (same_sample(old, sm)) {
			old->v = num_add_ov(old->v, row->values[hdr.col],
			    &overflow);
			nframes = sm->off;
			return;
		}
	}
	sm->v = row->values[hdr.col];
	slots[k] = (uint32_t)++nsamples;
}

static int
read_stream(FILE *fp, const char *name)
{
	struct stream s;
	struct stream_row row;
	int rc;

	stream_input_buffer(fp);
	stream_init(&s, fp, name);
	while ((rc = stream_next(&s, &row)) > 0) {
		if (rc == STREAM_BLOCK) {
			if (begin_block(&s) != 0) {
				stream_free(&s);
				return -1;
			}
			continue;
		}
		add_row(&row);
	}
	if (rc < 0)
		msg_warn("%s", s.err);
	else if (s.blocks == 0)
		msg_warn("%s: empty stream: no profile blocks", name);
	stream_free(&s);
	return rc < 0 || s.blocks == 0 ? -1 : 0;
}

/* pprof's focusedAndNotIgnored, at the level of function names. */
static int
wanted(const struct sample *sm)
{
	uint32_t i;
	int focused = opt.focus_re == NULL;

	if (opt.focus_re == NULL && opt.ignore_re == NULL)
		return 1;
	for (i = 0; i < sm->n; i++) {
		const struct node *n = &nodes[frames[sm->off + i] & ~INLINE_BIT];

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
static void
build_samples(void)
{
	size_t i;
	uint32_t stamp = 0, j, *stamps;
	int any_focus = 0, any_ignore = 0;

	stamps = xrealloc(NULL, (nnodes + 1) * sizeof *stamps);
	memset(stamps, 0, (nnodes + 1) * sizeof *stamps);

	/* Every node is a frame of some sample. */
	for (i = 0; i < nnodes; i++) {
		any_focus |= nodes[i].focus;
		any_ignore |= nodes[i].ignore;
	}
	for (i = 0; i < nsamples; i++) {
		struct sample *sm = &samples[i];

		if (sm->v == 0)
			continue;
		/* pprof totals the profile before it applies focus. */
		total = num_add_ov(total, num_abs_ov(sm->v, &overflow),
		    &overflow);
		if (!wanted(sm))
			continue;
		sm->used = 1;
		stamp++;
		for (j = 0; j < sm->n; j++) {
			uint32_t id = frames[sm->off + j] & ~INLINE_BIT;

			if (stamps[id] != stamp) {
				stamps[id] = stamp;
				nodes[id].cum = num_add_ov(nodes[id].cum, sm->v,
				    &overflow);
			}
		}
		if (sm->n > 0) {
			struct node *leaf =
			    &nodes[frames[sm->off + sm->n - 1] & ~INLINE_BIT];

			leaf->flat = num_add_ov(leaf->flat, sm->v, &overflow);
		}
	}
	free(stamps);
	if (opt.focus_re != NULL && !any_focus)
		msg_warn("--focus %s matched no samples", opt.focus_re);
	if (opt.ignore_re != NULL && !any_ignore)
		msg_warn("--ignore %s matched no samples", opt.ignore_re);
}

static char **raw;		/* unescaped names of the nodes in the table */

/* pprof's abs64: Go's -MinInt64 is MinInt64 again. */
static int64_t
abs64(int64_t v)
{
	return num_abs_ov(v, &overflow);
}

static int
cmp_node(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	const struct node *l = &nodes[x], *r = &nodes[y];
	int64_t lk1 = opt.cum_sort ? abs64(l->cum) : abs64(l->flat);
	int64_t rk1 = opt.cum_sort ? abs64(r->cum) : abs64(r->flat);
	int64_t lk2 = opt.cum_sort ? abs64(l->flat) : abs64(l->cum);
	int64_t rk2 = opt.cum_sort ? abs64(r->flat) : abs64(r->cum);
	int c;

	if (lk1 != rk1)
		return lk1 > rk1 ? -1 : 1;
	if ((c = strcmp(raw[x], raw[y])) != 0)
		return c;
	if (lk2 != rk2)
		return lk2 > rk2 ? -1 : 1;
	return (x > y) - (x < y);
}

/*
 * Picks the rows as pprof's newTrimmedGraph does: nodes whose |cum| is
 * below the node fraction of the flat total go, then the -n largest stay.
 * Returns the row count; *orig and *dropped feed the table's header.
 */
static size_t
select_nodes(uint32_t **out, size_t *orig, size_t *dropped,
    int64_t *edge_cutoff)
{
	size_t i, n = 0, nn = nnodes, kept = 0;
	uint32_t *order = xrealloc(NULL, (nn + 1) * sizeof *order);
	int64_t flatsum = 0, cutoff;

	raw = xrealloc(NULL, (nn + 1) * sizeof *raw);
	for (i = 0; i < nn; i++) {
		raw[i] = NULL;
		if (nodes[i].flat == 0 && nodes[i].cum == 0)
			continue;
		order[n++] = (uint32_t)i;
		flatsum = num_add_ov(flatsum, nodes[i].flat, &overflow);
	}
	cutoff = abs64((int64_t)((double)flatsum * opt.nodefraction));
	*edge_cutoff = abs64((int64_t)((double)flatsum * EDGE_FRACTION));
	for (i = 0; i < n; i++) {
		size_t len;
		const char *k = node_name(order[i], &len);

		if (cutoff > 0 && abs64(nodes[order[i]].cum) < cutoff)
			continue;
		raw[order[i]] = xrealloc(NULL, len + 1);
		memcpy(raw[order[i]], k, len);
		raw[order[i]][esc_unescape(raw[order[i]], len)] = '\0';
		order[kept++] = order[i];
	}
	*dropped = n - kept;
	*orig = kept;
	qsort(order, kept, sizeof *order, cmp_node);
	if (opt.count > 0 && (size_t)opt.count < kept)
		kept = (size_t)opt.count;
	for (i = 0; i < kept; i++)
		nodes[order[i]].kept = 1;
	*out = order;
	return kept;
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
edges_grow(struct edges *e)
{
	struct edges g;
	size_t i, j;

	memset(&g, 0, sizeof g);
	g.cap = e->cap ? e->cap * 2 : 1024;
	g.key = calloc(g.cap, sizeof *g.key);
	g.inl = calloc(g.cap, 1);
	g.weight = calloc(g.cap, sizeof *g.weight);
	g.seen = calloc(g.cap, sizeof *g.seen);
	if (g.key == NULL || g.inl == NULL || g.weight == NULL ||
	    g.seen == NULL)
		msg_die(1, "out of memory");
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
	free(e->key);
	free(e->inl);
	free(e->weight);
	free(e->seen);
	*e = g;
}

static void
edge_add(struct edges *e, uint32_t parent, uint32_t child, int inl,
    size_t sample, int64_t w)
{
	uint64_t k = ((uint64_t)parent << 32 | child) + 1;
	size_t i;

	if ((e->n + 1) * 2 > e->cap)
		edges_grow(e);
	i = edge_slot(e, k);
	if (e->key[i] == 0) {
		e->key[i] = k;
		e->inl[i] = (unsigned char)inl;
		e->weight[i] = w;
		e->seen[i] = sample;
		e->n++;
		return;
	}
	if (e->seen[i] == sample)
		return;
	e->seen[i] = sample;
	e->weight[i] = num_add_ov(e->weight[i], w, &overflow);
	if (!inl)
		e->inl[i] = 0;
}

/*
 * Walks every sample's kept frames as pprof's graph builder does (frames
 * of dropped nodes are skipped, recursion adds no edge), drops the edges
 * lighter than the edge fraction, and marks each kept node by the kinds
 * of edges that still reach it.
 */
static void
mark_inline(int64_t edge_cutoff)
{
	struct edges e;
	unsigned char *kept = xrealloc(NULL, nnodes + 1);
	size_t i;

	/* Asked of every frame: a byte each stays in the cache. */
	for (i = 0; i < nnodes; i++)
		kept[i] = nodes[i].kept;
	memset(&e, 0, sizeof e);
	edges_grow(&e);
	for (i = 0; i < nsamples; i++) {
		const struct sample *sm = &samples[i];
		uint32_t j, parent = UINT32_MAX;

		if (!sm->used)
			continue;
		for (j = 0; j < sm->n; j++) {
			uint32_t f = frames[sm->off + j];
			uint32_t id = f & ~INLINE_BIT;

			if (!kept[id])
				continue;
			if (parent != UINT32_MAX && parent != id)
				edge_add(&e, parent, id, (f & INLINE_BIT) != 0,
				    i + 1, sm->v);
			parent = id;
		}
	}
	for (i = 0; i < e.cap; i++) {
		uint32_t child;

		if (e.key[i] == 0 || abs64(e.weight[i]) < edge_cutoff)
			continue;
		child = (uint32_t)(e.key[i] - 1);
		if (e.inl[i])
			nodes[child].in_inline = 1;
		else
			nodes[child].in_noinline = 1;
	}
	free(e.key);
	free(e.inl);
	free(e.weight);
	free(e.seen);
	free(kept);
}

static struct obuf out;

static const char *
inline_label(const struct node *n)
{
	if (!n->in_inline)
		return "";
	return n->in_noinline ? "partial-inline" : "inline";
}

static void
pct2(char *buf, size_t len, int64_t v)
{
	snprintf(buf, len, "%.2f", total != 0 ? 100.0 * (double)v /
	    (double)total : 0.0);
}

static void
write_tsv(const uint32_t *order, size_t n, size_t orig, size_t dropped)
{
	char a[32], b[32], c[32];
	int64_t sum = 0;
	size_t i;

	obuf_puts(&out, "##type\t");
	esc_meta_out(&out, hdr.type);
	obuf_puts(&out, "\n##unit\t");
	esc_meta_out(&out, hdr.unit);
	obuf_puts(&out, "\n##total\t");
	obuf_i64(&out, total);
	obuf_puts(&out, "\n##nodes\t");
	obuf_u64(&out, n);
	obuf_putc(&out, '\t');
	obuf_u64(&out, orig + dropped);
	obuf_puts(&out, "\n#flat\tflat%\tsum%\tcum\tcum%\tfunction\tinline\n");
	for (i = 0; i < n; i++) {
		const struct node *nd = &nodes[order[i]];

		sum = num_add_ov(sum, nd->flat, &overflow);
		pct2(a, sizeof a, nd->flat);
		pct2(b, sizeof b, sum);
		pct2(c, sizeof c, nd->cum);
		obuf_i64(&out, nd->flat);
		obuf_putc(&out, '\t');
		obuf_puts(&out, a);
		obuf_putc(&out, '\t');
		obuf_puts(&out, b);
		obuf_putc(&out, '\t');
		obuf_i64(&out, nd->cum);
		obuf_putc(&out, '\t');
		obuf_puts(&out, c);
		obuf_putc(&out, '\t');
		esc_meta_out(&out, raw[order[i]]);
		obuf_putc(&out, '\t');
		obuf_puts(&out, inline_label(nd));
		obuf_putc(&out, '\n');
	}
}

/* Go's time.Format(t, "Jan 2, 2006 at 3:04pm (MST)") in local time. */
static void
go_time(char *buf, size_t len, int64_t nanos)
{
	time_t t = (time_t)(nanos / 1000000000);
	struct tm tm;
	char mon[8], zone[16];
	int h;

	if (nanos % 1000000000 < 0)
		t--;
	if (localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	strftime(mon, sizeof mon, "%b", &tm);
	strftime(zone, sizeof zone, "%Z", &tm);
	h = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
	snprintf(buf, len, "%s %d, %d at %d:%02d%s (%s)", mon, tm.tm_mday,
	    tm.tm_year + 1900, h, tm.tm_min, tm.tm_hour < 12 ? "am" : "pm",
	    zone);
}

static void
line(const char *s)
{
	obuf_puts(&out, s);
	obuf_putc(&out, '\n');
}

static void
write_pprof_labels(const char *unit)
{
	struct sbuf b = SBUF_INIT;
	char v[128], w[128], p[32];
	size_t i;

	if (hdr.file != NULL) {
		const char *base = strrchr(hdr.file, '/');

		obuf_puts(&out, "File: ");
		line(base != NULL && base[1] != '\0' ? base + 1 : hdr.file);
		if (*hdr.build_id != '\0') {
			obuf_puts(&out, "Build ID: ");
			line(hdr.build_id);
		}
	}
	for (i = 0; i < htab_count(&hdr.comments); i++) {
		const char *c = htab_key(&hdr.comments, i, NULL);

		if (c[0] != '#')
			line(c);
	}
	obuf_puts(&out, "Type: ");
	line(hdr.type);
	if (hdr.time_nanos != 0) {
		go_time(v, sizeof v, hdr.time_nanos);
		obuf_puts(&out, "Time: ");
		line(v);
	}
	if (hdr.duration_nanos != 0) {
		const char *tu;
		double tn = units_scale(total, hdr.unit, "nanoseconds", &tu);

		units_label(v, sizeof v, hdr.duration_nanos, "nanoseconds",
		    "auto");
		units_label(w, sizeof w, total, hdr.unit, unit);
		p[0] = '\0';
		if (strcmp(tu, "ns") == 0 && tn != 0) {
			units_percent(p + 1, sizeof p - 2, (int64_t)tn,
			    hdr.duration_nanos);
			p[0] = '(';
			strcat(p, ")");
		}
		sbuf_printf(&b, "Duration: %s, Total samples = %s %s", v, w, p);
		line(b.s);
	}
	if (opt.focus_re != NULL || opt.ignore_re != NULL) {
		line("Active filters:");
		if (opt.focus_re != NULL) {
			obuf_puts(&out, "   focus=");
			line(opt.focus_re);
		}
		if (opt.ignore_re != NULL) {
			obuf_puts(&out, "   ignore=");
			line(opt.ignore_re);
		}
	}
	sbuf_free(&b);
}

static void
write_pprof(const uint32_t *order, size_t n, size_t orig, size_t dropped)
{
	const char *unit = "minimum";
	char a[128], b[128], c[384], d[32], e[32], f[32];
	int64_t min = 0, sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct node *nd = &nodes[order[i]];
		int64_t m = abs64(nd->flat) ? abs64(nd->flat) : abs64(nd->cum);

		sum = num_add_ov(sum, nd->flat, &overflow);
		if (m > 0 && (min == 0 || m < min))
			min = m;
	}
	if (n > 0)
		unit = units_pick(min, total, hdr.unit);
	write_pprof_labels(unit);
	units_label(a, sizeof a, sum, hdr.unit, unit);
	units_percent(d, sizeof d, sum, total);
	units_label(b, sizeof b, total, hdr.unit, unit);
	obuf_puts(&out, "Showing nodes accounting for ");
	obuf_puts(&out, a);
	obuf_puts(&out, ", ");
	obuf_puts(&out, d + strspn(d, " "));
	obuf_puts(&out, " of ");
	obuf_puts(&out, b);
	line(" total");
	if (total != 0 && dropped > 0) {
		units_label(a, sizeof a, abs64((int64_t)((double)total *
		    opt.nodefraction)), hdr.unit, unit);
		snprintf(b, sizeof b, "Dropped %zu node%s (cum <= ", dropped,
		    dropped > 1 ? "s" : "");
		obuf_puts(&out, b);
		obuf_puts(&out, a);
		line(")");
	}
	if (total != 0 && n > 0 && n < orig) {
		snprintf(b, sizeof b, "Showing top %zu nodes out of %zu", n,
		    orig);
		line(b);
	}
	snprintf(a, sizeof a, "%10s %5s%% %5s%% %10s %5s%%", "flat", "flat",
	    "sum", "cum", "cum");
	line(a);
	sum = 0;
	for (i = 0; i < n; i++) {
		const struct node *nd = &nodes[order[i]];
		const char *inl = inline_label(nd);

		sum = num_add_ov(sum, nd->flat, &overflow);
		units_label(a, sizeof a, nd->flat, hdr.unit, unit);
		units_label(b, sizeof b, nd->cum, hdr.unit, unit);
		units_percent(d, sizeof d, nd->flat, total);
		units_percent(e, sizeof e, sum, total);
		units_percent(f, sizeof f, nd->cum, total);
		snprintf(c, sizeof c, "%10s %s %s %10s %s  ", a, d, e, b, f);
		obuf_puts(&out, c);
		obuf_puts(&out, raw[order[i]]);
		if (*inl != '\0') {
			obuf_puts(&out, " (");
			obuf_puts(&out, inl);
			obuf_putc(&out, ')');
		}
		obuf_putc(&out, '\n');
	}
}

static void
compile(regex_t *re, const char *pattern, const char *what)
{
	char buf[256];
	int rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);

	if (rc != 0) {
		regerror(rc, re, buf, sizeof buf);
		msg_die(2, "%s: bad regular expression %s: %s", what, pattern,
		    buf);
	}
}

static void
parse_options(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "focus", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "nodefraction", required_argument, NULL, 'N' },
		{ "sort", required_argument, NULL, 's' },
		{ "type", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int64_t n;
	int ch;

	while ((ch = getopt_long(argc, argv, "n:t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			opt.focus_re = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "pprof") == 0)
				opt.pprof_format = 1;
			else if (strcmp(optarg, "tsv") == 0)
				opt.pprof_format = 0;
			else
				msg_die(2, "--format: expected tsv or pprof, "
				    "not %s", optarg);
			break;
		case 'h':
			printf("usage: pprof-top [-t type] [-n count] "
			    "[--nodefraction f] [--format tsv|pprof]\n"
			    "                 [--focus re] [--ignore re] "
			    "[--sort flat|cum] [file ...]\n"
			    "Per-function flat and cum table of a sample "
			    "stream, as go tool pprof -top.\n"
			    "See pprof-top(1).\n");
			exit(0);
		case 'i':
			opt.ignore_re = optarg;
			break;
		case 'n':
			if (num_i64(optarg, &n) != 0 || n < 0 || n > 1 << 30)
				msg_die(2, "-n: not a node count: %s", optarg);
			opt.count = (long)n;
			break;
		case 'N':
			if (num_double(optarg, &opt.nodefraction) != 0 ||
			    opt.nodefraction < 0 || opt.nodefraction > 1)
				msg_die(2, "--nodefraction: not a fraction "
				    "from 0 to 1: %s", optarg);
			break;
		case 's':
			if (strcmp(optarg, "cum") == 0)
				opt.cum_sort = 1;
			else if (strcmp(optarg, "flat") == 0)
				opt.cum_sort = 0;
			else
				msg_die(2, "--sort: expected flat or cum, not "
				    "%s", optarg);
			break;
		case 't':
			opt.type = optarg;
			break;
		case 'V':
			printf("pprof-top %s\n", E2E_PROFILE_VERSION);
			exit(0);
		default:
			usage();
		}
	}
	if (opt.focus_re != NULL)
		compile(&opt.focus, opt.focus_re, "--focus");
	if (opt.ignore_re != NULL)
		compile(&opt.ignore, opt.ignore_re, "--ignore");
}

int
main(int argc, char *argv[])
{
	uint32_t *order;
	size_t n, orig, dropped;
	int64_t edge_cutoff;
	int i;

	msg_init(argv);
	parse_options(argc, argv);
	argc -= optind;
	argv += optind;

	htab_init(&labelsets);
	hexval_init();
	name_index_rebuild(4096, 0);
	htab_init(&hdr.comments);
	if (argc == 0 && read_stream(stdin, "stdin") != 0)
		return 1;
	for (i = 0; i < argc; i++) {
		FILE *fp = strcmp(argv[i], "-") == 0 ? stdin :
		    fopen(argv[i], "r");
		int rc;

		if (fp == NULL) {
			msg_warn("%s: %s", argv[i], strerror(errno));
			return 1;
		}
		rc = read_stream(fp, fp == stdin ? "stdin" : argv[i]);
		if (fp != stdin)
			fclose(fp);
		if (rc != 0)
			return 1;
	}
	build_samples();
	n = select_nodes(&order, &orig, &dropped, &edge_cutoff);
	mark_inline(edge_cutoff);
	if (overflow)
		msg_die(1, "%s: values overflow a 64-bit sum",
		    argc > 0 ? argv[argc - 1] : "stdin");
	obuf_init(&out, stdout);
	if (opt.pprof_format)
		write_pprof(order, n, orig, dropped);
	else
		write_tsv(order, n, orig, dropped);
	free(order);
	if (obuf_flush(&out) != 0) {
		msg_warn("stdout: write error");
		return 1;
	}
	return msg_close_stdout();
}

static void
usage(void)
{
	fprintf(stderr, "usage: pprof-top [-t type] [-n count] "
	    "[--nodefraction f] [--format tsv|pprof]\n"
	    "                 [--focus re] [--ignore re] [--sort flat|cum] "
	    "[file ...]\n");
	exit(2);
}
