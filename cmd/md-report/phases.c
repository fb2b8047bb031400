/*
 * phases - the test's phases in both reports: the analysis' "Phases"
 * section (phase-split's table per unit, with the phase's top
 * allocators and what grew most, from UNIT.phase-top.tsv), the summary's
 * "where the heap grew" lines, the phase marks of the memory charts, and
 * compare's phases matched by name.
 *
 * Phase names come from the test's output: untrusted, escaped as every
 * other name (md_text, md_code, and md_mermaid in charts). A name may
 * come back later in the test (two "wait" phases): the k-th phase of a
 * name is matched with the k-th of that name, in phase-top's rows and in
 * the other run. Nothing here is written for a run without phases.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "md.h"
#include "msg.h"
#include "report.h"
#include "run.h"

#define MARK_MAX 24		/* bytes of a phase name in a chart label */
#define MARK_NAMES 12		/* more points: numbered marks, and a legend */
#define PHASE_TOP 3		/* functions per phase */
#define PHASE_FLOOR 1048576.0	/* compare: smaller changes are noise */

/* The raw name of phase row i, copied (run_raw's scratch is reused). */
static char *
phase_name(const struct tsv *t, size_t i)
{
	const char *s = run_raw(tsv_cell(t, i, tsv_col(t, "phase")));
	char *c = xrealloc(NULL, strlen(s) + 1);

	memcpy(c, s, strlen(s) + 1);
	return c;
}

/* How many rows before i of phases t have i's name: its occurrence. */
static size_t
occurrence(const struct tsv *t, size_t i)
{
	int c = tsv_col(t, "phase");
	size_t j, n = 0;

	for (j = 0; j < i; j++)
		n += strcmp(tsv_cell(t, j, c), tsv_cell(t, i, c)) == 0;
	return n;
}

/* Is row j of phase-top in occurrence k of the (escaped) name? Its rows
 * come in the phases' order, a phase's rows together. */
static int
top_in(const struct tsv *t, size_t j, const char *name, size_t k)
{
	int c = tsv_col(t, "phase");
	size_t i, groups = 0;

	if (strcmp(tsv_cell(t, j, c), name) != 0)
		return 0;
	for (i = 0; i < j; i++)
		groups += strcmp(tsv_cell(t, i, c), name) == 0 &&
		    (i == 0 || strcmp(tsv_cell(t, i - 1, c), name) != 0);
	/* Row j starts a group of its own when its predecessor differs. */
	if (j == 0 || strcmp(tsv_cell(t, j - 1, c), name) != 0)
		return groups == k;
	return groups == k + 1;
}

/* "f (12MB); g (3MB)": phase-top's rows of what for phase row i, by
 * rank; "-" when none. */
static void
top_cell(struct sbuf *b, const struct unit *u, size_t i, const char *what,
    const char *sign)
{
	const struct tsv *t = &u->phasetop;
	const char *name = tsv_cell(&u->phases, i, tsv_col(&u->phases,
	    "phase"));
	size_t k = occurrence(&u->phases, i), j, shown = 0;
	int64_t rank, want;
	double v;

	for (want = 1; want <= PHASE_TOP; want++)
		for (j = 0; j < t->nrows; j++) {
			if (strcmp(tsv_cell(t, j, tsv_col(t, "what")), what) ||
			    tsv_i64(t, j, tsv_col(t, "rank"), &rank) != 0 ||
			    rank != want || !top_in(t, j, name, k) ||
			    tsv_double(t, j, tsv_col(t, "value"), &v) != 0)
				continue;
			sbuf_puts(b, shown++ ? "; " : "");
			md_name(b, run_raw(tsv_cell(t, j, tsv_col(t,
			    "function"))), 60);
			sbuf_printf(b, " (%s", sign);
			md_bytes(b, v);
			sbuf_putc(b, ')');
			break;
		}
	if (shown == 0)
		sbuf_puts(b, "-");
}

/* A cell of bytes from column col of phase row i, "-" when it has none. */
static void
bytes_cell(struct sbuf *b, const struct tsv *t, size_t i, const char *col,
    int sign)
{
	double v;

	if (tsv_double(t, i, tsv_col(t, col), &v) != 0) {
		sbuf_puts(b, "-");
		return;
	}
	if (sign && v >= 0)
		sbuf_putc(b, '+');
	md_bytes(b, v);
}

