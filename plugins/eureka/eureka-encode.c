/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Eureka Precisa frames, the scale's side (eureka-parse.h). */
#include "config.h"

#include <math.h>

#include "eureka-encode.h"

gboolean
eureka_encode_status(guint8 buf[EUREKA_FRAME_LEN], double value, gboolean timer_running,
		     guint16 timer)
{
	double r = round(fabs(value) * 10.0);
	guint16 raw;

	if (!isfinite(r) || r > G_MAXUINT16)
		return FALSE;
	raw = (guint16)r;
	buf[0] = EUREKA_HEADER;
	buf[1] = EUREKA_STATUS_LEN;
	buf[2] = EUREKA_STATUS;
	buf[3] = timer_running ? 1 : 0;
	buf[4] = (guint8)timer;
	buf[5] = (guint8)(timer >> 8);
	buf[6] = value < 0 && raw != 0 ? 1 : 0;
	buf[7] = (guint8)raw;
	buf[8] = (guint8)(raw >> 8);
	/* Undescribed in the sources; zero here. */
	buf[9] = 0;
	buf[10] = 0;
	return TRUE;
}
