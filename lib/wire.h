/*
 * wire - the protobuf wire format, read by hand where protobuf-c is too
 * slow or too coarse.
 *
 * A protobuf message is a sequence of fields, each a tag (a varint of
 * field number << 3 | wire type) and a value: a varint (type 0), 8 or 4
 * fixed bytes (types 1 and 5), or a varint length and that many bytes
 * (type 2). wire_field reads one field and says precisely how it failed
 * and where, so that a decoder can name the byte of a truncated or
 * foreign file in its error message. Everything here is inline: the
 * profile walk calls it for every top-level message, and the fast path
 * for samples for every location id and value.
 *
 *	struct wire_field f;
 *	size_t pos = 0;
 *	while (pos < n)
 *		switch (wire_field(d, n, &pos, &f)) {
 *		case WIRE_OK: ... f.num, f.type, f.v, f.off ...
 *		...
 *		}
 */
#ifndef WIRE_H
#define WIRE_H

#include <stddef.h>
#include <stdint.h>

/* The wire types a field may have (3 and 4, groups, are refused). */
enum { WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5 };

/*
 * Reads the varint at d[*pos], of the n bytes of d, and moves *pos past
 * it. Returns 0 and *v; -1 when it runs past n (*pos == n); -2 when it is
 * longer than ten bytes (*pos just past the tenth).
 */
static inline int
wire_varint(const unsigned char *d, size_t n, size_t *pos, uint64_t *v)
{
	uint64_t r = 0;
	int shift;

	for (shift = 0; shift < 64; shift += 7) {
		unsigned char c;

		if (*pos >= n)
			return -1;
		c = d[(*pos)++];
		r |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return -2;
}

/*
 * wire_varint for at most nine bytes, the 63 bits a hand-written reader
 * takes without a second look: 0, or -1 for anything else (a tenth byte,
 * the end of d), *pos then undefined.
 */
static inline int
wire_short_varint(const unsigned char *d, size_t n, size_t *pos,
    uint64_t *v)
{
	size_t start = *pos;

	return wire_varint(d, n, pos, v) == 0 && *pos - start <= 9 ? 0 : -1;
}

/* One field as wire_field read it. */
struct wire_field {
	unsigned num;		/* field number, 1 .. 2^29 - 1 */
	unsigned type;		/* wire type: WIRE_VARINT ... WIRE_I32 */
	uint64_t v;		/* WIRE_VARINT's value; WIRE_LEN's length */
	size_t off;		/* WIRE_LEN: where its bytes start */
};

/* What wire_field found. */
enum {
	WIRE_OK,
	WIRE_SHORT,		/* the tag or value runs past the end */
	WIRE_BAD_NUMBER,	/* field number 0 (or past 2^29 - 1) */
	WIRE_BAD_TYPE,		/* wire type 3, 4, 6 or 7; in f->type */
	WIRE_PAST_END		/* a length past the end: f->v, from f->off */
};

/*
 * Reads the field that starts at d[*pos]. WIRE_OK: *f is the field and
 * *pos is past it (a WIRE_LEN field's bytes are d[f->off .. f->off +
 * f->v)). WIRE_SHORT: *pos where the reading stopped (n, unless a varint
 * was longer than ten bytes or a fixed value was cut short). WIRE_BAD_*:
 * *pos just past the tag. WIRE_PAST_END: f->num, f->type, f->v and
 * f->off (== *pos) are set, n - f->off bytes remain.
 */
static inline int
wire_field(const unsigned char *d, size_t n, size_t *pos,
    struct wire_field *f)
{
	uint64_t tag;

	if (wire_varint(d, n, pos, &tag) != 0)
		return WIRE_SHORT;
	f->num = (unsigned)(tag >> 3 <= 536870911 ? tag >> 3 : 0);
	f->type = (unsigned)(tag & 7);
	if (f->num == 0)
		return WIRE_BAD_NUMBER;
	switch (f->type) {
	case WIRE_VARINT:
		return wire_varint(d, n, pos, &f->v) == 0 ? WIRE_OK :
		    WIRE_SHORT;
	case WIRE_I64:
	case WIRE_I32: {
		size_t k = f->type == WIRE_I64 ? 8 : 4;

		if (n - *pos < k)
			return WIRE_SHORT;
		*pos += k;
		return WIRE_OK;
	}
	case WIRE_LEN:
		if (wire_varint(d, n, pos, &f->v) != 0)
			return WIRE_SHORT;
		f->off = *pos;
		if (f->v > n - *pos)
			return WIRE_PAST_END;
		*pos += (size_t)f->v;
		return WIRE_OK;
	}
	return WIRE_BAD_TYPE;
}

#endif
