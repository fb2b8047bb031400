/*
 * test-events - the phases and tests a test's output shows, with the
 * time each line arrived: test-events.tsv.
 *
 * The input is the output of a test, each line prefixed with the time it
 * arrived and a tab (the wrapper stamps them as they come). A table of
 * patterns, lib/phases.tsv or --patterns FILE, says which lines start a
 * phase (make's recipes of operator-controller's test-e2e), a Go test or
 * a godog feature or scenario; the rest is just text. The patterns are
 * data because every project's Makefile prints other lines.
 *
 * Phases have no end line of their own: a phase ends where the next one
 * starts, and the last one with the last line of the input.
 */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "esc.h"
#include "grow.h"
#include "msg.h"
#include "num.h"
#include "phases.h"	/* generated from lib/phases.tsv: phases_tsv[] */
#include "rfc3339.h"
#include "sbuf.h"
#include "slurp.h"
#include "version.h"

#define NGROUPS 10		/* \0 to \9 */

struct pattern {
	char *kind, *name, *when;
	regex_t re;
};

struct table {
	struct pattern *p;
	size_t n, cap;
	const char *source;
};

static const char *const kinds[] = {
	"phase", "test-start", "test-pass", "test-fail", "test-skip",
	"feature", "scenario",
};

static void usage(int status);

static int
known_kind(const char *k)
{
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i], k) == 0)
			return 1;
	return 0;
}

/* The highest \N in a name, or -1 for a lone or unknown backslash. */
static int
max_group(const char *name)
{
	int max = 0;

	for (; *name != '\0'; name++) {
		if (*name != '\\')
			continue;
		name++;
		if (*name >= '1' && *name <= '9')
			max = *name - '0' > max ? *name - '0' : max;
		else if (*name != '\\')
			return -1;
	}
	return max;
}

/* One "kind<TAB>name<TAB>when<TAB>pattern" line, NUL-terminated. */
static int
add_line(struct table *t, char *line, size_t lineno, char *err,
    size_t errlen)
{
	char *f[4], *s = line, ebuf[128];
	struct pattern *p;
	int i, rc, g;

	for (i = 0; i < 3; i++) {
		f[i] = s;
		s = strchr(s, '\t');
		if (s == NULL)
			return errf(err, errlen, "%s:%zu: not kind, name, when "
			    "and pattern, tab-separated", t->source, lineno);
		*s++ = '\0';
	}
	f[3] = s;
	if (!known_kind(f[0]))
		return errf(err, errlen, "%s:%zu: unknown kind \"%s\"",
		    t->source, lineno, f[0]);
	if (f[1][0] == '\0' || f[2][0] == '\0' || f[3][0] == '\0')
		return errf(err, errlen, "%s:%zu: empty field", t->source,
		    lineno);
	if (grow(&t->p, &t->cap, t->n + 1, sizeof *t->p, 16) != 0)
		return errf(err, errlen, "out of memory");
	p = &t->p[t->n];
	rc = regcomp(&p->re, f[3], REG_EXTENDED);
	if (rc != 0) {
		regerror(rc, &p->re, ebuf, sizeof ebuf);
		return errf(err, errlen, "%s:%zu: bad regular expression "
		    "\"%s\": %s", t->source, lineno, f[3], ebuf);
	}
	g = max_group(f[1]);
	if (g < 0 || (size_t)g > p->re.re_nsub) {
		regfree(&p->re);
		return errf(err, errlen, g < 0 ?
		    "%s:%zu: name \"%s\": a backslash not before 1-9 or \\" :
		    "%s:%zu: name \"%s\" names a group the pattern has not",
		    t->source, lineno, f[1]);
	}
	p->kind = f[0];
	p->name = f[1];
	p->when = f[2];
	t->n++;
	return 0;
}

/* Parses text (kept: the patterns point into it) into t. */
static int
table_parse(struct table *t, char *text, const char *source, char *err,
    size_t errlen)
{
	char *line = text, *nl;
	size_t lineno = 0;

	t->source = source;
	for (; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line) - 1;
		else
			*nl = '\0';
		lineno++;
		if (line[0] != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (add_line(t, line, lineno, err, errlen) != 0)
			return -1;
	}
	if (t->n == 0)
		return errf(err, errlen, "%s: no patterns", source);
	return 0;
}

static void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		regfree(&t->p[i].re);
	free(t->p);
}

/* RFC 3339, or nanoseconds since the epoch, digits only. */
static int
parse_time(const char *s, int64_t *ns)
{
	if (s[0] != '\0' && strspn(s, "0123456789") == strlen(s))
		return num_i64(s, ns);
	return rfc3339_ns(s, ns);
}

struct state {
	char *phase;		/* the current phase, NULL before one */
	int64_t last_ns;	/* the last line's time */
};

static void
put_event(int64_t ns, const char *kind, const char *name)
{
	struct sbuf b = SBUF_INIT;
	char when[RFC3339_MS_SIZE];

	rfc3339_ms(ns, when);
	esc_meta(&b, name);
	if (b.oom)
		msg_die(1, "out of memory");
	printf("%jd\t%s\t%s\t%s\n", (intmax_t)ns, when, kind, b.s);
	/* Events are few and the wrapper reads them as they come. */
	fflush(stdout);
	sbuf_free(&b);
}

