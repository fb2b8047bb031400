/*
 * pprof-encode - write a pprof file (gzip'd protobuf) from sample streams,
 * for the tools that read pprof: go tool pprof -http, speedscope,
 * Pyroscope.
 *
 * Every block of every input is merged, as pprof merges the profiles
 * given on its command line: rows with equal site, labels and stack are
 * one sample, values summed; the header is pprof's merged header (the
 * earliest time, the durations summed, the largest period). -b FILE
 * subtracts a stream, as pprof's -base does; --diff-base FILE adds it
 * negated and labelled pprof::base=true, which is how pprof's -diff_base
 * marks a base so that the file opens as a difference.
 *
 * The stream has names, not addresses: each name becomes a function, each
 * frame with the inlined frames after it one location (its lines
 * innermost first, as in the original), so go tool pprof counts flat,
 * cum and inline marks as it did on the profiles the stream came from.
 * The leaf location also carries the row's site, so that rows pprof
 * told apart stay apart and totals (sums of |value|) stay the same.
 * Nothing is written until every input has been read and checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "profile.pb-c.h"

#include "esc.h"
#include "htab.h"
#include "msg.h"
#include "num.h"
#include "sbuf.h"
#include "stream.h"
#include "version.h"

enum side { MAIN, BASE, DIFF_BASE };

/* The merged header, as pprof's combineHeaders builds it. */
static struct {
	int seen;
	size_t ntypes;
	char **types, **units;
	char *period_type, *period_unit, *default_type;
	char *file, *build_id, *drop_frames, *keep_frames;
	int64_t time_nanos, duration_nanos, period;
	struct htab comments;
} hdr;

static struct htab samples;	/* side byte, site, labels, stack: NUL between */
static int64_t *values;		/* ntypes per sample */
static size_t values_cap;
static int overflow;

static void usage(void);

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

/* Checks a block against the first one and folds it into the header. */
static void
add_block(const struct stream *s)
{
	const struct stream_meta *m = &s->meta;
	size_t i;

	if (!hdr.seen) {
		hdr.seen = 1;
		hdr.ntypes = m->ntypes;
		hdr.types = xrealloc(NULL, (m->ntypes + 1) * sizeof *hdr.types);
		hdr.units = xrealloc(NULL, (m->ntypes + 1) * sizeof *hdr.units);
		for (i = 0; i < m->ntypes; i++) {
			hdr.types[i] = xstrdup(m->types[i]);
			hdr.units[i] = xstrdup(m->units[i]);
		}
		hdr.period_type = dup_or_null(m->period_type);
		hdr.period_unit = dup_or_null(m->period_unit);
		hdr.file = dup_or_null(m->file);
		hdr.build_id = dup_or_null(m->build_id);
		hdr.drop_frames = dup_or_null(m->drop_frames);
		hdr.keep_frames = dup_or_null(m->keep_frames);
		hdr.time_nanos = m->time_nanos;
	} else if (stream_same_types(s, hdr.types, hdr.units, hdr.ntypes,
	    NULL, 0) != 0)
		/* Types and units both: its own words say so. */
		msg_die(1, "%s:%zu: profile block %s has other sample types "
		    "than the first block", s->name, s->lineno, m->source);
	/* pprof: a time replaces the kept one when that is 0 or later. */
	if (hdr.time_nanos == 0 || m->time_nanos < hdr.time_nanos)
		hdr.time_nanos = m->time_nanos;
	hdr.duration_nanos = num_add_ov(hdr.duration_nanos, m->duration_nanos,
	    &overflow);
	if (hdr.period == 0 || hdr.period < m->period)
		hdr.period = m->period;
	if (hdr.default_type == NULL)
		hdr.default_type = dup_or_null(m->default_type);
	for (i = 0; i < m->ncomments; i++)
		if (htab_intern(&hdr.comments, m->comments[i],
		    strlen(m->comments[i])) < 0)
			msg_die(1, "out of memory");
}

/*
 * Splits the escaped field s[0..n) at unescaped sep: returns the length
 * of the first part (n when there is no separator).
 */
static size_t
field_len(const char *s, size_t n, const char *seps)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		else if (strchr(seps, s[i]) != NULL && s[i] != '\0')
			return i;
	}
	return n;
}

