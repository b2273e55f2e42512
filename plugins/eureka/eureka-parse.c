/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Eureka Precisa frames (the protocol and its sources: eureka-parse.h). */
#include "config.h"

#include <string.h>

#include "eureka-parse.h"

gboolean
eureka_decode(const guint8 *data, gsize len, EurekaStatus *st, const char **reason)
{
	guint16 raw;

	if (len < EUREKA_FRAME_MIN || len > EUREKA_FRAME_LEN) {
		*reason = "eureka: frame is not 9 to 11 bytes";
		return FALSE;
	}
	if (data[0] != EUREKA_HEADER || data[1] != EUREKA_STATUS_LEN || data[2] != EUREKA_STATUS) {
		*reason = "eureka: not a status frame";
		return FALSE;
	}
	if (data[3] > 1 || data[6] > 1) {
		*reason = "eureka: flag byte neither 0 nor 1";
		return FALSE;
	}
	raw = (guint16)(data[7] | data[8] << 8);
	st->timer_running = data[3] == 1;
	st->timer = (guint16)(data[4] | data[5] << 8);
	st->value = (data[6] == 1 ? -1.0 : 1.0) * raw / 10.0;
	return TRUE;
}

int
eureka_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	     LactdReading *out, gsize max_out, const char **reason)
{
	EurekaStatus st;

	if (g_strcmp0(char_uuid, EUREKA_NOTIFY) != 0) {
		*reason = "eureka: not the status characteristic";
		return -1;
	}
	if (!eureka_decode(data, len, &st, reason))
		return -1;
	if (max_out < 1)
		return 0;
	memset(&out[0], 0, sizeof(out[0]));
	out[0].type = LACTD_READING_WEIGHT;
	out[0].weight.grams = st.value;
	out[0].weight.stable = FALSE;
	return 1;
}

void
eureka_build_unit(guint8 cmd[4], guint8 unit)
{
	cmd[0] = EUREKA_HEADER;
	cmd[1] = 0x03;
	cmd[2] = EUREKA_CMD_UNIT;
	cmd[3] = unit;
}
