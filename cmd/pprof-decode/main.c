/*
 * pprof-decode - turn pprof profiles into the sample stream, or into
 * folded stacks for flame graph tools.
 *
 * Each input is read whole, inflated if it is gzip, decoded and checked
 * before a byte of its block is written, so a bad file produces an error
 * and no output, and the files after it are still decoded.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "esc.h"
#include "grow.h"
#include "htab.h"
#include "msg.h"
#include "num.h"
#include "obuf.h"
#include "prof.h"
#include "slurp.h"
#include "version.h"

/*
 * The frame of a sample without a stack (Go's goroutine profiles have
 * them), which pprof shows at the root: folded totals stay the profile's.
 * No Go function, and no "[binary]" frame, has this name.
 */
#define EMPTY_STACK "<empty stack>"

struct folded {
	struct htab stacks;
	int64_t *sums;
	size_t cap;
	char *type;		/* the sample type the first file fixed */
};

static const char *type_opt;
static size_t max_size = PROF_DEFAULT_MAX_SIZE;
static struct obuf out;

/*
 * --stack-ids: each stack's text once per stream, rows by its number
 * (stream.h, "the compact form"): an hour of heap profiles repeats the
 * same few thousand stacks in every block, and their text is most of the
 * stream's bytes. A row's stack is looked up by its locations' texts,
 * each numbered once per stream (a location is a few frames, a stack a
 * few dozen): the stack's own text is made and hashed only the first time
 * those locations come as a stack.
 */
static int stack_ids;
static struct htab ids;		/* stack text -> its number - 1 */
static struct htab loctexts;	/* a location's text -> its number - 1 */
static struct htab bylocs;	/* a stack as location numbers -> k */
static size_t *idof;		/* bylocs's k -> the stack's number */
static size_t idof_cap;
static uint32_t *locnum;	/* this profile's location -> number, 0 */
static size_t locnum_cap;
static uint32_t *lockey;	/* a stack as location numbers */
static size_t lockey_cap;
static struct sbuf stk;

static void usage(void);

static void
meta(struct sbuf *b, const char *key, const char *value)
{
	sbuf_puts(b, "##");
	sbuf_puts(b, key);
	sbuf_putc(b, '\t');
	esc_meta(b, value);
	sbuf_putc(b, '\n');
}

static void
meta_i64(struct sbuf *b, const char *key, int64_t v)
{
	sbuf_puts(b, "##");
	sbuf_puts(b, key);
	sbuf_putc(b, '\t');
	sbuf_i64(b, v);
	sbuf_putc(b, '\n');
}

static void
write_header(const struct prof *p, const char *source, int col,
    struct sbuf *b)
{
	char iso[32] = "-";
	time_t t = (time_t)(p->time_nanos / 1000000000);
	struct tm tm;
	size_t i;
	int def = prof_default_type(p);

	if (p->time_nanos != 0 && gmtime_r(&t, &tm) != NULL)
		strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	meta(b, "profile", source);
	sbuf_printf(b, "##time\t%lld\t%s\n", (long long)p->time_nanos, iso);
	meta_i64(b, "duration", p->duration_nanos);
	sbuf_printf(b, "##period\t%lld\t", (long long)p->period);
	esc_meta(b, prof_str(p, p->period_type));
	sbuf_putc(b, '\t');
	esc_meta(b, prof_str(p, p->period_unit));
	sbuf_putc(b, '\n');
	meta(b, "default_type", def >= 0 ? prof_type(p, (size_t)def) : "");
	meta(b, "file", prof_main_file(p));
	meta(b, "build_id", prof_main_build_id(p));
	for (i = 0; i < p->ncomment; i++)
		meta(b, "comment", prof_str(p, p->comment[i]));
	if (p->drop_frames != 0)
		meta(b, "drop_frames", prof_str(p, p->drop_frames));
	if (p->keep_frames != 0)
		meta(b, "keep_frames", prof_str(p, p->keep_frames));
	meta_i64(b, "samples", (int64_t)p->nsample);
	sbuf_putc(b, '#');
	for (i = 0; i < prof_ntypes(p); i++) {
		if (col >= 0 && (size_t)col != i)
			continue;
		esc_meta(b, prof_type(p, i));
		sbuf_putc(b, '/');
		esc_meta(b, prof_unit(p, i));
		sbuf_putc(b, '\t');
	}
	sbuf_puts(b, stack_ids ? "site\tlabels\tstack_id\n" :
	    "site\tlabels\tstack\n");
}

