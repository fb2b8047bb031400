/*
 * figures - the figures set-stats knows, and --figures: one row per run,
 * unit and figure from what analyze left in a run directory, then the
 * component-level rows of components with several units.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "num.h"
#include "sbuf.h"
#include "set-stats.h"
#include "tsv.h"

const struct figure figures[NFIGURES] = {
	{ "peak_heap", 1048576 },
	{ "mean_heap", 1048576 },
	{ "heap_slope", 1048576 },
	{ "alloc_during", 1048576 },
	{ "alloc_per_min", 1048576 },
	{ "cpu_ns", 5e8 },
	{ "cores_mean", 0.05 },
	{ "goroutines", 5 },
};

const char *const scopes[NSCOPES] = { "", "leader_", "sum_" };

int
figure_rank(const char *name)
{
	size_t i, s, l;

	for (s = NSCOPES; s-- > 0;) {
		l = strlen(scopes[s]);
		if (strncmp(name, scopes[s], l) != 0)
			continue;
		for (i = 0; i < NFIGURES; i++)
			if (strcmp(figures[i].name, name + l) == 0)
				return (int)(s * NFIGURES + i);
		break;
	}
	return NRANKS;
}

double
figure_floor(const char *name)
{
	int r = figure_rank(name);

	return r < NRANKS ? figures[r % NFIGURES].floor : 0;
}

/*
 * Where a figure comes from: the run, the unit and its component; what
 * the unit had of each figure is kept in v and has, for the component.
 */
struct where {
	const char *run, *unit, *component;
	double v[NFIGURES];
	int has[NFIGURES];
};

static void
put_figure(struct where *w, const char *fig, double v)
{
	int r = figure_rank(fig);

	printf("%s\t%s\t%s\t%s\t%.15g\n", w->run, w->unit, w->component,
	    fig, v);
	if (r < (int)NFIGURES) {
		w->v[r] = v;
		w->has[r] = 1;
	}
}

/* Puts ##key of t as figure fig, when t has rows and the key. */
static void
put_meta(const struct tsv *t, struct where *w, const char *key,
    const char *fig)
{
	const char *s = tsv_meta(t, key, 1);
	double v;

	if (t->nrows > 0 && s != NULL && num_double(s, &v) == 0)
		put_figure(w, fig, v);
}

/* The mean of the series' own type (##type/##unit) over its rows. */
static void
put_mean(const struct tsv *t, struct where *w)
{
	const char *type = tsv_meta(t, "type", 1), *u = tsv_meta(t, "unit", 1);
	struct sbuf col = SBUF_INIT;
	double x, sum = 0;
	size_t i, n = 0;
	int c;

	if (type == NULL || u == NULL)
		return;
	sbuf_printf(&col, "%s/%s", type, u);
	c = col.oom ? -1 : tsv_col(t, col.s);
	sbuf_free(&col);
	for (i = 0; c >= 0 && i < t->nrows; i++)
		if (tsv_double(t, i, c, &x) == 0) {
			sum += x;
			n++;
		}
	if (n > 0)
		put_figure(w, "mean_heap", sum / (double)n);
}

/* Allocation per minute: during the test, over the series' span. */
static void
put_alloc_rate(const struct tsv *t, struct where *w)
{
	const char *s = tsv_meta(t, "alloc_space_during", 1);
	const char *sp = tsv_meta(t, "span_ns", 1);
	double during, span;

	if (t->nrows < 2 || s == NULL || sp == NULL ||
	    num_double(s, &during) != 0 || num_double(sp, &span) != 0 ||
	    span <= 0)
		return;
	put_figure(w, "alloc_per_min", during / (span / 6e10));
}

