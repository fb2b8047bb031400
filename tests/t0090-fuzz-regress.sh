#!/bin/sh
test_description='inputs found by fuzzing (tests/fuzz/regress): decoded or refused cleanly, in time'
. "$(dirname "$0")/lib.sh"

# Each file under tests/fuzz/regress is named after what it once
# triggered; *.tsv files are sample streams for pprof-top, the others
# profiles for pprof-decode. The build under test may be the sanitizer
# one (make check), whose reports exit with SANITIZER_EXIT.
REGRESS=$TESTS/fuzz/regress

# survives PROG FILE: PROG exits 0, or refuses FILE with a single
# "PROG: ..." line on stderr and exit 1; never a signal, a sanitizer
# report, or a minute of work (the hangs were quadratic, not slow).
survives() {
	timeout 60 "$1" "$2" >out 2>err
	rc=$?
	case $rc in
	0)
		return 0 ;;
	1)
		if [ "$(wc -l <err)" -ne 1 ] || ! grep -q "^$1: " err; then
			echo "$1 $2: refused without one clear error:"
			cat err
			return 1
		fi
		return 0 ;;
	124)
		echo "$1 $2: still running after 60 s"
		return 1 ;;
	"$SANITIZER_EXIT")
		echo "$1 $2: sanitizer report:"
		cat err
		return 1 ;;
	esac
	echo "$1 $2: exit $rc"
	cat err
	return 1
}

for f in "$REGRESS"/*; do
	name=$(basename "$f")
	case $name in
	*.tsv) prog=pprof-top ;;
	*) prog=pprof-decode ;;
	esac
	test_expect_success "$prog survives $name" "survives $prog '$f'"
done

test_expect_success 'a sample with 400000 labels is decoded, labels sorted by key' '
	timeout 60 pprof-decode "$REGRESS/hang-labels-quadratic-sort.pb.gz" >out &&
	grep -v "^#" out | cut -f3 | tr , "\n" | uniq -c |
	    sed "s/^ *//" >actual &&
	printf "200000 a=v\n200000 b=v\n" >expect &&
	test_cmp expect actual
'

test_done
