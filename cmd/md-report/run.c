/*
 * run - see run.h: loading a run directory and checking its files, and
 * the readings of it both reports make.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "md.h"
#include "msg.h"
#include "num.h"
#include "rfc3339.h"
#include "run.h"

/* The analysis files of a unit, in struct unit's order. */
static const char *const kinds[] = {
	".heap.series.tsv", ".heap.alloc.series.tsv", ".heap.growth.tsv",
	".heap.peak.tsv", ".heap.alloc.tsv", ".cpu.series.tsv",
	".cpu.top.tsv", ".goroutine.series.tsv",
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* Columns of text; every other one holds numbers (or "-"). */
static const char *const text_cols[] = {
	"detail", "event", "file", "file_or_error", "function", "inline",
	"key", "kind", "outcome", "pods", "reason", "role", "source", "target",
	"time", "unit", "component", "value", "phase", "what", "name", NULL
};
/* The ## keys read as numbers (other ## lines, such as the fetch log's
 * ##summary, are not md-report's to judge). */
static const char *const numeric_meta[] = {
	"alloc_space_during", "cores_mean", "cores_peak", "cpu_ns",
	"duration_ns", "first", "growth", "intervals", "last", "peak",
	"peak_seq", "peak_time_ns", "profiles", "restarts", "segments",
	"slope_per_min", "slope_r2", "span_ns", "total", "total_delta",
	"settle_profiles", "heap_baseline", "heap_settled", "retained",
	"retain_threshold", "settle_slope", "slope_threshold",
	"goroutines_baseline", "goroutines_settled", "goroutine_threshold",
	"goroutineleak", NULL
};
/* run.tsv keys whose values are numbers. */
static const char *const numeric_keys[] = {
	"cpu_duration", "duration_s", "interval", NULL
};

static int
listed(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static int
is_number(const char *s)
{
	double v;

	return strcmp(s, "-") == 0 || num_double(s, &v) == 0;
}

static int
not_number(const char *path, size_t line, const char *what, char *err,
    size_t errlen)
{
	struct sbuf b = SBUF_INIT;

	md_plain(&b, what);
	snprintf(err, errlen, "%s:%zu: %s: not a number", path, line,
	    b.s != NULL ? b.s : "");
	sbuf_free(&b);
	return -1;
}

/* Every field that should be a number is one. */
static int
check_numbers(const struct tsv *t, const char *path, char *err,
    size_t errlen)
{
	int kc = tsv_col(t, "key"), vc = tsv_col(t, "value");
	size_t i, k;

	for (i = 0; i < t->nmeta; i++)
		for (k = 1; listed(numeric_meta, t->meta[i][0]) &&
		    k < t->nmeta_fields[i]; k++)
			if (!is_number(t->meta[i][k]))
				return not_number(path, t->meta_line[i],
				    t->meta[i][0], err, errlen);
	for (k = 0; k < t->ncols; k++)
		for (i = 0; !listed(text_cols, t->cols[k]) && i < t->nrows;
		    i++)
			if (!is_number(tsv_cell(t, i, (int)k)))
				return not_number(path, t->row_line[i],
				    t->cols[k], err, errlen);
	for (i = 0; kc >= 0 && vc >= 0 && i < t->nrows; i++)
		if (listed(numeric_keys, tsv_cell(t, i, kc)) &&
		    !is_number(tsv_cell(t, i, vc)))
			return not_number(path, t->row_line[i],
			    tsv_cell(t, i, kc), err, errlen);
	return 0;
}

static int
load(struct tsv *t, const char *path, int tolerate_cut, char *err,
    size_t errlen)
{
	if (tsv_load(t, path, err, errlen) != 0)
		return -1;
	if (t->cut > 0 && !tolerate_cut) {
		snprintf(err, errlen, "%s:%zu: a cut line (no newline at the "
		    "end)", path, t->cut);
		return -1;
	}
	if (t->cut > 0)
		msg_warn("%s:%zu: a cut last line (no newline at the end), "
		    "skipped", path, t->cut);
	return check_numbers(t, path, err, errlen);
}

int
run_load_tsv(struct tsv *t, const char *path, char *err, size_t errlen)
{
	return load(t, path, 0, err, errlen);
}

/*
 * Loads path into t; a missing file is an empty table, not an error. A
 * cut last line is an error, except where tolerate_cut allows it: then a
 * warning, and the line is skipped.
 */
static int
load_opt(struct tsv *t, const char *path, int tolerate_cut, char *err,
    size_t errlen)
{
	if (load(t, path, tolerate_cut, err, errlen) == 0)
		return 0;
	if (!t->missing)
		return -1;
	tsv_free(t);
	return 0;
}

static char *
path2(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = xrealloc(NULL, n);

	snprintf(p, n, "%s/%s", a, b);
	return p;
}

static int
has_unit(const struct run *r, const char *name)
{
	return run_unit(r, name) != NULL;
}

static void
add_unit(struct run *r, const char *name, size_t len)
{
	struct unit *u;
	char *n = xrealloc(NULL, len + 1);

	memcpy(n, name, len);
	n[len] = '\0';
	/* A name with a slash is no file of analysis/: never a path. */
	if (*n == '\0' || strchr(n, '/') != NULL || has_unit(r, n)) {
		free(n);
		return;
	}
	u = xrealloc(r->units, (r->nunits + 1) * sizeof *u);
	r->units = u;
	memset(&r->units[r->nunits], 0, sizeof *r->units);
	r->units[r->nunits++].name = n;
}

static int
cmp_unit(const void *a, const void *b)
{
	return strcmp(((const struct unit *)a)->name,
	    ((const struct unit *)b)->name);
}

/* Units: those run.tsv names, and those with files in analysis/. */
static void
find_units(struct run *r, const char *adir)
{
	const char *list = run_info(r, "units", "");
	DIR *d;
	struct dirent *e;
	size_t k;

	while (*list != '\0') {
		size_t n = strcspn(list, " ");

		add_unit(r, list, n);
		list += n + (list[n] == ' ');
	}
	if ((d = opendir(adir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		for (k = 0; k < NKINDS; k++) {
			size_t kl = strlen(kinds[k]);

			if (n > kl && strcmp(e->d_name + n - kl, kinds[k]) == 0)
				add_unit(r, e->d_name, n - kl);
		}
	}
	closedir(d);
	qsort(r->units, r->nunits, sizeof *r->units, cmp_unit);
}

static int
load_unit(struct unit *u, const char *adir, char *err, size_t errlen)
{
	struct tsv *t[NKINDS] = { &u->heap, &u->halloc, &u->growth, &u->peak,
	    &u->alloc, &u->cpu, &u->cputop, &u->gor };
	size_t k;

	for (k = 0; k < NKINDS; k++) {
		size_t n = strlen(u->name) + strlen(kinds[k]) + 1;
		char *f = xrealloc(NULL, n), *p;
		int rc;

		snprintf(f, n, "%s%s", u->name, kinds[k]);
		p = path2(adir, f);
		rc = load_opt(t[k], p, 0, err, errlen);
		free(p);
		free(f);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/*
 * The phase, runtime and settle files of a unit: the file's suffix, the
 * columns md-report reads and the ## keys it needs. A bad one leaves
 * its section out, not the report.
 */
struct extra {
	const char *suffix;
	const char *const *cols;
	const char *const *keys;
};

static const char *const phase_cols[] = {
	"phase", "start_ns", "end_ns", "duration_ns", "profiles",
	"inuse_first", "inuse_last", "growth", "alloc_during", NULL
};
static const char *const top_cols[] = {
	"phase", "what", "rank", "value", "function", NULL
};
static const char *const mem_cols[] = {
	"time_ns", "sys", "heap_sys", "heap_inuse", "heap_idle",
	"heap_released", "stack_inuse", "next_gc", "num_gc", "pause_total_ns",
	"pauses", NULL
};
static const char *const verdict_cols[] = {
	"kind", "name", "baseline", "settled", "delta", NULL
};
static const char *const verdict_keys[] = {
	"verdict", "reason", "heap_baseline", "heap_settled", "retained",
	"retain_threshold", "settle_slope", "slope_threshold",
	"goroutines_baseline", "goroutines_settled", "goroutine_threshold",
	NULL
};
static const char *const no_keys[] = { NULL };

static const struct extra extras[] = {
	{ ".phases.tsv", phase_cols, no_keys },
	{ ".phase-top.tsv", top_cols, no_keys },
	{ ".memstats.tsv", mem_cols, no_keys },
	{ ".verdict.tsv", verdict_cols, verdict_keys },
};
#define NEXTRAS (sizeof extras / sizeof extras[0])

/* The columns and keys of x are in t, and a verdict is one of three. */
static int
check_extra(const struct tsv *t, const struct extra *x, const char *path,
    char *err, size_t errlen)
{
	const char *const *p;
	const char *v;

	for (p = x->cols; *p != NULL; p++)
		if (tsv_col(t, *p) < 0) {
			snprintf(err, errlen, "%s: no column %s", path, *p);
			return -1;
		}
	for (p = x->keys; *p != NULL; p++)
		if (tsv_meta(t, *p, 1) == NULL) {
			snprintf(err, errlen, "%s: no ##%s", path, *p);
			return -1;
		}
	if (x->keys == verdict_keys && (v = tsv_meta(t, "verdict", 1)) !=
	    NULL && strcmp(v, "likely-leak") != 0 && strcmp(v, "bounded") !=
	    0 && strcmp(v, "no-leak") != 0) {
		struct sbuf b = SBUF_INIT;

		md_plain(&b, v);
		snprintf(err, errlen, "%s: ##verdict: not likely-leak, bounded "
		    "or no-leak: %s", path, b.s != NULL ? b.s : "");
		sbuf_free(&b);
		return -1;
	}
	return 0;
}

/*
 * Loads the unit's extra files. A bad one is a warning on stderr, and
 * its err (the message less the run directory, for the report) is kept.
 */
static void
load_extras(struct unit *u, const char *dir, const char *adir)
{
	struct tsv *t[NEXTRAS] = { &u->phases, &u->phasetop, &u->memstats,
	    &u->verdict };
	char **e[NEXTRAS] = { &u->phases_err, &u->phasetop_err,
	    &u->memstats_err, &u->verdict_err };
	char err[512];
	size_t k, dl = strlen(dir);

	for (k = 0; k < NEXTRAS; k++) {
		size_t n = strlen(u->name) + strlen(extras[k].suffix) + 1;
		char *f = xrealloc(NULL, n), *p;
		const char *rel;

		snprintf(f, n, "%s%s", u->name, extras[k].suffix);
		p = path2(adir, f);
		if (load_opt(t[k], p, 0, err, sizeof err) != 0 ||
		    (t[k]->ncols > 0 &&
		    check_extra(t[k], &extras[k], p, err, sizeof err) != 0)) {
			msg_warn("%s", err);
			rel = strncmp(err, dir, dl) == 0 && err[dl] == '/' ?
			    err + dl + 1 : err;
			*e[k] = xrealloc(NULL, strlen(rel) + 1);
			memcpy(*e[k], rel, strlen(rel) + 1);
			tsv_free(t[k]);
		}
		free(p);
		free(f);
	}
}

const char *
run_verdict(const struct unit *u)
{
	return u->verdict.ncols > 0 ? tsv_meta(&u->verdict, "verdict", 1) :
	    NULL;
}

static char *
slurp_text(const char *path)
{
	FILE *fp = fopen(path, "r");
	struct sbuf b = SBUF_INIT;
	char buf[8192];
	size_t n;

	if (fp == NULL)
		return NULL;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sbuf_put(&b, buf, n);
	fclose(fp);
	if (b.s == NULL)
		sbuf_puts(&b, "");
	if (b.oom)
		msg_die(1, "out of memory");
	return b.s;
}

/* Loads dir/name into t (see load_opt); 0 or -1. */
static int
load_in(struct tsv *t, const char *dir, const char *name, int tolerate_cut,
    char *err, size_t errlen)
{
	char *p = path2(dir, name);
	int rc = load_opt(t, p, tolerate_cut, err, errlen);

	free(p);
	return rc;
}

/*
 * Each unit's component and role: units.tsv's row, else the fallback of
 * interfaces without it: the name less a trailing -N when 2+ units share
 * what is left, role single for a lone unit and - otherwise.
 */
static void
assign_components(struct run *r)
{
	const struct tsv *m = &r->unitmap;
	int uc = tsv_col(m, "unit"), cc = tsv_col(m, "component");
	int rc = tsv_col(m, "role");
	size_t i, k, n;

	for (i = 0; i < r->nunits; i++) {
		struct unit *u = &r->units[i];

		u->component = u->role = NULL;
		for (k = 0; uc >= 0 && cc >= 0 && rc >= 0 && k < m->nrows; k++)
			if (strcmp(run_raw(tsv_cell(m, k, uc)), u->name) == 0) {
				u->component = tsv_cell(m, k, cc);
				u->role = tsv_cell(m, k, rc);
			}
	}
	for (i = 0; i < r->nunits; i++) {
		struct unit *u = &r->units[i];
		size_t len = strlen(u->name), stem = len;

		if (u->component != NULL)
			continue;
		while (stem > 0 && u->name[stem - 1] >= '0' &&
		    u->name[stem - 1] <= '9')
			stem--;
		u->stem = xrealloc(NULL, len + 1);
		memcpy(u->stem, u->name, len + 1);
		if (stem < len && stem > 1 && u->name[stem - 1] == '-')
			u->stem[stem - 1] = '\0';
	}
	for (i = 0; i < r->nunits; i++) {
		struct unit *u = &r->units[i];

		if (u->component != NULL)
			continue;
		for (k = 0, n = 0; k < r->nunits; k++)
			n += r->units[k].stem != NULL &&
			    strcmp(r->units[k].stem, u->stem) == 0;
		u->component = n > 1 ? u->stem : u->name;
		u->role = n > 1 ? "-" : "single";
	}
}

int
run_load(struct run *r, const char *dir, char *err, size_t errlen)
{
	char *adir, *p;
	size_t i, n;

	memset(r, 0, sizeof *r);
	r->dir = dir;
	if (load_in(&r->info, dir, "run.tsv", 0, err, errlen) != 0 ||
	    load_in(&r->log, dir, "collection.log", 1, err, errlen) != 0 ||
	    load_in(&r->events, dir, "events.tsv", 0, err, errlen) != 0 ||
	    load_in(&r->unitmap, dir, "units.tsv", 0, err, errlen) != 0 ||
	    load_in(&r->bad, dir, "analysis/bad-profiles.tsv", 0, err,
	    errlen) != 0)
		return -1;
	r->started_ns = run_rfc3339_ns(run_info(r, "started", ""));
	p = path2(dir, "e2e-summary.md");
	r->summary_md = slurp_text(p);
	free(p);
	/* The run's name: run.tsv's, else the directory's last element. */
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	for (i = n; i > 0 && dir[i - 1] != '/'; i--)
		;
	r->name = xrealloc(NULL, n - i + 1);
	memcpy(r->name, dir + i, n - i);
	r->name[n - i] = '\0';
	adir = path2(dir, "analysis");
	find_units(r, adir);
	for (i = 0; i < r->nunits; i++)
		if (load_unit(&r->units[i], adir, err, errlen) != 0) {
			free(adir);
			return -1;
		} else
			load_extras(&r->units[i], dir, adir);
	free(adir);
	assign_components(r);
	return 0;
}

int64_t
run_rfc3339_ns(const char *s)
{
	int64_t ns;

	return rfc3339_ns(s, &ns) == 0 ? ns : -1;
}

void
run_free(struct run *r)
{
	size_t i;

	for (i = 0; i < r->nunits; i++) {
		struct unit *u = &r->units[i];

		tsv_free(&u->heap);
		tsv_free(&u->halloc);
		tsv_free(&u->growth);
		tsv_free(&u->peak);
		tsv_free(&u->alloc);
		tsv_free(&u->cpu);
		tsv_free(&u->cputop);
		tsv_free(&u->gor);
		tsv_free(&u->phases);
		tsv_free(&u->phasetop);
		tsv_free(&u->memstats);
		tsv_free(&u->verdict);
		free(u->phases_err);
		free(u->phasetop_err);
		free(u->memstats_err);
		free(u->verdict_err);
		free(u->name);
		free(u->stem);
	}
	free(r->units);
	tsv_free(&r->info);
	tsv_free(&r->log);
	tsv_free(&r->events);
	tsv_free(&r->unitmap);
	tsv_free(&r->bad);
	free(r->summary_md);
	free(r->name);
}

const char *
run_info(const struct run *r, const char *key, const char *def)
{
	int kc = tsv_col(&r->info, "key"), vc = tsv_col(&r->info, "value");
	size_t i;

	for (i = 0; kc >= 0 && vc >= 0 && i < r->info.nrows; i++)
		if (strcmp(tsv_cell(&r->info, i, kc), key) == 0)
			return tsv_cell(&r->info, i, vc);
	return def;
}

const struct unit *
run_unit(const struct run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nunits; i++)
		if (strcmp(r->units[i].name, name) == 0)
			return &r->units[i];
	return NULL;
}

int
run_meta_i64(const struct tsv *t, const char *key, int64_t *v)
{
	const char *s = tsv_meta(t, key, 1);

	return s != NULL ? num_i64(s, v) : -1;
}

int
run_meta_double(const struct tsv *t, const char *key, double *v)
{
	const char *s = tsv_meta(t, key, 1);

	return s != NULL ? num_double(s, v) : -1;
}

int
run_value_col(const struct tsv *t)
{
	const char *type = tsv_meta(t, "type", 1);
	const char *unit = tsv_meta(t, "unit", 1);
	char col[256];

	if (type == NULL || unit == NULL)
		return -1;
	snprintf(col, sizeof col, "%s/%s", type, unit);
	return tsv_col(t, col);
}

int
run_has_rows(const struct tsv *t)
{
	return t->nrows > 0;
}

const char *
run_raw(const char *escaped)
{
	static char *buf;
	static size_t cap;
	size_t n = strlen(escaped);

	if (n + 1 > cap) {
		cap = n + 64;
		buf = xrealloc(buf, cap);
	}
	memcpy(buf, escaped, n);
	buf[esc_unescape(buf, n)] = '\0';
	return buf;
}

/* A series' column of type, as a double array over its rows. */
double *
run_column(const struct tsv *t, int col)
{
	double *v = xrealloc(NULL, (t->nrows + 1) * sizeof *v);
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (tsv_double(t, i, col, &v[i]) != 0)
			v[i] = 0;
	return v;
}

int64_t *
run_segments(const struct tsv *t)
{
	int64_t *v = xrealloc(NULL, (t->nrows + 1) * sizeof *v);
	int sc = tsv_col(t, "segment");
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (tsv_i64(t, i, sc, &v[i]) != 0)
			v[i] = 0;
	return v;
}

/* Seconds since the start of row i. */
static double
row_elapsed(const struct run *r, const struct tsv *t, size_t i)
{
	int64_t v;

	if (r->started_ns >= 0 &&
	    tsv_i64(t, i, tsv_col(t, "time_ns"), &v) == 0)
		return (double)(v - r->started_ns) / 1e9;
	if (tsv_i64(t, i, tsv_col(t, "elapsed_ns"), &v) == 0)
		return (double)v / 1e9;
	return 0;
}

double *
run_elapsed(const struct run *r, const struct tsv *t)
{
	double *v = xrealloc(NULL, (t->nrows + 1) * sizeof *v);
	size_t i;

	for (i = 0; i < t->nrows; i++)
		v[i] = row_elapsed(r, t, i);
	return v;
}

double
run_elapsed_at(const struct run *r, const struct tsv *t, int64_t seq)
{
	int sc = tsv_col(t, "seq");
	int64_t s;
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (tsv_i64(t, i, sc, &s) == 0 && s == seq)
			return row_elapsed(r, t, i);
	return 0;
}

double
run_ns_elapsed(const struct run *r, const struct tsv *heap, int64_t ns)
{
	int64_t t0, e0 = 0;

	if (r->started_ns >= 0)
		return (double)(ns - r->started_ns) / 1e9;
	if (tsv_i64(heap, 0, tsv_col(heap, "time_ns"), &t0) != 0)
		return 0;
	tsv_i64(heap, 0, tsv_col(heap, "elapsed_ns"), &e0);
	return (double)(ns - t0 + e0) / 1e9;
}

const char *
run_time_base(const struct run *r)
{
	return r->started_ns >= 0 ? "since the test started" :
	    "since the first profile";
}

double
run_covered_minutes(const struct tsv *t)
{
	int tc = tsv_col(t, "time_ns"), sc = tsv_col(t, "segment");
	int64_t tm, seg, cur = -1, first = 0, last = 0;
	double sum = 0;
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		if (tsv_i64(t, i, tc, &tm) != 0 || tsv_i64(t, i, sc, &seg) != 0)
			continue;
		if (seg != cur) {
			sum += (double)(last - first);
			first = tm;
			cur = seg;
		}
		last = tm;
	}
	return (sum + (double)(last - first)) / 60e9;
}

int
run_restarts(const struct unit *u)
{
	int64_t v;

	if (!run_has_rows(&u->heap) ||
	    run_meta_i64(&u->heap, "restarts", &v) != 0)
		return -1;
	return (int)v;
}

int
run_mean_cores(const struct unit *u, double *v)
{
	double cpu, dur;

	if (!run_has_rows(&u->cpu) ||
	    run_meta_double(&u->cpu, "cpu_ns", &cpu) != 0 ||
	    run_meta_double(&u->cpu, "duration_ns", &dur) != 0 || dur <= 0)
		return -1;
	*v = cpu / dur;
	return 0;
}

/* Nonzero for a category the reports show apart (the profiler's). */
static int
hidden_cat(const char *name)
{
	return strcmp(name, "profiler") == 0;
}

void
run_make_cmd(struct sbuf *b, const struct run *r)
{
	struct sbuf t = SBUF_INIT;

	sbuf_puts(&t, "make ");
	sbuf_puts(&t, run_info(r, "target", "?"));
	md_code(b, t.s);
	sbuf_free(&t);
}

/* Counts the fetch log's final outcomes: ok, and error or skipped. */
void
run_fetch_counts(const struct run *r, long *ok, long *failed)
{
	int oc = tsv_col(&r->log, "outcome");
	size_t i;

	*ok = *failed = 0;
	for (i = 0; oc >= 0 && i < r->log.nrows; i++) {
		const char *o = tsv_cell(&r->log, i, oc);

		/* "aborted" is the collector stopped on purpose at the end. */
		if (strcmp(o, "ok") == 0)
			(*ok)++;
		else if (strcmp(o, "error") == 0 || strcmp(o, "skipped") == 0)
			(*failed)++;
	}
}

void
run_cats_of(const struct tsv *t, struct run_cats *c)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strncmp(t->cols[i], "cat:", 4) == 0 &&
		    !hidden_cat(t->cols[i] + 4)) {
			size_t k;

			for (k = 0; k < c->n; k++)
				if (strcmp(c->names[k], t->cols[i] + 4) == 0)
					break;
			if (k < c->n)
				continue;
			c->names = xrealloc(c->names,
			    (c->n + 1) * sizeof *c->names);
			c->names[c->n++] = t->cols[i] + 4;
		}
}

/* The sum over segments of (last - first) of column col. */
static double
rise(const struct tsv *t, int col)
{
	int sc = tsv_col(t, "segment");
	double first = 0, last = 0, v, sum = 0;
	int64_t seg, cur = -1;
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		if (tsv_i64(t, i, sc, &seg) != 0 || tsv_double(t, i, col, &v))
			continue;
		if (seg != cur) {
			sum += last - first;
			first = v;
			cur = seg;
		}
		last = v;
	}
	return sum + last - first;
}

double
run_share(const struct tsv *t, const char *cat, enum run_share m)
{
	char name[128];
	int cc, vc = run_value_col(t);
	double part = 0, whole = 0, v;
	int64_t seq, s;
	size_t i;

	snprintf(name, sizeof name, "cat:%s", cat);
	cc = tsv_col(t, name);
	if (!run_has_rows(t) || cc < 0 || vc < 0)
		return -1;
	switch (m) {
	case RUN_PEAK:
		if (run_meta_i64(t, "peak_seq", &seq) != 0)
			return -1;
		for (i = 0; i < t->nrows; i++)
			if (tsv_i64(t, i, tsv_col(t, "seq"), &s) == 0 &&
			    s == seq) {
				tsv_double(t, i, cc, &part);
				tsv_double(t, i, vc, &whole);
			}
		break;
	case RUN_DURING:
		part = rise(t, cc);
		whole = rise(t, vc);
		break;
	case RUN_SUM:
		for (i = 0; i < t->nrows; i++) {
			if (tsv_double(t, i, cc, &v) == 0)
				part += v;
			if (tsv_double(t, i, vc, &v) == 0)
				whole += v;
		}
		break;
	}
	return whole > 0 ? 100 * part / whole : -1;
}

void
run_pprof_link(struct sbuf *b, const char *dir, const char *href,
    const char *unit, const char *kind, const char *what)
{
	struct sbuf path = SBUF_INIT, rel = SBUF_INIT, cmd = SBUF_INIT;
	struct stat st;

	sbuf_printf(&path, "%s/%s.%s.pb.gz", dir, unit, kind);
	sbuf_printf(&rel, "%s/%s.%s.pb.gz", href, unit, kind);
	sbuf_printf(&cmd, "go tool pprof -http=: %s", rel.s);
	if (!path.oom && !rel.oom && !cmd.oom && stat(path.s, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		sbuf_puts(b, "pprof file: ");
		md_link(b, what, rel.s);
		sbuf_puts(b, "; from this report's directory: ");
		md_code(b, cmd.s);
		sbuf_puts(b, "\n\n");
	}
	sbuf_free(&path);
	sbuf_free(&rel);
	sbuf_free(&cmd);
}
