/*
 * prof_frames - a loaded profile's frames as the stream prints them.
 *
 * A location's frames are its lines' function names, root first, escaped
 * for the stream (esc.h), inlined ones marked; its site key is the hash
 * of what pprof tells locations apart by when it merges samples. Both
 * are made the first time a sample needs them and kept (struct
 * prof_frames), from memory prof_frames_prepare took while the profile
 * was checked: prof_stack, prof_write_stack, prof_site and prof_labels
 * cannot fail half way (prof_labels only when a sample has more than 64
 * labels and memory runs out, which it marks in the sbuf).
 */
#include "prof_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "esc.h"
#include "htab.h"

static void
basename_of(const char *path, const char **base, size_t *n)
{
	const char *slash = strrchr(path, '/');

	*base = slash != NULL ? slash + 1 : path;
	*n = strlen(*base);
}

/*
 * The frame text and the key of each location are made the first time a
 * sample needs them: the first row goes out sooner, and the rest of the
 * work is done while the reader downstream is still busy with earlier
 * rows. prof_frames_prepare settles beforehand all that could fail: every
 * line's function is found, and the memory for all of it is taken.
 */
struct prof_frames {
	struct sbuf text;	/* room reserved for every location's frames */
	struct sbuf tmp;	/* an unnamed frame, before it is escaped */
	size_t *off;		/* per location: its frames in text, or SIZE_MAX */
	size_t *len;
	uint64_t *key;
	uint32_t *linefn;	/* per line: its function's index */
	long *locmap;		/* per location: its mapping's index, or -1 */
	uint64_t *fkey;		/* per function: function_key, once fdone */
	unsigned char *fdone;
	uint64_t *strhash;	/* per string: htab_hash, once strdone */
	unsigned char *strdone;
};

void
prof_frames_free(struct prof_frames *fr)
{
	if (fr == NULL)
		return;
	sbuf_free(&fr->text);
	sbuf_free(&fr->tmp);
	free(fr->off);
	free(fr->len);
	free(fr->key);
	free(fr->linefn);
	free(fr->locmap);
	free(fr->fkey);
	free(fr->fdone);
	free(fr->strhash);
	free(fr->strdone);
	free(fr);
}

/*
 * Appends the name pprof prints for a frame without a function name: the
 * mapping's file in brackets, or <unknown>.
 */
static void
unnamed_frame(const struct prof *p, const struct prof_mapping *m,
    int inlined)
{
	struct prof_frames *fr = p->frames;
	const char *file = m != NULL ? prof_str(p, m->filename) : "";
	const char *base;
	size_t n;

	if (*file == '\0') {
		esc_frame(&fr->text, "<unknown>", 9, inlined);
		return;
	}
	basename_of(file, &base, &n);
	sbuf_reset(&fr->tmp);
	sbuf_putc(&fr->tmp, '[');
	sbuf_put(&fr->tmp, base, n);
	sbuf_putc(&fr->tmp, ']');
	esc_frame(&fr->text, fr->tmp.s, fr->tmp.len, inlined);
}

/*
 * pprof merges two samples when their labels match and their locations
 * are the same by its location key: the address relative to the mapping,
 * the mapping (by rounded size, offset, and build id or file), the folded
 * flag, and each line's function (name, system name, file, start line)
 * and line number. Stack text keeps only function names, so the decoder
 * hashes that key into each row's site column; rows with equal labels,
 * site and stack are one sample to pprof, within a profile and across
 * profiles of the same binary.
 */
static uint64_t
mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

/* String i, checked to be in the table; hashed once however often named. */
static uint64_t
mix_str(const struct prof *p, uint64_t h, int64_t i)
{
	struct prof_frames *fr = p->frames;
	size_t n = p->str_len[i];

	if (!fr->strdone[i]) {
		fr->strhash[i] = htab_hash(p->str[i], n);
		fr->strdone[i] = 1;
	}
	return mix(mix(h, n), fr->strhash[i]);
}

static uint64_t
mapping_key(const struct prof *p, const struct prof_mapping *m)
{
	uint64_t size = m->memory_limit - m->memory_start;
	int64_t id = m->build_id;

	size = size + 0x1000 - 1;
	size -= size % 0x1000;
	if (*prof_str(p, id) == '\0')
		id = m->filename;
	return mix_str(p, mix(mix(1, size), m->file_offset), id);
}

static uint64_t
function_key(const struct prof *p, uint32_t fi)
{
	struct prof_frames *fr = p->frames;
	const struct prof_function *f = &p->functions[fi];
	uint64_t h;

	if (fr->fdone[fi])
		return fr->fkey[fi];
	h = mix(2, (uint64_t)f->start_line);
	h = mix_str(p, h, f->name);
	h = mix_str(p, h, f->system_name);
	fr->fkey[fi] = mix_str(p, h, f->filename);
	fr->fdone[fi] = 1;
	return fr->fkey[fi];
}

