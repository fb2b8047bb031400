/*
 * agg - pprof's graph of a sample stream: what `go tool pprof` builds
 * before it prints a report.
 *
 * Rows are merged into samples (equal site, labels and stack summed, as
 * pprof merges profiles), each stack kept once as its functions' ids,
 * root first, with the inline bit of each frame; a tool that keeps no
 * samples (pprof-series) uses the stack table alone (agg_stack), and one
 * that compares two profiles (pprof-diff) gives each its side (agg_add,
 * agg_side). agg_build adds flat (the
 * leaf's) and cum (once per function per sample: recursion counts once)
 * over the samples that --focus/--ignore keep; agg_select trims the
 * functions by the node fraction and -n, as pprof's newTrimmedGraph, and
 * marks them by the inline edges that remain between the kept ones.
 *
 *	struct agg a;
 *	struct agg_opt o = AGG_OPT_INIT;
 *	if (agg_init(&a, &o, err, sizeof err) != 0) ... err: bad regex ...
 *	while ((rc = stream_next(&s, &row)) > 0)
 *		if ((rc == STREAM_BLOCK ? agg_block(&a, &s, err, len) :
 *		    agg_row(&a, &row, err, len)) != 0) ... err ...
 *	agg_build(&a, err, len);
 *	n = agg_select(&a, &order, &orig, &dropped, err, len);
 *	... a.nodes[order[i]].flat, .cum, agg_raw(&a, order[i]) ...
 *	agg_free(&a);
 *
 * Function ids follow first appearance; names are kept escaped, as the
 * stream has them (agg_name), and unescaped for the kept rows (agg_raw).
 * Every function that fails returns -1 with one line in err (an
 * allocation, too many names, a block unlike the first), never prints,
 * never exits. Sums that do not fit 64 bits set a.overflow and go on:
 * the caller refuses them before writing anything. Memory grows with the
 * distinct samples, stacks and names, not with the rows. agg.c holds the tables,
 * agg_graph.c what is computed on them (agg_build and after).
 */
#ifndef AGG_H
#define AGG_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "htab.h"
#include "sbuf.h"
#include "stream.h"

#define AGG_INLINE_BIT 0x80000000u

struct agg_opt {
	const char *type;		/* NULL: the first block's default */
	const char *focus, *ignore;	/* extended regexes, or NULL */
	double nodefraction;		/* of the flat total, agg_select */
	long count;			/* -n: rows kept, 0 for all */
	int cum_sort;			/* by cum, else by flat */
};

#define AGG_OPT_INIT { NULL, NULL, NULL, 0.005, 0, 0 }

struct agg_node {
	int64_t flat, cum;
	uint32_t name;		/* offset of its escaped name in namebuf */
	uint32_t len;
	unsigned kept : 1, focus : 1, ignore : 1;
	unsigned in_inline : 1, in_noinline : 1;
};

/* A merged sample: the rows with equal site, labels and stack, summed. */
struct agg_sample {
	uint64_t hash, site;
	size_t off;		/* its stack's node ids: frames[off .. off + n) */
	uint32_t n;
	uint32_t stack;		/* agg_stack's id */
	uint32_t labels;	/* 0, or 1 + index into labelsets */
	uint32_t side;		/* agg_add's */
	int64_t v;
	int used;		/* nonzero and wanted: in the graph */
};

/* The merged header of every block read. */
struct agg_header {
	char *type, *unit;
	char **types;		/* the first block's, to check the others */
	size_t ntypes;
	int col;
	char *file, *build_id;
	struct htab comments;
	int64_t time_nanos, duration_nanos;
};

struct agg_name_slot;
struct agg_pending;

/* A distinct stack: its frames, frames[off .. off + n). */
struct agg_stack {
	size_t off;
	uint64_t hash;		/* of its frames */
	uint32_t n;
	uint32_t tlen;		/* its text in texts[toff..], once agg_stack */
	size_t toff;		/* ... met it; SIZE_MAX until then */
};

struct agg {
	struct agg_opt opt;
	regex_t focus, ignore;
	struct agg_header hdr;
	struct agg_node *nodes;	/* the functions, in order of appearance */
	size_t nnodes, nodes_cap;
	char *namebuf;		/* their escaped names, without mark */
	size_t namebuf_len, namebuf_cap;
	uint32_t *frames;	/* node id | AGG_INLINE_BIT, per sample */
	size_t nframes, frames_cap;
	struct agg_sample *samples;
	size_t nsamples, samples_cap;
	int64_t total;		/* sum of |v|, before focus */
	int overflow;		/* a sum did not fit in 64 bits */
	int any_focus, any_ignore;	/* a function matched */
	char **raw;		/* unescaped names of the kept nodes */
	/* the stacks, indexed by their frames and by the site hint */
	struct agg_stack *stackv;
	size_t nstacks, stacks_cap;
	uint32_t *sslots;	/* stack id + 1; 0 is empty */
	size_t nsslots;
	char *texts;		/* stack texts, for the hint's memcmp */
	size_t texts_len, texts_cap;
	uint64_t *hkey;		/* hint and length ... */
	uint32_t *hid;		/* ... to stack id + 1; 0: empty slot */
	size_t hn, hcap;
	/* the indexes */
	struct htab labelsets;
	uint32_t *slots;	/* sample index + 1; 0 is empty */
	size_t nslots;
	struct agg_name_slot *name_index;
	size_t name_index_cap;
	int whole_names, long_probe;
	struct agg_pending *pend;
	size_t npend, pend_cap;
};

