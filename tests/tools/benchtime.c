/*
 * benchtime - run a command several times and report its median wall time
 * and its peak memory, for the benchmark scripts under tests/bench.
 *
 *	benchtime RUNS command [arg ...]
 *
 * Prints "median_ms<TAB>min_ms<TAB>max_ms<TAB>peak_rss_kib" on stdout.
 * The command's stdout goes to /dev/null; a pipeline is measured by
 * running it under sh -c, whose rusage covers its children (the peak is
 * then the largest single process of the pipeline). Exits 1 if any run
 * fails. A test helper, not installed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char *argv[])
{
	double ms[101];
	long peak = 0;
	int runs, i;

	if (argc < 3 || (runs = atoi(argv[1])) < 1 || runs > 101) {
		fprintf(stderr, "usage: benchtime runs command [arg ...]\n");
		return 2;
	}
	for (i = 0; i < runs; i++) {
		struct timespec t0, t1;
		struct rusage ru;
		int status;
		pid_t pid;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((pid = fork()) == 0) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, 1);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) {
			perror("benchtime");
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "benchtime: %s failed\n", argv[2]);
			return 1;
		}
		ms[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (ru.ru_maxrss > peak)
			peak = ru.ru_maxrss;
	}
	qsort(ms, (size_t)runs, sizeof ms[0], cmp);
	printf("%.1f\t%.1f\t%.1f\t%ld\n", ms[runs / 2], ms[0], ms[runs - 1],
	    peak);
	return 0;
}
