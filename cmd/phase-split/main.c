/*
 * phase-split - a heap series cut by the phases of test-events.tsv: per
 * phase its span, the heap in use at its first and last profile, its
 * growth and its allocation by pprof's -base rule.
 *
 * Which profiles are a phase's: those taken from its start to its end,
 * and the first one after its end (the wrapper takes one at each phase
 * boundary it sees, just after the boundary). So the profile at a
 * boundary is the last of one phase and the first of the next, and the
 * phases' growth and allocation add up to the whole run's.
 *
 * Growth and allocation are computed as pprof-series computes them for
 * the whole series: last minus first within each process (segment),
 * summed over the segments the phase's profiles belong to, so that a
 * restart neither counts as a fall nor hides what came before it.
 *
 * With --cpu, the unit's CPU series: a phase's cpu_cores is the CPU time
 * of the windows that overlap it, each counted for the part of it inside
 * the phase (its CPU taken as even over the window), over the time those
 * parts cover. A CPU window is 10 to 30 s and a phase often shorter, so
 * windows wholly inside a phase would leave most phases without a figure.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "num.h"
#include "tsv.h"
#include "version.h"

struct profile {
	int64_t seq, time_ns, segment, alloc, inuse;
};

struct phase {
	const char *name;	/* escaped, as in the events */
	int64_t start, end;
};

/* A CPU window: its start, length and CPU time, ns. */
struct window {
	int64_t start, duration, cpu;
};

static void usage(int status);

static void
load(struct tsv *t, const char *path)
{
	char err[512];

	if (tsv_load(t, path, err, sizeof err) != 0)
		msg_die(1, "%s", err);
	if (t->cut != 0)
		msg_die(1, "%s:%zu: a last line without its newline (cut off)",
		    path, t->cut);
}

static int
need_col(const struct tsv *t, const char *path, const char *name)
{
	int c = tsv_col(t, name);

	if (c < 0)
		msg_die(1, "%s: no %s column", path, name);
	return c;
}

/* The series' profiles, checked: numbers, in time order. */
static struct profile *
profiles(const struct tsv *t, const char *path)
{
	int cs = need_col(t, path, "seq"), ct = need_col(t, path, "time_ns");
	int cg = need_col(t, path, "segment");
	int ca = need_col(t, path, "alloc_space/bytes");
	int ci = need_col(t, path, "inuse_space/bytes");
	struct profile *p = xrealloc(NULL, (t->nrows + 1) * sizeof *p);
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		if (tsv_i64(t, i, cs, &p[i].seq) != 0 ||
		    tsv_i64(t, i, ct, &p[i].time_ns) != 0 ||
		    tsv_i64(t, i, cg, &p[i].segment) != 0 ||
		    tsv_i64(t, i, ca, &p[i].alloc) != 0 ||
		    tsv_i64(t, i, ci, &p[i].inuse) != 0)
			msg_die(1, "%s:%zu: a field is not a number", path,
			    t->row_line[i]);
		if (i > 0 && p[i].time_ns < p[i - 1].time_ns)
			msg_die(1, "%s:%zu: out of time order", path,
			    t->row_line[i]);
	}
	return p;
}

/* The CPU series' windows, checked: numbers, a cpu/nanoseconds type. */
static struct window *
windows(const struct tsv *t, const char *path)
{
	const char *kind = tsv_meta(t, "series", 1);
	int ct, cd, cc;
	struct window *w;
	size_t i;

	if (kind == NULL || strcmp(kind, "cpu") != 0)
		msg_die(1, "%s: not a CPU series (##series cpu)", path);
	ct = need_col(t, path, "time_ns");
	cd = need_col(t, path, "duration_ns");
	cc = need_col(t, path, "cpu/nanoseconds");
	w = xrealloc(NULL, (t->nrows + 1) * sizeof *w);
	for (i = 0; i < t->nrows; i++)
		if (tsv_i64(t, i, ct, &w[i].start) != 0 ||
		    tsv_i64(t, i, cd, &w[i].duration) != 0 ||
		    tsv_i64(t, i, cc, &w[i].cpu) != 0 || w[i].duration < 0)
			msg_die(1, "%s:%zu: a field is not a number", path,
			    t->row_line[i]);
	return w;
}

/*
 * Mean cores over the parts of the windows inside the phase; -1 when no
 * window overlaps it.
 */
static double
cores(const struct phase *ph, const struct window *w, size_t nw)
{
	double cpu = 0, covered = 0;
	size_t i;

	for (i = 0; i < nw; i++) {
		int64_t a = w[i].start > ph->start ? w[i].start : ph->start;
		int64_t e = w[i].start + w[i].duration;

		if (e > ph->end)
			e = ph->end;
		if (w[i].duration == 0 || e <= a)
			continue;
		cpu += (double)w[i].cpu * (double)(e - a) /
		    (double)w[i].duration;
		covered += (double)(e - a);
	}
	return covered > 0 ? cpu / covered : -1;
}

