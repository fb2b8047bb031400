/*
 * prof - see prof.h. This part is prof_load, serial or beside the
 * inflate thread, and the lookups; prof_impl.h lists the others.
 */
#include "prof_impl.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "gz.h"

/* Describes what non-profile bytes look like, for the error message. */
void
prof_junk(const unsigned char *d, size_t n, char *err, size_t errlen)
{
	size_t i = 0, k;
	char shown[33];

	while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' ||
	    d[i] == '\n'))
		i++;
	if (i < n && d[i] == '<') {
		errf(err, errlen, "not a profile: looks like an HTML or "
		    "XML document");
		return;
	}
	for (k = 0; k < sizeof shown - 1 && i + k < n; k++) {
		if (d[i + k] < 0x20 || d[i + k] > 0x7e)
			break;
		shown[k] = (char)d[i + k];
	}
	shown[k] = '\0';
	if (k >= 8 || i + k == n)
		errf(err, errlen, "not a profile: starts with text \"%s\"",
		    shown);
	else
		errf(err, errlen, "not a profile: neither gzip nor a pprof "
		    "protobuf");
}

/* The reason prof_junk gave, said of what a gzip stream held. */
static void
gzip_junk(char *err, size_t errlen)
{
	static const char pre[] = "not a profile: ", what[] = "neither gzip "
	    "nor a pprof protobuf";
	char was[512];

	if (strncmp(err, pre, sizeof pre - 1) != 0)
		return;
	snprintf(was, sizeof was, "%s", err + sizeof pre - 1);
	errf(err, errlen, "not a profile: a gzip stream whose content %s",
	    strcmp(was, what) == 0 ? "is not a pprof protobuf" : was);
}

static int
looks_like_text(const unsigned char *d, size_t n)
{
	size_t i, lim = n < 64 ? n : 64;

	for (i = 0; i < lim; i++)
		if ((d[i] < 0x20 || d[i] > 0x7e) && d[i] != '\t' &&
		    d[i] != '\n' && d[i] != '\r')
			return 0;
	return 1;
}

/* Decodes and resolves the raw message d of n bytes into p. */
static int
decode(struct prof *p, const unsigned char *d, size_t n, char *err,
    size_t errlen)
{
	struct walk w;
	size_t pos = 0;
	int rc = -1;

	if (prof_walk_begin(&w, p, n, err, errlen) == 0 &&
	    prof_walk(&w, d, n, &pos, 1) == 0 && prof_walk_end(&w, d) == 0)
		rc = 0;
	prof_walk_release(&w);
	return rc;
}

/*
 * A large gzip profile is inflated by a second thread (gz.h) while this
 * one walks what is already out: zlib and the walk are the two largest
 * costs of a load, and on two cores they take about as long together as
 * the walk alone. The inflating thread, done first, then reads the string
 * table, which this walk leaves to it: the strings are their own tables,
 * written by no one else. Only the common case goes this way: a gzip
 * trailer that gives the right size, and a profile that decodes without
 * error. Anything else is loaded again from the start, one step after
 * the other, so that every error is worded as the serial path words it.
 */
#define PARALLEL_MIN (256 * 1024)	/* smaller: a thread costs more */

/* On the inflating thread, once all is out: the string table's walk. */
static int
walk_strings(void *arg, const unsigned char *d, size_t n)
{
	size_t pos = 0;

	return prof_walk(arg, d, n, &pos, 1);
}

/* This thread's walk, beside the inflater's; 0, or -1 to load serially. */
static int
walk_beside(struct walk *w, struct gz_thread *t, const unsigned char *buf,
    size_t max_size)
{
	size_t pos = 0, avail;
	int state;

	for (;;) {
		avail = gz_avail(t, &state);
		if (state == GZ_STOPPED ||
		    (state == GZ_INFLATED && (avail == 0 || avail > max_size)))
			return -1;
		if (pos == 0 && avail < 64 && state == GZ_INFLATING) {
			gz_await(t, avail);
			continue;
		}
		if (pos == 0 && looks_like_text(buf, avail))
			return -1;
		if (prof_walk(w, buf, avail, &pos, state == GZ_INFLATED) < 0)
			return -1;
		if (state == GZ_INFLATED)
			return gz_await_then(t) == 0 ? 0 : -1;
		gz_await(t, avail);
	}
}

