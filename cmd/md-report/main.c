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
 *
 * This file is the command line only: the options, the verbs, usage.
 * run.c loads a run directory; analysis.c and compare.c render it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "num.h"
#include "report.h"
#include "version.h"

/* md-report(1)'s defaults, which the options change. */
struct report_opt report_opt = { 10, 40, 10.0 };

static void usage(void);

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