/* The phases of the events, start to end, checked: every one ends. */
static struct phase *
phases(const struct tsv *t, const char *path, size_t *n)
{
	int ck = need_col(t, path, "kind"), ct = need_col(t, path, "time_ns");
	int cn = need_col(t, path, "name");
	struct phase *ph = xrealloc(NULL, (t->nrows + 1) * sizeof *ph);
	const char *cur = NULL;
	size_t i;
	int64_t ns;

	*n = 0;
	for (i = 0; i < t->nrows; i++) {
		const char *k = tsv_cell(t, i, ck), *name = tsv_cell(t, i, cn);
		int start = strcmp(k, "phase-start") == 0;

		if (!start && strcmp(k, "phase-end") != 0)
			continue;
		if (tsv_i64(t, i, ct, &ns) != 0)
			msg_die(1, "%s:%zu: time_ns is not a number", path,
			    t->row_line[i]);
		if (start ? cur != NULL : cur == NULL ||
		    strcmp(cur, name) != 0)
			msg_die(1, "%s:%zu: %s %s while %s is open", path,
			    t->row_line[i], k, name,
			    cur != NULL ? cur : "no phase");
		if (start) {
			ph[*n].name = name;
			ph[*n].start = ns;
			cur = name;
		} else {
			if (ns < ph[*n].start)
				msg_die(1, "%s:%zu: %s ends before it starts",
				    path, t->row_line[i], name);
			ph[(*n)++].end = ns;
			cur = NULL;
		}
	}
	if (cur != NULL)
		msg_die(1, "%s: phase %s never ends", path, cur);
	return ph;
}

/*
 * Last minus first of a field within each segment, over p[a..b]; *ov set
 * when a sum overflows.
 */
static int64_t
within_segments(const struct profile *p, size_t a, size_t b, int alloc,
    int *ov)
{
	int64_t sum = 0;
	size_t i, first = a;

	for (i = a; i <= b; i++)
		if (i == b || p[i + 1].segment != p[i].segment) {
			int64_t x = alloc ? p[first].alloc : p[first].inuse;
			int64_t y = alloc ? p[i].alloc : p[i].inuse;

			sum = num_add_ov(sum, num_sub_ov(y, x, ov), ov);
			first = i + 1;
		}
	return sum;
}

/* A phase's figures; n 0 when no profile is the phase's. */
struct figures {
	size_t n;
	int64_t first_seq, last_seq, inuse_first, inuse_last, growth, alloc;
};

static void
measure(const struct phase *ph, const struct profile *p, size_t np,
    struct figures *f)
{
	size_t a, b;
	int ov = 0;

	memset(f, 0, sizeof *f);
	for (a = 0; a < np && p[a].time_ns < ph->start; a++)
		;
	for (b = a; b < np && p[b].time_ns <= ph->end; b++)
		;
	/* b: the first after the end, the phase's last; or np, then b - 1. */
	if (a == np)
		return;
	if (b == np)
		b--;
	f->n = b - a + 1;
	f->first_seq = p[a].seq;
	f->last_seq = p[b].seq;
	f->inuse_first = p[a].inuse;
	f->inuse_last = p[b].inuse;
	f->growth = within_segments(p, a, b, 0, &ov);
	f->alloc = within_segments(p, a, b, 1, &ov);
	if (ov)
		msg_die(1, "phase %s: values overflow a 64-bit sum", ph->name);
}

static void
put_phase(const struct phase *ph, const struct figures *f, double c)
{
	printf("%s\t%jd\t%jd\t%jd\t%zu", ph->name, (intmax_t)ph->start,
	    (intmax_t)ph->end, (intmax_t)(ph->end - ph->start), f->n);
	if (f->n == 0)
		printf("\t-\t-\t-\t-\t-\t-");
	else
		printf("\t%jd\t%jd\t%jd\t%jd\t%jd\t%jd",
		    (intmax_t)f->first_seq, (intmax_t)f->last_seq,
		    (intmax_t)f->inuse_first, (intmax_t)f->inuse_last,
		    (intmax_t)f->growth, (intmax_t)f->alloc);
	if (c < 0)
		printf("\t-\n");
	else
		printf("\t%.6f\n", c);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct tsv series, events, cpu;
	const char *cpu_path = NULL;
	struct window *w = NULL;
	struct profile *p;
	struct phase *ph;
	struct figures *f;
	size_t i, nph;
	int ch;

	msg_init(argv);
	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cpu_path = optarg;
			break;
		case 'V':
			printf("%s %s\n", msg_prog(), E2E_PROFILE_VERSION);
			return 0;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage(2);

	load(&series, argv[0]);
	if (strcmp(tsv_meta(&series, "series", 1) ? tsv_meta(&series,
	    "series", 1) : "", "heap") != 0)
		msg_die(1, "%s: not a heap series (##series heap)", argv[0]);
	load(&events, argv[1]);
	p = profiles(&series, argv[0]);
	ph = phases(&events, argv[1], &nph);
	if (cpu_path != NULL) {
		load(&cpu, cpu_path);
		w = windows(&cpu, cpu_path);
	}
	f = xrealloc(NULL, (nph + 1) * sizeof *f);
	for (i = 0; i < nph; i++)
		measure(&ph[i], p, series.nrows, &f[i]);

	printf("##phases\theap\n##series\t%s\n##events\t%s\n", argv[0],
	    argv[1]);
	if (cpu_path != NULL)
		printf("##cpu\t%s\n", cpu_path);
	printf("#phase\tstart_ns\tend_ns\tduration_ns\tprofiles\tfirst_seq\t"
	    "last_seq\tinuse_first\tinuse_last\tgrowth\talloc_during\t"
	    "cpu_cores\n");
	for (i = 0; i < nph; i++)
		put_phase(&ph[i], &f[i], w != NULL ? cores(&ph[i], w,
		    cpu.nrows) : -1);
	if (cpu_path != NULL) {
		free(w);
		tsv_free(&cpu);
	}
	free(f);
	free(p);
	free(ph);
	tsv_free(&series);
	tsv_free(&events);
	return msg_close_stdout();
}

static void
usage(int status)
{
	fprintf(status != 0 ? stderr : stdout,
	    "usage: %s [--cpu cpu-series.tsv] series.tsv test-events.tsv\n",
	    msg_prog());
	exit(status);
}
