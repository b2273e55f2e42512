/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Timemore Black Mirror frames (the protocol and its sources: timemore-parse.h). */
#include "config.h"

#include <string.h>

#include "timemore-parse.h"

static gint32
le32(const guint8 *p)
{
	return (gint32)((guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 |
			(guint32)p[3] << 24);
}

gboolean
timemore_decode(const guint8 *data, gsize len, TimemoreFrame *f, const char **reason)
{
	if (len != TIMEMORE_FRAME_LEN) {
		*reason = "timemore: frame is not 9 bytes";
		return FALSE;
	}
	if (data[0] != TIMEMORE_FRAME_WEIGHT) {
		*reason = "timemore: not a weight frame";
		return FALSE;
	}
	f->dripper_g = le32(data + 1) / 10.0;
	f->scale_g = le32(data + 5) / 10.0;
	if (f->scale_g > LACTD_MAX_WEIGHT_G || f->scale_g < -LACTD_MAX_WEIGHT_G ||
	    f->dripper_g > LACTD_MAX_WEIGHT_G || f->dripper_g < -LACTD_MAX_WEIGHT_G) {
		*reason = "timemore: weight over 30 kg";
		return FALSE;
	}
	return TRUE;
}

int
timemore_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	       LactdReading *out, gsize max_out, const char **reason)
{
	TimemoreFrame f;

	if (g_strcmp0(char_uuid, TIMEMORE_WEIGHT) != 0) {
		*reason = "timemore: not the weight characteristic";
		return -1;
	}
	if (!timemore_decode(data, len, &f, reason))
		return -1;
	if (max_out < 1)
		return 0;
	memset(&out[0], 0, sizeof(out[0]));
	out[0].type = LACTD_READING_WEIGHT;
	out[0].weight.grams = f.scale_g;
	out[0].weight.stable = FALSE;
	return 1;
}
