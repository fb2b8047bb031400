/* Unit tests for lib/agg.c: pprof's merge, flat/cum, trimming, inline. */
#include <stdio.h>
#include <stdlib.h>

#include "agg.h"
#include "unit.h"

/*
 * main calls a (inlined) and b; b calls c, c recurses into b. The second
 * row merges with the first (same site, labels, stack); the third has
 * other labels, the last no stack.
 */
static const char prof[] =
    "##profile\tp1\n"
    "##time\t2000\t-\n"
    "##duration\t10\n"
    "#samples/count\tcpu/nanoseconds\tsite\tlabels\tstack\n"
    "1\t100\t0000000000000001\t\tmain;a_[i]\n"
    "1\t50\t0000000000000001\t\tmain;a_[i]\n"
    "1\t30\t0000000000000002\tk=v\tmain;b;c;b\n"
    "1\t-20\t0000000000000003\t\tmain;b\n"
    "1\t7\t0000000000000004\t\t\n"
    "##profile\tp2\n"
    "##time\t1000\t-\n"
    "##duration\t5\n"
    "#samples/count\tcpu/nanoseconds\tsite\tlabels\tstack\n"
    "1\t1\t0000000000000005\t\tmain;odd\\;name\n";

/* An agg of text with o: 0, or -1 with the error in err. */
static int
load(struct agg *a, const struct agg_opt *o, const char *text, char *err,
    size_t errlen)
{
	FILE *fp;
	int rc;

	if (agg_init(a, o, err, errlen) != 0)
		return -1;
	fp = fmemopen((void *)text, strlen(text), "r");
	rc = agg_read(a, fp, "in", err, errlen);
	fclose(fp);
	return rc;
}

/* The node named name (escaped), or NULL. */
static const struct agg_node *
node(const struct agg *a, const char *name)
{
	size_t i, len;

	for (i = 0; i < a->nnodes; i++) {
		const char *n = agg_name(a, (uint32_t)i, &len);

		if (len == strlen(name) && memcmp(n, name, len) == 0)
			return &a->nodes[i];
	}
	return NULL;
}

static void
test_graph(void)
{
	struct agg a;
	struct agg_opt o = AGG_OPT_INIT;
	uint32_t *order;
	size_t orig, dropped;
	char err[256];
	long n;

	o.nodefraction = 0;
	CHECK(load(&a, &o, prof, err, sizeof err) == 0);
	CHECK(a.nnodes == 5 && a.nsamples == 5);
	CHECK_STR(a.hdr.type, "cpu");
	CHECK_STR(a.hdr.unit, "nanoseconds");
	CHECK(a.hdr.time_nanos == 1000 && a.hdr.duration_nanos == 15);
	CHECK(agg_build(&a, err, sizeof err) == 0);
	CHECK(a.total == 208);
	CHECK(node(&a, "main")->flat == 0 && node(&a, "main")->cum == 161);
	CHECK(node(&a, "a")->flat == 150 && node(&a, "a")->cum == 150);
	/* b twice on one stack: cum once. */
	CHECK(node(&a, "b")->flat == 10 && node(&a, "b")->cum == 10);
	CHECK(node(&a, "c")->flat == 0 && node(&a, "c")->cum == 30);
	CHECK(node(&a, "odd\\;name")->flat == 1);
	n = agg_select(&a, &order, &orig, &dropped, err, sizeof err);
	CHECK(n == 5 && orig == 5 && dropped == 0);
	/* By |flat|, then name. */
	CHECK_STR(agg_raw(&a, order[0]), "a");
	CHECK_STR(agg_raw(&a, order[1]), "b");
	CHECK_STR(agg_raw(&a, order[2]), "odd;name");
	CHECK_STR(agg_raw(&a, order[3]), "c");
	CHECK_STR(agg_raw(&a, order[4]), "main");
	CHECK_STR(agg_inline_label(node(&a, "a")), "inline");
	CHECK_STR(agg_inline_label(node(&a, "b")), "");
	CHECK(!a.overflow);
	free(order);
	agg_free(&a);
}

static void
test_trim(void)
{
	struct agg a;
	struct agg_opt o = AGG_OPT_INIT;
	uint32_t *order;
	size_t orig, dropped;
	char err[256];

	/* The node fraction of the flat total (161): a cum under 16 goes. */
	o.nodefraction = 0.1;
	o.count = 2;
	o.cum_sort = 1;
	CHECK(load(&a, &o, prof, err, sizeof err) == 0);
	CHECK(agg_build(&a, err, sizeof err) == 0);
	CHECK(agg_select(&a, &order, &orig, &dropped, err, sizeof err) == 2);
	CHECK(orig == 3 && dropped == 2);
	CHECK_STR(agg_raw(&a, order[0]), "main");
	CHECK_STR(agg_raw(&a, order[1]), "a");
	free(order);
	agg_free(&a);
}

