/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Bluetooth SIG weight scale.
 *
 * Scenario keys: name=, units= (si, the default, or imperial), timestamp=
 * (true/false), user_id= (0..255; absent: no user field), bmi_height=
 * (true/false), weighings= "at_s:grams;..." (a weighing made at that second
 * of scenario time), resend_last= (true/false: the confirmation of the last
 * measurement indicated before the link goes is lost, so the scale keeps it
 * and indicates it again). A weighing made while no host listens is kept
 * and indicated once one subscribes, as a scale's stored measurements are.
 */
#include "config.h"

#include <gio/gio.h>
#include <math.h>

#include "lactd-emu.h"
#include "wss-encode.h"

typedef struct {
	gint64 at_ms;
	double grams;
} Weighing;

typedef struct {
	guint8 flags;
	guint8 user;
	GArray *weighings; /* Weighing, by time */
	guint next;	   /* first not yet made */
	GArray *pending;   /* Weighing: made, not yet indicated */
	gboolean resend_last;
	gboolean have_last;
	Weighing last; /* the last one indicated */
} Wss;

static const LactdEmuChar wss_chars[] = {
    {WSS_MEASUREMENT, "indicate"},
    {WSS_FEATURE, "read"},
    {NULL, NULL},
};

static const LactdEmuService wss_services[] = {
    {WSS_SERVICE, wss_chars},
    {NULL, NULL},
};

static const char *const known_keys[] = {"emulator",   "name",	   "units",
					 "timestamp",  "user_id",  "bmi_height",
					 "weighings", "resend_last", NULL};

static gboolean
wss_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Wss *w = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *units = g_key_file_get_string(kf, group, "units", NULL);
	g_autofree char *list = g_key_file_get_string(kf, group, "weighings", NULL);
	g_auto(GStrv) parts = NULL;

	w->weighings = g_array_new(FALSE, FALSE, sizeof(Weighing));
	w->pending = g_array_new(FALSE, FALSE, sizeof(Weighing));
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the wss emulator", group, keys[i]);
			return FALSE;
		}
	}
	if (units != NULL && !g_str_equal(units, "si") && !g_str_equal(units, "imperial")) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] units: si or imperial", group);
		return FALSE;
	}
	if (units != NULL && g_str_equal(units, "imperial"))
		w->flags |= WSS_FLAG_IMPERIAL;
	if (g_key_file_get_boolean(kf, group, "timestamp", NULL))
		w->flags |= WSS_FLAG_TIMESTAMP;
	if (g_key_file_get_boolean(kf, group, "bmi_height", NULL))
		w->flags |= WSS_FLAG_BMI;
	w->resend_last = g_key_file_get_boolean(kf, group, "resend_last", NULL);
	if (g_key_file_has_key(kf, group, "user_id", NULL)) {
		w->flags |= WSS_FLAG_USER;
		w->user = (guint8)g_key_file_get_integer(kf, group, "user_id", NULL);
	}
	parts = g_strsplit(list != NULL ? list : "", ";", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		g_auto(GStrv) kv = g_strsplit(g_strstrip(parts[i]), ":", 2);
		Weighing x;

		if (kv[0] == NULL || kv[0][0] == '\0')
			continue;
		if (kv[1] == NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] weighings: '%s' is not SECONDS:GRAMS", group, parts[i]);
			return FALSE;
		}
		x.at_ms = (gint64)(g_ascii_strtod(kv[0], NULL) * 1000);
		x.grams = g_ascii_strtod(kv[1], NULL);
		if (!(x.grams > 0 && x.grams <= 30000)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] weighings: %s g is not a weight the scale shows", group,
				    kv[1]);
			return FALSE;
		}
		g_array_append_val(w->weighings, x);
	}
	return TRUE;
}

static void
wss_finalize(LactdEmu *emu)
{
	Wss *w = emu->priv;

	if (w->weighings != NULL)
		g_array_unref(w->weighings);
	if (w->pending != NULL)
		g_array_unref(w->pending);
}

