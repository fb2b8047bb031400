/*
 * prof_impl - what the parts of the profile loader share. Only lib/prof*.c
 * include it; tools and tests see prof.h.
 *
 *	prof.c		prof_load: raw or gzip (gz.c), serially or beside
 *			the inflate thread; what bytes that are no profile
 *			look like; prof_free and the lookups
 *	prof_walk.c	the walk of the Profile message into the tables
 *			(wire.h by hand, protobuf-c for the rest)
 *	prof_check.c	the checks of the tables, ids made indices
 *	prof_frames.c	the frame text, site keys, stacks and labels
 *
 * A load goes prof_walk_begin, prof_walk (once, or in steps while the
 * bytes come), prof_walk_end (which runs prof_check, which runs
 * prof_frames_prepare), prof_walk_release.
 */
#ifndef PROF_IMPL_H
#define PROF_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "prof.h"
#include "profile.pb-c.h"

/* protobuf-c's allocations for one message (see prof_walk.c). */
struct scratch_block {
	struct scratch_block *next;
	max_align_t data[];
};

struct scratch {
	unsigned char *buf;
	size_t used, cap;
	size_t spilled;			/* bytes in blocks since the reset */
	struct scratch_block *blocks;	/* what did not fit in buf */
};

/*
 * Maps the ids of one table (mappings, functions or locations) to their
 * index. Go's runtime numbers them 1..n, so a direct array is the common
 * case; sparse ids fall back to a sorted array and binary search.
 */
struct idmap {
	uint32_t *dense;	/* id -> index + 1, 0 when absent */
	size_t ndense;
	uint64_t *sorted;	/* else (id, index) pairs, by id */
	size_t n;
};

/* Index of id, or -1. */
static inline long
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

/* What the walk fills, beyond struct prof itself. */
struct walk {
	struct prof *p;
	struct scratch sc;
	ProtobufCAllocator alloc;
	size_t cap_types, cap_samples, cap_values, cap_locid, cap_labels;
	size_t cap_mappings, cap_locations, cap_lines, cap_functions;
	size_t cap_str, cap_strlen, cap_comment, nvalues, nlocid, nlabels;
	size_t blob_len;
	uint32_t *locid;	/* per sample: location ids, then indices */
	uint64_t *wideid;	/* instead, once an id needed 64 bits */
	size_t nperiod, cap_period;
	size_t (*period)[3];	/* each period_type: offset, length, byte */
	int strings;		/* WALK_ALL, or which side of the split */
	char *err;
	size_t errlen;
};

/*
 * What a walk takes: all, or its side of the split prof.c makes when it
 * loads beside the inflate thread.
 */
enum { WALK_ALL, WALK_NO_STRINGS, WALK_STRINGS };


/*
 * Readies w to walk a message of at most n bytes into p (its string blob
 * is allocated here). 0, or -1 with err set; prof_walk_release either way.
 */
int prof_walk_begin(struct walk *w, struct prof *p, size_t n, char *err,
    size_t errlen);

/*
 * Walks the top level of the Profile message d[0..n) from *resume. While
 * more bytes are to come (final is 0), a field that runs past n is left
 * for later: 1 with *resume at the field's first byte. 0 when every field
 * is taken, -1 on an error (in w->err, naming the byte).
 */
int prof_walk(struct walk *w, const unsigned char *d, size_t n,
    size_t *resume, int final);

/* After the walk of all of d: period_type, then prof_check. 0 or -1. */
int prof_walk_end(struct walk *w, const unsigned char *d);

/* Frees what the walk kept beside p (not p's tables). */
void prof_walk_release(struct walk *w);

/*
 * Checks the tables the walk filled (string indices, ids, references,
 * values per sample), makes the samples' location ids indices and readies
 * the frames. 0, or -1 with the first problem in err.
 */
int prof_check(struct prof *p, struct walk *w, char *err, size_t errlen);

/*
 * Finds every line's function and takes the memory the frame text will
 * need, so that prof_stack and the like cannot fail. 0, or -1 with err.
 */
int prof_frames_prepare(struct prof *p, const struct idmap *maps,
    const struct idmap *funcs, char *err, size_t errlen);
void prof_frames_free(struct prof_frames *fr);

/* Words what the non-profile bytes d[0..n) look like, into err. */
void prof_junk(const unsigned char *d, size_t n, char *err, size_t errlen);

#endif