static void
site_hex(uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char hex[17];
	int i;

	for (i = 15; i >= 0; i--, v >>= 4)
		hex[i] = digits[v & 15];
	hex[16] = '\t';
	obuf_put(&out, hex, sizeof hex);
}

/*
 * Writes a checked profile's block. Only memory for the header, the
 * labels and the stack numbers can fail here; the header is built whole
 * before a byte of it goes out.
 */
/*
 * The number of sample i's stack by its text, its "##stack" line first
 * when the stream has not had it yet; 0 when out of memory.
 */
static size_t
text_id(const struct prof *p, size_t i)
{
	size_t n = htab_count(&ids);
	long k;

	sbuf_reset(&stk);
	prof_stack(p, i, &stk);
	if (stk.oom || (k = htab_intern(&ids, stk.s != NULL ? stk.s : "",
	    stk.len)) < 0)
		return 0;
	if ((size_t)k == n) {
		obuf_puts(&out, "##stack\t");
		obuf_u64(&out, (uint64_t)k + 1);
		obuf_putc(&out, '\t');
		obuf_put(&out, stk.s != NULL ? stk.s : "", stk.len);
		obuf_putc(&out, '\n');
	}
	return (size_t)k + 1;
}

/* The number of sample i's stack, by its locations' numbers first. */
static size_t
stack_id(const struct prof *p, size_t i)
{
	const struct prof_sample *s = &p->samples[i];
	const uint32_t *ix = p->locidx + s->loc;
	const char *t;
	size_t j, n, was = htab_count(&bylocs);
	long k;

	if (grow(&lockey, &lockey_cap, (size_t)s->nloc + 1, sizeof *lockey,
	    64) != 0)
		return 0;
	for (j = 0; j < s->nloc; j++) {
		if (locnum[ix[j]] == 0) {
			t = prof_location_text(p, ix[j], &n);
			if ((k = htab_intern(&loctexts, t, n)) < 0 ||
			    (uint64_t)k >= UINT32_MAX)
				return 0;
			locnum[ix[j]] = (uint32_t)k + 1;
		}
		lockey[j] = locnum[ix[j]];
	}
	if ((k = htab_intern(&bylocs, (const char *)lockey,
	    (size_t)s->nloc * sizeof *lockey)) < 0)
		return 0;
	if ((size_t)k == was) {
		if (grow(&idof, &idof_cap, was + 1, sizeof *idof, 1024) != 0 ||
		    (idof[was] = text_id(p, i)) == 0)
			return 0;
	}
	return idof[k];
}

/* A new profile's locations have no numbers yet. */
static int
forget_locations(const struct prof *p)
{
	if (grow(&locnum, &locnum_cap, p->nlocation + 1, sizeof *locnum,
	    1024) != 0)
		return -1;
	memset(locnum, 0, (p->nlocation + 1) * sizeof *locnum);
	return 0;
}

static int
write_block(const struct prof *p, const char *source, int col)
{
	struct sbuf b = SBUF_INIT;
	size_t i, j, id = 0;
	int oom;

	write_header(p, source, col, &b);
	if (b.oom) {
		sbuf_free(&b);
		return -1;
	}
	obuf_put(&out, b.s, b.len);
	if (stack_ids && forget_locations(p) != 0) {
		sbuf_free(&b);
		return -1;
	}
	for (i = 0; i < p->nsample; i++) {
		if (stack_ids && (id = stack_id(p, i)) == 0) {
			sbuf_free(&b);
			return -1;
		}
		for (j = 0; j < p->ntypes; j++) {
			if (col >= 0 && (size_t)col != j)
				continue;
			obuf_i64(&out, prof_value(p, i, j));
			obuf_putc(&out, '\t');
		}
		site_hex(prof_site(p, i));
		if (p->samples[i].nlabel > 0) {
			sbuf_reset(&b);
			prof_labels(p, i, &b);
			obuf_put(&out, b.s != NULL ? b.s : "", b.len);
		}
		obuf_putc(&out, '\t');
		if (stack_ids)
			obuf_u64(&out, id);
		else
			prof_write_stack(p, i, &out);
		obuf_putc(&out, '\n');
	}
	oom = b.oom;
	sbuf_free(&b);
	return oom ? -1 : 0;
}