static void
test_focus(void)
{
	struct agg a;
	struct agg_opt o = AGG_OPT_INIT;
	char err[256];

	o.focus = "^b$";
	o.ignore = "^c$";
	CHECK(load(&a, &o, prof, err, sizeof err) == 0);
	CHECK(agg_build(&a, err, sizeof err) == 0);
	CHECK(a.any_focus && a.any_ignore);
	/* The total is taken before focus; only main;b is left. */
	CHECK(a.total == 208);
	CHECK(node(&a, "main")->cum == -20 && node(&a, "b")->flat == -20);
	CHECK(node(&a, "a")->cum == 0 && node(&a, "c")->cum == 0);
	agg_free(&a);

	o.focus = "(";
	CHECK(agg_init(&a, &o, err, sizeof err) == -1);
	CHECK(strncmp(err, "--focus: bad regular expression (: ", 35) == 0);
}

static void
test_errors(void)
{
	struct agg a;
	struct agg_opt o = AGG_OPT_INIT;
	char err[256];

	o.type = "alloc";
	CHECK(load(&a, &o, prof, err, sizeof err) == -1);
	CHECK_STR(err, "in: no sample type alloc (the profile has: samples, "
	    "cpu)");
	agg_free(&a);
	o.type = NULL;
	CHECK(load(&a, &o, "##profile\tp\n#a/b\tsite\tlabels\tstack\n"
	    "##profile\tq\n#c/d\tsite\tlabels\tstack\n", err,
	    sizeof err) == -1);
	CHECK_STR(err, "in:4: profile block q has sample types c, unlike the "
	    "first block");
	agg_free(&a);
	CHECK(load(&a, &o, "", err, sizeof err) == -1);
	CHECK_STR(err, "in: empty stream: no profile blocks");
	agg_free(&a);
	CHECK(load(&a, &o, "##profile\tp\n#a/b\tsite\tlabels\tstack\n"
	    "9223372036854775807\t1\t\tx\n1\t1\t\tx\n", err, sizeof err) == 0);
	/* Merged into one sample: the sum is flagged, not wrapped. */
	CHECK(a.nsamples == 1 && a.overflow);
	agg_free(&a);
}

static void
test_stacks(void)
{
	struct agg a;
	struct agg_opt o = AGG_OPT_INIT;
	const uint32_t *f;
	char err[256];
	size_t n;
	int isnew;

	CHECK(agg_init(&a, &o, err, sizeof err) == 0);
	CHECK(agg_stack(&a, 7, "m;f_[i];g", 9, &isnew, err, 256) == 0);
	CHECK(isnew == 1);
	CHECK(agg_stack(&a, 7, "m;f_[i];g", 9, &isnew, err, 256) == 0);
	CHECK(isnew == 0);
	/* The same hint, another text: the text decides. */
	CHECK(agg_stack(&a, 7, "m;g;f\\;x", 8, &isnew, err, 256) == 1);
	CHECK(isnew == 1);
	CHECK(agg_stack(&a, 8, "m;f_[i];g", 9, &isnew, err, 256) == 0);
	CHECK(isnew == 0);
	f = agg_frames(&a, 0, &n);
	CHECK(n == 3 && f[0] == 0 && f[1] == (1 | AGG_INLINE_BIT) && f[2] == 2);
	f = agg_frames(&a, 1, &n);
	CHECK(n == 3 && f[0] == 0 && f[1] == 2 && f[2] == 3);
	/* Plain names, escaped as the stream escapes frames. */
	CHECK(agg_func(&a, "f", 1, err, 256) == 1);
	CHECK(agg_func(&a, "f;x", 3, err, 256) == 3);
	CHECK(agg_func(&a, "new;one", 7, err, 256) == 4);
	CHECK(agg_stack(&a, 9, "new\\;one", 8, &isnew, err, 256) == 2);
	f = agg_frames(&a, 2, &n);
	CHECK(n == 1 && f[0] == 4);
	CHECK(agg_site("00000000000000ff", 16) == 255);
	CHECK(agg_site("xyz", 3) == htab_hash("xyz", 3));
	agg_free(&a);
}

int
main(void)
{
	test_stacks();
	test_graph();
	test_trim();
	test_focus();
	test_errors();
	return unit_done();
}
