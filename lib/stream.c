/* stream - see stream.h. */
#include "stream.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "esc.h"
#include "grow.h"
#include "num.h"

#define MAXFIELDS 64

static int
fail(struct stream *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(s->err, sizeof s->err, "%s:%zu: ", s->name, s->lineno);
	if (n < 0 || (size_t)n >= sizeof s->err)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(s->err + n, sizeof s->err - (size_t)n, fmt, ap);
	va_end(ap);
	return STREAM_ERR;
}

#define INPUT_BUF (1 << 18)
#define PIPE_SIZE (1 << 20)

void
stream_input_buffer(FILE *fp)
{
	static char *stdin_buf, *file_buf;
	char **buf = fp == stdin ? &stdin_buf : &file_buf;

	if (fp == stdin && stdin_buf != NULL)
		return;		/* read before: too late for setvbuf */
	if (*buf == NULL && (*buf = malloc(INPUT_BUF)) == NULL)
		return;
	setvbuf(fp, *buf, _IOFBF, INPUT_BUF);
#ifdef __linux__
	(void)fcntl(fileno(fp), 1031 /* F_SETPIPE_SZ */, PIPE_SIZE);
#endif
}

void
stream_init(struct stream *s, FILE *fp, const char *name)
{
	memset(s, 0, sizeof *s);
	s->fp = fp;
	s->name = name;
	s->meta.nsamples = -1;
}

static void
meta_clear(struct stream_meta *m)
{
	size_t i;

	free(m->source);
	free(m->period_type);
	free(m->period_unit);
	free(m->default_type);
	free(m->file);
	free(m->build_id);
	for (i = 0; i < m->ncomments; i++)
		free(m->comments[i]);
	free(m->comments);
	free(m->drop_frames);
	free(m->keep_frames);
	for (i = 0; i < m->ntypes; i++) {
		free(m->types[i]);
		free(m->units[i]);
	}
	free(m->types);
	free(m->units);
	memset(m, 0, sizeof *m);
	m->nsamples = -1;
}

void
stream_free(struct stream *s)
{
	meta_clear(&s->meta);
	free(s->line);
	free(s->values);
	free(s->stk);
	free(s->stk_off);
	s->line = NULL;
	s->values = NULL;
	s->stk = NULL;
	s->stk_off = NULL;
}

/* Splits line at tabs into f (at most max); returns the field count. */
static size_t
split(char *line, size_t len, char **f, size_t *flen, size_t max)
{
	size_t n = 0;
	char *p = line, *end = line + len, *tab;

	for (;;) {
		tab = memchr(p, '\t', (size_t)(end - p));
		if (n < max) {
			f[n] = p;
			flen[n] = (size_t)((tab ? tab : end) - p);
		}
		n++;
		if (tab == NULL)
			return n;
		*tab = '\0';
		p = tab + 1;
	}
}

static char *
dup_unescaped(const char *p, size_t n)
{
	char *d = malloc(n + 1);

	if (d == NULL)
		return NULL;
	memcpy(d, p, n);
	d[esc_unescape(d, n)] = '\0';
	return d;
}

static int
set_str(struct stream *s, char **dst, char **f, size_t *fl, size_t nf)
{
	if (nf < 2)
		return fail(s, "##%s needs a value", f[0] + 2);
	free(*dst);
	if ((*dst = dup_unescaped(f[1], fl[1])) == NULL)
		return fail(s, "out of memory");
	return 0;
}

static int
set_num(struct stream *s, int64_t *dst, char **f, size_t *fl, size_t nf,
    size_t i)
{
	if (nf <= i || num_i64n(f[i], fl[i], dst) != 0)
		return fail(s, "##%s: not a number", f[0] + 2);
	return 0;
}

static int
meta_line(struct stream *s, char *line, size_t len)
{
	struct stream_meta *m = &s->meta;
	char *f[8];
	size_t fl[8], nf = split(line, len, f, fl, 8);
	const char *k = f[0] + 2;

	if (nf > 8)
		nf = 8;
	if (strcmp(k, "time") == 0)
		return set_num(s, &m->time_nanos, f, fl, nf, 1);
	if (strcmp(k, "duration") == 0)
		return set_num(s, &m->duration_nanos, f, fl, nf, 1);
	if (strcmp(k, "samples") == 0)
		return set_num(s, &m->nsamples, f, fl, nf, 1);
	if (strcmp(k, "period") == 0) {
		if (set_num(s, &m->period, f, fl, nf, 1) != 0)
			return STREAM_ERR;
		if (nf < 4)
			return fail(s, "##period needs a value, type and unit");
		free(m->period_type);
		free(m->period_unit);
		m->period_type = dup_unescaped(f[2], fl[2]);
		m->period_unit = dup_unescaped(f[3], fl[3]);
		if (m->period_type == NULL || m->period_unit == NULL)
			return fail(s, "out of memory");
		return 0;
	}
	if (strcmp(k, "default_type") == 0)
		return set_str(s, &m->default_type, f, fl, nf);
	if (strcmp(k, "file") == 0)
		return set_str(s, &m->file, f, fl, nf);
	if (strcmp(k, "build_id") == 0)
		return set_str(s, &m->build_id, f, fl, nf);
	if (strcmp(k, "drop_frames") == 0)
		return set_str(s, &m->drop_frames, f, fl, nf);
	if (strcmp(k, "keep_frames") == 0)
		return set_str(s, &m->keep_frames, f, fl, nf);
	if (strcmp(k, "comment") == 0) {
		char **c = realloc(m->comments,
		    (m->ncomments + 1) * sizeof *c);

		if (c == NULL)
			return fail(s, "out of memory");
		m->comments = c;
		c[m->ncomments] = NULL;
		if (set_str(s, &c[m->ncomments], f, fl, nf) != 0)
			return STREAM_ERR;
		m->ncomments++;
		return 0;
	}
	return 0;
}