static int
fold(struct folded *f, const struct prof *p, int col, char *err,
    size_t errlen)
{
	struct sbuf b = SBUF_INIT;
	size_t i;

	if (f->type == NULL) {
		if ((f->type = strdup(prof_type(p, (size_t)col))) == NULL)
			goto oom;
	} else if (strcmp(f->type, prof_type(p, (size_t)col)) != 0) {
		snprintf(err, errlen, "default sample type %s differs from %s "
		    "of the files before it (choose one with -t)",
		    prof_type(p, (size_t)col), f->type);
		return -1;
	}
	for (i = 0; i < p->nsample; i++) {
		long k;

		sbuf_reset(&b);
		if (p->samples[i].nloc == 0)
			sbuf_puts(&b, EMPTY_STACK);
		else
			prof_stack(p, i, &b);
		if (b.oom || (k = htab_intern(&f->stacks, b.s, b.len)) < 0)
			goto oom;
		if ((size_t)k >= f->cap) {
			size_t was = f->cap;

			if (grow(&f->sums, &f->cap, (size_t)k + 1,
			    sizeof *f->sums, 1024) != 0)
				goto oom;
			memset(f->sums + was, 0,
			    (f->cap - was) * sizeof *f->sums);
		}
		f->sums[k] += prof_value(p, i, (size_t)col);
	}
	sbuf_free(&b);
	return 0;
oom:
	sbuf_free(&b);
	snprintf(err, errlen, "out of memory");
	return -1;
}

static const struct htab *sort_stacks;

static int
cmp_stack(const void *a, const void *b)
{
	size_t la, lb;
	const char *ka = htab_key(sort_stacks, *(const uint32_t *)a, &la);
	const char *kb = htab_key(sort_stacks, *(const uint32_t *)b, &lb);
	int c = memcmp(ka, kb, la < lb ? la : lb);

	return c != 0 ? c : (la > lb) - (la < lb);
}

