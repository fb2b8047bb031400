/*
 * set-stats.h - what set-stats' two files share: the figures, their
 * floors and scopes (figures.c), and --figures (figures.c) for main.c's
 * statistics and budgets.
 */
#ifndef SET_STATS_H
#define SET_STATS_H

/*
 * The figures, their floors (md-report compare's: a change smaller than
 * the floor is noise whatever the test says) and where --figures reads
 * them. Lower is better for all of them.
 */
struct figure {
	const char *name;
	double floor;
};

#define NFIGURES 8
extern const struct figure figures[NFIGURES];

/*
 * A component with several replicas also has its leader's figures
 * (leader_FIG) and the sums over its replicas (sum_FIG), under the
 * component's name: the scopes, after the unit's own (the empty prefix).
 */
#define NSCOPES 3
#define NRANKS (NSCOPES * NFIGURES)
extern const char *const scopes[NSCOPES];

/* The figure's order: scope, then figure; NRANKS when unknown. */
int figure_rank(const char *name);
/* The floor of the figure's change (of its base figure); 0 if unknown. */
double figure_floor(const char *name);

/* Writes the figure rows of a run directory; 1 when one could not be read. */
int figures_of(const char *run);

#endif
