/*
 * Unit tests for lib/cat.c: the built-in categories and what they match,
 * a user's table (comments, blank lines, CRLF), and each way a table is
 * refused, with the line it names. Fixtures are written to the current
 * directory (the test script's trash directory).
 */
#include <stdint.h>
#include <stdlib.h>

#include "cat.h"
#include "unit.h"

#define PATH "cat_test.tsv"

/* The message of a table cat_parse refuses ("" when it parses). */
static const char *
refused(const char *text, size_t len)
{
	static char err[512];
	struct cat_set c;

	err[0] = '\0';
	if (cat_parse(&c, text, len, "t.tsv", err, sizeof err) == 0) {
		cat_free(&c);
		return "";
	}
	/* Refused: c is left empty. */
	CHECK(c.n == 0 && c.re == NULL && c.source == NULL);
	return err;
}

#define REFUSED(s) refused(s, sizeof s - 1)

static uint64_t
bit(const struct cat_set *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->name[i], name) == 0)
			return (uint64_t)1 << i;
	fprintf(stderr, "no category %s\n", name);
	exit(1);
}

static void
test_defaults(void)
{
	static const char *const names[] = { "OpenAPI", "JSON", "YAML",
	    "protobuf", "informer/cache", "reflection", "regexp", "logging",
	    "TLS/crypto", "runtime/GC", "profiler" };
	struct cat_set c;
	char err[512] = "";
	size_t i;

	CHECK(cat_defaults(&c, err, sizeof err) == 0);
	CHECK_STR(err, "");
	CHECK(c.n == sizeof names / sizeof names[0]);
	for (i = 0; i < c.n && i < sizeof names / sizeof names[0]; i++)
		CHECK_STR(c.name[i], names[i]);
	CHECK_STR(c.source, "built-in");
	CHECK(cat_match(&c, "encoding/json.Unmarshal") == bit(&c, "JSON"));
	CHECK(cat_match(&c, "k8s.io/kube-openapi/pkg/spec.Schema") ==
	    bit(&c, "OpenAPI"));
	CHECK(cat_match(&c, "sigs.k8s.io/yaml.Unmarshal") == bit(&c, "YAML"));
	CHECK(cat_match(&c, "k8s.io/client-go/tools/cache.(*Reflector).list")
	    == bit(&c, "informer/cache"));
	/* Anchored patterns: reflect. and runtime. only as the package. */
	CHECK(cat_match(&c, "reflect.Value.Call") == bit(&c, "reflection"));
	CHECK(cat_match(&c, "main.reflect") == 0);
	CHECK(cat_match(&c, "runtime.mallocgc") == bit(&c, "runtime/GC"));
	CHECK(cat_match(&c, "runtime.main") == 0);
	CHECK(cat_match(&c, "net/http/pprof.Index") == bit(&c, "profiler"));
	CHECK(cat_match(&c, "example.com/x/net/http/pprof.Index") == 0);
	/* A name may match more than one category: every bit is set. */
	CHECK(cat_match(&c, "encoding/json.(*T).Unmarshal") ==
	    (bit(&c, "JSON") | bit(&c, "protobuf")));
	CHECK(cat_match(&c, "main.main") == 0);
	CHECK(cat_match(&c, "") == 0);
	cat_free(&c);
	CHECK(c.n == 0 && c.re == NULL && c.source == NULL);
	cat_free(&c);
}

static void
test_user_table(void)
{
	static const char text[] = "# mine\n\nA\tfoo\r\nB\t^bar$\n#C\tbaz\n"
	    "other-thing\tqux";
	struct cat_set c;
	char err[512] = "";
	FILE *fp;

	CHECK(cat_parse(&c, text, sizeof text - 1, "t.tsv", err,
	    sizeof err) == 0);
	CHECK_STR(err, "");
	CHECK(c.n == 3);
	CHECK_STR(c.name[0], "A");
	CHECK_STR(c.pattern[0], "foo");		/* the CR is no part of it */
	CHECK_STR(c.name[2], "other-thing");	/* no newline at the end */
	CHECK_STR(c.source, "t.tsv");
	CHECK(cat_match(&c, "xfoox") == 1);
	CHECK(cat_match(&c, "bar") == 2);
	CHECK(cat_match(&c, "xbar") == 0);
	CHECK(cat_match(&c, "baz") == 0);
	CHECK(cat_match(&c, "foo.bar.qux") == 5);
	cat_free(&c);

	if ((fp = fopen(PATH, "w")) == NULL || fputs("J\tjson\n", fp) < 0 ||
	    fclose(fp) != 0) {
		perror(PATH);
		exit(1);
	}
	CHECK(cat_load(&c, PATH, err, sizeof err) == 0);
	CHECK(c.n == 1);
	CHECK_STR(c.source, PATH);
	CHECK(cat_match(&c, "encoding/json.Marshal") == 1);
	cat_free(&c);
	CHECK(remove(PATH) == 0);
	CHECK(cat_load(&c, PATH, err, sizeof err) == -1);
	CHECK_STR(err, PATH ": No such file or directory");
}

static void
test_refused(void)
{
	static const char prefix[] = "t.tsv:1: bad regular expression \"(\": ";
	char many[64 * 8 + 1];
	size_t i, n = 0;

	CHECK_STR(REFUSED("A\tx\n"), "");
	CHECK_STR(REFUSED("A\n"),
	    "t.tsv:1: expected a name, a tab and a pattern");
	CHECK_STR(REFUSED("#\nA\tx\ty\n"),
	    "t.tsv:2: expected a name, a tab and a pattern");
	CHECK_STR(REFUSED("\tx\n"), "t.tsv:1: empty name");
	CHECK_STR(REFUSED("A\t\n"), "t.tsv:1: empty pattern");
	CHECK_STR(REFUSED("other\tx\n"), "t.tsv:1: the name other is "
	    "reserved for samples no category matches");
	CHECK_STR(REFUSED("A\tx\n\nA\ty\n"), "t.tsv:3: category A defined "
	    "twice");
	CHECK_STR(REFUSED("A\tx\n\0\n"), "t.tsv:2: NUL byte");
	/* regerror's text is the C library's: only the prefix is ours. */
	CHECK(strncmp(REFUSED("A\t(\n"), prefix, sizeof prefix - 1) == 0);
	for (i = 0; i < CAT_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "c%zu\tx\n", i);
	CHECK_STR(refused(many, n), "");
	n += (size_t)snprintf(many + n, sizeof many - n, "c%d\tx\n", CAT_MAX);
	CHECK_STR(refused(many, n), "t.tsv:64: more than 63 categories");
}

int
main(void)
{
	test_defaults();
	test_user_table();
	test_refused();
	return unit_done();
}
