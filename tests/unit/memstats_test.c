/* memstats_test - memstats_parse of a good block and of the bad ones. */
#include "memstats.h"

#include <stdio.h>
#include <stdlib.h>

#include "sbuf.h"
#include "unit.h"

/*
 * A debug=1 text as runtime/pprof writes it: a heap profile's lines,
 * then the block, with ring pauses of 1..256 ns (sum 32896) unless
 * pauses is given, and extra inserted after the NumGC line.
 */
static char *
text_of(const char *extra, const char *pauses)
{
	struct sbuf b = SBUF_INIT;
	int i;

	sbuf_puts(&b, "heap profile: 1: 16384 [2: 32768] @ heap/4096\n"
	    "1: 16384 [2: 32768] @ 0x1 0x2\n#\t0x1\tmain.leakyRetain+0x1\n\n"
	    "# runtime.MemStats\n# Alloc = 123\n# Sys = 1000\n"
	    "# HeapSys = 800\n# HeapInuse = 600\n# HeapIdle = 200\n"
	    "# HeapReleased = 100\n# Stack = 65536 / 65536\n"
	    "# NextGC = 4194304\n# NumGC = 7\n");
	sbuf_puts(&b, extra);
	if (pauses != NULL)
		sbuf_puts(&b, pauses);
	else {
		sbuf_puts(&b, "# PauseNs = [");
		for (i = 1; i <= MEMSTATS_PAUSE_RING; i++)
			sbuf_printf(&b, "%s%d", i > 1 ? " " : "", i);
		sbuf_puts(&b, "]\n");
	}
	sbuf_puts(&b, "# NumForcedGC = 3\n\nnot the block\n# Sys = x\n");
	return b.s;
}

static int
parse(const char *t, struct memstats *m, char *err, size_t errlen)
{
	return memstats_parse(t, strlen(t), m, err, errlen);
}

int
main(void)
{
	struct memstats m;
	char err[256], *t;

	t = text_of("", NULL);
	CHECK(parse(t, &m, err, sizeof err) == 0);
	CHECK(m.v[MEMSTATS_SYS] == 1000 && m.v[MEMSTATS_HEAP_SYS] == 800);
	CHECK(m.v[MEMSTATS_HEAP_INUSE] == 600 && m.v[MEMSTATS_HEAP_IDLE] == 200);
	CHECK(m.v[MEMSTATS_HEAP_RELEASED] == 100);
	CHECK(m.v[MEMSTATS_STACK_INUSE] == 65536);
	CHECK(m.v[MEMSTATS_NEXT_GC] == 4194304 && m.v[MEMSTATS_NUM_GC] == 7);
	CHECK(m.pause_ns == 32896 && m.pauses == 7);
	free(t);

	t = text_of("# Sys = 5\n", NULL);
	CHECK(parse(t, &m, err, sizeof err) == -1);
	CHECK_STR(err, "line 15: Sys given twice");
	free(t);

	t = text_of("# HeapInuse = -1\n", NULL);
	CHECK(parse(t, &m, err, sizeof err) == -1);
	free(t);

	t = text_of("", "# PauseNs = [1 2 3]\n");
	CHECK(parse(t, &m, err, sizeof err) == -1);
	CHECK_STR(err, "line 15: PauseNs has 3 values, not 256");
	free(t);

	CHECK(parse("heap profile: 0: 0 [0: 0] @ heap/1\n", &m, err,
	    sizeof err) == -1);
	CHECK_STR(err, "no \"# runtime.MemStats\" block (not a heap or "
	    "allocs profile fetched with ?debug=1)");
	CHECK(parse("# runtime.MemStats\n# Sys = 1\n", &m, err,
	    sizeof err) == -1);
	CHECK_STR(err, "MemStats block without HeapSys");
	CHECK(memstats_parse("\x1f\x8b\0\0", 4, &m, err, sizeof err) == -1);
	CHECK_STR(err, "not text (a NUL byte): fetch the profile with ?debug=1");
	return unit_done();
}
