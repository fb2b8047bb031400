#!/bin/sh
test_description='C unit tests of lib/ (tests/unit/*_test.c)'
. "$(dirname "$0")/lib.sh"

for t in "$TESTS"/unit/*_test.c; do
	name=$(basename "$t" .c)
	test_expect_success "$name" "'$UNITBIN/$name'"
done

test_done
