/* wire_test - varints, and wire_field's every outcome and offset. */
#include "wire.h"

#include "unit.h"

int
main(void)
{
	static const unsigned char v300[] = { 0xac, 0x02 },
	    vmax[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x01 },
	    v11[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
		0x80, 0x00 },
	    cut[] = { 0x80, 0x80 };
	/* 1: varint 150; 2: "abc"; 3: fixed64; 4: fixed32 */
	static const unsigned char msg[] = { 0x08, 0x96, 0x01, 0x12, 3, 'a',
	    'b', 'c', 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x25, 1, 2, 3, 4 };
	static const unsigned char zero[] = { 0x00, 0x01 }, group[] = { 0x0b },
	    past[] = { 0x0a, 0x05, 'x', 'y' }, fix[] = { 0x09, 1, 2, 3 },
	    nolen[] = { 0x0a };
	struct wire_field f;
	size_t pos;
	uint64_t v;

	pos = 0;
	CHECK(wire_varint(v300, sizeof v300, &pos, &v) == 0 && v == 300 &&
	    pos == 2);
	pos = 0;
	CHECK(wire_varint(vmax, sizeof vmax, &pos, &v) == 0 &&
	    v == UINT64_MAX && pos == 10);
	pos = 0;
	CHECK(wire_varint(v11, sizeof v11, &pos, &v) == -2 && pos == 10);
	pos = 0;
	CHECK(wire_varint(cut, sizeof cut, &pos, &v) == -1 && pos == 2);
	/* Nine bytes at most for the short form. */
	pos = 0;
	CHECK(wire_short_varint(v300, sizeof v300, &pos, &v) == 0 &&
	    v == 300);
	pos = 0;
	CHECK(wire_short_varint(vmax, sizeof vmax, &pos, &v) == -1);

	pos = 0;
	CHECK(wire_field(msg, sizeof msg, &pos, &f) == WIRE_OK);
	CHECK(f.num == 1 && f.type == WIRE_VARINT && f.v == 150 && pos == 3);
	CHECK(wire_field(msg, sizeof msg, &pos, &f) == WIRE_OK);
	CHECK(f.num == 2 && f.type == WIRE_LEN && f.v == 3 && f.off == 5 &&
	    pos == 8);
	CHECK(wire_field(msg, sizeof msg, &pos, &f) == WIRE_OK);
	CHECK(f.num == 3 && f.type == WIRE_I64 && pos == 17);
	CHECK(wire_field(msg, sizeof msg, &pos, &f) == WIRE_OK);
	CHECK(f.num == 4 && f.type == WIRE_I32 && pos == sizeof msg);

	pos = 0;
	CHECK(wire_field(zero, sizeof zero, &pos, &f) == WIRE_BAD_NUMBER &&
	    pos == 1);
	pos = 0;
	CHECK(wire_field(group, sizeof group, &pos, &f) == WIRE_BAD_TYPE &&
	    f.num == 1 && f.type == 3);
	pos = 0;
	CHECK(wire_field(past, sizeof past, &pos, &f) == WIRE_PAST_END);
	CHECK(f.num == 1 && f.v == 5 && f.off == 2 && pos == 2);
	pos = 0;
	CHECK(wire_field(fix, sizeof fix, &pos, &f) == WIRE_SHORT && pos == 1);
	pos = 0;
	CHECK(wire_field(nolen, sizeof nolen, &pos, &f) == WIRE_SHORT &&
	    pos == 1);
	pos = 0;
	CHECK(wire_field(cut, sizeof cut, &pos, &f) == WIRE_SHORT && pos == 2);
	return unit_done();
}
