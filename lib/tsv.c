/* tsv - see tsv.h. */
#include "tsv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errf.h"
#include "grow.h"
#include "num.h"
#include "slurp.h"

/* The whole file, NUL-terminated; *missing when it does not exist. */
static char *
load_file(const char *path, size_t *len, int *missing, char *err,
    size_t errlen)
{
	char *buf;
	int fd = open(path, O_RDONLY), e;

	*missing = 0;
	if (fd < 0) {
		*missing = errno == ENOENT;
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	e = slurp(fd, SIZE_MAX - 1, &buf, len);
	close(fd);
	if (e == 0)
		return buf;
	if (e == ENOMEM)
		errf(err, errlen, "%s: out of memory", path);
	else
		errf(err, errlen, "%s: read error", path);
	return NULL;
}

/* Splits line in place at tabs into a new array; returns the count. */
static size_t
split(char *line, char ***out)
{
	size_t n = 1, i;
	char *p;

	for (p = line; *p != '\0'; p++)
		n += *p == '\t';
	if ((*out = malloc(n * sizeof **out)) == NULL)
		return 0;
	for (i = 0, p = line; i < n; i++) {
		char *tab = strchr(p, '\t');

		(*out)[i] = p;
		if (tab != NULL) {
			*tab = '\0';
			p = tab + 1;
		}
	}
	return n;
}

/* Appends v to the array *a of n elements. */
static int
add_line(size_t **a, size_t n, size_t v)
{
	size_t *na = realloc(*a, (n + 1) * sizeof *na);

	if (na == NULL)
		return -1;
	na[n] = v;
	*a = na;
	return 0;
}

static int
add_meta(struct tsv *t, char *line, size_t lineno)
{
	char **f, ***m;
	size_t *nf, n = split(line + 2, &f);

	if (n == 0)
		return -1;
	m = realloc(t->meta, (t->nmeta + 1) * sizeof *m);
	if (m == NULL) {
		free(f);
		return -1;
	}
	t->meta = m;
	if (add_line(&t->meta_line, t->nmeta, lineno) != 0) {
		free(f);
		return -1;
	}
	nf = realloc(t->nmeta_fields, (t->nmeta + 1) * sizeof *nf);
	if (nf == NULL) {
		free(f);
		return -1;
	}
	t->nmeta_fields = nf;
	t->meta[t->nmeta] = f;
	t->nmeta_fields[t->nmeta++] = n;
	return 0;
}

static int
add_row(struct tsv *t, char *line, size_t lineno, size_t *cap)
{
	char **f;
	size_t n = split(line, &f);

	if (n != t->ncols) {
		free(f);
		return n == 0 ? -1 : (int)n;
	}
	if (add_line(&t->row_line, t->nrows, lineno) != 0) {
		free(f);
		return -1;
	}
	if (t->nrows + 1 > SIZE_MAX / t->ncols ||
	    grow(&t->cells, cap, (t->nrows + 1) * t->ncols, sizeof *t->cells,
	    1024 * t->ncols) != 0) {
		free(f);
		return -1;
	}
	memcpy(t->cells + t->nrows * t->ncols, f, n * sizeof *f);
	t->nrows++;
	free(f);
	return 0;
}

int
tsv_load(struct tsv *t, const char *path, char *err, size_t errlen)
{
	size_t len, lineno = 0, cap = 0;
	char *line, *nl;
	int rc;

	memset(t, 0, sizeof *t);
	if ((t->text = load_file(path, &len, &t->missing, err, errlen)) == NULL)
		return -1;
	if (memchr(t->text, '\0', len) != NULL)
		return errf(err, errlen, "%s: NUL byte: not a text file", path);
	if (len == 0)
		return errf(err, errlen, "%s: empty file", path);
	for (line = t->text; line < t->text + len; line = nl + 1) {
		lineno++;
		if ((nl = strchr(line, '\n')) == NULL) {
			t->cut = lineno;
			break;
		}
		*nl = '\0';
		if (line[0] == '#' && line[1] == '#') {
			if (add_meta(t, line, lineno) != 0)
				return errf(err, errlen, "%s: out of memory",
				    path);
			continue;
		}
		if (line[0] == '#') {
			if (t->cols != NULL)
				return errf(err, errlen, "%s:%zu: a second "
				    "column header", path, lineno);
			if ((t->ncols = split(line + 1, &t->cols)) == 0)
				return errf(err, errlen, "%s: out of memory",
				    path);
			continue;
		}
		if (t->cols == NULL)
			return errf(err, errlen, "%s:%zu: a row before the "
			    "column header", path, lineno);
		if ((rc = add_row(t, line, lineno, &cap)) < 0)
			return errf(err, errlen, "%s: out of memory", path);
		if (rc > 0)
			return errf(err, errlen, "%s:%zu: expected %zu fields, "
			    "got %d", path, lineno, t->ncols, rc);
	}
	if (t->cols == NULL && t->cut == 0)
		return errf(err, errlen, "%s: no column header", path);
	return 0;
}

void
tsv_free(struct tsv *t)
{
	size_t i;

	for (i = 0; i < t->nmeta; i++)
		free(t->meta[i]);
	free(t->meta);
	free(t->nmeta_fields);
	free(t->cols);
	free(t->cells);
	free(t->row_line);
	free(t->meta_line);
	free(t->text);
	memset(t, 0, sizeof *t);
}

int
tsv_col(const struct tsv *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i], name) == 0)
			return (int)i;
	return -1;
}

const char *
tsv_meta(const struct tsv *t, const char *key, size_t i)
{
	size_t k;

	for (k = 0; k < t->nmeta; k++) {
		char **f = t->meta[k];

		if (strcmp(f[0], key) == 0)
			return i < t->nmeta_fields[k] ? f[i] : NULL;
	}
	return NULL;
}

int
tsv_i64(const struct tsv *t, size_t row, int col, int64_t *v)
{
	return col < 0 ? -1 : num_i64(tsv_cell(t, row, col), v);
}

int
tsv_double(const struct tsv *t, size_t row, int col, double *v)
{
	return col < 0 ? -1 : num_double(tsv_cell(t, row, col), v);
}
