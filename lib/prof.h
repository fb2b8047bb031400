/*
 * prof - one pprof profile, loaded, checked and resolved for printing.
 *
 * prof_load takes the bytes of a profile file (gzip-compressed or raw
 * protobuf, told apart by the bytes), inflates them under a size cap,
 * decodes them into compact tables, and checks everything a reader later
 * relies on: string indices in range, ids unique and non-zero, every
 * sample's location and every line's function present, one value per
 * sample type. Only a profile that passes all of it is returned, so a
 * caller that prints from it cannot stop half way.
 *
 * Who reads what: the top level of the Profile message (its scalars,
 * string table, comments, and every message's framing) is read by hand
 * (wire.h), and so is a sample of location ids and values alone, what Go
 * writes, measured to halve the walk. A sample with labels or anything
 * else, and every sample_type, mapping, location, function and
 * period_type, is decoded by the protobuf-c code generated from
 * profile.proto, one message at a time. tests/fuzz/fuzz-decode holds the
 * hand-read tables to protobuf-c's decoding of the whole message.
 *
 * The parts (prof_impl.h): prof.c loads, serially or beside the inflate
 * thread of gz.c; prof_walk.c walks the message into the tables;
 * prof_check.c checks them; prof_frames.c makes the frame text and site
 * keys.
 *
 * Frames are named as `go tool pprof` names them at its default
 * (functions) granularity: the function name; for a location or function
 * without a name, "[" basename of the mapping's file "]", else "<unknown>".
 *
 *	struct prof *p;
 *	char err[256];
 *	if (prof_load(&p, data, len, max, err, sizeof err) != 0)
 *		report err;
 *	... prof_stack(p, i, &sb) ...
 *	prof_free(p);
 *
 * prof_load does not keep a reference to data.
 */
#ifndef PROF_H
#define PROF_H

#include <stddef.h>
#include <stdint.h>

#include "obuf.h"
#include "sbuf.h"

#define PROF_DEFAULT_MAX_SIZE ((size_t)256 << 20)

/* The profile's tables, in file order; string fields are indices. */
struct prof_type {
	int64_t type, unit;
};

struct prof_label {
	int64_t key, str, num, num_unit;
};

struct prof_sample {
	size_t loc;		/* first entry in locidx */
	size_t label;		/* first entry in labels */
	uint32_t nloc, nlabel;
	uint32_t nvalue;	/* == ntypes once loaded */
};

struct prof_mapping {
	uint64_t id, memory_start, memory_limit, file_offset;
	int64_t filename, build_id;
};

struct prof_line {
	uint64_t function_id;
	int64_t line;
};

struct prof_location {
	uint64_t id, mapping_id, address;
	size_t line;		/* first entry in lines, innermost first */
	uint32_t nline;
	int is_folded;
};

struct prof_function {
	uint64_t id;
	int64_t name, system_name, filename, start_line;
};

struct prof {
	int64_t time_nanos, duration_nanos, period;
	int64_t period_type, period_unit;
	int64_t drop_frames, keep_frames, default_sample_type, doc_url;
	int64_t *comment;
	size_t ncomment;
	struct prof_type *types;
	size_t ntypes;
	struct prof_sample *samples;
	size_t nsample;
	int64_t *values;	/* sample i's: values + i * ntypes */
	uint32_t *locidx;	/* per sample: location indices, leaf first */
	struct prof_label *labels;
	struct prof_mapping *mappings;
	size_t nmapping;
	struct prof_location *locations;
	size_t nlocation;
	struct prof_line *lines;
	size_t nlines;
	struct prof_function *functions;
	size_t nfunction;
	char **str;		/* the string table, NUL-terminated */
	size_t *str_len;	/* up to the first NUL, as C sees them */
	size_t nstr;
	char *strblob;
	struct prof_frames *frames;	/* each location's text and key */
};

/*
 * Loads the profile data[0..len), gzip or raw; max_size caps the
 * protobuf's size, inflated or not. Returns 0 and *out, or -1 with a
 * one-line reason in err (*out NULL). The same bytes always give the
 * same reason, whichever way the load went (see prof.c).
 */
int prof_load(struct prof **out, const unsigned char *data, size_t len,
    size_t max_size, char *err, size_t errlen);
/* Frees p and everything of it; p may be NULL. */
void prof_free(struct prof *p);

/* Sample i's value of type col. */
static inline int64_t
prof_value(const struct prof *p, size_t i, size_t col)
{
	return p->values[i * p->ntypes + col];
}

/* String i of the table ("" when out of range: never after prof_load). */
const char *prof_str(const struct prof *p, int64_t i);

/* The number of sample types; type i's name and unit (i < ntypes). */
size_t prof_ntypes(const struct prof *p);
const char *prof_type(const struct prof *p, size_t i);
const char *prof_unit(const struct prof *p, size_t i);

/* Index of the sample type named name, or -1. */
int prof_type_index(const struct prof *p, const char *name);

/* pprof's choice without -sample_index: default_sample_type, else last. */
int prof_default_type(const struct prof *p);

/* Appends sample i's stack, root first, frames joined by ';'. */
void prof_stack(const struct prof *p, size_t i, struct sbuf *b);
/* The same, straight into an output buffer. */
void prof_write_stack(const struct prof *p, size_t i, struct obuf *ob);
/* Location li's frames as a stack writes them (li < nlocation). */
const char *prof_location_text(const struct prof *p, size_t li,
    size_t *len);

/*
 * A hash of sample i's locations as pprof tells them apart when it merges
 * samples (see prof_frames.c): equal for the same call sites of the same
 * binary.
 */
uint64_t prof_site(const struct prof *p, size_t i);

/* Appends sample i's labels as k=v and k:n[:unit], joined by ','. */
void prof_labels(const struct prof *p, size_t i, struct sbuf *b);

/* The main binary's mapping file and build id ("" when none). */
const char *prof_main_file(const struct prof *p);
const char *prof_main_build_id(const struct prof *p);

#endif