/* A stored measurement keeps the time it was made. */
static void
indicate(LactdEmu *emu, Wss *w, const Weighing *x)
{
	WssMeasurement m = {.flags = w->flags, .user = w->user};
	guint8 buf[15];
	gsize len;

	m.weight = wss_weight_field(x->grams, (w->flags & WSS_FLAG_IMPERIAL) != 0);
	if (w->flags & WSS_FLAG_TIMESTAMP) {
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(
		    (emu->epoch_us + x->at_ms * 1000) / G_USEC_PER_SEC);
		m.year = (guint16)g_date_time_get_year(dt);
		m.month = (guint8)g_date_time_get_month(dt);
		m.day = (guint8)g_date_time_get_day_of_month(dt);
		m.hours = (guint8)g_date_time_get_hour(dt);
		m.minutes = (guint8)g_date_time_get_minute(dt);
		m.seconds = (guint8)g_date_time_get_second(dt);
	}
	if (w->flags & WSS_FLAG_BMI) {
		m.bmi = 224;	/* 22.4 kg/m2 */
		m.height = 1680; /* 1.680 m */
	}
	len = wss_encode(buf, &m);
	lactd_emu_send(emu, WSS_MEASUREMENT, buf, len);
	w->last = *x;
	w->have_last = TRUE;
}

static void
flush(LactdEmu *emu, Wss *w)
{
	if (!lactd_emu_is_subscribed(emu, WSS_MEASUREMENT))
		return;
	for (guint i = 0; i < w->pending->len; i++)
		indicate(emu, w, &g_array_index(w->pending, Weighing, i));
	g_array_set_size(w->pending, 0);
}

static void
wss_advance(LactdEmu *emu)
{
	Wss *w = emu->priv;

	while (w->next < w->weighings->len &&
	       g_array_index(w->weighings, Weighing, w->next).at_ms <= emu->sim_ms) {
		g_array_append_val(w->pending, g_array_index(w->weighings, Weighing, w->next));
		w->next++;
	}
	flush(emu, w);
}

/* The link went before the last indication was confirmed: the scale keeps
 * that measurement, to indicate it again first. */
static void
wss_link(LactdEmu *emu, gboolean up)
{
	Wss *w = emu->priv;

	if (up || !w->resend_last || !w->have_last)
		return;
	g_array_prepend_val(w->pending, w->last);
	w->have_last = FALSE;
}

static void
wss_subscribed(LactdEmu *emu, const char *uuid, gboolean on)
{
	if (on)
		flush(emu, emu->priv);
}

static GBytes *
wss_read(LactdEmu *emu, const char *uuid, GError **error)
{
	Wss *w = emu->priv;
	/* time stamp and BMI as configured, multiple users when a user id is
	 * sent, weight resolution 7 (0.005 kg), height resolution 3 (0.001 m) */
	guint32 features = ((w->flags & WSS_FLAG_TIMESTAMP) ? 1u : 0) |
			   ((w->flags & WSS_FLAG_USER) ? 2u : 0) |
			   ((w->flags & WSS_FLAG_BMI) ? 4u : 0) | 7u << 3 | 3u << 7;
	guint8 buf[4] = {features & 0xff, (features >> 8) & 0xff, 0, 0};

	if (!g_str_equal(uuid, WSS_FEATURE)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not readable", uuid);
		return NULL;
	}
	return g_bytes_new(buf, sizeof(buf));
}

static gboolean
wss_finished(LactdEmu *emu)
{
	Wss *w = emu->priv;

	return w->next >= w->weighings->len && w->pending->len == 0;
}

const LactdEmuClass lactd_emu_wss = {
    .name = "wss",
    .default_name = "Weight Scale",
    .services = wss_services,
    .priv_size = sizeof(Wss),
    .init = wss_init,
    .advance = wss_advance,
    .read = wss_read,
    .link = wss_link,
    .subscribed = wss_subscribed,
    .finished = wss_finished,
    .finalize = wss_finalize,
};
