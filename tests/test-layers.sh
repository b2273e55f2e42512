#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The layers (docs/architecture.md): only the D-Bus layer (daemon/dbus/) and
# main.c, which wires the layers, may include a header of the D-Bus layer or
# the generated one, or touch a method invocation, an interface skeleton or
# a generated type. Fails listing each offending line of daemon/.
set -u
srcdir=${G_TEST_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
daemon="$srcdir/daemon"
[ -d "$daemon/dbus" ] || { echo "no daemon/dbus under $srcdir"; exit 99; }

# Every header of the D-Bus layer, and the one gdbus-codegen makes.
headers="lactd-dbus\\.h"
for h in "$daemon"/dbus/*.h; do
	headers="$headers|$(basename "$h" | sed 's/\./\\./g')"
done
[ "$headers" != "lactd-dbus\\.h" ] || { echo "no header found in daemon/dbus"; exit 99; }

pattern="#include \"($headers)\""
pattern="$pattern|GDBusMethodInvocation|GDBusInterfaceSkeleton|G_DBUS_INTERFACE_SKELETON"
pattern="$pattern|g_dbus_method_invocation_|g_dbus_interface_skeleton_|g_dbus_object_manager_server_"
pattern="$pattern|Lactd(Manager1|Device1|Session1|Object|ObjectSkeleton)([^A-Za-z0-9_]|\$)"
pattern="$pattern|lactd_(manager1|device1|session1|object_skeleton|object_get)_"

checked=0
offenders=$(
	find "$daemon" \( -name '*.c' -o -name '*.h' \) -not -path "$daemon/dbus/*" \
		-not -path "$daemon/main.c" | sort | while read -r f; do
		grep -nE "$pattern" "$f" | sed "s|^|${f#"$srcdir"/}:|"
	done
)
checked=$(find "$daemon" \( -name '*.c' -o -name '*.h' \) -not -path "$daemon/dbus/*" \
	-not -path "$daemon/main.c" | wc -l)
if [ "$checked" -lt 10 ]; then
	echo "only $checked source files found under $daemon: wrong tree?"
	exit 99
fi
if [ -n "$offenders" ]; then
	echo "D-Bus code below the D-Bus layer (move it to daemon/dbus/ or announce through a listener):"
	echo "$offenders"
	exit 1
fi

# The services and the store know no bus at all: no connection, no GDBus
# call, no org.bluez name. The BlueZ client (daemon/bluez/) is handed to
# the services by main.c.
services=0
for d in core store; do
	[ -d "$daemon/$d" ] || { echo "no daemon/$d under $srcdir"; exit 99; }
	services=$((services + $(find "$daemon/$d" -name '*.[ch]' | wc -l)))
done
[ "$services" -ge 10 ] || { echo "only $services files in daemon/core and daemon/store"; exit 99; }
bus_users=$(grep -rnE 'GDBus|G_DBUS_|g_dbus_|g_bus_|org\.bluez' "$daemon/core" "$daemon/store" |
	sed "s|^$srcdir/||")
if [ -n "$bus_users" ]; then
	echo "the bus below the D-Bus layer (hand the service a client, as main.c does with BlueZ):"
	echo "$bus_users"
	exit 1
fi
echo "ok: $checked files below the D-Bus layer, none touches D-Bus skeletons, invocations or generated code"
echo "ok: $services files of services and store, none holds or names a bus"