static uint64_t
location_key(const struct prof *p, const struct prof_location *l,
    const struct prof_mapping *m)
{
	const uint32_t *fi = p->frames->linefn + l->line;
	uint64_t h = mix(3, (uint64_t)l->is_folded);
	size_t j;

	if (m != NULL)
		h = mix(mix(h, l->address - m->memory_start),
		    mapping_key(p, m));
	else
		h = mix(mix(h, l->address), 0);
	for (j = 0; j < l->nline; j++) {
		h = mix(h, function_key(p, fi[j]));
		h = mix(h, (uint64_t)p->lines[l->line + j].line);
	}
	return mix(h, l->nline);
}

/* Makes location li's escaped, root-first frame text and its key. */
static void
make_location(const struct prof *p, size_t li)
{
	struct prof_frames *fr = p->frames;
	const struct prof_location *l = &p->locations[li];
	const struct prof_mapping *m =
	    fr->locmap[li] >= 0 ? &p->mappings[fr->locmap[li]] : NULL;
	size_t j, start = fr->text.len;

	if (l->nline == 0)
		unnamed_frame(p, m, 0);
	/* Lines are innermost first; the stream wants root first. */
	for (j = l->nline; j-- > 0;) {
		const struct prof_function *f =
		    &p->functions[fr->linefn[l->line + j]];
		int inl = j + 1 < l->nline;

		if (inl)
			sbuf_putc(&fr->text, ';');
		if (p->str_len[f->name] == 0)
			unnamed_frame(p, m, inl);
		else
			esc_frame(&fr->text, p->str[f->name],
			    p->str_len[f->name], inl);
	}
	fr->off[li] = start;
	fr->len[li] = fr->text.len - start;
	fr->key[li] = location_key(p, l, m);
}

static const char *
location_frames(const struct prof *p, size_t li, size_t *len)
{
	struct prof_frames *fr = p->frames;

	if (fr->off[li] == SIZE_MAX)
		make_location(p, li);
	*len = fr->len[li];
	return fr->text.s + fr->off[li];
}

static uint64_t
location_key_of(const struct prof *p, size_t li)
{
	if (p->frames->off[li] == SIZE_MAX)
		make_location(p, li);
	return p->frames->key[li];
}

