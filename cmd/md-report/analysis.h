/*
 * analysis - the parts of the one-run report (report_analysis, in
 * analysis.c) that live in their own files, and what they share.
 *
 * Each section appends its markdown, heading included, for every unit
 * of the run; none fails (missing data is said in the section). Only the
 * analysis report's files include this header.
 */
#ifndef ANALYSIS_H
#define ANALYSIS_H

#include "run.h"
#include "sbuf.h"

/* Appends a unit's heading text: its name, and its role (leader,
 * standby) when it has replicas (analysis.c). */
void analysis_title(struct sbuf *b, const struct unit *u);

/* tables.c: "Top allocators" (in use at the peak, allocated during the
 * test), "Hotspots" (category shares), "Top CPU consumers". */
void analysis_allocators(struct sbuf *b, const struct run *r);
void analysis_hotspots(struct sbuf *b, const struct run *r);
void analysis_cpu(struct sbuf *b, const struct run *r);

/* advice.c: "Growth and leak suspects", "Recommendations". */
void analysis_growth(struct sbuf *b, const struct run *r);
void analysis_recommendations(struct sbuf *b, const struct run *r);

/* health.c: "Collection health", "Prometheus alerts". */
void analysis_health(struct sbuf *b, const struct run *r);
void analysis_alerts(struct sbuf *b, const struct run *r);

/*
 * phases.c: "Phases", the summary's lines on where the heap grew, and
 * the memory charts' phase marks: for each of the n chart times x, the
 * phases starting there, or NULL (an array of n malloc'd strings, for
 * md_xychart_marked; NULL without phases). A mark is the phase's name,
 * or on a chart of more than 12 points (where names would overlap) P and
 * the phase's number, with "P1 `name`, ..." appended to legend.
 */
void analysis_phases(struct sbuf *b, const struct run *r);
void analysis_phase_summary(struct sbuf *b, const struct run *r);
char **phases_marks(const struct run *r, const struct unit *u,
    const double *x, size_t n, struct sbuf *legend);
void phases_marks_free(char **marks, size_t n);

/* runtime.c: "The runtime's view" (MemStats), "Leak verdict", and the
 * summary's verdict lines. */
void analysis_runtime(struct sbuf *b, const struct run *r);
void analysis_verdict(struct sbuf *b, const struct run *r);
void analysis_verdict_summary(struct sbuf *b, const struct run *r);

/* The unit's verdict reason as text, ending in a period. */
void analysis_reason(struct sbuf *b, const struct unit *u);

#endif