/* Compiles o's regexes; -1 with "--focus: bad regular expression ...". */
int agg_init(struct agg *a, const struct agg_opt *o, char *err,
    size_t errlen);
void agg_free(struct agg *a);

/* Takes in a new block's header: its type, its metadata. */
int agg_block(struct agg *a, const struct stream *s, char *err,
    size_t errlen);

/* Merges a row of the current block: its value of the block's type. */
int agg_row(struct agg *a, const struct stream_row *row, char *err,
    size_t errlen);

/*
 * Merges a row's stack, site and labels with the value v on one side of
 * a comparison (pprof-diff: 0 for the base, 1 for the other), for a
 * caller that checks the blocks itself: samples of different sides are
 * never merged. agg_row is side 0.
 */
int agg_add(struct agg *a, const struct stream_row *row, unsigned side,
    int64_t v, char *err, size_t errlen);

/*
 * The id of the escaped stack s[0..len), split into frames when new
 * (*isnew set to 1, else 0; isnew may be NULL). hint is a hash of it the
 * caller already has, such as the stream's site column: a stack met again
 * costs a lookup of the hint and one memcmp instead of hashing and
 * splitting its text. The text decides: a hint shared by different
 * stacks only sends them to the slow path.
 */
long agg_stack(struct agg *a, uint64_t hint, const char *s, size_t len,
    int *isnew, char *err, size_t errlen);

/* The frames of stack id, root first: node id | AGG_INLINE_BIT. */
static inline const uint32_t *
agg_frames(const struct agg *a, size_t id, size_t *n)
{
	*n = a->stackv[id].n;
	return a->frames + a->stackv[id].off;
}

/* pprof's site column as a number: its hex value, else a hash of it. */
uint64_t agg_site(const char *p, size_t n);

/* The id of the function with the plain name[0..len), added when new. */
long agg_func(struct agg *a, const char *name, size_t len, char *err,
    size_t errlen);

/*
 * Reads a whole stream into a: agg_block and agg_row, and "empty stream"
 * when it has no block.
 */
int agg_read(struct agg *a, FILE *fp, const char *name, char *err,
    size_t errlen);

/*
 * Flat, cum and the total over the merged samples, as pprof's graph adds
 * them; a.any_focus and a.any_ignore say whether the regexes matched.
 */
int agg_build(struct agg *a, char *err, size_t errlen);

/*
 * Flat and cum of one side's samples, added into flat and cum (a->nnodes
 * each), as agg_build adds them but without focus; each sample's value is
 * first scaled by r and rounded when r is not 1 (pprof's -normalize).
 * *total gets the sum of their |value|.
 */
int agg_side(struct agg *a, unsigned side, double r, int64_t *flat,
    int64_t *cum, int64_t *total, char *err, size_t errlen);

/*
 * Appends stack id to b, joined again from its frames: the text the
 * stream had. -1 when b ran out of memory.
 */
int agg_stack_text(const struct agg *a, size_t id, struct sbuf *b);

/*
 * The rows of pprof's table, sorted (*order, n of them, to free), with
 * the functions left after the node fraction (*orig) and those it
 * dropped; marks the kept nodes' inline labels. -1 on error.
 */
long agg_select(struct agg *a, uint32_t **order, size_t *orig,
    size_t *dropped, char *err, size_t errlen);

/* The escaped name of function id, as the stream had it. */
static inline const char *
agg_name(const struct agg *a, uint32_t id, size_t *len)
{
	*len = a->nodes[id].len;
	return a->namebuf + a->nodes[id].name;
}

/* The plain name of a node agg_select kept. */
static inline const char *
agg_raw(const struct agg *a, uint32_t id)
{
	return a->raw[id];
}

/* "", "inline" or "partial-inline": pprof's mark of a kept node. */
const char *agg_inline_label(const struct agg_node *n);

/* pprof's abs64, Go's -MinInt64 counted as an overflow. */
int64_t agg_abs(struct agg *a, int64_t v);

#endif
