/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Manager1's paged import (ImportCaptureBegin, Append, Commit, Abort):
 * parses the arguments, asks polkit before an import begins, calls the
 * import service (daemon/core/lactd-import.c) and builds the reply. An
 * import whose caller leaves the bus is abandoned.
 */
#pragma once

#include "lactd-api.h"
#include "lactd-import.h"

G_BEGIN_DECLS

typedef struct _LactdManagerImport LactdManagerImport;

LactdManagerImport *lactd_manager_import_new(LactdApi *api, LactdImport *import);
void lactd_manager_import_free(LactdManagerImport *mi);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdManagerImport, lactd_manager_import_free)

G_END_DECLS
