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

#endif
