#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what lactd needs to build, test and run its demo on Debian 12.
set -eu
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (it calls apt-get)" >&2
	exit 1
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential autoconf automake libtool pkg-config \
	libglib2.0-dev libglib2.0-bin libsqlite3-dev sqlite3 libdbus-1-dev dbus \
	clang libclang-rt-14-dev valgrind tzdata \
	systemd libsystemd-dev \
	bluez bluez-test-tools qemu-system-x86 busybox-static kmod \
	git ca-certificates >/dev/null
