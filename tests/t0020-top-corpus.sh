#!/bin/sh
test_description='pprof-top --format pprof reproduces go tool pprof -top on the corpus, byte for byte'
. "$(dirname "$0")/lib.sh"

test_have_prereq CORPUS || skip_all "no corpus at $CORPUS (only in the project's own checkout)"

for want in "$CORPUS"/expected/*.top; do
	name=$(basename "$want" .top)
	opts=
	case $name in
	*.all) opts="--nodefraction 0"; name=${name%.all} ;;
	esac
	type=${name##*.}
	file=${name%.*}
	test_expect_success "$(basename "$want")" "
		pprof-decode '$CORPUS/profiles/$file' >stream &&
		pprof-top -t '$type' $opts --format pprof stream >actual &&
		test_cmp '$want' actual
	"
done

test_done
