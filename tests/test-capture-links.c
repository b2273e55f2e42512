/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The link tests of tests/test-capture.c (links lost and resumed, adapters,
 * what bluetoothd announces or not), built as a program of their own: the
 * capture tests were the longest program of the suite, and `make check -j`
 * runs two programs side by side.
 */
#define LACTD_CAPTURE_LINKS 1
#include "test-capture.c"
