#!/bin/sh
# Runs CLI test scripts with every program under valgrind's memcheck:
# each program in bin/ is replaced, on PATH, by a script that runs it
# under valgrind --leak-check=full. A memory error or a leak makes the
# program exit 86, the code tests/lib.sh reports as a sanitizer finding.
#
#   sh tests/valgrind.sh [tests/tNNNN-*.sh ...]    (default: the C tools')
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
wrap=$root/build/valgrind/bin

main() {
	command -v valgrind >/dev/null || { echo "valgrind.sh: needs valgrind" >&2; exit 1; }
	rm -rf "$wrap"
	mkdir -p "$wrap"
	for prog in "$root"/bin/*; do
		name=$(basename "$prog")
		cat >"$wrap/$name" <<-EOT
		#!/bin/sh
		exec valgrind --quiet --leak-check=full --show-leak-kinds=definite \\
		    --errors-for-leak-kinds=definite --error-exitcode=86 \\
		    "$prog" "\$@"
		EOT
		chmod +x "$wrap/$name"
	done
	if [ $# -eq 0 ]; then
		set -- "$root"/tests/t0001-*.sh "$root"/tests/t001*.sh \
		    "$root"/tests/t0021-*.sh "$root"/tests/t0030-fetch-usage.sh \
		    "$root"/tests/t0034-fetch-faults.sh "$root"/tests/t0032-fetch-files.sh \
		    "$root"/tests/t0040-series-cli.sh "$root"/tests/t0041-diff-cli.sh \
		    "$root"/tests/t0043-md-bad-input.sh "$root"/tests/t0047-*.sh \
		    "$root"/tests/t0048-*.sh "$root"/tests/t0050-*.sh \
		    "$root"/tests/t0062-*.sh
	fi
	BIN=$wrap prove -f "$@"
}

main "$@"