static void
phase_row(struct sbuf *b, const struct run *r, const struct unit *u,
    size_t i)
{
	const struct tsv *t = &u->phases;
	int64_t ns;
	double v, s;
	char *name = phase_name(t, i);

	sbuf_puts(b, "| ");
	md_text(b, name);
	sbuf_puts(b, " | ");
	if (tsv_i64(t, i, tsv_col(t, "start_ns"), &ns) == 0 &&
	    (s = run_ns_elapsed(r, &u->heap, ns)) >= 0)
		md_duration(b, s);
	else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	if (tsv_double(t, i, tsv_col(t, "duration_ns"), &v) == 0)
		md_duration(b, v / 1e9);
	else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	bytes_cell(b, t, i, "inuse_first", 0);
	sbuf_puts(b, " | ");
	bytes_cell(b, t, i, "inuse_last", 0);
	sbuf_puts(b, " | ");
	bytes_cell(b, t, i, "growth", 1);
	sbuf_puts(b, " | ");
	bytes_cell(b, t, i, "alloc_during", 0);
	sbuf_puts(b, " | ");
	if (tsv_double(t, i, tsv_col(t, "cpu_cores"), &v) == 0)
		sbuf_printf(b, "%.2f", v);
	else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	top_cell(b, u, i, "alloc", "");
	sbuf_puts(b, " | ");
	top_cell(b, u, i, "growth", "+");
	sbuf_puts(b, " |\n");
	free(name);
}

/* The row of the phase whose growth is the largest positive, or -1. */
static long
top_phase(const struct tsv *t)
{
	double v, best = 0;
	long at = -1;
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (tsv_double(t, i, tsv_col(t, "growth"), &v) == 0 &&
		    v > best) {
			best = v;
			at = (long)i;
		}
	return at;
}

/* Said in place of a section, or of a part of one, for a bad file. */
static void
left_out(struct sbuf *b, const char *err)
{
	sbuf_puts(b, "Left out: ");
	md_text(b, err);
	sbuf_puts(b, ".\n");
}

static int
any_phases(const struct run *r)
{
	size_t i;

	for (i = 0; i < r->nunits; i++)
		if (r->units[i].phases.ncols > 0 || r->units[i].phases_err)
			return 1;
	return 0;
}

void
analysis_phases(struct sbuf *b, const struct run *r)
{
	size_t i, k;

	if (!any_phases(r))
		return;
	sbuf_puts(b, "\n## Phases\n\nThe test's phases as its output showed "
	    "them (test-events.tsv), and each unit's heap within them "
	    "(phase-split): a phase's profiles are those from its start to "
	    "its end and the first one after it, so its allocation is what "
	    "`go tool pprof -sample_index=alloc_space -base FIRST LAST` "
	    "totals, within each process, and the phases' growths add up to "
	    "the series'. CPU cores are the mean over the CPU windows inside "
	    "the phase. The top allocators are what the phase allocated, by "
	    "function (flat); *grew most*, what its heap in use gained.\n");
	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];

		sbuf_puts(b, "\n### ");
		analysis_title(b, u);
		sbuf_puts(b, "\n\n");
		if (u->phases_err != NULL) {
			left_out(b, u->phases_err);
			continue;
		}
		if (!run_has_rows(&u->phases)) {
			sbuf_puts(b, "No phase was seen.\n");
			continue;
		}
		if (u->phasetop_err != NULL) {
			left_out(b, u->phasetop_err);
			sbuf_putc(b, '\n');
		}
		sbuf_puts(b, "| phase | start | duration | heap in use at "
		    "start | at end | growth | allocated during | CPU cores | "
		    "top allocators | grew most |\n| --- | ---: | ---: | ---: "
		    "| ---: | ---: | ---: | ---: | --- | --- |\n");
		for (k = 0; k < u->phases.nrows; k++)
			phase_row(b, r, u, k);
	}
}

