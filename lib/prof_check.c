/*
 * prof_check - the checks of a walked profile, and its ids made indices.
 *
 * Everything a reader of the tables relies on is settled here, before a
 * profile is handed out: every string index in range, the ids of
 * mappings, functions and locations non-zero and unique, every sample's
 * locations and every line's function present, one value per sample
 * type. The messages name the table and the id or number the user can
 * find in the profile.
 */
#include "prof_impl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"


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

static void
idmap_free(struct idmap *m)
{
	free(m->dense);
	free(m->sorted);
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

int
prof_check(struct prof *p, struct walk *w, char *err, size_t errlen)
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
	if (prof_frames_prepare(p, &maps, &funcs, err, errlen) != 0 ||
	    resolve_samples(p, w, &locs, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	idmap_free(&maps);
	idmap_free(&funcs);
	idmap_free(&locs);
	return rc;
}
