/*
 * health - the analysis report's account of the collection itself:
 * fetches per target, failures by reason, undecodable profiles, events
 * (pods replaced, transports restarted), and the e2e summary's
 * Prometheus alerts.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "md.h"
#include "msg.h"
#include "report.h"
#include "run.h"

struct target_stat {
	const char *name, *kind;
	long ok, error, skipped, aborted, retry;
	double last_ok, max_gap;
};

static struct target_stat *
target_of(struct target_stat **ts, size_t *n, const char *name,
    const char *kind)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*ts)[i].name, name) == 0 &&
		    strcmp((*ts)[i].kind, kind) == 0)
			return &(*ts)[i];
	*ts = xrealloc(*ts, (*n + 1) * sizeof **ts);
	memset(&(*ts)[*n], 0, sizeof **ts);
	(*ts)[*n].name = name;
	(*ts)[*n].kind = kind;
	(*ts)[*n].last_ok = -1;
	return &(*ts)[(*n)++];
}

struct reason {
	const char *text;
	long count;
};

static void
count_reason(struct reason **rs, size_t *n, const char *text)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*rs)[i].text, text) == 0) {
			(*rs)[i].count++;
			return;
		}
	*rs = xrealloc(*rs, (*n + 1) * sizeof **rs);
	(*rs)[*n].text = text;
	(*rs)[(*n)++].count = 1;
}

static int
cmp_reason(const void *a, const void *b)
{
	const struct reason *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->text, y->text);
}

static void
health_events(struct sbuf *b, const struct run *r)
{
	const struct tsv *e = &r->events;
	int tc = tsv_col(e, "time"), uc = tsv_col(e, "unit");
	int ec = tsv_col(e, "event"), dc = tsv_col(e, "detail");
	size_t i;

	if (!run_has_rows(e)) {
		sbuf_puts(b, "\nNo events were recorded (no pod replaced, no "
		    "transport restarted).\n");
		return;
	}
	sbuf_puts(b, "\n| time | unit | event | detail |\n"
	    "| --- | --- | --- | --- |\n");
	for (i = 0; i < e->nrows && i < 5 * report_opt.top; i++) {
		sbuf_puts(b, "| ");
		md_text(b, run_raw(tsv_cell(e, i, tc)));
		sbuf_puts(b, " | ");
		md_text(b, run_raw(tsv_cell(e, i, uc)));
		sbuf_puts(b, " | ");
		md_text(b, run_raw(tsv_cell(e, i, ec)));
		sbuf_puts(b, " | ");
		md_text(b, run_raw(tsv_cell(e, i, dc)));
		sbuf_puts(b, " |\n");
	}
	if (e->nrows > 5 * report_opt.top)
		sbuf_printf(b, "\n%zu more events in events.tsv.\n",
		    e->nrows - 5 * report_opt.top);
}

/* The profiles pprof-decode could not read (analysis/bad-profiles.tsv). */
static void
health_bad(struct sbuf *b, const struct run *r)
{
	const struct tsv *t = &r->bad;
	static const char *const cols[] = { "unit", "kind", "file", "reason" };
	size_t i, k;

	if (!run_has_rows(t))
		return;
	sbuf_printf(b, "\n%zu profile file%s could not be decoded and %s left "
	    "out of the analysis (the rest of it stands):\n\n| unit | kind | "
	    "file | reason |\n| --- | --- | --- | --- |\n", t->nrows,
	    t->nrows > 1 ? "s" : "", t->nrows > 1 ? "are" : "is");
	for (i = 0; i < t->nrows && i < 5 * report_opt.top; i++) {
		for (k = 0; k < 4; k++) {
			sbuf_puts(b, k ? " | " : "| ");
			md_text(b, run_raw(tsv_cell(t, i,
			    tsv_col(t, cols[k]))));
		}
		sbuf_puts(b, " |\n");
	}
	if (t->nrows > 5 * report_opt.top)
		sbuf_printf(b, "\n%zu more in analysis/bad-profiles.tsv.\n",
		    t->nrows - 5 * report_opt.top);
}

/* "- 3 × reason" lines, the commonest first. */
static void
reason_list(struct sbuf *b, struct reason *rs, size_t n)
{
	size_t i;

	qsort(rs, n, sizeof *rs, cmp_reason);
	for (i = 0; i < n && i < report_opt.top; i++) {
		sbuf_printf(b, "- %ld × ", rs[i].count);
		md_text(b, run_raw(rs[i].text));
		sbuf_putc(b, '\n');
	}
	if (n > report_opt.top)
		sbuf_printf(b, "- %zu other reasons\n", n - report_opt.top);
}