/* One label, k=v or k:n[:unit], escaped; NULL when it is not one. */
struct label {
	const char *key, *str, *unit;
	size_t key_len, str_len, unit_len;
	int64_t num;
	int numeric;
};

static int
parse_label(const char *s, size_t n, struct label *l)
{
	size_t k = field_len(s, n, "=:");
	char num[32];
	size_t nl;

	if (k == n || k == 0)
		return -1;
	memset(l, 0, sizeof *l);
	l->key = s;
	l->key_len = k;
	if (s[k] == '=') {
		l->str = s + k + 1;
		l->str_len = n - k - 1;
		return 0;
	}
	l->numeric = 1;
	s += k + 1;
	n -= k + 1;
	nl = field_len(s, n, ":");
	if (nl == 0 || nl >= sizeof num)
		return -1;
	memcpy(num, s, nl);
	num[nl] = '\0';
	if (num_i64(num, &l->num) != 0)
		return -1;
	if (nl < n) {
		l->unit = s + nl + 1;
		l->unit_len = n - nl - 1;
	}
	return 0;
}

/* Nonzero when every label of the escaped list s[0..n) parses. */
static int
labels_ok(const char *s, size_t n)
{
	struct label l;

	while (n > 0) {
		size_t f = field_len(s, n, ",");

		if (parse_label(s, f, &l) != 0)
			return 0;
		if (f == n)
			break;
		s += f + 1;
		n -= f + 1;
	}
	return 1;
}

static void
add_row(const struct stream *s, const struct stream_row *row, enum side sd)
{
	static struct sbuf key;
	size_t i, n = hdr.ntypes;
	long k;

	sbuf_reset(&key);
	sbuf_putc(&key, sd == DIFF_BASE ? 'b' : 'm');
	sbuf_put(&key, row->site, row->site_len);
	sbuf_putc(&key, '\0');
	sbuf_put(&key, row->labels, row->labels_len);
	sbuf_putc(&key, '\0');
	sbuf_put(&key, row->stack, row->stack_len);
	if (key.oom || (k = htab_intern(&samples, key.s, key.len)) < 0)
		msg_die(1, "out of memory");
	if ((size_t)k >= values_cap) {
		size_t cap = values_cap ? values_cap * 2 : 1024;

		values = xrealloc(values, cap * n * sizeof *values + 1);
		memset(values + values_cap * n, 0,
		    (cap - values_cap) * n * sizeof *values);
		values_cap = cap;
	}
	if ((size_t)k + 1 == htab_count(&samples) &&
	    !labels_ok(row->labels, row->labels_len))
		msg_die(1, "%s:%zu: not a label list", s->name, s->lineno);
	for (i = 0; i < n; i++) {
		int64_t *v = &values[(size_t)k * n + i];

		*v = sd == MAIN ? num_add_ov(*v, row->values[i], &overflow) :
		    num_sub_ov(*v, row->values[i], &overflow);
	}
}

static void
read_input(const char *path, enum side sd)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	struct stream s;
	struct stream_row row;
	char err[512];
	int rc;

	if (fp == NULL)
		msg_die(1, "%s: %s", path, strerror(errno));
	stream_input_buffer(fp);
	stream_init(&s, fp, fp == stdin ? "stdin" : path);
	while ((rc = stream_next(&s, &row)) > 0) {
		if (rc == STREAM_BLOCK)
			add_block(&s);
		else
			add_row(&s, &row, sd);
	}
	if (rc < 0)
		msg_die(1, "%s", s.err);
	if (s.blocks == 0 && stream_empty(s.name, err, sizeof err) != 0)
		msg_die(1, "%s", err);
	stream_free(&s);
	if (fp != stdin)
		fclose(fp);
}

/* The profile under construction: its tables, grown as samples need. */
static struct htab strs, funcs, locs;
static uint64_t *loc_funcs;	/* per location: its lines' functions */
static size_t *loc_first, *loc_nline, nloc_funcs, loc_cap, lf_cap;

static int64_t
str_idx(const char *s, size_t n)
{
	long i = htab_intern(&strs, s, n);

	if (i < 0)
		msg_die(1, "out of memory");
	return i;
}