/* a + b, or SIZE_MAX when it does not fit. */
static size_t
add_size(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/*
 * An escaped frame takes at most two bytes a byte, the inline mark and a
 * separator; an unnamed one, the brackets or "<unknown>" besides.
 */
static size_t
frame_room(size_t name, size_t file)
{
	return add_size(add_size(name, file), add_size(name, file + 16));
}

/*
 * Finds every line's function, in the order the frames used to be made
 * (so the first error is the one it always was), and takes the memory
 * that making every location will need (see prof_impl.h).
 */
int
prof_frames_prepare(struct prof *p, const struct idmap *maps,
    const struct idmap *funcs, char *err, size_t errlen)
{
	struct prof_frames *fr;
	size_t i, j, room = 1, maxfile = 0;

	if ((fr = calloc(1, sizeof *fr)) == NULL)
		goto oom;
	p->frames = fr;
	fr->off = malloc((p->nlocation + 1) * sizeof *fr->off);
	fr->len = malloc((p->nlocation + 1) * sizeof *fr->len);
	fr->key = malloc((p->nlocation + 1) * sizeof *fr->key);
	fr->locmap = malloc((p->nlocation + 1) * sizeof *fr->locmap);
	fr->linefn = malloc((p->nlines + 1) * sizeof *fr->linefn);
	fr->fkey = malloc((p->nfunction + 1) * sizeof *fr->fkey);
	fr->fdone = calloc(p->nfunction + 1, 1);
	fr->strhash = malloc((p->nstr + 1) * sizeof *fr->strhash);
	fr->strdone = calloc(p->nstr + 1, 1);
	if (fr->off == NULL || fr->len == NULL || fr->key == NULL ||
	    fr->locmap == NULL || fr->linefn == NULL || fr->fkey == NULL ||
	    fr->fdone == NULL || fr->strhash == NULL || fr->strdone == NULL)
		goto oom;
	for (i = 0; i < p->nlocation; i++) {
		const struct prof_location *l = &p->locations[i];
		long mi = idmap_get(maps, l->mapping_id);
		size_t file = mi >= 0 ?
		    p->str_len[p->mappings[mi].filename] : 0;

		fr->off[i] = SIZE_MAX;
		fr->locmap[i] = mi;
		if (file > maxfile)
			maxfile = file;
		if (l->nline == 0)
			room = add_size(room, frame_room(0, file));
		for (j = l->nline; j-- > 0;) {
			const struct prof_line *ln = &p->lines[l->line + j];
			long fi;

			if (ln->function_id == 0) {
				errf(err, errlen, "location %llu has a line "
				    "without a function",
				    (unsigned long long)l->id);
				return -1;
			}
			if ((fi = idmap_get(funcs, ln->function_id)) < 0) {
				errf(err, errlen, "location %llu refers to "
				    "missing function %llu",
				    (unsigned long long)l->id,
				    (unsigned long long)ln->function_id);
				return -1;
			}
			fr->linefn[l->line + j] = (uint32_t)fi;
			room = add_size(room, frame_room(
			    p->str_len[p->functions[fi].name], file));
		}
	}
	if (room > SIZE_MAX / 4 || sbuf_grow(&fr->text, room) != 0 ||
	    sbuf_grow(&fr->tmp, add_size(maxfile, 3)) != 0)
		goto oom;
	return 0;
oom:
	errf(err, errlen, "out of memory");
	return -1;
}

void
prof_stack(const struct prof *p, size_t i, struct sbuf *b)
{
	const struct prof_sample *s = &p->samples[i];
	const uint32_t *ix = p->locidx + s->loc;
	const char *f;
	size_t j, n;

	for (j = s->nloc; j-- > 0;) {
		f = location_frames(p, ix[j], &n);
		sbuf_put(b, f, n);
		if (j > 0)
			sbuf_putc(b, ';');
	}
}

const char *
prof_location_text(const struct prof *p, size_t li, size_t *len)
{
	return location_frames(p, li, len);
}

void
prof_write_stack(const struct prof *p, size_t i, struct obuf *ob)
{
	const struct prof_sample *s = &p->samples[i];
	const uint32_t *ix = p->locidx + s->loc;
	const char *f;
	size_t j, n;

	for (j = s->nloc; j-- > 0;) {
		f = location_frames(p, ix[j], &n);
		obuf_put(ob, f, n);
		if (j > 0)
			obuf_putc(ob, ';');
	}
}

/*
 * Labels are a map to pprof: write them in one canonical order (string
 * labels, then numeric, each by key; values of a key in file order) so
 * that equal label sets are equal text. A sample may carry millions of
 * labels, so they are sorted with qsort, file order breaking ties.
 */
struct label_ref {
	const struct prof_label *l;
	const char *key;
	size_t pos;
};

static int
cmp_label(const void *a, const void *b)
{
	const struct label_ref *x = a, *y = b;
	int nx = x->l->str == 0, ny = y->l->str == 0, c;

	if (nx != ny)
		return nx - ny;
	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

void
prof_labels(const struct prof *p, size_t i, struct sbuf *b)
{
	const struct prof_sample *s = &p->samples[i];
	const struct prof_label *all;
	struct label_ref sorted[64], *ls = sorted;
	size_t j, n = 0;

	if (s->nlabel == 0)
		return;		/* labels may be NULL: no sample had one */
	all = p->labels + s->label;
	if (s->nlabel > sizeof sorted / sizeof sorted[0] &&
	    (ls = malloc(s->nlabel * sizeof *ls)) == NULL) {
		b->oom = 1;
		return;
	}
	for (j = 0; j < s->nlabel; j++) {
		const struct prof_label *l = &all[j];

		/* pprof drops a label with neither a string nor a number. */
		if (l->str == 0 && l->num == 0 && l->num_unit == 0)
			continue;
		ls[n].l = l;
		ls[n].key = prof_str(p, l->key);
		ls[n].pos = j;
		n++;
	}
	qsort(ls, n, sizeof *ls, cmp_label);
	for (j = 0; j < n; j++) {
		const struct prof_label *l = ls[j].l;

		if (j > 0)
			sbuf_putc(b, ',');
		esc_label(b, prof_str(p, l->key));
		if (l->str != 0) {
			sbuf_putc(b, '=');
			esc_label(b, prof_str(p, l->str));
			continue;
		}
		sbuf_putc(b, ':');
		sbuf_i64(b, l->num);
		if (l->num_unit != 0) {
			sbuf_putc(b, ':');
			esc_label(b, prof_str(p, l->num_unit));
		}
	}
	if (ls != sorted)
		free(ls);
}

uint64_t
prof_site(const struct prof *p, size_t i)
{
	const struct prof_sample *s = &p->samples[i];
	const uint32_t *ix = p->locidx + s->loc;
	uint64_t h = mix(4, s->nloc);
	size_t j;

	for (j = 0; j < s->nloc; j++)
		h = mix(h, location_key_of(p, ix[j]));
	return h;
}
