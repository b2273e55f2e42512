/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fake BlueZ's test device (test-emu.c): its GATT UUIDs. */
#pragma once

#define TEST_EMU_SERVICE "8a2f0001-6c61-6374-6400-00000000c0de"
#define TEST_EMU_COUNTER "8a2f0002-6c61-6374-6400-00000000c0de"
#define TEST_EMU_ECHO	 "8a2f0003-6c61-6374-6400-00000000c0de"
#define TEST_EMU_LABEL	 "8a2f0004-6c61-6374-6400-00000000c0de"
