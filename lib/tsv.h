/*
 * tsv - load one of the project's TSV files (a top table, a series, a
 * summary, a fetch log) whole, for tools that render rather than stream.
 *
 * The shape every stream shares: "##key<TAB>value..." metadata lines, one
 * "#name<TAB>name..." column header, then rows with exactly as many
 * fields as the header names. Fields are kept escaped (see esc.h); the
 * caller unescapes what it shows.
 *
 *	struct tsv t;
 *	char err[256];
 *	if (tsv_load(&t, "series.tsv", err, sizeof err) != 0) ...;
 *	int c = tsv_col(&t, "inuse_space");
 *	for (i = 0; i < t.nrows; i++) ... tsv_cell(&t, i, c) ...
 *	tsv_free(&t);
 *
 * A missing file is an error like any other (errno kept in t.missing so a
 * caller can treat "no such file" as "no data"); so are an empty file and
 * one without a column header. A header and no rows loads as zero rows. A
 * last line without its newline (a writer that was cut off) is not
 * loaded: t.cut is its line number, for the caller to refuse or warn.
 */
#ifndef TSV_H
#define TSV_H

#include <stddef.h>
#include <stdint.h>

struct tsv {
	char *text;		/* the file, its tabs and newlines now NULs */
	char ***meta;		/* per metadata line: key, then values */
	size_t *nmeta_fields;
	size_t nmeta;
	char **cols;
	size_t ncols;
	char **cells;		/* nrows * ncols */
	size_t nrows;
	size_t *row_line;	/* per row: its line in the file */
	size_t *meta_line;	/* per metadata line */
	size_t cut;		/* a cut last line's number, or 0 */
	int missing;		/* the file did not exist */
};

int tsv_load(struct tsv *t, const char *path, char *err, size_t errlen);
void tsv_free(struct tsv *t);

/* Index of the column named name, or -1. */
int tsv_col(const struct tsv *t, const char *name);

static inline const char *
tsv_cell(const struct tsv *t, size_t row, int col)
{
	return col < 0 ? "" : t->cells[row * t->ncols + (size_t)col];
}

/* Value i (1-based after the key) of the first ##key line, or NULL. */
const char *tsv_meta(const struct tsv *t, const char *key, size_t i);

/* Checked numeric reads of a cell: 0 when it parses, -1 otherwise. */
int tsv_i64(const struct tsv *t, size_t row, int col, int64_t *v);
int tsv_double(const struct tsv *t, size_t row, int col, double *v);

#endif
