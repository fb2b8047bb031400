/*
 * advice - the analysis report's verdicts: growth and leak suspects,
 * and the recommendations, each naming the figure and the threshold that
 * raised it (md-report(1) lists the thresholds).
 */
#include <string.h>

#include "analysis.h"
#include "md.h"
#include "report.h"
#include "run.h"

/* Thresholds of the recommendations; md-report(1) lists them. */
#define LEAK_R2 0.8		/* a steady line ... */
#define LEAK_SLOPE_PCT 1.0	/* ... rising by 1% of the peak a minute */
#define SUSPECT_MIN 1048576.0	/* a suspect grew by 1 MiB ... */
#define SUSPECT_PEAK_PCT 1.0	/* ... or 1% of the peak, the larger ... */
#define SUSPECT_GREW_PCT 50.0	/* ... in more than half the intervals */
#define OPENAPI_PEAK_PCT 10.0
#define INFORMER_PEAK_PCT 30.0
#define JSON_ALLOC_PCT 25.0
#define REFLECT_ALLOC_PCT 15.0
#define YAML_ALLOC_PCT 10.0
#define CPU_CORES 1.0
#define GOROUTINE_GROWTH_PCT 50.0
#define FETCH_FAIL_PCT 10.0

/*
 * Nonzero when the heap series is a steady line (R² at least LEAK_R2
 * over 3 profiles or more), with its slope, R² and peak.
 */
static int
steady_line(const struct unit *u, double *slope, double *r2, double *peak)
{
	if (run_meta_double(&u->heap, "slope_per_min", slope) != 0 ||
	    run_meta_double(&u->heap, "slope_r2", r2) != 0 ||
	    run_meta_double(&u->heap, "peak", peak) != 0 || u->heap.nrows < 3)
		return 0;
	return *r2 >= LEAK_R2;
}

/* Nonzero when the heap series rises steadily enough to call a leak. */
static int
steady_growth(const struct unit *u, double *slope, double *r2, double *peak)
{
	return steady_line(u, slope, r2, peak) &&
	    *slope > *peak * LEAK_SLOPE_PCT / 100;
}

/* The least growth of a suspect: 1 MiB or 1% of the peak, the larger. */
static double
suspect_floor(const struct unit *u)
{
	double peak = 0;

	run_meta_double(&u->heap, "peak", &peak);
	return peak * SUSPECT_PEAK_PCT / 100 > SUSPECT_MIN ?
	    peak * SUSPECT_PEAK_PCT / 100 : SUSPECT_MIN;
}

/*
 * Is row k of the growth table a leak suspect? It grew (summed within
 * each process) by at least the floor, with a positive slope within the
 * processes, in more than half the intervals.
 */
static int
suspect(const struct unit *u, size_t k)
{
	const struct tsv *g = &u->growth;
	double v, sl, w;

	return tsv_double(g, k, tsv_col(g, "growth"), &v) == 0 &&
	    tsv_double(g, k, tsv_col(g, "slope_per_min"), &sl) == 0 &&
	    tsv_double(g, k, tsv_col(g, "grew%"), &w) == 0 &&
	    v >= suspect_floor(u) && sl > 0 && w > SUSPECT_GREW_PCT;
}

static void
growth_row(struct sbuf *b, const struct tsv *g, size_t k)
{
	static const char *const cols[] = { "first", "at_peak", "last" };
	double v;
	size_t i;

	sbuf_puts(b, "| ");
	md_name(b, run_raw(tsv_cell(g, k, tsv_col(g, "function"))), 70);
	for (i = 0; i < 3; i++) {
		sbuf_puts(b, " | ");
		tsv_double(g, k, tsv_col(g, cols[i]), &v);
		md_bytes(b, v);
	}
	sbuf_puts(b, " | +");
	tsv_double(g, k, tsv_col(g, "growth"), &v);
	md_bytes(b, v);
	sbuf_puts(b, " | +");
	tsv_double(g, k, tsv_col(g, "slope_per_min"), &v);
	md_bytes(b, v);
	tsv_double(g, k, tsv_col(g, "grew%"), &v);
	sbuf_printf(b, "/min | %.0f%% of intervals |\n", v);
}