/* Loads RUN/analysis/UNIT.KIND.series.tsv; 0 when absent, -1 on error. */
static int
load_series(struct tsv *t, const char *dir, const char *unit,
    const char *kind)
{
	struct sbuf path = SBUF_INIT;
	char err[512];
	int rc;

	sbuf_printf(&path, "%s/%s.%s.series.tsv", dir, unit, kind);
	if (path.oom)
		msg_die(1, "out of memory");
	rc = tsv_load(t, path.s, err, sizeof err);
	sbuf_free(&path);
	if (rc == 0)
		return 1;
	rc = t->missing ? 0 : -1;
	if (rc < 0)
		msg_warn("%s", err);
	tsv_free(t);
	return rc;
}

static int
unit_figures(struct where *w, const char *dir)
{
	const char *unit = w->unit;
	struct tsv t;
	int rc, bad = 0;

	if ((rc = load_series(&t, dir, unit, "heap")) > 0) {
		put_meta(&t, w, "peak", "peak_heap");
		put_mean(&t, w);
		put_meta(&t, w, "slope_per_min", "heap_slope");
		put_meta(&t, w, "alloc_space_during", "alloc_during");
		put_alloc_rate(&t, w);
		tsv_free(&t);
	}
	bad |= rc < 0;
	if ((rc = load_series(&t, dir, unit, "cpu")) > 0) {
		put_meta(&t, w, "cpu_ns", "cpu_ns");
		put_meta(&t, w, "cores_mean", "cores_mean");
		tsv_free(&t);
	}
	bad |= rc < 0;
	if ((rc = load_series(&t, dir, unit, "goroutine")) > 0) {
		put_meta(&t, w, "last", "goroutines");
		tsv_free(&t);
	}
	bad |= rc < 0;
	return bad;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The units of a run: UNIT of every analysis/UNIT.KIND.series.tsv. */
static size_t
run_units(const char *dir, char ***out)
{
	static const char *const kinds[] = { ".heap.series.tsv",
	    ".cpu.series.tsv", ".goroutine.series.tsv" };
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0, i, j, k;
	char **u = NULL;

	if (d == NULL)
		return (size_t)-1;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
			size_t kl = strlen(kinds[k]);

			if (len <= kl || e->d_name[0] == '.' ||
			    strcmp(e->d_name + len - kl, kinds[k]) != 0)
				continue;
			u = xrealloc(u, (n + 1) * sizeof *u);
			u[n] = xstrdup(e->d_name);
			u[n++][len - kl] = '\0';
		}
	}
	closedir(d);
	if (n > 1)
		qsort(u, n, sizeof *u, cmp_str);
	for (i = j = 0; i < n; i++) {
		if (j > 0 && strcmp(u[j - 1], u[i]) == 0)
			free(u[i]);
		else
			u[j++] = u[i];
	}
	*out = u;
	return j;
}

/* The unit's name without a trailing -N (digits), as a new string. */
static char *
strip_replica(const char *u)
{
	size_t n = strlen(u), d = n;
	char *s;

	while (d > 0 && u[d - 1] >= '0' && u[d - 1] <= '9')
		d--;
	if (d == n || d < 2 || u[d - 1] != '-')
		return xstrdup(u);
	s = xstrdup(u);
	s[d - 1] = '\0';
	return s;
}

/*
 * The component of units[i]: units.tsv's when the run has one (the
 * wrapper writes it), else md-report's rule: the name without a trailing
 * -N when that leaves a name two units share, else the unit's own name.
 */
static char *
component_of(const struct tsv *ut, char **units, size_t n, size_t i)
{
	int cu = tsv_col(ut, "unit"), cc = tsv_col(ut, "component");
	char *c, *o;
	size_t j, shared = 0;

	for (j = 0; cu >= 0 && cc >= 0 && j < ut->nrows; j++)
		if (strcmp(tsv_cell(ut, j, cu), units[i]) == 0)
			return xstrdup(tsv_cell(ut, j, cc));
	c = strip_replica(units[i]);
	for (j = 0; j < n; j++) {
		o = strip_replica(units[j]);
		shared += strcmp(o, c) == 0;
		free(o);
	}
	if (shared >= 2 && strcmp(c, units[i]) != 0)
		return c;
	free(c);
	return xstrdup(units[i]);
}

