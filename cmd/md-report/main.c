/*
 * md-report - render a profiled e2e run (or two) as markdown a reviewer
 * reads on GitHub: tables, Mermaid charts, findings.
 *
 *	md-report analysis RUN              > RUN/analysis.md
 *	md-report compare RUN_A RUN_B DIFFS > comparisons/A-vs-B.md
 *
 * It only reads what the wrapper's analyze and compare steps left in the
 * run directories (the TSVs of pprof-series, pprof-top, pprof-diff, the
 * fetch log); it computes nothing a filter could compute, only shares,
 * changes and the verdicts built on them. The output is written in one
 * piece at the end, and depends on nothing but the inputs.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "msg.h"
#include "num.h"
#include "report.h"
#include "units.h"
#include "version.h"

struct report_opt report_opt = { 10, 40, 10.0 };

static const char *const kinds[] = {
	".heap.series.tsv", ".heap.alloc.series.tsv", ".heap.growth.tsv",
	".heap.peak.tsv", ".heap.alloc.tsv", ".cpu.series.tsv",
	".cpu.top.tsv", ".goroutine.series.tsv",
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static void usage(void);

/* Loads path into t; a missing file is an empty table, not an error. */
static int
load_opt(struct tsv *t, const char *path, char *err, size_t errlen)
{
	if (tsv_load(t, path, err, errlen) == 0)
		return 0;
	if (t->missing) {
		tsv_free(t);
		return 0;
	}
	return -1;
}

static char *
path2(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);

	if (p == NULL)
		msg_die(1, "out of memory");
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
	char *n = malloc(len + 1);

	if (n == NULL)
		msg_die(1, "out of memory");
	memcpy(n, name, len);
	n[len] = '\0';
	if (*n == '\0' || has_unit(r, n)) {
		free(n);
		return;
	}
	u = realloc(r->units, (r->nunits + 1) * sizeof *u);
	if (u == NULL)
		msg_die(1, "out of memory");
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
		char *f = malloc(n), *p;
		int rc;

		if (f == NULL)
			msg_die(1, "out of memory");
		snprintf(f, n, "%s%s", u->name, kinds[k]);
		p = path2(adir, f);
		rc = load_opt(t[k], p, err, errlen);
		free(p);
		free(f);
		if (rc != 0)
			return -1;
	}
	return 0;
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
	return b.s;
}

int
run_load(struct run *r, const char *dir, char *err, size_t errlen)
{
	char *adir, *p;
	size_t i, n;
	int rc = 0;

	memset(r, 0, sizeof *r);
	r->dir = dir;
	p = path2(dir, "run.tsv");
	rc |= load_opt(&r->info, p, err, errlen);
	free(p);
	if (rc == 0) {
		p = path2(dir, "collection.log");
		rc |= load_opt(&r->log, p, err, errlen);
		free(p);
	}
	if (rc == 0) {
		p = path2(dir, "events.tsv");
		rc |= load_opt(&r->events, p, err, errlen);
		free(p);
	}
	if (rc != 0)
		return -1;
	p = path2(dir, "e2e-summary.md");
	r->summary_md = slurp_text(p);
	free(p);
	/* The run's name: run.tsv's, else the directory's last element. */
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	for (i = n; i > 0 && dir[i - 1] != '/'; i--)
		;
	if ((r->name = malloc(n - i + 1)) == NULL)
		msg_die(1, "out of memory");
	memcpy(r->name, dir + i, n - i);
	r->name[n - i] = '\0';
	adir = path2(dir, "analysis");
	find_units(r, adir);
	for (i = 0; i < r->nunits; i++)
		if (load_unit(&r->units[i], adir, err, errlen) != 0) {
			free(adir);
			return -1;
		}
	free(adir);
	return 0;
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
		free(u->name);
	}
	free(r->units);
	tsv_free(&r->info);
	tsv_free(&r->log);
	tsv_free(&r->events);
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
meta_i64(const struct tsv *t, const char *key, int64_t *v)
{
	const char *s = tsv_meta(t, key, 1);

	return s != NULL ? num_i64(s, v) : -1;
}

int
meta_double(const struct tsv *t, const char *key, double *v)
{
	const char *s = tsv_meta(t, key, 1);

	return s != NULL ? num_double(s, v) : -1;
}

int
series_value_col(const struct tsv *t)
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
has_rows(const struct tsv *t)
{
	return t->nrows > 0;
}