void
analysis_phase_summary(struct sbuf *b, const struct run *r)
{
	size_t i, k;
	int head = 0;

	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];
		const struct tsv *t = &u->phases;
		long at = top_phase(t);
		double v, sum = 0, top = 0;
		char *name;

		if (!run_has_rows(t))
			continue;
		if (!head++)
			sbuf_puts(b, "\nWhere the heap grew, by phase (see "
			    "[Phases](#phases)):\n\n");
		sbuf_puts(b, "- ");
		analysis_title(b, u);
		if (at < 0) {
			sbuf_puts(b, ": no phase grew the heap in use.\n");
			continue;
		}
		for (k = 0; k < t->nrows; k++)
			if (tsv_double(t, k, tsv_col(t, "growth"), &v) == 0 &&
			    v > 0)
				sum += v;
		tsv_double(t, (size_t)at, tsv_col(t, "growth"), &top);
		name = phase_name(t, (size_t)at);
		sbuf_puts(b, ": the growth came from phase ");
		md_code(b, name);
		sbuf_puts(b, ", +");
		md_bytes(b, top);
		sbuf_printf(b, " (%.0f%% of the +", 100 * top / sum);
		md_bytes(b, sum);
		sbuf_puts(b, " the growing phases add up to).\n");
		free(name);
	}
}

/* The phase's name, cut to MARK_MAX bytes on a character's first byte. */
static char *
mark_name(const struct tsv *t, size_t i)
{
	char *name = phase_name(t, i);
	size_t c = MARK_MAX;

	if (strlen(name) <= MARK_MAX)
		return name;
	while (c > 0 && ((unsigned char)name[c] & 0xc0) == 0x80)
		c--;
	name = xrealloc(name, c + 4);
	strcpy(name + c, "\xe2\x80\xa6");
	return name;
}

char **
phases_marks(const struct run *r, const struct unit *u, const double *x,
    size_t n, struct sbuf *legend)
{
	const struct tsv *t = &u->phases;
	int numbered = n > MARK_NAMES;
	struct sbuf *m;
	char **out;
	size_t i, k;
	int64_t ns;

	if (!run_has_rows(t) || n == 0)
		return NULL;
	m = xrealloc(NULL, n * sizeof *m);
	out = xrealloc(NULL, n * sizeof *out);
	for (k = 0; k < n; k++)
		m[k] = (struct sbuf)SBUF_INIT;
	for (i = 0; i < t->nrows; i++) {
		char *name;
		double s;

		if (tsv_i64(t, i, tsv_col(t, "start_ns"), &ns) != 0)
			continue;
		s = run_ns_elapsed(r, &u->heap, ns);
		/* The first point at or after the start: the phase's own. */
		for (k = 0; k < n && x[k] < s - 1e-9; k++)
			;
		if (k == n)
			continue;
		sbuf_puts(&m[k], m[k].len ? ", " : "");
		if (numbered) {
			sbuf_printf(&m[k], "P%zu", i + 1);
			name = phase_name(t, i);
			sbuf_printf(legend, "%sP%zu ", legend->len ? ", " : "",
			    i + 1);
			md_code(legend, name);
		} else {
			name = mark_name(t, i);
			sbuf_puts(&m[k], name);
		}
		free(name);
	}
	for (k = 0; k < n; k++) {
		if (m[k].oom)
			msg_die(1, "out of memory");
		out[k] = m[k].s;
	}
	free(m);
	return out;
}

void
phases_marks_free(char **m, size_t n)
{
	size_t k;

	for (k = 0; m != NULL && k < n; k++)
		free(m[k]);
	free(m);
}

/* The row of unit ub's phases matching row i of ua's, or -1. */
static long
match(const struct unit *ua, size_t i, const struct unit *ub)
{
	const struct tsv *a = &ua->phases, *b = &ub->phases;
	const char *name = tsv_cell(a, i, tsv_col(a, "phase"));
	size_t k = occurrence(a, i), j;

	for (j = 0; j < b->nrows; j++)
		if (strcmp(tsv_cell(b, j, tsv_col(b, "phase")), name) == 0 &&
		    occurrence(b, j) == k)
			return (long)j;
	return -1;
}

/* "regression", "improvement" or "within noise" of a phase's figure. */
static const char *
judge(double a, double v)
{
	double d = v - a;

	if (fabs(d) < PHASE_FLOOR ||
	    (a != 0 && fabs(d) / fabs(a) * 100 <= report_opt.noise))
		return "within noise";
	return d > 0 ? "regression" : "improvement";
}

/* The largest regression of a column over the matched phases. */
struct worst {
	long row;
	double a, v;
};