void
analysis_growth(struct sbuf *b, const struct run *r)
{
	size_t i, k, shown, others;

	sbuf_printf(b, "\n## Growth and leak suspects\n\nA suspect grew by at "
	    "least 1 MiB or %.0f%% of the peak (the larger), within each "
	    "process and summed over restarts, with a positive slope, in "
	    "more than %.0f%% of the intervals between two profiles of one "
	    "process. Rows are ranked by slope within processes.\n",
	    SUSPECT_PEAK_PCT, SUSPECT_GREW_PCT);
	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];
		const struct tsv *g = &u->growth;
		double slope, r2, peak;

		sbuf_puts(b, "\n### ");
		analysis_title(b, u);
		sbuf_puts(b, "\n\n");
		if (!run_has_rows(&u->heap)) {
			sbuf_puts(b, "No heap profiles.\n");
			continue;
		}
		if (run_verdict(u) != NULL) {
			sbuf_puts(b, "The leak call is the settle window's "
			    "(see [Leak verdict](#leak-verdict)), not the "
			    "slope's.\n\n");
		} else if (steady_growth(u, &slope, &r2, &peak)) {
			sbuf_puts(b, "**Steady growth**: heap in use rises by ");
			md_bytes(b, slope);
			sbuf_printf(b, " a minute within each process, with R² "
			    "%.2f (thresholds: R² ≥ %.1f and more than %.0f%% "
			    "of the peak a minute). Likely a leak.\n\n", r2,
			    LEAK_R2, LEAK_SLOPE_PCT);
		} else
			sbuf_puts(b, "No steady growth of heap in use (see the "
			    "thresholds in md-report(1)).\n\n");
		if (!run_has_rows(g)) {
			sbuf_puts(b, "No per-function growth table.\n");
			continue;
		}
		for (k = 0, shown = 0, others = 0; k < g->nrows; k++) {
			double v;

			if (!suspect(u, k)) {
				others += tsv_double(g, k, tsv_col(g,
				    "growth"), &v) == 0 && v > 0;
				continue;
			}
			if (shown++ == 0)
				sbuf_puts(b, "| suspect | first | at peak | "
				    "last | growth | slope | grew in |\n"
				    "| --- | ---: | ---: | ---: | ---: | ---: "
				    "| ---: |\n");
			if (shown <= report_opt.top)
				growth_row(b, g, k);
		}
		if (shown == 0) {
			sbuf_puts(b, "No leak suspect: no function grew by at "
			    "least ");
			md_bytes(b, suspect_floor(u));
			sbuf_puts(b, " in most intervals.\n");
		} else if (shown > report_opt.top)
			sbuf_printf(b, "\n%zu more suspects.\n",
			    shown - report_opt.top);
		if (others > 0)
			sbuf_printf(b, "\n%zu other function%s grew, by less "
			    "or less steadily: noise, not listed.\n", others,
			    others > 1 ? "s" : "");
	}
}

/* The top n leak suspects, "a (+1.2MB), b (+300kB)". */
static void
suspects(struct sbuf *b, const struct unit *u, size_t n)
{
	const struct tsv *g = &u->growth;
	int gc = tsv_col(g, "growth"), nc = tsv_col(g, "function");
	size_t k, shown = 0;
	double v;

	for (k = 0; k < g->nrows && shown < n; k++) {
		if (!suspect(u, k))
			continue;
		tsv_double(g, k, gc, &v);
		sbuf_puts(b, shown++ ? ", " : "");
		md_code(b, run_raw(tsv_cell(g, k, nc)));
		sbuf_puts(b, " (+");
		md_bytes(b, v);
		sbuf_putc(b, ')');
	}
	if (shown == 0)
		sbuf_puts(b, "none grew past the noise floor");
}

/* "- **NAME: " with NAME escaped. */
static void
advice(struct sbuf *b, const struct unit *u)
{
	sbuf_puts(b, "- **");
	analysis_title(b, u);
	sbuf_puts(b, ": ");
}

/*
 * A unit's figure for a rule: v, compared with the threshold; of, what
 * the threshold is a percentage of (for a rule whose threshold is one);
 * x, what else the finding shows.
 */
struct reading {
	double v, of, x[2];
};

struct rule;
typedef void say_fn(struct sbuf *b, const struct unit *u,
    const struct rule *rl, const struct reading *f);

/*
 * One recommendation: figure reads it from a unit (0, or -1 when the unit
 * has no such figure), and the rule fires when the figure is above the
 * threshold, or above threshold percent of the reading's of. say writes
 * the finding (bold, its format's numbers from the reading), then the
 * advice follows.
 */
struct rule {
	int (*figure)(const struct unit *u, const char *cat, struct reading *f);
	const char *cat;	/* a share's category */
	double threshold;
	int pct_of;		/* the threshold is a percentage of of */
	say_fn *say;
	const char *finding;
	const char *advice;
};