static int
header_line(struct stream *s, char *line, size_t len)
{
	struct stream_meta *m = &s->meta;
	char *f[MAXFIELDS + 3];
	size_t fl[MAXFIELDS + 3], nf, i;

	nf = split(line + 1, len - 1, f, fl, MAXFIELDS + 3);
	if (nf < 3 || nf > MAXFIELDS + 3 || strcmp(f[nf - 3], "site") != 0 ||
	    strcmp(f[nf - 2], "labels") != 0 ||
	    (strcmp(f[nf - 1], "stack") != 0 &&
	    strcmp(f[nf - 1], "stack_id") != 0))
		return fail(s, "column header must end with site, labels and "
		    "stack");
	s->ids = strcmp(f[nf - 1], "stack_id") == 0;
	m->ntypes = nf - 3;
	m->types = calloc(nf, sizeof *m->types);
	m->units = calloc(nf, sizeof *m->units);
	free(s->values);
	s->values = calloc(nf, sizeof *s->values);
	if (m->types == NULL || m->units == NULL || s->values == NULL)
		return fail(s, "out of memory");
	for (i = 0; i < m->ntypes; i++) {
		char *slash = NULL, *p;

		for (p = f[i]; p < f[i] + fl[i]; p++)
			if (*p == '/')
				slash = p;
		if (slash == NULL || slash == f[i])
			return fail(s, "column %zu is not type/unit: %s",
			    i + 1, f[i]);
		m->types[i] = dup_unescaped(f[i], (size_t)(slash - f[i]));
		m->units[i] = dup_unescaped(slash + 1,
		    fl[i] - (size_t)(slash - f[i]) - 1);
		if (m->types[i] == NULL || m->units[i] == NULL)
			return fail(s, "out of memory");
	}
	return 0;
}

/* Checks the block just ended against what it declared. */
static int
end_block(struct stream *s)
{
	if (s->state == 1)
		return fail(s, "profile block %s has no column header",
		    s->meta.source);
	if (s->state == 2 && s->meta.nsamples >= 0 &&
	    s->rows != s->meta.nsamples)
		return fail(s, "profile block %s declares %lld samples but has "
		    "%lld (truncated stream?)", s->meta.source,
		    (long long)s->meta.nsamples, (long long)s->rows);
	return 0;
}

/* A "##stack<TAB>N<TAB>text" line: stack N, the next one. */
static int
stack_line(struct stream *s, char *line, size_t len)
{
	char *tab = memchr(line + 8, '\t', len - 8);
	size_t n, tl;
	int64_t id;

	if (tab == NULL || num_i64n(line + 8, (size_t)(tab - line - 8),
	    &id) != 0)
		return fail(s, "##stack: expected an id and a stack");
	if (id < 1 || (uint64_t)id != s->nstk + 1)
		return fail(s, "##stack: id %lld out of order (expected %zu)",
		    (long long)id, s->nstk + 1);
	tl = len - (size_t)(tab + 1 - line);
	n = s->stk_len + tl + 1;
	if (n < tl || grow(&s->stk, &s->stk_cap, n, 1, 1 << 16) != 0 ||
	    grow(&s->stk_off, &s->stk_off_cap, s->nstk + 1,
	    sizeof *s->stk_off, 1024) != 0)
		return fail(s, "out of memory");
	memcpy(s->stk + s->stk_len, tab + 1, tl);
	s->stk[s->stk_len + tl] = '\0';
	s->stk_off[s->nstk++] = s->stk_len;
	s->stk_len = n;
	return 0;
}

/* The compact form's row: its stack field, an id, becomes that stack. */
static int
stack_text(struct stream *s, struct stream_row *row)
{
	int64_t id;
	size_t k, off;

	if (num_i64n(row->stack, row->stack_len, &id) != 0 || id < 1 ||
	    (uint64_t)id > s->nstk)
		return fail(s, "stack id %.40s is not defined", row->stack);
	k = (size_t)id;
	off = s->stk_off[k - 1];
	row->stack = s->stk + off;
	row->stack_len = (k < s->nstk ? s->stk_off[k] : s->stk_len) - off - 1;
	return 0;
}

