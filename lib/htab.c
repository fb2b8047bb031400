/* htab - see htab.h. */
#include "htab.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* Key bytes live in large blocks: one malloc per key would dominate. */
struct htab_pool {
	struct htab_pool *next;
	size_t used, cap;
	char data[];
};

#define POOL_BLOCK ((size_t)1 << 20)

void
htab_init(struct htab *h)
{
	memset(h, 0, sizeof *h);
}

void
htab_free(struct htab *h)
{
	struct htab_pool *p = h->pool;

	while (p != NULL) {
		struct htab_pool *next = p->next;

		free(p);
		p = next;
	}
	free(h->slots);
	free(h->keys);
	free(h->lens);
	free(h->hashes);
	memset(h, 0, sizeof *h);
}

uint64_t
htab_hash(const char *key, size_t len)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL;
	uint64_t h = 0x243f6a8885a308d3ULL ^ (len * k);
	uint64_t w;

	while (len >= 8) {
		memcpy(&w, key, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
		key += 8;
		len -= 8;
	}
	w = 0;
	if (len > 0)	/* NULL is a fine empty key, but not for memcpy */
		memcpy(&w, key, len);
	h = (h ^ w) * k;
	h ^= h >> 32;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 31;
	return h;
}

static char *
pool_copy(struct htab *h, const char *key, size_t len)
{
	struct htab_pool *p = h->pool;
	char *s;

	if (p == NULL || p->cap - p->used < len + 1) {
		size_t cap = len + 1 > POOL_BLOCK ? len + 1 : POOL_BLOCK;

		if ((p = malloc(sizeof *p + cap)) == NULL)
			return NULL;
		p->cap = cap;
		p->used = 0;
		p->next = h->pool;
		h->pool = p;
	}
	s = p->data + p->used;
	if (len > 0)
		memcpy(s, key, len);
	s[len] = '\0';
	p->used += len + 1;
	return s;
}

/*
 * A slot keeps the high half of its key's hash beside the index, so a
 * probe rejects most strangers without touching the key arrays.
 */
static uint64_t
slot_of(uint64_t hv, size_t i)
{
	return (hv >> 32 << 32) | ((uint64_t)i + 1);
}

static int
rehash(struct htab *h)
{
	size_t n = grow_cap(h->nslots, h->nslots + 1, sizeof *h->slots, 1024);
	size_t i;
	uint64_t *slots;

	if (n == 0 || (slots = calloc(n, sizeof *slots)) == NULL)
		return -1;
	for (i = 0; i < h->n; i++) {
		size_t s = (size_t)h->hashes[i] & (n - 1);

		while (slots[s] != 0)
			s = (s + 1) & (n - 1);
		slots[s] = slot_of(h->hashes[i], i);
	}
	free(h->slots);
	h->slots = slots;
	h->nslots = n;
	return 0;
}

static int
grow_arrays(struct htab *h)
{
	/* One capacity for the three; hashes have the widest elements. */
	size_t cap = grow_cap(h->cap, h->cap + 1, sizeof *h->hashes, 256);
	char **keys;

	if (cap == 0 || (keys = realloc(h->keys, cap * sizeof *keys)) == NULL)
		return -1;
	h->keys = keys;
	{
		uint32_t *lens = realloc(h->lens, cap * sizeof *lens);

		if (lens == NULL)
			return -1;
		h->lens = lens;
	}
	{
		uint64_t *hashes = realloc(h->hashes, cap * sizeof *hashes);

		if (hashes == NULL)
			return -1;
		h->hashes = hashes;
	}
	h->cap = cap;
	return 0;
}

static long
lookup(const struct htab *h, const char *key, size_t len, uint64_t hv,
    size_t *slot)
{
	size_t s = (size_t)hv & (h->nslots - 1);
	uint64_t tag = hv >> 32 << 32;

	for (; h->slots[s] != 0; s = (s + 1) & (h->nslots - 1)) {
		uint64_t v = h->slots[s];
		size_t i = (size_t)(v & 0xffffffffu) - 1;

		if ((v & ~(uint64_t)0xffffffffu) == tag && h->lens[i] == len &&
		    (len == 0 || memcmp(h->keys[i], key, len) == 0))
			return (long)i;
	}
	*slot = s;
	return -1;
}

long
htab_find(const struct htab *h, const char *key, size_t len)
{
	size_t slot;

	if (h->nslots == 0)
		return -1;
	return lookup(h, key, len, htab_hash(key, len), &slot);
}

long
htab_intern(struct htab *h, const char *key, size_t len)
{
	uint64_t hv = htab_hash(key, len);
	size_t slot = 0;
	long i;
	char *copy;

	if (len > UINT32_MAX || h->n >= UINT32_MAX - 1)
		return -1;
	if (h->nslots == 0 && rehash(h) != 0)
		return -1;
	if ((i = lookup(h, key, len, hv, &slot)) >= 0)
		return i;
	if ((h->n + 1) * 4 > h->nslots * 3) {
		if (rehash(h) != 0)
			return -1;
		lookup(h, key, len, hv, &slot);
	}
	if (h->n == h->cap && grow_arrays(h) != 0)
		return -1;
	if ((copy = pool_copy(h, key, len)) == NULL)
		return -1;
	h->keys[h->n] = copy;
	h->lens[h->n] = (uint32_t)len;
	h->hashes[h->n] = hv;
	h->slots[slot] = slot_of(hv, h->n);
	return (long)h->n++;
}
