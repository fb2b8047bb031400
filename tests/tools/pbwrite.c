/*
 * pbwrite - write protobuf wire format from a line-oriented description,
 * so tests can build any profile, valid or broken, inline.
 *
 * One field per line, nested messages in braces, '#' starts a comment:
 *
 *	1 {              sample_type
 *	  1 varint 1     type: string index 1
 *	  2 varint 2
 *	}
 *	6 string cpu     a string (the rest of the line, may be empty)
 *	2 {
 *	  1 packed 1 2   packed repeated varints
 *	  2 varint -5    negative numbers as int64 (ten bytes)
 *	}
 *	9 fixed64 7      wire type 1; "fixed32" for wire type 5
 *	99 bytes 0a0b    hex bytes, length-delimited
 *	raw 0807         hex bytes written as they are (for broken input)
 *
 * Reads stdin, writes stdout. A test helper, not installed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXDEPTH 16

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static struct buf stack[MAXDEPTH];
static long fields[MAXDEPTH];
static int depth;
static int lineno;

static void
die(const char *why)
{
	fprintf(stderr, "pbwrite: line %d: %s\n", lineno, why);
	exit(2);
}

static void
put(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->cap - b->len < n) {
		while (b->cap - b->len < n)
			b->cap = b->cap ? b->cap * 2 : 256;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			die("out of memory");
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
varint(struct buf *b, uint64_t v)
{
	unsigned char c;

	do {
		c = v & 0x7f;
		v >>= 7;
		if (v)
			c |= 0x80;
		put(b, &c, 1);
	} while (v);
}

static void
hex(struct buf *b, const char *s)
{
	unsigned int c;

	while (*s == ' ')
		s++;
	while (s[0] && s[1] && sscanf(s, "%2x", &c) == 1) {
		unsigned char ch = (unsigned char)c;

		put(b, &ch, 1);
		s += 2;
	}
	if (*s && *s != '\n')
		die("bad hex");
}

static void
field(long num, const char *kind, const char *rest)
{
	struct buf *b = &stack[depth], tmp = { 0 };
	char *end;

	if (strcmp(kind, "varint") == 0) {
		varint(b, (uint64_t)num << 3);
		varint(b, (uint64_t)strtoll(rest, NULL, 0));
	} else if (strcmp(kind, "fixed64") == 0 || strcmp(kind, "fixed32") == 0) {
		uint64_t v = strtoull(rest, NULL, 0);
		unsigned char le[8];
		int i, n = kind[5] == '6' ? 8 : 4;

		varint(b, (uint64_t)num << 3 | (n == 8 ? 1 : 5));
		for (i = 0; i < n; i++)
			le[i] = (unsigned char)(v >> (8 * i));
		put(b, le, (size_t)n);
	} else if (strcmp(kind, "string") == 0) {
		varint(b, (uint64_t)num << 3 | 2);
		varint(b, strlen(rest));
		put(b, rest, strlen(rest));
	} else if (strcmp(kind, "bytes") == 0) {
		hex(&tmp, rest);
		varint(b, (uint64_t)num << 3 | 2);
		varint(b, tmp.len);
		put(b, tmp.p, tmp.len);
	} else if (strcmp(kind, "packed") == 0) {
		for (;;) {
			long long v = strtoll(rest, &end, 0);

			if (end == rest)
				break;
			varint(&tmp, (uint64_t)v);
			rest = end;
		}
		varint(b, (uint64_t)num << 3 | 2);
		varint(b, tmp.len);
		put(b, tmp.p, tmp.len);
	} else if (strcmp(kind, "{") == 0) {
		if (++depth == MAXDEPTH)
			die("nested too deep");
		stack[depth].len = 0;
		fields[depth] = num;
	} else
		die("unknown field kind");
	free(tmp.p);
}

int
main(void)
{
	char line[65536];

	while (fgets(line, sizeof line, stdin) != NULL) {
		char *s = line, kind[16], *nl;
		long num;
		int n;

		lineno++;
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '}') {
			struct buf *inner = &stack[depth];

			if (depth == 0)
				die("unbalanced }");
			depth--;
			varint(&stack[depth], (uint64_t)fields[depth + 1] << 3 | 2);
			varint(&stack[depth], inner->len);
			put(&stack[depth], inner->p, inner->len);
			continue;
		}
		if (strncmp(s, "raw ", 4) == 0) {
			hex(&stack[depth], s + 4);
			continue;
		}
		if (sscanf(s, "%ld %15s%n", &num, kind, &n) != 2)
			die("expected: FIELD KIND [VALUE]");
		s += n;
		if (*s == ' ')
			s++;
		field(num, kind, s);
	}
	if (depth != 0)
		die("missing }");
	fwrite(stack[0].p, 1, stack[0].len, stdout);
	return fflush(stdout) != 0;
}