/* The slope of a steady line, against the peak; not where the settle
 * window gave a verdict (that is the call then). */
static int
leak(const struct unit *u, const char *cat, struct reading *f)
{
	(void)cat;
	return run_verdict(u) == NULL &&
	    steady_line(u, &f->v, &f->x[0], &f->of) ? 0 : -1;
}

/* 1 when the settle window's verdict is a likely leak. */
static int
settled_leak(const struct unit *u, const char *cat, struct reading *f)
{
	const char *v = run_verdict(u);

	(void)cat;
	f->v = v != NULL && strcmp(v, "likely-leak") == 0;
	return v != NULL ? 0 : -1;
}

static int
heap_share(const struct unit *u, const char *cat, struct reading *f)
{
	f->v = run_share(&u->heap, cat, RUN_PEAK);
	return 0;
}

static int
alloc_share(const struct unit *u, const char *cat, struct reading *f)
{
	f->v = run_share(&u->halloc, cat, RUN_DURING);
	return 0;
}

static int
cores(const struct unit *u, const char *cat, struct reading *f)
{
	(void)cat;
	return run_mean_cores(u, &f->v);
}

/* Goroutines added, against the first count; 10 at least. */
static int
goroutines(const struct unit *u, const char *cat, struct reading *f)
{
	double *first = &f->x[0], *last = &f->x[1];

	(void)cat;
	if (run_meta_double(&u->gor, "first", first) != 0 ||
	    run_meta_double(&u->gor, "last", last) != 0 || *first <= 0 ||
	    *last - *first < 10)
		return -1;
	f->v = *last - *first;
	f->of = *first;
	return 0;
}

static int
restarts(const struct unit *u, const char *cat, struct reading *f)
{
	(void)cat;
	f->v = run_restarts(u);
	return 0;
}

/* The finding's format of the figure and the threshold. */
static void
say_value(struct sbuf *b, const struct unit *u, const struct rule *rl,
    const struct reading *f)
{
	(void)u;
	sbuf_printf(b, rl->finding, f->v, rl->threshold);
}

/* Of x[0], x[1] (from, to) and the threshold. */
static void
say_from_to(struct sbuf *b, const struct unit *u, const struct rule *rl,
    const struct reading *f)
{
	(void)u;
	sbuf_printf(b, rl->finding, f->x[0], f->x[1], rl->threshold);
}

/* Of a count and its plural "s". */
static void
say_times(struct sbuf *b, const struct unit *u, const struct rule *rl,
    const struct reading *f)
{
	(void)u;
	sbuf_printf(b, rl->finding, (int)f->v, f->v > 1 ? "s" : "");
}

/* Of the slope in bytes, R² (x[0]), both thresholds and the suspects. */
static void
say_leak(struct sbuf *b, const struct unit *u, const struct rule *rl,
    const struct reading *f)
{
	struct sbuf slope = SBUF_INIT, top = SBUF_INIT;

	md_bytes(&slope, f->v);
	suspects(&top, u, 3);
	sbuf_printf(b, rl->finding, slope.s, f->x[0], LEAK_R2,
	    rl->threshold, top.s);
	sbuf_free(&slope);
	sbuf_free(&top);
}

/* Of the verdict's reason and the top retained functions. */
static void
say_settled(struct sbuf *b, const struct unit *u, const struct rule *rl,
    const struct reading *f)
{
	const struct tsv *t = &u->verdict;
	struct sbuf reason = SBUF_INIT, top = SBUF_INIT;
	size_t k, shown = 0;
	double v;

	(void)f;
	analysis_reason(&reason, u);
	for (k = 0; k < t->nrows && shown < 3; k++) {
		if (strcmp(tsv_cell(t, k, tsv_col(t, "kind")), "heap") != 0)
			continue;
		tsv_double(t, k, tsv_col(t, "delta"), &v);
		sbuf_puts(&top, shown++ ? ", " : "");
		md_code(&top, run_raw(tsv_cell(t, k, tsv_col(t, "name"))));
		sbuf_puts(&top, " (+");
		md_bytes(&top, v);
		sbuf_putc(&top, ')');
	}
	if (shown == 0)
		sbuf_puts(&top, "no function");
	sbuf_printf(b, rl->finding, reason.s != NULL ? reason.s : "", top.s);
	sbuf_free(&reason);
	sbuf_free(&top);
}