/* The string index of the escaped text s[0..n), unescaped. */
static int64_t
str_unesc(const char *s, size_t n)
{
	static struct sbuf b;

	sbuf_reset(&b);
	sbuf_put(&b, s, n);
	if (b.oom)
		msg_die(1, "out of memory");
	return str_idx(b.s, esc_unescape(b.s, n));
}

static uint64_t
func_id(const char *frame, size_t n)
{
	int inl = esc_frame_inlined(frame, n);
	int64_t name = str_unesc(frame, n - (inl ? ESC_INLINE_MARK_LEN : 0));
	long i = htab_intern(&funcs, (const char *)&name, sizeof name);

	if (i < 0)
		msg_die(1, "out of memory");
	return (uint64_t)i + 1;
}

/*
 * The id of the location made of the frames g[0..n) (one frame and the
 * frames inlined into it, root first); leaf locations are told apart by
 * the row's site too.
 */
static uint64_t
loc_id(const char *g, size_t n, const char *site, size_t site_len)
{
	static struct sbuf key;
	size_t f, nf = 0;
	long i;

	sbuf_reset(&key);
	sbuf_put(&key, g, n);
	sbuf_putc(&key, '\0');
	sbuf_put(&key, site, site_len);
	if (key.oom || (i = htab_intern(&locs, key.s, key.len)) < 0)
		msg_die(1, "out of memory");
	if ((size_t)i + 1 < htab_count(&locs))
		return (uint64_t)i + 1;
	if ((size_t)i >= loc_cap) {
		loc_cap = loc_cap ? loc_cap * 2 : 1024;
		loc_first = xrealloc(loc_first, loc_cap * sizeof *loc_first);
		loc_nline = xrealloc(loc_nline, loc_cap * sizeof *loc_nline);
	}
	loc_first[i] = nloc_funcs;
	/* Lines innermost first: the frames from the last one back. */
	while (n > 0) {
		size_t start = 0, len;

		for (f = 0; f < n; f += len + 1) {
			len = field_len(g + f, n - f, ";");
			start = f;
		}
		if (nloc_funcs == lf_cap) {
			lf_cap = lf_cap ? lf_cap * 2 : 4096;
			loc_funcs = xrealloc(loc_funcs,
			    lf_cap * sizeof *loc_funcs);
		}
		loc_funcs[nloc_funcs++] = func_id(g + start, n - start);
		nf++;
		n = start > 0 ? start - 1 : 0;
	}
	loc_nline[i] = nf;
	return (uint64_t)i + 1;
}

/* Sample k's locations, leaf first, into *ids (grown as needed). */
static size_t
sample_locs(const char *stack, size_t n, const char *site, size_t site_len,
    uint64_t **ids)
{
	size_t cap = 16, nid = 0, f = 0, g = 0;

	*ids = xrealloc(NULL, cap * sizeof **ids);
	while (f < n) {
		size_t len = field_len(stack + f, n - f, ";");
		size_t next = f + len + 1;
		int last = next >= n;

		/* A group ends before the next frame that is not inlined. */
		if (!last) {
			size_t nl = field_len(stack + next, n - next, ";");

			last = !esc_frame_inlined(stack + next, nl);
		}
		if (last) {
			if (nid == cap) {
				cap *= 2;
				*ids = xrealloc(*ids, cap * sizeof **ids);
			}
			(*ids)[nid++] = loc_id(stack + g, f + len - g,
			    next >= n ? site : "", next >= n ? site_len : 0);
			g = next;
		}
		f = next;
	}
	for (f = 0; f < nid / 2; f++) {
		uint64_t t = (*ids)[f];

		(*ids)[f] = (*ids)[nid - 1 - f];
		(*ids)[nid - 1 - f] = t;
	}
	return nid;
}

static Perftools__Profiles__Label *
new_label(const struct label *l)
{
	Perftools__Profiles__Label *m = xrealloc(NULL, sizeof *m);

	perftools__profiles__label__init(m);
	m->key = str_unesc(l->key, l->key_len);
	if (l->numeric) {
		m->num = l->num;
		if (l->unit != NULL)
			m->num_unit = str_unesc(l->unit, l->unit_len);
	} else
		m->str = str_unesc(l->str, l->str_len);
	return m;
}

