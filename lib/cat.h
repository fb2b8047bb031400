/*
 * cat - hotspot categories: named POSIX extended regular expressions over
 * function names ("JSON" = encoding/json|sigs\.k8s\.io/json|...).
 *
 * A table is TSV text, one category a line: name, tab, pattern. Blank
 * lines and lines starting with '#' are skipped. Names are unique, not
 * "other" (the name of the samples no category claims) and hold no tab;
 * at most CAT_MAX categories. Patterns are unanchored: a name matches when
 * the pattern matches any part of it. cat_defaults loads the built-in
 * table, which is the text of lib/categories.tsv (a test keeps the two
 * equal); cat_load reads a user's file instead.
 *
 *	struct cat_set c;
 *	char err[512];
 *	if (cat_load(&c, "my.tsv", err, sizeof err) != 0)
 *		... err is "my.tsv:3: bad regular expression \"(\": ..." ...
 *	uint64_t m = cat_match(&c, "encoding/json.Unmarshal");
 *	... bit i of m set: category i matches ...
 *	cat_free(&c);
 *
 * Names given to cat_match are plain (unescaped, without the inline mark);
 * callers cache the result per distinct name, since regexec is slow next
 * to a table lookup.
 */
#ifndef CAT_H
#define CAT_H

#include <stddef.h>
#include <stdint.h>

#define CAT_MAX 63

struct cat_set {
	size_t n;
	char *name[CAT_MAX];
	char *pattern[CAT_MAX];
	void *re;		/* regex_t[n], opaque to keep regex.h out */
	char *source;		/* file name, or "built-in" */
};

/* The built-in table, as TSV text. */
extern const char cat_default_tsv[];

/*
 * Parses the TSV text[0..len) named source (for messages) into c. Returns
 * 0, or -1 with a one-line "source:line: reason" in err and c empty.
 */
int cat_parse(struct cat_set *c, const char *text, size_t len,
    const char *source, char *err, size_t errlen);

/* cat_parse of the file at path; err says why it could not be read. */
int cat_load(struct cat_set *c, const char *path, char *err, size_t errlen);

/* cat_parse of cat_default_tsv. */
int cat_defaults(struct cat_set *c, char *err, size_t errlen);

/* Bit i set when category i's pattern matches name (NUL-terminated). */
uint64_t cat_match(const struct cat_set *c, const char *name);

void cat_free(struct cat_set *c);

#endif
