/* Unit tests for lib/num.c: checked number parsing. */
#include "num.h"
#include "unit.h"

int
main(void)
{
	int64_t v = 7;
	double d;
	size_t z;

	CHECK(num_i64("9223372036854775807", &v) == 0 && v == INT64_MAX);
	CHECK(num_i64("-9223372036854775808", &v) == 0 && v == INT64_MIN);
	CHECK(num_i64("9223372036854775808", &v) == -1);
	CHECK(num_i64("", &v) == -1);
	CHECK(num_i64("-", &v) == -1);
	CHECK(num_i64("12x", &v) == -1);
	CHECK(num_i64(" 1", &v) == -1);
	CHECK(num_i64n("123456", 3, &v) == 0 && v == 123);
	CHECK(num_double("0.005", &d) == 0 && d == 0.005);
	CHECK(num_double("nan", &d) == -1);
	CHECK(num_double("1e999", &d) == -1);
	CHECK(num_size("256M", &z) == 0 && z == (size_t)256 << 20);
	CHECK(num_size("1k", &z) == 0 && z == 1024);
	CHECK(num_size("3GiB", &z) == 0 && z == (size_t)3 << 30);
	CHECK(num_size("12", &z) == 0 && z == 12);
	CHECK(num_size("12Q", &z) == -1);
	CHECK(num_size("M", &z) == -1);
	CHECK(num_size("-1", &z) == -1);
	return unit_done();
}
