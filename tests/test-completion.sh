#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lactctl's bash completion: commands, the options lactctl's own --help
# lists, and the values a command takes. Runs the built lactctl; needs no
# daemon (addresses, which come from a running lactd, are not tried).
set -u
srcdir=${G_TEST_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${LACTD_BUILDDIR:-$(pwd)}
command -v bash >/dev/null || { echo "SKIP: no bash"; exit 77; }
PATH="$builddir/client:$PATH"
# shellcheck source=/dev/null
. "$srcdir/client/completion/lactctl"
failed=0
n=0

expect() { # what, words... ; the last word is completed
	local want=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_lactctl
	n=$((n + 1))
	case " ${COMPREPLY[*]} " in
	*" $want "*) echo "ok $n - '$*' offers $want" ;;
	*) echo "not ok $n - '$*' offers '${COMPREPLY[*]}', not $want"; failed=$((failed + 1)) ;;
	esac
}

expect sessions lactctl sess
expect --version lactctl --v
expect --since lactctl sessions --si
expect --json lactctl status --j
expect --ended lactctl log pump --en
expect nursing lactctl log nu
expect fhir-transaction lactctl export fhir-
expect --raw lactctl capture start --r
expect role lactctl device set AA:BB:CC:DD:EE:FF ""
expect baby lactctl device set AA:BB:CC:DD:EE:FF role b
expect donor lactctl log supplement --milk d
expect today lactctl summary --since to
echo "1..$n"
[ $failed -eq 0 ]
