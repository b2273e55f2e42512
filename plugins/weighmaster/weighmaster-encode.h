/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WeighMaster ECS-02 / MantaBrew, the scale's side: the frames it notifies. */
#pragma once

#include <glib.h>

#include "weighmaster-parse.h"

G_BEGIN_DECLS

/* A weight frame; FALSE if the weight does not fit 24 bits of 0.1 g. */
gboolean weighmaster_encode_weight(guint8 buf[WEIGHMASTER_FRAME_LEN], double grams,
				   gboolean stable);

G_END_DECLS
