/* ftab - see ftab.h. */
#include "ftab.h"

#include <stdlib.h>
#include <string.h>

#include "esc.h"

void
ftab_init(struct ftab *t)
{
	memset(t, 0, sizeof *t);
	htab_init(&t->names);
	htab_init(&t->stacks);
}

void
ftab_free(struct ftab *t)
{
	htab_free(&t->names);
	htab_free(&t->stacks);
	free(t->off);
	free(t->len);
	free(t->ids);
	free(t->stamp);
	free(t->scratch);
	free(t->hkey);
	free(t->hid);
	memset(t, 0, sizeof *t);
}

/*
 * Returns p with room for n (> 0) more entries of size sz after used,
 * reallocated when *cap is too small, or NULL (p untouched).
 */
static void *
grow(void *p, size_t *cap, size_t used, size_t n, size_t sz)
{
	size_t c = *cap;

	if (c - used >= n)
		return p;
	while (c - used < n)
		c = c ? c * 2 : 1024;
	if ((p = realloc(p, c * sz)) != NULL)
		*cap = c;
	return p;
}

long
ftab_func(struct ftab *t, const char *name, size_t len)
{
	long id = htab_intern(&t->names, name, len);
	size_t n = ftab_nfuncs(t);

	if (id < 0)
		return -1;
	if (n > t->stamp_cap) {
		size_t old = t->stamp_cap;
		uint32_t *p = grow(t->stamp, &t->stamp_cap, old, n - old,
		    sizeof *p);

		if (p == NULL)
			return -1;
		memset(p + old, 0, (t->stamp_cap - old) * sizeof *p);
		t->stamp = p;
	}
	return id;
}

/* Interns the escaped frame f[0..n) by its plain name. */
static long
frame_id(struct ftab *t, const char *f, size_t n)
{
	char *p;

	if (esc_frame_inlined(f, n))
		n -= ESC_INLINE_MARK_LEN;
	if (memchr(f, '\\', n) == NULL)
		return ftab_func(t, f, n);
	if ((p = grow(t->scratch, &t->scratch_cap, 0, n + 1, 1)) == NULL)
		return -1;
	t->scratch = p;
	memcpy(t->scratch, f, n);
	return ftab_func(t, t->scratch, esc_unescape(t->scratch, n));
}

/*
 * Appends the frames of s, root first, at t->ids + t->nids; returns their
 * count, or -1.
 */
static long
split_frames(struct ftab *t, const char *s, size_t len)
{
	size_t i, start = 0, k = 0;

	if (len == 0)
		return 0;
	for (i = 0; i <= len; i++) {
		uint32_t *p;
		long id;

		if (i + 1 < len && s[i] == '\\') {
			i++;
			continue;
		}
		if (i < len && s[i] != ';')
			continue;
		if ((id = frame_id(t, s + start, i - start)) < 0 ||
		    (p = grow(t->ids, &t->ids_cap, t->nids + k, 1,
		    sizeof *p)) == NULL)
			return -1;
		t->ids = p;
		t->ids[t->nids + k++] = (uint32_t)id;
		start = i + 1;
	}
	return (long)k;
}

long
ftab_stack(struct ftab *t, const char *s, size_t len, int *isnew)
{
	size_t before = htab_count(&t->stacks), i, j;
	long id = htab_intern(&t->stacks, s, len), k;
	uint32_t *f;

	if (isnew != NULL)
		*isnew = 0;
	if (id < 0)
		return -1;
	if (htab_count(&t->stacks) == before)
		return id;
	if (before == t->stacks_cap) {
		size_t cap = t->stacks_cap ? t->stacks_cap * 2 : 1024;
		size_t *o = realloc(t->off, cap * sizeof *o);

		if (o == NULL)
			return -1;
		t->off = o;
		if ((f = realloc(t->len, cap * sizeof *f)) == NULL)
			return -1;
		t->len = f;
		t->stacks_cap = cap;
	}
	if ((k = split_frames(t, s, len)) < 0)
		return -1;
	/* Leaf first, then each function once, at its leafmost frame. */
	f = t->ids + t->nids;
	for (i = 0, j = (size_t)k; i + 1 < j; i++, j--) {
		uint32_t x = f[i];

		f[i] = f[j - 1];
		f[j - 1] = x;
	}
	for (i = j = 0; i < (size_t)k; i++) {
		if (t->stamp[f[i]] == (uint32_t)id + 1)
			continue;
		t->stamp[f[i]] = (uint32_t)id + 1;
		f[j++] = f[i];
	}
	t->off[id] = t->nids;
	t->len[id] = (uint32_t)j;
	t->nids += j;
	if (isnew != NULL)
		*isnew = 1;
	return id;
}

static uint64_t
hint_key(uint64_t hint, size_t len)
{
	uint64_t k = (hint ^ (uint64_t)len * 0x9e3779b97f4a7c15ULL) *
	    0xbf58476d1ce4e5b9ULL;

	return k ^ k >> 31;
}

static int
hint_grow(struct ftab *t)
{
	size_t cap = t->hcap ? t->hcap * 2 : 4096, i, j;
	uint64_t *key = calloc(cap, sizeof *key);
	uint32_t *id = calloc(cap, sizeof *id);

	if (key == NULL || id == NULL) {
		free(key);
		free(id);
		return -1;
	}
	for (i = 0; i < t->hcap; i++) {
		if (t->hid[i] == 0)
			continue;
		j = t->hkey[i] & (cap - 1);
		while (id[j] != 0)
			j = (j + 1) & (cap - 1);
		key[j] = t->hkey[i];
		id[j] = t->hid[i];
	}
	free(t->hkey);
	free(t->hid);
	t->hkey = key;
	t->hid = id;
	t->hcap = cap;
	return 0;
}

long
ftab_stack_hint(struct ftab *t, uint64_t hint, const char *s, size_t len,
    int *isnew)
{
	uint64_t k = hint_key(hint, len);
	size_t i;
	long id;

	if ((t->hn + 1) * 2 > t->hcap && hint_grow(t) != 0)
		return -1;
	for (i = k & (t->hcap - 1); t->hid[i] != 0;
	    i = (i + 1) & (t->hcap - 1)) {
		size_t klen;
		const char *key;

		if (t->hkey[i] != k)
			continue;
		key = htab_key(&t->stacks, t->hid[i] - 1, &klen);
		if (klen == len && memcmp(key, s, len) == 0) {
			if (isnew != NULL)
				*isnew = 0;
			return (long)t->hid[i] - 1;
		}
		/* Another stack with this hint: the full path, unremembered. */
		return ftab_stack(t, s, len, isnew);
	}
	if ((id = ftab_stack(t, s, len, isnew)) < 0)
		return -1;
	t->hkey[i] = k;
	t->hid[i] = (uint32_t)id + 1;
	t->hn++;
	return id;
}
