/* Unit tests for lib/stream.c: reading blocks, rows and their errors. */
#include <stdio.h>
#include <string.h>

#include "stream.h"
#include "unit.h"

static const char good[] =
    "##profile\tp1.pb\n"
    "##time\t1000000000\t1970-01-01T00:00:01Z\n"
    "##duration\t5\n"
    "##period\t1\tspace\tbytes\n"
    "##default_type\tinuse\n"
    "##comment\ta\\tb\n"
    "##future_key\tignored\n"
    "##samples\t2\n"
    "#alloc/bytes\tinuse/bytes\tsite\tlabels\tstack\n"
    "10\t-3\t00000000000000ff\tk=v\tmain;work\n"
    "7\t0\t0000000000000001\t\t\n"
    "##profile\tp2.pb\n"
    "#alloc/bytes\tinuse/bytes\tsite\tlabels\tstack\n"
    "1\t2\tff\t\tx\n";

/* The compact form: stacks once, rows by number, across blocks. */
static const char compact[] =
    "##profile\tp1.pb\n"
    "#inuse/bytes\tsite\tlabels\tstack_id\n"
    "##stack\t1\tmain;work\n"
    "5\tff\t\t1\n"
    "##stack\t2\t\n"
    "6\t01\tk=v\t2\n"
    "##profile\tp2.pb\n"
    "#inuse/bytes\tsite\tlabels\tstack_id\n"
    "##stack\t3\tmain;idle_[i]\n"
    "7\tff\t\t1\n"
    "8\tfe\t\t3\n";

/* Each row of the compact form reads as its stack's text. */
static void
compact_rows(void)
{
	static const char *const want[] = { "main;work", "", "main;work",
	    "main;idle_[i]" };
	FILE *fp = fmemopen((void *)compact, strlen(compact), "r");
	struct stream s;
	struct stream_row row;
	size_t n = 0;
	int rc;

	stream_init(&s, fp, "in");
	while ((rc = stream_next(&s, &row)) > 0) {
		if (rc != STREAM_ROW)
			continue;
		CHECK(n < 4);
		if (n >= 4)
			break;
		CHECK(row.stack_len == strlen(want[n]));
		CHECK(memcmp(row.stack, want[n], row.stack_len) == 0);
		CHECK(row.values[0] == (int64_t)n + 5);
		n++;
	}
	CHECK(rc == STREAM_EOF && n == 4);
	CHECK(row.site_len == 2 && memcmp(row.site, "fe", 2) == 0);
	stream_free(&s);
	fclose(fp);
}

/* Reads all of text; returns rows read, or -1 with the error in err. */
static int
read_all(const char *text, char *err, size_t errlen)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct stream s;
	struct stream_row row;
	int rc, rows = 0;

	stream_init(&s, fp, "in");
	while ((rc = stream_next(&s, &row)) > 0)
		rows += rc == STREAM_ROW;
	snprintf(err, errlen, "%s", rc < 0 ? s.err : "");
	stream_free(&s);
	fclose(fp);
	return rc < 0 ? -1 : rows;
}