/* A, B, change and verdict cells of column col; tracks the worst. */
static void
pair_cells(struct sbuf *b, const struct unit *ua, size_t i,
    const struct unit *ub, long j, const char *col, struct worst *w)
{
	double a, v;
	const char *vd;

	if (tsv_double(&ua->phases, i, tsv_col(&ua->phases, col), &a) != 0 ||
	    j < 0 || tsv_double(&ub->phases, (size_t)j, tsv_col(&ub->phases,
	    col), &v) != 0) {
		sbuf_puts(b, " - | - | - | - |");
		return;
	}
	sbuf_puts(b, " ");
	md_bytes(b, a);
	sbuf_puts(b, " | ");
	md_bytes(b, v);
	sbuf_puts(b, v > a ? " | +" : v < a ? " | -" : " | ±");
	md_bytes(b, fabs(v - a));
	vd = judge(a, v);
	sbuf_printf(b, " | %s |", vd);
	if (strcmp(vd, "regression") == 0 && (w->row < 0 ||
	    v - a > w->v - w->a)) {
		w->row = (long)i;
		w->a = a;
		w->v = v;
	}
}

/* "- **UNIT**: FIGURE rose most in phase P (A → B, +D): a regression." */
static void
blame(struct sbuf *f, const struct unit *u, const char *what,
    const struct worst *w)
{
	char *name = phase_name(&u->phases, (size_t)w->row);

	sbuf_puts(f, "- **");
	md_text(f, u->name);
	sbuf_printf(f, "**: the %s regression came from phase ", what);
	md_code(f, name);
	sbuf_puts(f, " (");
	md_bytes(f, w->a);
	sbuf_puts(f, " → ");
	md_bytes(f, w->v);
	sbuf_puts(f, ", ");
	md_percent_change(f, w->a, w->v);
	sbuf_puts(f, ").\n");
	free(name);
}

/* Phases of one side without a match on the other: "`a`, `b`". */
static int
unmatched(struct sbuf *b, const struct unit *u, const struct unit *other)
{
	size_t i;
	int n = 0;

	for (i = 0; i < u->phases.nrows; i++)
		if (match(u, i, other) < 0) {
			char *name = phase_name(&u->phases, i);

			sbuf_puts(b, n++ ? ", " : "");
			md_code(b, name);
			free(name);
		}
	return n;
}

int
phases_compare(struct sbuf *b, struct sbuf *findings, const struct unit *ua,
    const struct unit *ub)
{
	struct worst wg = { -1, 0, 0 }, wa = { -1, 0, 0 };
	struct sbuf only = SBUF_INIT;
	size_t i;
	int nf = 0;

	sbuf_puts(b, "\n### ");
	md_text(b, ua->name);
	sbuf_puts(b, "\n\n");
	if (ua->phases_err != NULL || ub->phases_err != NULL) {
		left_out(b, ua->phases_err != NULL ? ua->phases_err :
		    ub->phases_err);
		return 0;
	}
	if (!run_has_rows(&ua->phases) && !run_has_rows(&ub->phases)) {
		sbuf_puts(b, "No phases in either run.\n");
		return 0;
	}
	if (!run_has_rows(&ua->phases) || !run_has_rows(&ub->phases)) {
		sbuf_printf(b, "Only %s has phases: not compared.\n",
		    run_has_rows(&ua->phases) ? "A" : "B");
		return 0;
	}
	sbuf_puts(b, "| phase | A: growth | B: growth | change | verdict | "
	    "A: allocated | B: allocated | change | verdict |\n| --- | ---: "
	    "| ---: | ---: | --- | ---: | ---: | ---: | --- |\n");
	for (i = 0; i < ua->phases.nrows; i++) {
		long j = match(ua, i, ub);
		char *name;

		if (j < 0)
			continue;
		name = phase_name(&ua->phases, i);
		sbuf_puts(b, "| ");
		md_text(b, name);
		sbuf_puts(b, " |");
		pair_cells(b, ua, i, ub, j, "growth", &wg);
		pair_cells(b, ua, i, ub, j, "alloc_during", &wa);
		sbuf_putc(b, '\n');
		free(name);
	}
	sbuf_puts(&only, "\nPhases only in A: ");
	if (unmatched(&only, ua, ub)) {
		sbuf_puts(&only, ".\n");
		sbuf_put(b, only.s, only.len);
	}
	sbuf_free(&only);
	sbuf_puts(&only, "\nPhases only in B: ");
	if (unmatched(&only, ub, ua)) {
		sbuf_puts(&only, ".\n");
		sbuf_put(b, only.s, only.len);
	}
	sbuf_free(&only);
	if (wg.row >= 0) {
		blame(findings, ua, "heap growth", &wg);
		nf++;
	}
	if (wa.row >= 0) {
		blame(findings, ua, "allocation", &wa);
		nf++;
	}
	return nf;
}