void
analysis_health(struct sbuf *b, const struct run *r)
{
	const struct tsv *l = &r->log;
	int tc = tsv_col(l, "time"), nc = tsv_col(l, "target");
	int kc = tsv_col(l, "kind"), oc = tsv_col(l, "outcome");
	int fc = tsv_col(l, "file_or_error");
	struct target_stat *ts = NULL;
	struct reason *rs = NULL, *rt = NULL;
	size_t nts = 0, nrs = 0, nrt = 0, i;

	sbuf_puts(b, "\n## Collection health\n");
	health_bad(b, r);
	if (l->ncols == 0 || oc < 0) {
		sbuf_puts(b, "\nNo collection log in the run directory.\n");
		health_events(b, r);
		return;
	}
	for (i = 0; i < l->nrows; i++) {
		struct target_stat *t = target_of(&ts, &nts,
		    tsv_cell(l, i, nc), tsv_cell(l, i, kc));
		const char *o = tsv_cell(l, i, oc);
		double when = (double)run_rfc3339_ns(tsv_cell(l, i, tc)) / 1e9;

		if (strcmp(o, "ok") == 0) {
			if (t->last_ok >= 0 && when >= 0 &&
			    when - t->last_ok > t->max_gap)
				t->max_gap = when - t->last_ok;
			if (when >= 0)
				t->last_ok = when;
			t->ok++;
			continue;
		}
		if (strcmp(o, "error") == 0)
			t->error++;
		else if (strcmp(o, "skipped") == 0)
			t->skipped++;
		else if (strcmp(o, "aborted") == 0)
			t->aborted++;
		else if (strcmp(o, "retry") == 0)
			t->retry++;
		/* By reason, the same rows the summary counts as failed. */
		if (strcmp(o, "error") == 0 || strcmp(o, "skipped") == 0)
			count_reason(&rs, &nrs, tsv_cell(l, i, fc));
		else if (strcmp(o, "retry") == 0)
			count_reason(&rt, &nrt, tsv_cell(l, i, fc));
	}
	sbuf_puts(b, "\n| target | kind | attempts | ok | failed | skipped | "
	    "aborted | retries | longest gap between profiles |\n"
	    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < nts; i++) {
		const struct target_stat *t = &ts[i];

		sbuf_puts(b, "| ");
		md_text(b, run_raw(t->name));
		sbuf_puts(b, " | ");
		md_text(b, run_raw(t->kind));
		sbuf_printf(b, " | %ld | %ld | %ld | %ld | %ld | %ld | ",
		    t->ok + t->error + t->skipped + t->aborted, t->ok,
		    t->error, t->skipped, t->aborted, t->retry);
		if (t->ok > 1)
			md_duration(b, t->max_gap);
		else
			sbuf_puts(b, "-");
		sbuf_puts(b, " |\n");
	}
	if (nrs > 0) {
		sbuf_puts(b, "\nFailed or skipped, by reason (these are the "
		    "summary's failed):\n\n");
		reason_list(b, rs, nrs);
	}
	if (nrt > 0) {
		sbuf_puts(b, "\nRetried (not counted as failed), by reason:\n\n");
		reason_list(b, rt, nrt);
	}
	health_events(b, r);
	free(ts);
	free(rs);
	free(rt);
}

void
analysis_alerts(struct sbuf *b, const struct run *r)
{
	const char *s = r->summary_md, *p, *end;

	sbuf_puts(b, "\n## Prometheus alerts\n\n");
	if (s == NULL) {
		sbuf_puts(b, "No e2e summary in the run directory "
		    "(operator-controller's tests write `e2e-summary.md` when "
		    "`E2E_SUMMARY_OUTPUT` is set).\n");
		return;
	}
	for (p = s; p != NULL && *p != '\0'; p = strchr(p, '\n'), p += !!p)
		if (strncmp(p, "## Alerts", 9) == 0)
			break;
	if (p == NULL || *p == '\0') {
		sbuf_puts(b, "None: the e2e summary has no Alerts section.\n");
		return;
	}
	p = strchr(p, '\n');
	p = p != NULL ? p + 1 : s + strlen(s);
	for (end = p; *end != '\0'; end = strchr(end, '\n'), end += !!end) {
		if (strncmp(end, "## ", 3) == 0 || strncmp(end, "# ", 2) == 0)
			break;
		if (strchr(end, '\n') == NULL) {
			end += strlen(end);
			break;
		}
	}
	while (p < end && (*p == '\n' || *p == ' '))
		p++;
	while (end > p && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	if (p == end) {
		sbuf_puts(b, "None.\n");
		return;
	}
	/* The test's markdown is not ours to trust: shown, not rendered. */
	sbuf_puts(b, "As the e2e summary has them:\n\n");
	md_fenced(b, p, (size_t)(end - p));
}