int
main(void)
{
	FILE *fp = fmemopen((void *)good, strlen(good), "r");
	struct stream s;
	struct stream_row row;
	char err[512];

	stream_init(&s, fp, "in");
	CHECK(stream_next(&s, &row) == STREAM_BLOCK);
	CHECK_STR(s.meta.source, "p1.pb");
	CHECK(s.meta.time_nanos == 1000000000 && s.meta.duration_nanos == 5);
	CHECK_STR(s.meta.period_type, "space");
	CHECK(s.meta.ncomments == 1);
	CHECK_STR(s.meta.comments[0], "a\tb");
	CHECK(s.meta.ntypes == 2);
	CHECK_STR(s.meta.types[1], "inuse");
	CHECK_STR(s.meta.units[1], "bytes");
	CHECK(stream_default_type(&s) == 1);
	CHECK(stream_type_index(&s, "alloc") == 0);
	CHECK(stream_next(&s, &row) == STREAM_ROW);
	CHECK(row.values[0] == 10 && row.values[1] == -3);
	CHECK(row.labels_len == 3 && row.stack_len == 9);
	CHECK(stream_next(&s, &row) == STREAM_ROW);
	CHECK(row.stack_len == 0 && row.labels_len == 0);
	CHECK(stream_next(&s, &row) == STREAM_BLOCK);
	CHECK_STR(s.meta.source, "p2.pb");
	CHECK(s.meta.ncomments == 0 && s.meta.nsamples == -1);
	CHECK(stream_default_type(&s) == 1);
	CHECK(stream_pick_type(&s, NULL, err, sizeof err) == 1);
	CHECK(stream_pick_type(&s, "alloc", err, sizeof err) == 0);
	CHECK(stream_pick_type(&s, "cpu", err, sizeof err) == -1);
	CHECK_STR(err, "in: no sample type cpu (the profile has: alloc, "
	    "inuse)");
	{
		char *t[] = { "alloc", "inuse" }, *u[] = { "bytes", "count" };

		CHECK(stream_same_types(&s, t, NULL, 2, err, sizeof err) == 0);
		CHECK(stream_same_types(&s, t, u, 2, err, sizeof err) == -1);
		CHECK_STR(err, "in:13: profile block p2.pb has sample types "
		    "alloc, inuse, unlike the first block");
		CHECK(stream_same_types(&s, t, NULL, 1, NULL, 0) == -1);
	}
	CHECK(stream_next(&s, &row) == STREAM_ROW);
	CHECK(stream_next(&s, &row) == STREAM_EOF);
	stream_free(&s);
	CHECK(stream_empty("x.tsv", err, sizeof err) == -1);
	CHECK_STR(err, "x.tsv: empty stream: no profile blocks");
	fclose(fp);

	CHECK(read_all("", err, sizeof err) == 0);
	CHECK(read_all("a\tb\n", err, sizeof err) == -1);
	CHECK_STR(err, "in:1: not a sample stream (expected a ##profile "
	    "line; is this pprof-decode output?)");
	CHECK(read_all("##profile\tx\n1\t2\n", err, sizeof err) == -1);
	CHECK_STR(err, "in:2: a row before the column header");
	CHECK(read_all("##profile\tx\n#a/b\tlabels\tstack\n", err,
	    sizeof err) == -1);
	CHECK_STR(err, "in:2: column header must end with site, labels and "
	    "stack");
	CHECK(read_all("##profile\tx\n#a\tsite\tlabels\tstack\n", err,
	    sizeof err) == -1);
	CHECK_STR(err, "in:2: column 1 is not type/unit: a");
	CHECK(read_all("##profile\tx\n#a/b\tsite\tlabels\tstack\n1x\ts\t\t\n",
	    err, sizeof err) == -1);
	CHECK_STR(err, "in:3: field 1 is not an integer: 1x");
	CHECK(read_all("##profile\tx\n##samples\t2\n"
	    "#a/b\tsite\tlabels\tstack\n1\ts\t\tm\n", err, sizeof err) == -1);
	CHECK_STR(err, "in:4: profile block x declares 2 samples but has 1 "
	    "(truncated stream?)");
	CHECK(read_all("##profile\tx\n##time\tsoon\n", err, sizeof err) == -1);
	CHECK_STR(err, "in:2: ##time: not a number");
	CHECK(read_all("##profile\tx\n", err, sizeof err) == -1);
	CHECK_STR(err, "in:1: profile block x has no column header");

	compact_rows();
	CHECK(read_all("##profile\tx\n#a/b\tsite\tlabels\tstack_id\n"
	    "1\ts\t\t1\n", err, sizeof err) == -1);
	CHECK_STR(err, "in:3: stack id 1 is not defined");
	CHECK(read_all("##profile\tx\n#a/b\tsite\tlabels\tstack_id\n"
	    "##stack\t1\tm\n1\ts\t\tm\n", err, sizeof err) == -1);
	CHECK_STR(err, "in:4: stack id m is not defined");
	CHECK(read_all("##profile\tx\n#a/b\tsite\tlabels\tstack_id\n"
	    "##stack\t2\tm\n", err, sizeof err) == -1);
	CHECK_STR(err, "in:3: ##stack: id 2 out of order (expected 1)");
	CHECK(read_all("##profile\tx\n#a/b\tsite\tlabels\tstack_id\n"
	    "##stack\tm\n", err, sizeof err) == -1);
	CHECK_STR(err, "in:3: ##stack: expected an id and a stack");
	CHECK(read_all("##profile\tx\n##stack\t1\tm\n", err,
	    sizeof err) == -1);
	CHECK(read_all("##profile\tx\n#a/b\tsite\tlabels\tstack\n"
	    "##stack\t1\tm\n1\ts\t\t1\n", err, sizeof err) == 1);
	return unit_done();
}
