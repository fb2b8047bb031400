/*
 * colsum - sum the value columns of a sample stream exactly, in the format
 * of the corpus's FILE.totals oracles: type, unit, sum, sample count.
 *
 * Deliberately independent of lib/ (its own 30-line parser, 128-bit sums)
 * so that it checks pprof-decode rather than sharing its bugs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXCOL 64

__extension__ typedef __int128 i128;

int
main(void)
{
	static char line[1 << 20];
	char names[MAXCOL][256];
	i128 sum[MAXCOL];
	long rows = 0;
	int ncol = 0, i;

	while (fgets(line, sizeof line, stdin) != NULL) {
		char *p = line, *tab;

		if (strncmp(line, "##", 2) == 0)
			continue;
		if (line[0] == '#') {
			for (p = line + 1, ncol = 0; ncol < MAXCOL; ncol++) {
				char *slash;

				tab = strchr(p, '\t');
				if (tab == NULL || strncmp(p, "site\t", 5) == 0)
					break;
				*tab = '\0';
				slash = strrchr(p, '/');
				if (slash != NULL)
					*slash = '\t';
				snprintf(names[ncol], sizeof names[ncol], "%s", p);
				sum[ncol] = 0;
				p = tab + 1;
			}
			continue;
		}
		for (i = 0; i < ncol; i++) {
			sum[i] += strtoll(p, &p, 10);
			p++;
		}
		rows++;
	}
	for (i = 0; i < ncol; i++) {
		char digits[64], *d = digits + sizeof digits;
		i128 v = sum[i] < 0 ? -sum[i] : sum[i];

		*--d = '\0';
		do {
			*--d = (char)('0' + (int)(v % 10));
			v /= 10;
		} while (v != 0);
		if (sum[i] < 0)
			*--d = '-';
		printf("%s\t%s\t%ld\n", names[i], d, rows);
	}
	return 0;
}
