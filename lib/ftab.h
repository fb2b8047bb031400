/*
 * ftab - the functions of a sample stream's stacks, for tools that add up
 * flat and cum per function (pprof-diff, pprof-series --growth) or look at
 * every frame of a sample (categories).
 *
 * A stack is the stream's escaped text, root first, frames joined by ';'.
 * ftab_stack parses each distinct stack once: it splits the frames,
 * unescapes them, drops the inline mark (an inlined frame is a frame of
 * its function, as in pprof) and interns the names, so every later sample
 * with the same stack costs one hash lookup. The stack's functions are
 * kept as dense ids, each once, the leaf's first: flat goes to
 * funcs[0], cum to every entry (recursion counts once), as pprof counts.
 *
 *	struct ftab t;
 *	ftab_init(&t);
 *	long s = ftab_stack(&t, row.stack, row.stack_len, &isnew);
 *	size_t n;
 *	const uint32_t *f = ftab_funcs(&t, s, &n);
 *	if (n > 0) flat[f[0]] += v;
 *	for (i = 0; i < n; i++) cum[f[i]] += v;
 *	... ftab_name(&t, f[0], &len) is the plain name ...
 *	ftab_free(&t);
 *
 * Function ids and stack ids follow first appearance. Memory grows with
 * the distinct stacks and names, not with the samples.
 */
#ifndef FTAB_H
#define FTAB_H

#include <stddef.h>
#include <stdint.h>

#include "htab.h"

struct ftab {
	struct htab names;	/* plain function names */
	struct htab stacks;	/* escaped stack texts */
	size_t *off;		/* per stack: its first entry in ids */
	uint32_t *len;		/* per stack: its number of functions */
	size_t stacks_cap;
	uint32_t *ids;
	size_t nids, ids_cap;
	uint32_t *stamp;	/* per function: last stack that listed it */
	size_t stamp_cap;
	char *scratch;		/* one unescaped frame */
	size_t scratch_cap;
	uint64_t *hkey;		/* ftab_stack_hint: hint and length */
	uint32_t *hid;		/* ... to stack id + 1; 0: empty slot */
	size_t hn, hcap;
};

void ftab_init(struct ftab *t);
void ftab_free(struct ftab *t);

/*
 * The id of the stack s[0..len), parsed and added when new (*isnew set to
 * 1, else 0; isnew may be NULL). -1 when memory runs out.
 */
long ftab_stack(struct ftab *t, const char *s, size_t len, int *isnew);

/*
 * ftab_stack for a stack whose caller already has a hash of it, such as
 * the stream's site column: a stack met again costs a lookup of the hint
 * and one memcmp instead of hashing its text. The text decides: a hint
 * shared by different stacks only sends them to the slow path.
 */
long ftab_stack_hint(struct ftab *t, uint64_t hint, const char *s,
    size_t len, int *isnew);

/* The functions of stack id, each once, the leaf's first; *n of them. */
static inline const uint32_t *
ftab_funcs(const struct ftab *t, size_t id, size_t *n)
{
	*n = t->len[id];
	return t->ids + t->off[id];
}

static inline size_t
ftab_nfuncs(const struct ftab *t)
{
	return htab_count(&t->names);
}

/* The plain (unescaped) name of function id, NUL-terminated. */
static inline const char *
ftab_name(const struct ftab *t, size_t id, size_t *len)
{
	return htab_key(&t->names, id, len);
}

/*
 * The id of the plain name[0..len), added when new; -1 when memory runs
 * out. For callers that read names from elsewhere (a pprof-top table).
 */
long ftab_func(struct ftab *t, const char *name, size_t len);

#endif
