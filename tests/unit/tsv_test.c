/*
 * Unit tests for lib/tsv.c: loading a stream whole, its metadata, header
 * and rows, and each way a file can fail to be one (the message and the
 * line it names). Fixtures are written to the current directory (the
 * test script's trash directory).
 */
#include <stdint.h>
#include <stdlib.h>

#include "tsv.h"
#include "unit.h"

#define PATH "tsv_test.tsv"

/* Writes len bytes of text to PATH and loads it into t: tsv_load's rc. */
static int
load(struct tsv *t, const char *text, size_t len, char *err, size_t errlen)
{
	FILE *fp = fopen(PATH, "wb");

	if (fp == NULL || fwrite(text, 1, len, fp) != len || fclose(fp) != 0) {
		perror(PATH);
		exit(1);
	}
	err[0] = '\0';
	return tsv_load(t, PATH, err, errlen);
}

/* The message of a file tsv_load refuses ("" when it loads). */
static const char *
refused(const char *text, size_t len)
{
	static char err[256];
	struct tsv t;
	int rc = load(&t, text, len, err, sizeof err);

	tsv_free(&t);
	return rc == 0 ? "" : err;
}

#define REFUSED(s) refused(s, sizeof s - 1)

static void
test_stream(void)
{
	static const char text[] = "##type\tinuse_space\n##nodes\t4\t5\n"
	    "#seq\tname\tv\n1\ta\\tb\t2.5\n2\tc\t-3\n##total\t7\n";
	struct tsv t;
	char err[256];
	int64_t i;
	double d;

	CHECK(load(&t, text, sizeof text - 1, err, sizeof err) == 0);
	CHECK_STR(err, "");
	CHECK(t.nmeta == 3 && t.ncols == 3 && t.nrows == 2);
	CHECK(t.cut == 0 && t.missing == 0);
	CHECK_STR(tsv_meta(&t, "type", 1), "inuse_space");
	CHECK_STR(tsv_meta(&t, "nodes", 2), "5");
	CHECK(tsv_meta(&t, "nodes", 3) == NULL);
	CHECK(tsv_meta(&t, "absent", 1) == NULL);
	/* Metadata after the rows counts too (pprof-series writes it so). */
	CHECK_STR(tsv_meta(&t, "total", 1), "7");
	CHECK(t.nmeta_fields[1] == 3);
	CHECK(t.meta_line[0] == 1 && t.meta_line[1] == 2 &&
	    t.meta_line[2] == 6);
	CHECK_STR(t.cols[0], "seq");
	CHECK(tsv_col(&t, "v") == 2);
	CHECK(tsv_col(&t, "absent") == -1);
	/* Fields stay escaped: the caller unescapes what it shows. */
	CHECK_STR(tsv_cell(&t, 0, 1), "a\\tb");
	CHECK_STR(tsv_cell(&t, 1, 1), "c");
	CHECK_STR(tsv_cell(&t, 1, -1), "");
	CHECK(t.row_line[0] == 4 && t.row_line[1] == 5);
	CHECK(tsv_i64(&t, 1, 0, &i) == 0 && i == 2);
	CHECK(tsv_double(&t, 0, 2, &d) == 0 && d == 2.5);
	CHECK(tsv_double(&t, 1, 2, &d) == 0 && d == -3);
	CHECK(tsv_i64(&t, 0, 1, &i) == -1);
	CHECK(tsv_i64(&t, 0, 2, &i) == -1);
	CHECK(tsv_double(&t, 0, -1, &d) == -1);
	tsv_free(&t);
	CHECK(t.text == NULL && t.nrows == 0 && t.ncols == 0);
	tsv_free(&t);
}

static void
test_shapes(void)
{
	static const char cut[] = "#a\tb\n1\t2\n3\t4", early[] = "##k\tv\n#a";
	struct tsv t;
	char err[256];

	/* A header and no rows: zero rows, not an error. */
	CHECK(load(&t, "#a\tb\n", 5, err, sizeof err) == 0);
	CHECK(t.ncols == 2 && t.nrows == 0 && t.cut == 0);
	tsv_free(&t);
	/* A cut last line is not loaded: its number is for the caller. */
	CHECK(load(&t, cut, sizeof cut - 1, err, sizeof err) == 0);
	CHECK(t.nrows == 1 && t.cut == 3);
	CHECK_STR(tsv_cell(&t, 0, 1), "2");
	tsv_free(&t);
	/* Cut before its header: nothing loaded but the cut. */
	CHECK(load(&t, early, sizeof early - 1, err, sizeof err) == 0);
	CHECK(t.ncols == 0 && t.nrows == 0 && t.cut == 2 && t.nmeta == 1);
	tsv_free(&t);
	/* An empty column name and empty fields are fields. */
	CHECK(load(&t, "#\tb\n\t\n", 6, err, sizeof err) == 0);
	CHECK(t.ncols == 2 && t.nrows == 1);
	CHECK_STR(t.cols[0], "");
	CHECK_STR(tsv_cell(&t, 0, 0), "");
	CHECK_STR(tsv_cell(&t, 0, 1), "");
	tsv_free(&t);
}

static void
test_refused(void)
{
	struct tsv t;
	char err[256];

	CHECK_STR(REFUSED(""), PATH ": empty file");
	CHECK_STR(REFUSED("##k\tv\n"), PATH ": no column header");
	CHECK_STR(REFUSED("1\t2\n#a\tb\n"),
	    PATH ":1: a row before the column header");
	CHECK_STR(REFUSED("#a\n1\n#b\n"), PATH ":3: a second column header");
	CHECK_STR(REFUSED("#a\tb\n1\t2\n3\n"),
	    PATH ":3: expected 2 fields, got 1");
	CHECK_STR(REFUSED("#a\n1\t2\t3\n"), PATH ":2: expected 1 fields, got 3");
	CHECK_STR(REFUSED("#a\n\0\n"), PATH ": NUL byte: not a text file");
	CHECK(remove(PATH) == 0);
	CHECK(tsv_load(&t, PATH, err, sizeof err) == -1);
	CHECK(t.missing == 1);
	CHECK_STR(err, PATH ": No such file or directory");
	tsv_free(&t);
}

int
main(void)
{
	test_stream();
	test_shapes();
	test_refused();
	return unit_done();
}
