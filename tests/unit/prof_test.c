/*
 * prof_test - prof_load of profiles built here byte by byte: the tables,
 * the frames (inline marks, unnamed frames), sites and labels, the
 * checks' messages, and a large gzip profile (the inflate thread's way)
 * against the same bytes raw (the serial way).
 */
#include "esc.h"
#include "prof.h"

#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "unit.h"

/* A protobuf message being written. */
struct pb {
	unsigned char *b;
	size_t n, cap;
};

static void
put_byte(struct pb *m, unsigned char c)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		if ((m->b = realloc(m->b, m->cap)) == NULL)
			abort();
	}
	m->b[m->n++] = c;
}

static void
put_varint(struct pb *m, uint64_t v)
{
	for (; v >= 0x80; v >>= 7)
		put_byte(m, (unsigned char)(v | 0x80));
	put_byte(m, (unsigned char)v);
}

/* Field f, a varint. */
static void
vfield(struct pb *m, unsigned f, uint64_t v)
{
	put_varint(m, (uint64_t)f << 3);
	put_varint(m, v);
}

/* Field f, length-delimited: n bytes of s. */
static void
bfield(struct pb *m, unsigned f, const void *s, size_t n)
{
	size_t i;

	put_varint(m, (uint64_t)f << 3 | 2);
	put_varint(m, n);
	for (i = 0; i < n; i++)
		put_byte(m, ((const unsigned char *)s)[i]);
}

/* Field f, the message sub (freed). */
static void
mfield(struct pb *m, unsigned f, struct pb *sub)
{
	bfield(m, f, sub->b, sub->n);
	free(sub->b);
	memset(sub, 0, sizeof *sub);
}

/* A sample of the locations ids[0..n) (packed) and value v. */
static void
sample(struct pb *m, const uint64_t *ids, size_t n, uint64_t v,
    const char *label)
{
	struct pb s = { 0 }, p = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		put_varint(&p, ids[i]);
	mfield(&s, 1, &p);
	vfield(&s, 2, v);
	if (label != NULL) {
		struct pb l = { 0 };

		vfield(&l, 1, 9);		/* key "k" */
		vfield(&l, 2, 10);		/* str "v" */
		mfield(&s, 3, &l);
	}
	mfield(m, 2, &s);
}

/* Location id (mapping 1) of the functions fn[0..n), innermost first. */
static void
location(struct pb *m, uint64_t id, const uint64_t *fn, size_t n)
{
	struct pb l = { 0 };
	size_t i;

	vfield(&l, 1, id);
	vfield(&l, 2, 1);
	for (i = 0; i < n; i++) {
		struct pb ln = { 0 };

		vfield(&ln, 1, fn[i]);
		vfield(&ln, 2, 10 + i);
		mfield(&l, 4, &ln);
	}
	mfield(m, 4, &l);
}

static void
function(struct pb *m, uint64_t id, uint64_t name)
{
	struct pb f = { 0 };

	vfield(&f, 1, id);
	vfield(&f, 2, name);
	mfield(m, 5, &f);
}

static const char *const strs[] = { "", "cpu", "nanoseconds", "main.main",
	"main.work", "/bin/app", "main.inlined", "samples", "count", "k",
	"v" };

/*
 * The profile: main.main -> main.work with main.inlined inlined into it
 * (location 2), and location 3 with no lines; nsamples more samples of
 * location 1 make it large.
 */
static struct pb
profile(size_t nsamples)
{
	struct pb m = { 0 }, t = { 0 }, map = { 0 };
	static const uint64_t s1[] = { 2, 1 }, s2[] = { 1 }, s3[] = { 3, 1 },
	    f1[] = { 1 }, f2[] = { 3, 2 };
	size_t i;

	vfield(&t, 1, 1);
	vfield(&t, 2, 2);
	mfield(&m, 1, &t);
	sample(&m, s1, 2, 7, NULL);
	sample(&m, s2, 1, 3, "k=v");
	sample(&m, s3, 2, 5, NULL);
	sample(&m, s1, 2, 11, NULL);
	for (i = 0; i < nsamples; i++)
		sample(&m, s2, 1, i, NULL);
	vfield(&map, 1, 1);
	vfield(&map, 5, 5);
	mfield(&m, 3, &map);
	location(&m, 1, f1, 1);
	location(&m, 2, f2, 2);
	location(&m, 3, NULL, 0);
	function(&m, 1, 3);
	function(&m, 2, 4);
	function(&m, 3, 6);
	for (i = 0; i < sizeof strs / sizeof strs[0]; i++)
		bfield(&m, 6, strs[i], strlen(strs[i]));
	vfield(&m, 12, 10000000);
	return m;
}

static struct pb
gzip_of(const struct pb *m)
{
	struct pb g = { 0 };
	z_stream z;

	g.cap = m->n + 1024;
	if ((g.b = malloc(g.cap)) == NULL)
		abort();
	memset(&z, 0, sizeof z);
	deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = m->b;
	z.avail_in = (uInt)m->n;
	z.next_out = g.b;
	z.avail_out = (uInt)g.cap;
	deflate(&z, Z_FINISH);
	g.n = z.total_out;
	deflateEnd(&z);
	return g;
}

/* Loads d[0..n) and returns prof_load's message ("" when it loaded). */
static const char *
load_err(const unsigned char *d, size_t n)
{
	static char err[256];
	struct prof *p;

	err[0] = '\0';
	if (prof_load(&p, d, n, PROF_DEFAULT_MAX_SIZE, err, sizeof err) == 0)
		prof_free(p);
	return err;
}

