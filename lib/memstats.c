/*
 * memstats - the runtime.MemStats block of heap?debug=1 text; see
 * memstats.h.
 */
#include "memstats.h"

#include <string.h>

#include "errf.h"
#include "num.h"

#define NFIELDS MEMSTATS_NFIELDS
#define PAUSE_RING MEMSTATS_PAUSE_RING
#define STACK_INUSE MEMSTATS_STACK_INUSE
#define NUM_GC MEMSTATS_NUM_GC

static const char *const keys[NFIELDS] = {
	"Sys", "HeapSys", "HeapInuse", "HeapIdle", "HeapReleased", "Stack",
	"NextGC", "NumGC",
};

/* A non-negative int64 from s[0..n). */
static int
parse_count(const char *s, size_t n, int64_t *v)
{
	return num_i64n(s, n, v) != 0 || *v < 0 ? -1 : 0;
}

/* "[p0 p1 ... p255]": the sum of the pauses, checked. */
static int
parse_pauses(const char *s, size_t n, size_t lineno, struct memstats *m,
    char *err, size_t errlen)
{
	const char *p = s + 1, *end = s + n - 1;
	int64_t sum = 0, x;
	size_t count = 0;
	int ov = 0;

	if (n < 2 || s[0] != '[' || s[n - 1] != ']')
		return errf(err, errlen, "line %zu: PauseNs is not a [list]",
		    lineno);
	while (p < end) {
		const char *q = memchr(p, ' ', (size_t)(end - p));

		if (q == NULL)
			q = end;
		if (parse_count(p, (size_t)(q - p), &x) != 0)
			return errf(err, errlen,
			    "line %zu: bad PauseNs value \"%.*s\"", lineno,
			    (int)(q - p > 64 ? 64 : q - p), p);
		sum = num_add_ov(sum, x, &ov);
		count++;
		p = q + (q < end);
	}
	if (count != PAUSE_RING)
		return errf(err, errlen, "line %zu: PauseNs has %zu values, "
		    "not %d", lineno, count, PAUSE_RING);
	if (ov)
		return errf(err, errlen, "line %zu: PauseNs overflows a "
		    "64-bit sum", lineno);
	m->pause_ns = sum;
	return 0;
}

/* "# Stack = inuse / sys": the in-use part. */
static int
parse_stack(const char *s, size_t n, int64_t *v)
{
	const char *sl = memchr(s, '/', n);
	int64_t sys;

	if (sl == NULL || sl - s < 2 || sl[-1] != ' ' ||
	    (size_t)(sl - s) + 2 > n || sl[1] != ' ')
		return -1;
	return parse_count(s, (size_t)(sl - s) - 1, v) != 0 ||
	    parse_count(sl + 2, n - (size_t)(sl - s) - 2, &sys) != 0 ? -1 : 0;
}

/* One "# Key = value" line of the block; other keys are skipped. */
static int
parse_line(const char *s, size_t n, size_t lineno, struct memstats *m,
    char *err, size_t errlen)
{
	const char *eq = n > 2 ? memchr(s + 2, '=', n - 2) : NULL;
	const char *key = s + 2, *val;
	size_t klen, vlen, i;
	int rc;

	if (eq == NULL || eq - key < 2 || eq[-1] != ' ' ||
	    (size_t)(eq - s) + 2 > n || eq[1] != ' ')
		return errf(err, errlen, "line %zu: not \"# Key = value\"",
		    lineno);
	klen = (size_t)(eq - key) - 1;
	val = eq + 2;
	vlen = n - (size_t)(val - s);
	for (i = 0; i <= NFIELDS; i++) {
		const char *k = i < NFIELDS ? keys[i] : "PauseNs";

		if (strlen(k) == klen && memcmp(k, key, klen) == 0)
			break;
	}
	if (i > NFIELDS)
		return 0;
	if (m->have[i])
		return errf(err, errlen, "line %zu: %.*s given twice", lineno,
		    (int)klen, key);
	m->have[i] = 1;
	if (i == NFIELDS)
		return parse_pauses(val, vlen, lineno, m, err, errlen);
	rc = i == STACK_INUSE ? parse_stack(val, vlen, &m->v[i]) :
	    parse_count(val, vlen, &m->v[i]);
	if (rc != 0)
		return errf(err, errlen, "line %zu: bad %.*s \"%.*s\"", lineno,
		    (int)klen, key, (int)(vlen > 64 ? 64 : vlen), val);
	return 0;
}

/*
 * The block of text: from the "# runtime.MemStats" line to the first line
 * that does not start with "# " (or the end).
 */
int
memstats_parse(const char *text, size_t len, struct memstats *m, char *err,
    size_t errlen)
{
	static const char head[] = "# runtime.MemStats";
	const char *p = text, *end = text + len;
	size_t lineno = 0, i;
	int in = 0;

	memset(m, 0, sizeof *m);
	if (memchr(text, '\0', len) != NULL)
		return errf(err, errlen, "not text (a NUL byte): "
		    "fetch the profile with ?debug=1");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (nl != NULL ? nl : end) - p;

		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (!in)
			in = n == sizeof head - 1 && memcmp(p, head, n) == 0;
		else if (n < 2 || p[0] != '#' || p[1] != ' ')
			break;
		else if (parse_line(p, n, lineno, m, err, errlen) != 0)
			return -1;
		p = nl != NULL ? nl + 1 : end;
	}
	if (!in)
		return errf(err, errlen, "no \"%s\" block "
		    "(not a heap or allocs profile fetched with ?debug=1)",
		    head);
	for (i = 0; i <= NFIELDS; i++)
		if (!m->have[i])
			return errf(err, errlen, "MemStats block without %s",
			    i < NFIELDS ? keys[i] : "PauseNs");
	m->pauses = m->v[NUM_GC] < PAUSE_RING ? m->v[NUM_GC] : PAUSE_RING;
	return 0;
}

