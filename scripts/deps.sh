#!/bin/sh
# Installs, with apt-get, the Debian packages named as arguments that are
# not installed yet. A no-op (and no root needed) when all are present.
set -eu

main() {
	missing=
	for pkg in "$@"; do
		if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null |
		    grep -q '^install ok installed$'; then
			missing="$missing $pkg"
		fi
	done
	[ -z "$missing" ] && return 0
	printf 'deps: installing%s\n' "$missing" >&2
	if [ "$(id -u)" -ne 0 ]; then
		printf 'deps: need root to install:%s\n' "$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # one word per package
	apt-get install -y -q $missing >/dev/null 2>&1 ||
	    { apt-get update -q >/dev/null && apt-get install -y -q $missing; }
}

main "$@"