/* Decodes beside the inflater: 0 and *out, or -1 to load serially. */
static int
load_parallel(struct prof **out, const unsigned char *in, size_t inlen,
    unsigned char *buf, size_t cap, size_t max_size, char *err,
    size_t errlen)
{
	struct prof *p;
	struct walk w, sw;
	struct gz_thread t;
	char swerr[256];
	int rc = -1;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return -1;
	if (prof_walk_begin(&w, p, cap, err, errlen) != 0) {
		prof_walk_release(&w);
		prof_free(p);
		return -1;
	}
	memset(&sw, 0, sizeof sw);
	sw.p = p;
	sw.err = swerr;
	sw.errlen = sizeof swerr;
	sw.strings = WALK_STRINGS;
	w.strings = WALK_NO_STRINGS;
	if (gz_start(&t, in, inlen, buf, cap, walk_strings, &sw) == 0) {
		rc = walk_beside(&w, &t, buf, max_size);
		gz_stop(&t);
	}
	if (rc == 0)
		rc = prof_walk_end(&w, buf);
	prof_walk_release(&w);
	prof_walk_release(&sw);
	if (rc != 0) {
		prof_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

/* 0 and *out, or -1 when the profile is to be loaded serially. */
static int
try_parallel(struct prof **out, const unsigned char *in, size_t inlen,
    size_t max_size, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t hint = gz_size_hint(in, inlen);
	int rc;

	if (hint < PARALLEL_MIN || hint > max_size || inlen > UINT_MAX)
		return -1;
	if ((buf = malloc(hint + 1)) == NULL)
		return -1;
	rc = load_parallel(out, in, inlen, buf, hint + 1, max_size, err,
	    errlen);
	free(buf);
	return rc;
}

int
prof_load(struct prof **out, const unsigned char *data, size_t len,
    size_t max_size, char *err, size_t errlen)
{
	unsigned char *raw = NULL;
	struct prof *p;
	int rc;

	*out = NULL;
	if (len == 0) {
		errf(err, errlen, "empty file");
		return -1;
	}
	if (len >= 18 && data[0] == 0x1f && data[1] == 0x8b &&
	    try_parallel(out, data, len, max_size, err, errlen) == 0)
		return 0;
	if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		if (gz_inflate(data, len, max_size, &raw, &len, err,
		    errlen) != 0)
			return -1;
		data = raw;
		if (len == 0) {
			free(raw);
			errf(err, errlen, "empty profile inside gzip");
			return -1;
		}
	} else if (len > max_size) {
		errf(err, errlen, "larger than %zu bytes (see --max-size)",
		    max_size);
		return -1;
	}
	if (looks_like_text(data, len)) {
		prof_junk(data, len, err, errlen);
		if (raw != NULL)
			gzip_junk(err, errlen);
		free(raw);
		return -1;
	}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		free(raw);
		errf(err, errlen, "out of memory");
		return -1;
	}
	rc = decode(p, data, len, err, errlen);
	if (rc != 0 && raw != NULL)
		gzip_junk(err, errlen);
	free(raw);
	if (rc != 0) {
		prof_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void
prof_free(struct prof *p)
{
	if (p == NULL)
		return;
	free(p->comment);
	free(p->types);
	free(p->samples);
	free(p->values);
	free(p->locidx);
	free(p->labels);
	free(p->mappings);
	free(p->locations);
	free(p->lines);
	free(p->functions);
	free(p->str);
	free(p->str_len);
	free(p->strblob);
	prof_frames_free(p->frames);
	free(p);
}

size_t
prof_ntypes(const struct prof *p)
{
	return p->ntypes;
}

const char *
prof_type(const struct prof *p, size_t i)
{
	return prof_str(p, p->types[i].type);
}

const char *
prof_unit(const struct prof *p, size_t i)
{
	return prof_str(p, p->types[i].unit);
}

int
prof_type_index(const struct prof *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->ntypes; i++)
		if (strcmp(prof_type(p, i), name) == 0)
			return (int)i;
	return -1;
}

int
prof_default_type(const struct prof *p)
{
	const char *def = prof_str(p, p->default_sample_type);
	int i;

	if (*def != '\0' && (i = prof_type_index(p, def)) >= 0)
		return i;
	return (int)p->ntypes - 1;
}

const char *
prof_str(const struct prof *p, int64_t i)
{
	return i >= 0 && (size_t)i < p->nstr ? p->str[i] : "";
}

const char *
prof_main_file(const struct prof *p)
{
	return p->nmapping > 0 ? prof_str(p, p->mappings[0].filename) : "";
}

const char *
prof_main_build_id(const struct prof *p)
{
	return p->nmapping > 0 ? prof_str(p, p->mappings[0].build_id) : "";
}
