/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Matching a device to a plugin (lactd-plugin-match.h). Match data is
 * declarative (ModemManager's MM_PLUGIN_ALLOWED_*, BlueZ's
 * btd_profile.remote_uuid); the order of specificity is ours.
 */
#include "config.h"

#include "lactd-plugin-match.h"

typedef struct {
	const LactdPluginDesc *desc;
	LactdPluginMatch how;
	const char *pattern; /* the name pattern that matched, or NULL */
	guint n_required;
} Candidate;

static gboolean
strv_has_uuid(const char *const *strv, const char *uuid)
{
	for (guint i = 0; strv != NULL && strv[i] != NULL; i++) {
		if (g_ascii_strcasecmp(strv[i], uuid) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
adv_matches(const LactdAdvMatch *m, const LactdPluginMatchInput *in)
{
	for (; m->manufacturer_id != 0 || m->service_data_uuid != NULL; m++) {
		gboolean ok = TRUE;

		if (m->manufacturer_id != 0) {
			gboolean found = FALSE;
			for (gsize i = 0; i < in->n_manufacturer_ids && in->manufacturer_ids != NULL;
			     i++)
				found = found || in->manufacturer_ids[i] == m->manufacturer_id;
			ok = found;
		}
		if (ok && m->service_data_uuid != NULL)
			ok = strv_has_uuid(in->service_data_uuids, m->service_data_uuid);
		if (ok)
			return TRUE;
	}
	return FALSE;
}

gboolean
lactd_plugin_match_name(const LactdPluginDesc *desc, const char *name, const char **pattern)
{
	if (pattern != NULL)
		*pattern = NULL;
	if (desc->abi_version < 2 || desc->name_patterns == NULL)
		return TRUE;
	if (name == NULL || name[0] == '\0')
		return FALSE;
	for (guint i = 0; desc->name_patterns[i] != NULL; i++) {
		if (g_pattern_match_simple(desc->name_patterns[i], name)) {
			if (pattern != NULL)
				*pattern = desc->name_patterns[i];
			return TRUE;
		}
	}
	return FALSE;
}

static guint
count_required(const LactdPluginDesc *d)
{
	guint n = 0;

	while (d->required_chars != NULL && d->required_chars[n] != NULL)
		n++;
	return n;
}

static const char *
missing_char(const LactdPluginDesc *d, const char *const *char_uuids)
{
	for (guint i = 0; d->required_chars != NULL && d->required_chars[i] != NULL; i++) {
		if (!strv_has_uuid(char_uuids, d->required_chars[i]))
			return d->required_chars[i];
	}
	return NULL;
}

/* Negative when a is the more specific match. */
static gint
compare(const Candidate *a, const Candidate *b)
{
	if ((a->pattern != NULL) != (b->pattern != NULL))
		return a->pattern != NULL ? -1 : 1;
	if (a->n_required != b->n_required)
		return a->n_required > b->n_required ? -1 : 1;
	if (a->how != b->how)
		return a->how == LACTD_PLUGIN_MATCH_SERVICE ? -1 : 1;
	if (a->desc->priority != b->desc->priority)
		return a->desc->priority > b->desc->priority ? -1 : 1;
	return g_strcmp0(a->desc->name, b->desc->name);
}

static void
describe(GString *s, const Candidate *c)
{
	if (c->pattern != NULL)
		g_string_append_printf(s, "name pattern \"%s\"", c->pattern);
	else if (c->n_required > 0)
		g_string_append_printf(s, "%u required characteristic(s)", c->n_required);
	else if (c->how == LACTD_PLUGIN_MATCH_SERVICE)
		g_string_append(s, "service UUID only");
	else
		g_string_append(s, "advertisement only");
	g_string_append_printf(s, ", priority %d", c->desc->priority);
}

const LactdPluginDesc *
lactd_plugin_match_select(const LactdPluginDesc *const *descs, const LactdPluginMatchInput *in,
			  LactdPluginMatch *how, char **why)
{
	g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(Candidate));
	g_autofree char *refused = NULL;
	const Candidate *best = NULL;

	for (guint i = 0; descs != NULL && descs[i] != NULL; i++) {
		const LactdPluginDesc *d = descs[i];
		Candidate c = {.desc = d};
		const char *missing;

		for (guint j = 0; d->service_uuids != NULL && d->service_uuids[j] != NULL; j++) {
			if (strv_has_uuid(in->service_uuids, d->service_uuids[j])) {
				c.how = LACTD_PLUGIN_MATCH_SERVICE;
				break;
			}
		}
		if (c.how == LACTD_PLUGIN_MATCH_NONE && d->adv_matches != NULL &&
		    adv_matches(d->adv_matches, in))
			c.how = LACTD_PLUGIN_MATCH_ADVERTISEMENT;
		if (c.how == LACTD_PLUGIN_MATCH_NONE)
			continue;
		if (!lactd_plugin_match_name(d, in->name, &c.pattern))
			continue;
		if (d->abi_version >= 2) {
			c.n_required = count_required(d);
			/* Before attach, so a plugin never writes to a device
			 * that is not its protocol's. */
			if (in->char_uuids != NULL &&
			    (missing = missing_char(d, in->char_uuids)) != NULL) {
				if (refused == NULL)
					refused = g_strdup_printf(
					    "plugin %s needs characteristic %s, which the device "
					    "lacks",
					    d->name, missing);
				continue;
			}
		}
		g_array_append_val(found, c);
	}
	for (guint i = 0; i < found->len; i++) {
		const Candidate *c = &g_array_index(found, Candidate, i);
		if (best == NULL || compare(c, best) < 0)
			best = c;
	}
	if (how != NULL)
		*how = best != NULL ? best->how : LACTD_PLUGIN_MATCH_NONE;
	if (why != NULL) {
		if (best == NULL) {
			*why = g_steal_pointer(&refused);
		} else {
			GString *s = g_string_new(NULL);

			describe(s, best);
			for (guint i = 0; i < found->len; i++) {
				const Candidate *c = &g_array_index(found, Candidate, i);
				if (c == best)
					continue;
				g_string_append_printf(s, "; preferred to %s (", c->desc->name);
				describe(s, c);
				g_string_append_c(s, ')');
			}
			if (refused != NULL)
				g_string_append_printf(s, "; %s", refused);
			*why = g_string_free(s, FALSE);
		}
	}
	return best != NULL ? best->desc : NULL;
}