static const struct rule rules[] = {
	{ settled_leak, NULL, 0, 0, say_settled,
	    "likely leak after the test settled.** %s Retained beyond the "
	    "baseline: %s.",
	    "Check what holds them (caches without eviction, maps keyed by "
	    "object name, goroutines that never end); the goroutine stacks "
	    "that remain are in Leak verdict." },
	{ leak, NULL, LEAK_SLOPE_PCT, 1, say_leak,
	    "likely leak.** Heap in use grows by %s a minute within each "
	    "process, R² %.2f (thresholds R² ≥ %.1f, > %.0f%% of the peak a "
	    "minute). Top suspects: %s.",
	    "Take heap profiles over a longer run and check what holds them "
	    "(caches without eviction, maps keyed by object name, goroutines "
	    "that never end)." },
	{ heap_share, "OpenAPI", OPENAPI_PEAK_PCT, 0, say_value,
	    "OpenAPI models hold %.1f%% of the peak heap** (threshold %.0f%%).",
	    "Build the OpenAPI schema and discovery client once and share "
	    "them (a memory-cached discovery client) instead of per reconcile "
	    "or per request." },
	{ heap_share, "informer/cache", INFORMER_PEAK_PCT, 0, say_value,
	    "informer caches hold %.1f%% of the peak heap** (threshold "
	    "%.0f%%).",
	    "Strip managedFields and unused fields with a cache transform, "
	    "cache metadata only where the full object is not read, and "
	    "narrow what is watched with label or field selectors." },
	{ alloc_share, "JSON", JSON_ALLOC_PCT, 0, say_value,
	    "JSON is %.1f%% of the allocation during the test** (threshold "
	    "%.0f%%).",
	    "Prefer typed clients or the protobuf content type to "
	    "unstructured JSON, and decode streams instead of whole buffers." },
	{ alloc_share, "reflection", REFLECT_ALLOC_PCT, 0, say_value,
	    "reflection is %.1f%% of the allocation during the test** "
	    "(threshold %.0f%%).",
	    "Look for unstructured conversions and deep copies in hot paths." },
	{ alloc_share, "YAML", YAML_ALLOC_PCT, 0, say_value,
	    "YAML parsing is %.1f%% of the allocation during the test** "
	    "(threshold %.0f%%).",
	    "Parse manifests once and keep the result." },
	{ cores, NULL, CPU_CORES, 0, say_value,
	    "%.2f cores on average** in the sampled windows (threshold %.1f);",
	    "see Top CPU consumers for where they go." },
	{ goroutines, NULL, GOROUTINE_GROWTH_PCT, 1, say_from_to,
	    "goroutines grew from %.0f to %.0f** (threshold +%.0f%%):",
	    "a goroutine leak shows in the goroutine profiles as one stack "
	    "whose count keeps rising." },
	{ restarts, NULL, 0, 0, say_times,
	    "restarted %d time%s during the run.**",
	    "Check test.log and the pod's events for OOMKilled or a crash; "
	    "growth, slope and allocation above are measured within each "
	    "process and summed." },
};
#define NRULES (sizeof rules / sizeof rules[0])

/* The rules that fire for a unit, one line each; returns their count. */
static int
advise_unit(struct sbuf *b, const struct unit *u)
{
	const struct rule *rl;
	struct reading f;
	int n = 0;

	for (rl = rules; rl < rules + NRULES; rl++) {
		if (rl->figure(u, rl->cat, &f) != 0 || !(rl->pct_of ?
		    f.v > f.of * rl->threshold / 100 : f.v > rl->threshold))
			continue;
		advice(b, u);
		rl->say(b, u, rl, &f);
		sbuf_printf(b, " %s\n", rl->advice);
		n++;
	}
	return n;
}

void
analysis_recommendations(struct sbuf *b, const struct run *r)
{
	long ok, failed;
	size_t i;
	int n = 0;

	sbuf_puts(b, "\n## Recommendations\n\n");
	for (i = 0; i < r->nunits; i++)
		n += advise_unit(b, &r->units[i]);
	run_fetch_counts(r, &ok, &failed);
	if (ok + failed > 0 &&
	    100.0 * (double)failed / (double)(ok + failed) > FETCH_FAIL_PCT) {
		sbuf_printf(b, "- **%.0f%% of profile fetches failed** "
		    "(threshold %.0f%%): the numbers above have gaps. See "
		    "Collection health; if every fetch was refused, the "
		    "operator runs without `--pprof-bind-address`.\n",
		    100.0 * (double)failed / (double)(ok + failed),
		    FETCH_FAIL_PCT);
		n++;
	}
	if (n == 0)
		sbuf_puts(b, "None: no figure crossed a threshold (the "
		    "thresholds are listed in md-report(1)).\n");
}