static int
write_folded(struct folded *f)
{
	size_t i, n = htab_count(&f->stacks);
	uint32_t *order = malloc((n + 1) * sizeof *order);

	if (order == NULL) {
		msg_warn("out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	sort_stacks = &f->stacks;
	qsort(order, n, sizeof *order, cmp_stack);
	for (i = 0; i < n; i++) {
		size_t len;
		const char *k = htab_key(&f->stacks, order[i], &len);

		if (f->sums[order[i]] == 0)
			continue;
		obuf_put(&out, k, len);
		obuf_putc(&out, ' ');
		obuf_i64(&out, f->sums[order[i]]);
		obuf_putc(&out, '\n');
	}
	free(order);
	return 0;
}

/* Picks the column: -t, else pprof's default; -1 (all) for the stream. */
static int
choose_type(const struct prof *p, int folded, char *err, size_t errlen)
{
	struct sbuf have = SBUF_INIT;
	size_t i;
	int col;

	if (type_opt == NULL)
		return folded ? prof_default_type(p) : -1;
	if ((col = prof_type_index(p, type_opt)) >= 0)
		return col;
	for (i = 0; i < prof_ntypes(p); i++) {
		if (i > 0)
			sbuf_puts(&have, ", ");
		sbuf_puts(&have, prof_type(p, i));
	}
	snprintf(err, errlen, "no sample type %s (the profile has: %s)",
	    type_opt, have.len ? have.s : "none");
	sbuf_free(&have);
	return -2;
}

static int
decode_one(const char *path, struct folded *f)
{
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	char *data, err[512];
	size_t len;
	struct prof *p;
	int fd, col, rc;

	fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
	if (fd < 0) {
		msg_warn("%s: %s", name, strerror(errno));
		return 1;
	}
	rc = slurp(fd, max_size, &data, &len);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc == EFBIG) {
		msg_warn("%s: larger than %zu bytes (see --max-size)", name,
		    max_size);
		return 1;
	}
	if (rc != 0) {
		msg_warn("%s: %s", name, rc == ENOMEM ? "out of memory" :
		    strerror(rc));
		return 1;
	}
	rc = prof_load(&p, (const unsigned char *)data, len, max_size, err,
	    sizeof err);
	free(data);
	if (rc != 0) {
		msg_warn("%s: %s", name, err);
		return 1;
	}
	rc = 0;
	col = choose_type(p, f != NULL, err, sizeof err);
	if (col == -2)
		rc = -1;
	else if (f != NULL && col < 0) {
		snprintf(err, sizeof err, "the profile has no sample types");
		rc = -1;
	} else if (f != NULL)
		rc = fold(f, p, col, err, sizeof err);
	else if (write_block(p, name, col) != 0) {
		snprintf(err, sizeof err, "out of memory");
		rc = -1;
	}
	if (rc != 0)
		msg_warn("%s: %s", name, err);
	prof_free(p);
	return rc != 0;
}

/* The name of the output fp: stdout or one of the tees. */
static const char *
written_name(FILE *fp, const char **names, FILE **tees, size_t ntee)
{
	size_t i;

	for (i = 0; i < ntee; i++)
		if (tees[i] == fp)
			return names[i];
	return "stdout";
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "folded", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "stack-ids", no_argument, NULL, 'S' },
		{ "tee", required_argument, NULL, 'T' },
		{ "type", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct folded f;
	const char **teenames;
	FILE **tees;
	size_t ntee = 0, t;
	int ch, folded = 0, rval = 0, flushed, i;

	msg_init(argv);
	/* No more tees than arguments. */
	teenames = calloc((size_t)argc, sizeof *teenames);
	tees = calloc((size_t)argc, sizeof *tees);
	if (teenames == NULL || tees == NULL)
		msg_die(1, "out of memory");
	while ((ch = getopt_long(argc, argv, "t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			folded = 1;
			break;
		case 'S':
			stack_ids = 1;
			break;
		case 'h':
			printf("usage: pprof-decode [--folded] [-t type] "
			    "[--max-size bytes] [--stack-ids] [--tee file]...\n"
			    "    [file ...]\n"
			    "Decode pprof profiles (gzip or raw protobuf) "
			    "into the sample stream,\nor with --folded into "
			    "folded stacks. See pprof-decode(1).\n");
			free(tees);
			free(teenames);
			return 0;
		case 'm':
			if (num_size(optarg, &max_size) != 0 || max_size == 0)
				msg_die(2, "--max-size: not a byte count: %s",
				    optarg);
			break;
		case 't':
			type_opt = optarg;
			break;
		case 'T':
			/*
			 * Opened at once, in order: a fifo's reader waits
			 * for the open, and an exit after it ends the
			 * reader's wait.
			 */
			if ((tees[ntee] = fopen(optarg, "w")) == NULL)
				msg_die(1, "%s: %s", optarg, strerror(errno));
			setvbuf(tees[ntee], NULL, _IONBF, 0);
			teenames[ntee++] = optarg;
			break;
		case 'V':
			printf("pprof-decode %s\n", E2E_PROFILE_VERSION);
			free(tees);
			free(teenames);
			return 0;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (folded && stack_ids)
		msg_die(2, "--stack-ids: not with --folded");

	/* obuf writes whole blocks: stdio's buffer would split each in two. */
	setvbuf(stdout, NULL, _IONBF, 0);
	obuf_init(&out, stdout);
	out.tees = tees;
	out.ntee = ntee;
	memset(&f, 0, sizeof f);
	htab_init(&f.stacks);
	htab_init(&ids);
	htab_init(&loctexts);
	htab_init(&bylocs);
	if (argc == 0)
		rval |= decode_one("-", folded ? &f : NULL);
	for (i = 0; i < argc; i++)
		rval |= decode_one(argv[i], folded ? &f : NULL);
	if (folded && write_folded(&f) != 0)
		rval = 1;
	htab_free(&f.stacks);
	htab_free(&ids);
	htab_free(&loctexts);
	htab_free(&bylocs);
	free(idof);
	free(locnum);
	free(lockey);
	sbuf_free(&stk);
	free(f.sums);
	free(f.type);
	if ((flushed = obuf_flush(&out) == 0) == 0)
		msg_warn("%s: %s", written_name(out.failed, teenames, tees,
		    ntee), out.errnum ? strerror(out.errnum) : "write error");
	/* After a write error, closing says nothing more. */
	for (t = 0; t < ntee; t++)
		if (fclose(tees[t]) != 0 && flushed) {
			msg_warn("%s: %s", teenames[t], strerror(errno));
			rval = 1;
		}
	free(tees);
	free(teenames);
	if (!flushed)
		return 1;
	return rval | msg_close_stdout();
}

static void
usage(void)
{
	fprintf(stderr, "usage: pprof-decode [--folded] [-t type] "
	    "[--max-size bytes] [--stack-ids] [--tee file]...\n"
			    "    [file ...]\n");
	exit(2);
}
