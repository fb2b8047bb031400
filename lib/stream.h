/*
 * stream - read the sample stream that pprof-decode writes.
 *
 * The stream is a sequence of profile blocks. A block starts with a
 * "##profile<TAB>source" line, carries more "##key<TAB>value..." metadata
 * lines (unknown keys are kept for nobody and skipped, so the format can
 * grow), then one "#" column header (sample types as type/unit, then
 * "site", "labels" and "stack"), then one row per sample. See README, "Sample
 * stream", for the whole format.
 *
 *	struct stream s;
 *	struct stream_row row;
 *	stream_init(&s, stdin, "stdin");
 *	while ((rc = stream_next(&s, &row)) > 0) {
 *		if (rc == STREAM_BLOCK) ... s.meta describes the new block ...
 *		else ... row.values[i], row.labels, row.stack ...
 *	}
 *	if (rc < 0) ... s.err says "stdin:12: expected 4 fields, got 3" ...
 *	stream_free(&s);
 *
 * Row fields point into the reader's buffers: valid until the next call.
 * Metadata strings are owned by the reader and replaced when the next
 * block starts. Escapes are left in place (see esc.h).
 *
 * The compact form (pprof-decode --stack-ids) is read the same way: its
 * blocks' column header ends in "stack_id" instead of "stack", each stack
 * is written once per stream as "##stack<TAB>N<TAB>text" (N = 1, 2, ...
 * in order, before its first use, in any block's rows) and a row carries
 * N. row.stack is then the text of stack N, so that no reader tells the
 * two forms apart; a mismatch, as other row errors, is "NAME:LINE: ...".
 */
#ifndef STREAM_H
#define STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { STREAM_ERR = -1, STREAM_EOF = 0, STREAM_ROW = 1, STREAM_BLOCK = 2 };

struct stream_meta {
	char *source;
	int64_t time_nanos;
	int64_t duration_nanos;
	int64_t period;
	char *period_type, *period_unit;
	char *default_type;
	char *file, *build_id;
	char **comments;
	size_t ncomments;
	char *drop_frames, *keep_frames;
	int64_t nsamples;	/* -1 when the block does not say */
	size_t ntypes;
	char **types, **units;	/* unescaped */
};

struct stream_row {
	int64_t *values;	/* meta.ntypes of them */
	char *site;		/* hex hash of the call sites (pprof's merge key) */
	size_t site_len;
	char *labels;
	size_t labels_len;
	char *stack;
	size_t stack_len;
};

struct stream {
	FILE *fp;
	const char *name;
	size_t lineno;
	char *line;
	size_t linecap;
	int state;		/* 0 before a block, 1 in its metadata, 2 rows */
	int64_t rows;		/* rows read in this block */
	int64_t blocks;
	struct stream_meta meta;
	int64_t *values;
	int ids;		/* the block's rows carry stack ids */
	char *stk;		/* the compact form's stacks, end to end */
	size_t stk_len, stk_cap;
	size_t *stk_off;	/* stack N starts at stk_off[N - 1] */
	size_t nstk, stk_off_cap;
	char err[512];
};

void stream_init(struct stream *s, FILE *fp, const char *name);

/*
 * Streams are megabytes through a pipe: this makes fp read in blocks of a
 * megabyte and, on Linux, lets the pipe hold as much, so that the writer
 * and the reader run side by side instead of taking turns. Call it before
 * the first read of fp. stdin keeps its buffer; the other files share one,
 * so close each before the next is given it.
 */
void stream_input_buffer(FILE *fp);
void stream_free(struct stream *s);

/* STREAM_BLOCK, STREAM_ROW, STREAM_EOF, or STREAM_ERR with s->err set. */
int stream_next(struct stream *s, struct stream_row *row);

/* Index of the sample type named type in the current block, or -1. */
int stream_type_index(const struct stream *s, const char *type);

/* pprof's default for the current block: default_type, else the last. */
int stream_default_type(const struct stream *s);

/* "a, b, c": the block's sample types, for error messages. */
void stream_type_list(const struct stream *s, char *buf, size_t len);

/*
 * The checks every reader of merged blocks makes, with the messages they
 * all print (after "tool: ", each starting with the stream's name).
 *
 * stream_pick_type: the column of type in the current block, or of its
 * default when type is NULL; -1 with "NAME: no sample type T (the profile
 * has: a, b)" or "NAME: profile block S has no sample types" in err.
 *
 * stream_same_types: 0 when the current block has the sample types
 * types[0..n) (and, when units is not NULL, the units), in that order;
 * else -1 with "NAME:LINE: profile block S has sample types a, b, unlike
 * the first block" in err, as pprof refuses to merge unlike profiles.
 */
int stream_pick_type(const struct stream *s, const char *type, char *err,
    size_t errlen);
int stream_same_types(const struct stream *s, char *const *types,
    char *const *units, size_t n, char *err, size_t errlen);

/* "NAME: empty stream: no profile blocks" into err; returns -1. */
int stream_empty(const char *name, char *err, size_t errlen);

#endif