static int
row_line(struct stream *s, char *line, size_t len, struct stream_row *row)
{
	char *f[MAXFIELDS + 3];
	size_t fl[MAXFIELDS + 3], nf, i, want = s->meta.ntypes + 3;

	nf = split(line, len, f, fl, MAXFIELDS + 3);
	if (nf != want)
		return fail(s, "expected %zu fields, got %zu", want, nf);
	for (i = 0; i < s->meta.ntypes; i++)
		if (num_i64n(f[i], fl[i], &s->values[i]) != 0)
			return fail(s, "field %zu is not an integer: %.40s",
			    i + 1, f[i]);
	row->values = s->values;
	row->site = f[nf - 3];
	row->site_len = fl[nf - 3];
	row->labels = f[nf - 2];
	row->labels_len = fl[nf - 2];
	row->stack = f[nf - 1];
	row->stack_len = fl[nf - 1];
	if (s->ids && stack_text(s, row) != 0)
		return STREAM_ERR;
	s->rows++;
	return STREAM_ROW;
}

int
stream_next(struct stream *s, struct stream_row *row)
{
	ssize_t n;

	for (;;) {
		size_t len;
		char *line;

		n = getline(&s->line, &s->linecap, s->fp);
		if (n < 0) {
			if (ferror(s->fp))
				return fail(s, "read error");
			if (end_block(s) != 0)
				return STREAM_ERR;
			return STREAM_EOF;
		}
		s->lineno++;
		line = s->line;
		len = (size_t)n;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (memchr(line, '\0', len) != NULL)
			return fail(s, "NUL byte in the stream");
		if (strncmp(line, "##profile\t", 10) == 0 ||
		    strcmp(line, "##profile") == 0) {
			if (end_block(s) != 0)
				return STREAM_ERR;
			meta_clear(&s->meta);
			s->state = 1;
			s->rows = 0;
			s->blocks++;
			if (len < 10) {
				if ((s->meta.source = strdup("")) == NULL)
					return fail(s, "out of memory");
			} else if ((s->meta.source = dup_unescaped(line + 10,
			    len - 10)) == NULL)
				return fail(s, "out of memory");
			continue;
		}
		if (s->state == 0)
			return fail(s, "not a sample stream (expected a "
			    "##profile line; is this pprof-decode output?)");
		if (strncmp(line, "##stack\t", 8) == 0 && s->state == 2) {
			if (stack_line(s, line, len) != 0)
				return STREAM_ERR;
			continue;
		}
		if (line[0] == '#' && line[1] == '#') {
			if (s->state == 2)
				return fail(s, "metadata after the rows of "
				    "profile block %s", s->meta.source);
			if (meta_line(s, line, len) != 0)
				return STREAM_ERR;
			continue;
		}
		if (line[0] == '#') {
			if (s->state == 2)
				return fail(s, "a second column header in "
				    "profile block %s", s->meta.source);
			if (header_line(s, line, len) != 0)
				return STREAM_ERR;
			s->state = 2;
			return STREAM_BLOCK;
		}
		if (s->state != 2)
			return fail(s, "a row before the column header");
		return row_line(s, line, len, row);
	}
}

int
stream_type_index(const struct stream *s, const char *type)
{
	size_t i;

	for (i = 0; i < s->meta.ntypes; i++)
		if (strcmp(s->meta.types[i], type) == 0)
			return (int)i;
	return -1;
}

int
stream_default_type(const struct stream *s)
{
	int i;

	if (s->meta.default_type != NULL && *s->meta.default_type != '\0' &&
	    (i = stream_type_index(s, s->meta.default_type)) >= 0)
		return i;
	return (int)s->meta.ntypes - 1;
}

void
stream_type_list(const struct stream *s, char *buf, size_t len)
{
	size_t i, n = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < s->meta.ntypes && n < len; i++) {
		int w = snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
		    s->meta.types[i]);

		if (w < 0)
			break;
		n += (size_t)w;
	}
}

int
stream_pick_type(const struct stream *s, const char *type, char *err,
    size_t errlen)
{
	char list[512];
	int col;

	col = type != NULL ? stream_type_index(s, type) :
	    stream_default_type(s);
	if (col >= 0)
		return col;
	if (type == NULL)
		return errf(err, errlen, "%s: profile block %s has no sample "
		    "types", s->name, s->meta.source);
	stream_type_list(s, list, sizeof list);
	return errf(err, errlen, "%s: no sample type %s (the profile has: %s)",
	    s->name, type, list);
}

int
stream_same_types(const struct stream *s, char *const *types,
    char *const *units, size_t n, char *err, size_t errlen)
{
	const struct stream_meta *m = &s->meta;
	char list[512];
	size_t i;

	for (i = 0; m->ntypes == n && i < n; i++)
		if (strcmp(m->types[i], types[i]) != 0 ||
		    (units != NULL && strcmp(m->units[i], units[i]) != 0))
			break;
	if (m->ntypes == n && i == n)
		return 0;
	stream_type_list(s, list, sizeof list);
	return errf(err, errlen, "%s:%zu: profile block %s has sample types "
	    "%s, unlike the first block", s->name, s->lineno, m->source, list);
}

int
stream_empty(const char *name, char *err, size_t errlen)
{
	return errf(err, errlen, "%s: empty stream: no profile blocks", name);
}