static size_t
sample_labels(const char *s, size_t n, int base,
    Perftools__Profiles__Label ***out)
{
	size_t nl = 0, cap = 4;
	struct label l;

	*out = xrealloc(NULL, cap * sizeof **out);
	while (n > 0) {
		size_t f = field_len(s, n, ",");

		parse_label(s, f, &l);
		if (nl + 1 >= cap) {
			cap *= 2;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		(*out)[nl++] = new_label(&l);
		if (f == n)
			break;
		s += f + 1;
		n -= f + 1;
	}
	if (base) {
		l.key = "pprof::base";
		l.key_len = strlen(l.key);
		l.str = "true";
		l.str_len = 4;
		l.numeric = 0;
		(*out)[nl++] = new_label(&l);
	}
	return nl;
}

static int
all_zero(size_t k)
{
	size_t i;

	for (i = 0; i < hdr.ntypes; i++)
		if (values[k * hdr.ntypes + i] != 0)
			return 0;
	return 1;
}

static Perftools__Profiles__Sample *
new_sample(size_t k)
{
	Perftools__Profiles__Sample *m = xrealloc(NULL, sizeof *m);
	size_t klen;
	const char *key = htab_key(&samples, k, &klen), *end = key + klen;
	const char *site = key + 1, *labels, *stack;

	perftools__profiles__sample__init(m);
	labels = (const char *)memchr(site, '\0', (size_t)(end - site)) + 1;
	stack = (const char *)memchr(labels, '\0',
	    (size_t)(end - labels)) + 1;
	m->n_value = hdr.ntypes;
	m->value = &values[k * hdr.ntypes];
	m->n_location_id = sample_locs(stack, (size_t)(end - stack), site,
	    (size_t)(labels - 1 - site), &m->location_id);
	m->n_label = sample_labels(labels, (size_t)(stack - 1 - labels),
	    key[0] == 'b', &m->label);
	return m;
}

static Perftools__Profiles__ValueType *
new_vt(const char *type, const char *unit)
{
	Perftools__Profiles__ValueType *m = xrealloc(NULL, sizeof *m);

	perftools__profiles__value_type__init(m);
	m->type = str_idx(type, strlen(type));
	m->unit = str_idx(unit, strlen(unit));
	return m;
}

static int64_t
str_or_0(const char *s)
{
	return s != NULL ? str_idx(s, strlen(s)) : 0;
}

static void
build_header(Perftools__Profiles__Profile *p)
{
	size_t i;

	p->n_sample_type = hdr.ntypes;
	p->sample_type = xrealloc(NULL, (hdr.ntypes + 1) *
	    sizeof *p->sample_type);
	for (i = 0; i < hdr.ntypes; i++)
		p->sample_type[i] = new_vt(hdr.types[i], hdr.units[i]);
	if (hdr.period_type != NULL || hdr.period_unit != NULL)
		p->period_type = new_vt(hdr.period_type ? hdr.period_type : "",
		    hdr.period_unit ? hdr.period_unit : "");
	p->period = hdr.period;
	p->time_nanos = hdr.time_nanos;
	p->duration_nanos = hdr.duration_nanos;
	p->drop_frames = str_or_0(hdr.drop_frames);
	p->keep_frames = str_or_0(hdr.keep_frames);
	p->default_sample_type = str_or_0(hdr.default_type);
	p->n_comment = htab_count(&hdr.comments);
	p->comment = xrealloc(NULL, (p->n_comment + 1) * sizeof *p->comment);
	for (i = 0; i < p->n_comment; i++) {
		size_t n;
		const char *c = htab_key(&hdr.comments, i, &n);

		p->comment[i] = str_idx(c, n);
	}
}

/* The mapping (one, the main binary, when the stream names it). */
static void
build_mapping(Perftools__Profiles__Profile *p)
{
	Perftools__Profiles__Mapping *m;

	if (hdr.file == NULL && hdr.build_id == NULL)
		return;
	m = xrealloc(NULL, sizeof *m);
	perftools__profiles__mapping__init(m);
	m->id = 1;
	/* Each location's address is its id: inside the mapping. */
	m->memory_start = 0;
	m->memory_limit = htab_count(&locs) + 1;
	m->filename = str_or_0(hdr.file);
	m->build_id = str_or_0(hdr.build_id);
	m->has_functions = 1;
	p->n_mapping = 1;
	p->mapping = xrealloc(NULL, sizeof *p->mapping);
	p->mapping[0] = m;
}

static void
build_tables(Perftools__Profiles__Profile *p)
{
	size_t i, j, n;

	n = htab_count(&locs);
	p->n_location = n;
	p->location = xrealloc(NULL, (n + 1) * sizeof *p->location);
	for (i = 0; i < n; i++) {
		Perftools__Profiles__Location *l = xrealloc(NULL, sizeof *l);

		perftools__profiles__location__init(l);
		l->id = i + 1;
		l->mapping_id = p->n_mapping;
		l->address = i + 1;
		l->n_line = loc_nline[i];
		l->line = xrealloc(NULL, (l->n_line + 1) * sizeof *l->line);
		for (j = 0; j < l->n_line; j++) {
			Perftools__Profiles__Line *ln =
			    xrealloc(NULL, sizeof *ln);

			perftools__profiles__line__init(ln);
			ln->function_id = loc_funcs[loc_first[i] + j];
			l->line[j] = ln;
		}
		p->location[i] = l;
	}
	n = htab_count(&funcs);
	p->n_function = n;
	p->function = xrealloc(NULL, (n + 1) * sizeof *p->function);
	for (i = 0; i < n; i++) {
		Perftools__Profiles__Function *f = xrealloc(NULL, sizeof *f);
		int64_t name;

		memcpy(&name, htab_key(&funcs, i, NULL), sizeof name);
		perftools__profiles__function__init(f);
		f->id = i + 1;
		f->name = f->system_name = name;
		p->function[i] = f;
	}
}

static void
build(Perftools__Profiles__Profile *p)
{
	size_t i, n = htab_count(&samples);

	str_idx("", 0);
	build_header(p);
	p->sample = xrealloc(NULL, (n + 1) * sizeof *p->sample);
	for (i = 0; i < n; i++)
		if (!all_zero(i))
			p->sample[p->n_sample++] = new_sample(i);
	build_mapping(p);
	build_tables(p);
	n = htab_count(&strs);
	p->n_string_table = n;
	p->string_table = xrealloc(NULL, (n + 1) * sizeof *p->string_table);
	for (i = 0; i < n; i++)
		p->string_table[i] = (char *)htab_key(&strs, i, NULL);
}

/*
 * Frees what build made: the messages, not what they point into (sample
 * values live in values, strings in strs).
 */
static void
free_profile(Perftools__Profiles__Profile *p)
{
	size_t i, j;

	for (i = 0; i < p->n_sample; i++) {
		for (j = 0; j < p->sample[i]->n_label; j++)
			free(p->sample[i]->label[j]);
		free(p->sample[i]->label);
		free(p->sample[i]->location_id);
		free(p->sample[i]);
	}
	for (i = 0; i < p->n_location; i++) {
		for (j = 0; j < p->location[i]->n_line; j++)
			free(p->location[i]->line[j]);
		free(p->location[i]->line);
		free(p->location[i]);
	}
	for (i = 0; i < p->n_function; i++)
		free(p->function[i]);
	for (i = 0; i < p->n_sample_type; i++)
		free(p->sample_type[i]);
	if (p->n_mapping)
		free(p->mapping[0]);
	free(p->mapping);
	free(p->period_type);
	free(p->sample);
	free(p->location);
	free(p->function);
	free(p->sample_type);
	free(p->comment);
	free(p->string_table);
}

/* Frees the merged samples, the header and the tables behind them. */
static void
free_tables(void)
{
	size_t i;

	for (i = 0; i < hdr.ntypes; i++) {
		free(hdr.types[i]);
		free(hdr.units[i]);
	}
	free(hdr.types);
	free(hdr.units);
	free(hdr.period_type);
	free(hdr.period_unit);
	free(hdr.default_type);
	free(hdr.file);
	free(hdr.build_id);
	free(hdr.drop_frames);
	free(hdr.keep_frames);
	htab_free(&hdr.comments);
	htab_free(&samples);
	htab_free(&strs);
	htab_free(&funcs);
	htab_free(&locs);
	free(values);
	free(loc_funcs);
	free(loc_first);
	free(loc_nline);
}

/* The packed profile, gzip'd as Go's runtime/pprof writes it. */
static unsigned char *
gzip_profile(const Perftools__Profiles__Profile *p, size_t *len)
{
	size_t n = perftools__profiles__profile__get_packed_size(p);
	unsigned char *raw = xrealloc(NULL, n + 1), *gz;
	z_stream z;

	perftools__profiles__profile__pack(p, raw);
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		msg_die(1, "out of memory");
	*len = deflateBound(&z, n);
	gz = xrealloc(NULL, *len);
	z.next_in = raw;
	z.avail_in = (uInt)n;
	z.next_out = gz;
	z.avail_out = (uInt)*len;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		msg_die(1, "deflate failed");
	*len = z.total_out;
	deflateEnd(&z);
	free(raw);
	return gz;
}

static int
write_all(int fd, const unsigned char *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes b to path through a temporary file beside it and a rename. */
static void
write_file(const char *path, const unsigned char *b, size_t n)
{
	struct sbuf tmp = SBUF_INIT;
	struct stat st;
	mode_t mask;
	int fd;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		msg_die(1, "%s: not a regular file", path);
	sbuf_printf(&tmp, "%s.tmp.XXXXXX", path);
	if (tmp.oom)
		msg_die(1, "out of memory");
	if ((fd = mkstemp(tmp.s)) < 0)
		msg_die(1, "%s: %s", path, strerror(errno));
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || write_all(fd, b, n) != 0 ||
	    close(fd) != 0) {
		int e = errno;

		unlink(tmp.s);
		msg_die(1, "%s: %s", path, strerror(e));
	}
	if (rename(tmp.s, path) != 0) {
		int e = errno;

		unlink(tmp.s);
		msg_die(1, "%s: %s", path, strerror(e));
	}
	sbuf_free(&tmp);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "base", required_argument, NULL, 'b' },
		{ "diff-base", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
	const char *output = NULL, *base = NULL;
	enum side base_side = BASE;
	unsigned char *gz;
	size_t len;
	int ch, i;

	msg_init(argv);
	while ((ch = getopt_long(argc, argv, "b:o:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
		case 'd':
			if (base != NULL)
				msg_die(2, "one base only: -b or --diff-base");
			base = optarg;
			base_side = ch == 'b' ? BASE : DIFF_BASE;
			break;
		case 'h':
			printf("usage: pprof-encode -o file [-b base | "
			    "--diff-base base] [stream ...]\n"
			    "Writes the merged samples of the streams as a "
			    "gzip'd pprof file.\nSee pprof-encode(1).\n");
			exit(0);
		case 'o':
			output = optarg;
			break;
		case 'V':
			printf("pprof-encode %s\n", E2E_PROFILE_VERSION);
			exit(0);
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (output == NULL)
		usage();
	for (i = 0; base != NULL && strcmp(base, "-") == 0 && i <= argc; i++)
		if (i == argc ? argc == 0 : strcmp(argv[i], "-") == 0)
			msg_die(2, "only one input can be standard input");
	if (strcmp(output, "-") == 0 && isatty(STDOUT_FILENO))
		msg_die(2, "stdout: a terminal: give -o a file");

	htab_init(&samples);
	htab_init(&hdr.comments);
	htab_init(&strs);
	htab_init(&funcs);
	htab_init(&locs);
	if (argc == 0)
		read_input("-", MAIN);
	for (i = 0; i < argc; i++)
		read_input(argv[i], MAIN);
	if (base != NULL)
		read_input(base, base_side);
	if (overflow)
		msg_die(1, "values overflow a 64-bit sum");
	build(&p);
	gz = gzip_profile(&p, &len);
	if (strcmp(output, "-") == 0) {
		if (write_all(STDOUT_FILENO, gz, len) != 0)
			msg_die(1, "stdout: write error");
	} else
		write_file(output, gz, len);
	free(gz);
	free_profile(&p);
	free_tables();
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: pprof-encode -o file [-b base | --diff-base "
	    "base] [stream ...]\n");
	exit(2);
}
