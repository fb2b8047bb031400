/*
 * htab - a hash table from byte strings to dense indices 0, 1, 2, ...
 *
 * The aggregation tools key everything by text (function names, whole
 * stacks, label sets). htab_intern returns the index of a key, adding it
 * (with a copy of its bytes) when new; indices follow first insertion, so
 * callers keep their per-key data in plain arrays indexed by them and
 * iterate in a deterministic order. Keys may contain any byte.
 *
 *	struct htab h;
 *	htab_init(&h);
 *	long i = htab_intern(&h, "main.main", 9);   (-1: out of memory)
 *	const char *k = htab_key(&h, i, &len);
 *	htab_free(&h);
 */
#ifndef HTAB_H
#define HTAB_H

#include <stddef.h>
#include <stdint.h>

struct htab_pool;

struct htab {
	uint64_t *slots;	/* hash >> 32 << 32 | index + 1; 0: empty */
	size_t nslots;
	char **keys;		/* NUL-terminated copies */
	uint32_t *lens;
	uint64_t *hashes;
	size_t n, cap;
	struct htab_pool *pool;
};

void htab_init(struct htab *h);
void htab_free(struct htab *h);

/* Index of key, added when missing; -1 when memory runs out. */
long htab_intern(struct htab *h, const char *key, size_t len);

/* Index of key, or -1 when absent. */
long htab_find(const struct htab *h, const char *key, size_t len);

static inline const char *
htab_key(const struct htab *h, size_t i, size_t *len)
{
	if (len != NULL)
		*len = h->lens[i];
	return h->keys[i];
}

static inline size_t
htab_count(const struct htab *h)
{
	return h->n;
}

/* The hash htab uses, for callers that hash the same bytes themselves. */
uint64_t htab_hash(const char *key, size_t len);

#endif