const char *
raw_field(const char *escaped)
{
	static char *buf;
	static size_t cap;
	size_t n = strlen(escaped);

	if (n + 1 > cap) {
		cap = n + 64;
		if ((buf = realloc(buf, cap)) == NULL)
			msg_die(1, "out of memory");
	}
	memcpy(buf, escaped, n);
	buf[esc_unescape(buf, n)] = '\0';
	return buf;
}

static void
scaled(struct sbuf *b, double v, const char *unit)
{
	char buf[64];

	units_label(buf, sizeof buf, (int64_t)(v < 0 ? v - 0.5 : v + 0.5),
	    unit, "auto");
	sbuf_puts(b, buf);
}

void
put_bytes(struct sbuf *b, double v)
{
	scaled(b, v, "bytes");
}

void
put_nanos(struct sbuf *b, double v)
{
	scaled(b, v, "nanoseconds");
}

void
put_duration(struct sbuf *b, double s)
{
	long t = (long)(s + 0.5);

	if (s < 60) {
		sbuf_printf(b, "%.0fs", s);
		return;
	}
	if (t < 3600)
		sbuf_printf(b, "%ldm%02lds", t / 60, t % 60);
	else
		sbuf_printf(b, "%ldh%02ldm", t / 3600, t % 3600 / 60);
}

static void
render(struct sbuf *b)
{
	if (b->oom)
		msg_die(1, "out of memory");
	if (fwrite(b->s, 1, b->len, stdout) != b->len)
		msg_die(1, "stdout: write error");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "noise", required_argument, NULL, 'N' },
		{ "points", required_argument, NULL, 'p' },
		{ "top", required_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct sbuf out = SBUF_INIT;
	struct run a, b;
	char err[512];
	int64_t n;
	int ch;

	msg_init(argv);
	while ((ch = getopt_long(argc, argv, "n:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			printf("usage: md-report [-n top] [--points n] "
			    "[--noise percent] analysis run\n"
			    "       md-report [options] compare run-a run-b "
			    "diff-dir\n"
			    "       md-report [options] sets name-a name-b "
			    "stats.tsv\n"
			    "       md-report budget run check.tsv\n"
			    "Render profiled e2e runs as markdown. "
			    "See md-report(1).\n");
			return 0;
		case 'n':
			if (num_i64(optarg, &n) != 0 || n < 1 || n > 1000)
				msg_die(2, "-n: not a row count: %s", optarg);
			report_opt.top = (size_t)n;
			break;
		case 'N':
			if (num_double(optarg, &report_opt.noise) != 0 ||
			    report_opt.noise < 0)
				msg_die(2, "--noise: not a percentage: %s",
				    optarg);
			break;
		case 'p':
			if (num_i64(optarg, &n) != 0 || n < 2 || n > 1000)
				msg_die(2, "--points: not a point count: %s",
				    optarg);
			report_opt.points = (size_t)n;
			break;
		case 'V':
			printf("md-report %s\n", E2E_PROFILE_VERSION);
			return 0;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 2 && strcmp(argv[0], "analysis") == 0) {
		if (run_load(&a, argv[1], err, sizeof err) != 0)
			msg_die(1, "%s", err);
		report_analysis(&out, &a);
		run_free(&a);
	} else if (argc == 4 && strcmp(argv[0], "compare") == 0) {
		if (run_load(&a, argv[1], err, sizeof err) != 0 ||
		    run_load(&b, argv[2], err, sizeof err) != 0)
			msg_die(1, "%s", err);
		report_compare(&out, &a, &b, argv[3]);
		run_free(&a);
		run_free(&b);
	} else if (argc == 4 && strcmp(argv[0], "sets") == 0) {
		if (report_sets(&out, argv[1], argv[2], argv[3], err,
		    sizeof err) != 0)
			msg_die(1, "%s", err);
	} else if (argc == 3 && strcmp(argv[0], "budget") == 0) {
		if (report_budget(&out, argv[1], argv[2], err, sizeof err) != 0)
			msg_die(1, "%s", err);
	} else
		usage();
	render(&out);
	sbuf_free(&out);
	return msg_close_stdout();
}

static void
usage(void)
{
	fprintf(stderr, "usage: md-report [-n top] [--points n] "
	    "[--noise percent] analysis run\n"
	    "       md-report [options] compare run-a run-b diff-dir\n"
	    "       md-report [options] sets name-a name-b stats.tsv\n"
	    "       md-report budget run check.tsv\n");
	exit(2);
}
