/*
 * memstats - the "# runtime.MemStats" block of the text a Go program's
 * net/http/pprof serves at /debug/pprof/heap?debug=1 (or allocs?debug=1).
 *
 * runtime/pprof appends the runtime's MemStats to the debug=1 text as
 * "# Key = value" lines after a "# runtime.MemStats" line; the block runs
 * to the first line that does not start with "# ". memstats_parse reads
 * that block and nothing else of the text: pprof-memstats turns it into a
 * TSV row, pprof-fetch checks a fetched memstats body with it before the
 * file is written. Keys other than those below are skipped; a missing key,
 * a key given twice or a value that is not a non-negative 64-bit integer
 * is an error, as is text with a NUL byte (a profile fetched without
 * ?debug=1).
 *
 * Go writes no PauseTotalNs there, only PauseNs, the ring of the last 256
 * pauses: their sum is PauseTotalNs while NumGC is at most 256, and
 * `pauses` says how many pauses the sum holds.
 *
 *	struct memstats m;
 *	if (memstats_parse(text, len, &m, err, sizeof err) != 0)
 *		... err says why, with the line number where there is one
 *	m.v[MEMSTATS_HEAP_INUSE] ...
 *
 * Never prints, never exits.
 */
#ifndef MEMSTATS_H
#define MEMSTATS_H

#include <stddef.h>
#include <stdint.h>

#define MEMSTATS_PAUSE_RING 256		/* runtime.MemStats.PauseNs */

/* The figures, in pprof-memstats' column order. */
enum { MEMSTATS_SYS, MEMSTATS_HEAP_SYS, MEMSTATS_HEAP_INUSE,
	MEMSTATS_HEAP_IDLE, MEMSTATS_HEAP_RELEASED, MEMSTATS_STACK_INUSE,
	MEMSTATS_NEXT_GC, MEMSTATS_NUM_GC, MEMSTATS_NFIELDS };

struct memstats {
	int64_t v[MEMSTATS_NFIELDS];
	int64_t pause_ns;	/* the sum of the PauseNs ring */
	int64_t pauses;		/* how many pauses that sum holds */
	int have[MEMSTATS_NFIELDS + 1];	/* the last one: PauseNs */
};

/* The block of text[0..len) into *m: 0, or -1 and a reason in err. */
int memstats_parse(const char *text, size_t len, struct memstats *m,
    char *err, size_t errlen);

#endif
