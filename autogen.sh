#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Generates the configure script; passes its arguments to configure when given.
set -e
srcdir=$(dirname "$0")
cd "$srcdir"
mkdir -p m4
autoreconf --force --install --verbose
cd - >/dev/null
if [ $# -gt 0 ]; then
	exec "$srcdir/configure" "$@"
fi