static void
check_small(void)
{
	struct pb m = profile(0);
	struct prof *p;
	struct sbuf b = { 0 };
	char err[256];

	CHECK(prof_load(&p, m.b, m.n, PROF_DEFAULT_MAX_SIZE, err,
	    sizeof err) == 0);
	CHECK(prof_ntypes(p) == 1 && p->nsample == 4 && p->period == 10000000);
	CHECK_STR(prof_type(p, 0), "cpu");
	CHECK_STR(prof_unit(p, 0), "nanoseconds");
	CHECK(prof_type_index(p, "cpu") == 0 && prof_type_index(p, "x") == -1);
	CHECK(prof_default_type(p) == 0);
	CHECK(prof_value(p, 0, 0) == 7 && prof_value(p, 3, 0) == 11);
	prof_stack(p, 0, &b);
	CHECK_STR(b.s, "main.main;main.work;main.inlined" ESC_INLINE_MARK);
	sbuf_reset(&b);
	prof_stack(p, 2, &b);
	CHECK_STR(b.s, "main.main;[app]");
	sbuf_reset(&b);
	/* A stack is its locations' texts, root first, joined by ';'. */
	{
		const struct prof_sample *sm = &p->samples[0];
		const char *t;
		size_t j, n;

		for (j = sm->nloc; j-- > 0;) {
			t = prof_location_text(p, p->locidx[sm->loc + j], &n);
			sbuf_put(&b, t, n);
			if (j > 0)
				sbuf_putc(&b, ';');
		}
		CHECK_STR(b.s, "main.main;main.work;main.inlined"
		    ESC_INLINE_MARK);
		sbuf_reset(&b);
	}
	prof_labels(p, 1, &b);
	CHECK_STR(b.s, "k=v");
	sbuf_reset(&b);
	prof_labels(p, 0, &b);
	CHECK_STR(b.s, "");
	CHECK(prof_site(p, 0) == prof_site(p, 3));
	CHECK(prof_site(p, 0) != prof_site(p, 1));
	CHECK_STR(prof_main_file(p), "/bin/app");
	CHECK_STR(prof_main_build_id(p), "");
	sbuf_free(&b);
	prof_free(p);

	/* The checks: each names what is wrong and where. */
	CHECK_STR(load_err(m.b, 0), "empty file");
	/* The period's varint (bytes 191-195), the second sample (14-26). */
	CHECK(m.n == 196);
	CHECK_STR(load_err(m.b, m.n - 3), "truncated protobuf: field at byte "
	    "191 runs past the end (193 bytes)");
	CHECK_STR(load_err(m.b, 20), "truncated protobuf: field 2 at byte 14 "
	    "needs 11 bytes, 4 remain");
	CHECK_STR(load_err((const unsigned char *)"<html>", 6),
	    "not a profile: looks like an HTML or XML document");
	free(m.b);
}

/* A profile with one thing wrong (what), loaded: its error. */
static const char *
bad(int what)
{
	static char err[256];
	struct pb m = { 0 }, t = { 0 };
	static const uint64_t s9[] = { 9 }, f9[] = { 9 };
	size_t i;

	vfield(&t, 1, what == 0 ? 99 : 1);
	vfield(&t, 2, 2);
	mfield(&m, 1, &t);
	if (what == 1)
		sample(&m, s9, 1, 1, NULL);
	if (what == 2) {
		location(&m, 1, f9, 1);
		location(&m, 1, f9, 1);
	}
	if (what == 3)
		location(&m, 1, f9, 1);
	for (i = 0; i < 3; i++)
		bfield(&m, 6, strs[i], strlen(strs[i]));
	snprintf(err, sizeof err, "%s", load_err(m.b, m.n));
	free(m.b);
	return err;
}

static void
check_bad(void)
{
	CHECK_STR(bad(0), "string index 99 out of range (table has 3 entries) "
	    "in sample type 1");
	CHECK_STR(bad(1), "sample 1 refers to missing location 9");
	CHECK_STR(bad(2), "two locations with id 1");
	CHECK_STR(bad(3), "location 1 refers to missing function 9");
}

/* A profile past the thread's threshold: gzip loads as raw does. */
static void
check_large(void)
{
	struct pb m = profile(100000), g = gzip_of(&m);
	struct prof *raw, *viagz;
	struct sbuf a = { 0 }, b = { 0 };
	char err[256];
	size_t i, same = 0;

	CHECK(m.n > 256 * 1024);
	CHECK(prof_load(&raw, m.b, m.n, PROF_DEFAULT_MAX_SIZE, err,
	    sizeof err) == 0);
	CHECK(prof_load(&viagz, g.b, g.n, PROF_DEFAULT_MAX_SIZE, err,
	    sizeof err) == 0);
	CHECK(raw->nsample == 100004 && viagz->nsample == raw->nsample);
	CHECK(viagz->nstr == raw->nstr && viagz->nlocation == 3);
	for (i = 0; i < raw->nsample; i++) {
		sbuf_reset(&a);
		sbuf_reset(&b);
		prof_stack(raw, i, &a);
		prof_stack(viagz, i, &b);
		same += prof_value(raw, i, 0) == prof_value(viagz, i, 0) &&
		    prof_site(raw, i) == prof_site(viagz, i) &&
		    strcmp(a.s, b.s) == 0;
	}
	CHECK(same == raw->nsample);
	prof_free(raw);
	prof_free(viagz);
	/* Cut short, the gzip profile fails as the serial path words it. */
	CHECK_STR(load_err(g.b, g.n - 9), "truncated gzip stream");
	CHECK_STR(load_err(g.b, 8), "truncated gzip stream");
	sbuf_free(&a);
	sbuf_free(&b);
	free(m.b);
	free(g.b);
}

int
main(void)
{
	check_small();
	check_bad();
	check_large();
	return unit_done();
}
