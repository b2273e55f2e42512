/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Timemore Black Mirror frames, the scale's side (timemore-parse.h). */
#include "config.h"

#include <math.h>

#include "timemore-encode.h"

static void
put_le32(guint8 *p, double tenths)
{
	guint32 v = (guint32)(gint32)lround(tenths);

	p[0] = (guint8)v;
	p[1] = (guint8)(v >> 8);
	p[2] = (guint8)(v >> 16);
	p[3] = (guint8)(v >> 24);
}

void
timemore_encode_weight(guint8 buf[TIMEMORE_FRAME_LEN], double dripper_g, double scale_g)
{
	buf[0] = TIMEMORE_FRAME_WEIGHT;
	put_le32(buf + 1, dripper_g * 10.0);
	put_le32(buf + 5, scale_g * 10.0);
}