/* The unit's role in units.tsv: leader, standby, single or "-". */
static const char *
role_of(const struct tsv *ut, const char *unit)
{
	int cu = tsv_col(ut, "unit"), cr = tsv_col(ut, "role");
	size_t j;

	for (j = 0; cu >= 0 && cr >= 0 && j < ut->nrows; j++)
		if (strcmp(tsv_cell(ut, j, cu), unit) == 0)
			return tsv_cell(ut, j, cr);
	return "-";
}

/*
 * The component-level rows of w[i]'s component, when it has several
 * units and w[i] is the first of them: the leader's figures (when
 * units.tsv names one) and each figure summed over the replicas (when
 * every replica has it).
 */
static void
component_figures(const struct tsv *ut, struct where *w, size_t n, size_t i)
{
	struct where c = w[i];
	size_t j, k, units = 0, leader = n;
	char f[32];

	for (j = 0; j < n; j++) {
		if (strcmp(w[j].component, c.component) != 0)
			continue;
		if (j < i)
			return;
		units++;
		if (strcmp(role_of(ut, w[j].unit), "leader") == 0)
			leader = j;
	}
	if (units < 2)
		return;
	c.unit = c.component;
	for (k = 0; k < NFIGURES && leader < n; k++)
		if (w[leader].has[k]) {
			snprintf(f, sizeof f, "leader_%s", figures[k].name);
			put_figure(&c, f, w[leader].v[k]);
		}
	for (k = 0; k < NFIGURES; k++) {
		double sum = 0;
		int all = 1;

		for (j = i; j < n; j++)
			if (strcmp(w[j].component, c.component) == 0) {
				all &= w[j].has[k];
				sum += w[j].v[k];
			}
		if (!all)
			continue;
		snprintf(f, sizeof f, "sum_%s", figures[k].name);
		put_figure(&c, f, sum);
	}
}

int
figures_of(const char *run)
{
	struct sbuf dir = SBUF_INIT, ufile = SBUF_INIT;
	struct where *w;
	struct tsv ut;
	char **units, err[512];
	const char *name;
	size_t n, i;
	int bad = 0;

	/* The run's name: its directory's, without a trailing slash. */
	sbuf_puts(&dir, run);
	while (dir.len > 1 && dir.s[dir.len - 1] == '/')
		dir.s[--dir.len] = '\0';
	name = strrchr(dir.s, '/');
	name = xstrdup(name != NULL ? name + 1 : dir.s);
	sbuf_printf(&ufile, "%s/units.tsv", dir.s);
	sbuf_puts(&dir, "/analysis");
	if (dir.oom || ufile.oom)
		msg_die(1, "out of memory");
	if (tsv_load(&ut, ufile.s, err, sizeof err) != 0) {
		if (!ut.missing) {
			msg_warn("%s", err);
			bad = 1;
		}
		tsv_free(&ut);
	}
	if ((n = run_units(dir.s, &units)) == (size_t)-1) {
		msg_warn("%s: %s", dir.s, strerror(errno));
		n = 0;
		units = NULL;
		bad = 1;
	} else if (n == 0) {
		msg_warn("%s: no series: nothing to compare", dir.s);
		bad = 1;
	}
	w = xrealloc(NULL, (n + 1) * sizeof *w);
	memset(w, 0, (n + 1) * sizeof *w);
	for (i = 0; i < n; i++) {
		w[i].run = name;
		w[i].unit = units[i];
		w[i].component = component_of(&ut, units, n, i);
		bad |= unit_figures(&w[i], dir.s);
	}
	for (i = 0; i < n; i++)
		component_figures(&ut, w, n, i);
	for (i = 0; i < n; i++) {
		free(units[i]);
		free((char *)w[i].component);
	}
	free(units);
	free(w);
	tsv_free(&ut);
	free((char *)name);
	sbuf_free(&dir);
	sbuf_free(&ufile);
	return bad;
}