/* The name of pattern p for the line it matched, into b. */
static void
expand(struct sbuf *b, const char *name, const char *line,
    const regmatch_t *m)
{
	for (; *name != '\0'; name++) {
		int g;

		if (*name != '\\') {
			sbuf_putc(b, *name);
			continue;
		}
		name++;
		if (*name == '\\') {
			sbuf_putc(b, '\\');
			continue;
		}
		g = *name - '0';
		if (m[g].rm_so >= 0)
			sbuf_put(b, line + m[g].rm_so,
			    (size_t)(m[g].rm_eo - m[g].rm_so));
	}
}

/* One line of text at time ns: the event of the first pattern it matches. */
static void
match(const struct table *t, struct state *st, int64_t ns, const char *text)
{
	regmatch_t m[NGROUPS];
	struct sbuf name = SBUF_INIT;
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct pattern *p = &t->p[i];

		if (strcmp(p->when, "*") != 0 &&
		    (st->phase == NULL || strcmp(p->when, st->phase) != 0))
			continue;
		if (regexec(&p->re, text, NGROUPS, m, 0) == 0)
			break;
	}
	if (i == t->n)
		return;
	expand(&name, t->p[i].name, text, m);
	if (name.oom)
		msg_die(1, "out of memory");
	if (name.len == 0)	/* a group that matched nothing: no name */
		return;
	if (strcmp(t->p[i].kind, "phase") != 0)
		put_event(ns, t->p[i].kind, name.s);
	else if (st->phase == NULL || strcmp(st->phase, name.s) != 0) {
		if (st->phase != NULL)
			put_event(ns, "phase-end", st->phase);
		put_event(ns, "phase-start", name.s);
		free(st->phase);
		st->phase = xstrdup(name.s);
	}
	sbuf_free(&name);
}

/* One input; 0, or 1 when a line's time was bad (reported, skipped). */
static int
one(const struct table *t, struct state *st, const char *path)
{
	const char *src = strcmp(path, "-") == 0 ? "stdin" : path;
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL, *tab;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int64_t ns;
	int rc = 0;

	if (fp == NULL) {
		msg_warn("%s: %s", src, strerror(errno));
		return 1;
	}
	while ((n = getline(&line, &cap, fp)) > 0) {
		lineno++;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (strlen(line) != (size_t)n) {
			msg_warn("%s:%zu: a NUL byte", src, lineno);
			rc = 1;
			continue;
		}
		tab = strchr(line, '\t');
		if (tab != NULL)
			*tab = '\0';
		if (tab == NULL || parse_time(line, &ns) != 0) {
			msg_warn("%s:%zu: not TIME<TAB>text (TIME RFC 3339 or "
			    "ns since the epoch): \"%.40s\"", src, lineno,
			    line);
			rc = 1;
			continue;
		}
		st->last_ns = ns;
		match(t, st, ns, tab + 1);
	}
	if (ferror(fp)) {
		msg_warn("%s: %s", src, strerror(errno));
		rc = 1;
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

static char *
load_patterns(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *text;
	size_t len;
	int e;

	if (fp == NULL)
		msg_die(1, "%s: %s", path, strerror(errno));
	e = slurp(fileno(fp), (size_t)1 << 20, &text, &len);
	fclose(fp);
	if (e == EFBIG)
		msg_die(1, "%s: larger than 1 MiB", path);
	if (e != 0)
		msg_die(1, "%s: %s", path, strerror(e));
	if (strlen(text) != len)
		msg_die(1, "%s: a NUL byte", path);
	return text;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "patterns", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct table t = { 0 };
	struct state st = { NULL, 0 };
	const char *patterns = NULL;
	char *text, err[512];
	int ch, i, rc = 0;

	msg_init(argv);
	while ((ch = getopt_long(argc, argv, "p:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			patterns = optarg;
			break;
		case 'V':
			printf("%s %s\n", msg_prog(), E2E_PROFILE_VERSION);
			return 0;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;

	text = patterns != NULL ? load_patterns(patterns) :
	    xstrdup(phases_tsv);
	if (table_parse(&t, text, patterns != NULL ? patterns : "built-in",
	    err, sizeof err) != 0)
		msg_die(1, "%s", err);

	printf("##events\ttest-events\n##patterns\t");
	fputs(patterns != NULL ? patterns : "built-in", stdout);
	printf("\n#time_ns\ttime\tkind\tname\n");
	fflush(stdout);
	if (argc == 0)
		rc |= one(&t, &st, "-");
	for (i = 0; i < argc; i++)
		rc |= one(&t, &st, argv[i]);
	if (st.phase != NULL)
		put_event(st.last_ns, "phase-end", st.phase);
	free(st.phase);
	table_free(&t);
	free(text);
	return msg_close_stdout() | rc;
}

static void
usage(int status)
{
	fprintf(status != 0 ? stderr : stdout,
	    "usage: %s [--patterns file] [file ...]\n", msg_prog());
	exit(status);
}
