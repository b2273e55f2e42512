/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Open Pump Profile pump (docs/open-pump-profile.md), driven by a
 * scenario. Deterministic: the same scenario gives the same bytes.
 *
 * Scenario keys (a key file group; any other key is refused):
 *   name=             Device1.Name (read by the transport)
 *   channels=         left,right (default) | left | right
 *   max_suction=      highest suction level, 0..255 (default 9; 0: no suction
 *                     reporting, feature bit3 clear)
 *   suction=          the level it pumps at, 0..max_suction (default 5, or max)
 *   battery=          percent 0..100, or 255 for unknown (default 80)
 *   clock=            true (default) | false: whether it has a real-time clock
 *                     that Set Time sets; without one Set Time gets result 1
 *                     and records carry start 0
 *   first_session_id= id of its first live session (default: one above the
 *                     highest history id, else 1); must exceed every history id
 *   start_at=         seconds of scenario time when the first session begins
 *                     (default 1)
 *   phases=           one session: "stimulation:120;expression:1080;idle", each
 *                     NAME:SECONDS (stimulation, expression, paused); "idle"
 *                     ends the session. Default the example. At most 65535 s.
 *   left_ml=, right_ml=  final volumes of each live session, 0..1000 mL, reached
 *                     along a smooth curve during expression
 *   repeat=, gap=     sessions back to back (default 1) and seconds between
 *                     them (default 60)
 *   history=          records already stored on the pump before the scenario:
 *                     "id:start_epoch_s:duration_s:left_ml:right_ml:flags;..."
 *                     (a channel the pump lacks is sent as absent)
 *   emulator=         the class name, read by lactd_emu_new
 *
 * Behaviour: Pump Status on every state or suction change and every 10 s
 * while not idle, and on subscription during a session; Expression
 * Measurement when a side moved 0.5 mL and at most 4 times a second (the
 * pump's 250 ms tick), with a sequence number per session; at session end
 * the final measurement, the idle status, and the Session Record, stored and
 * indicated unasked. Control Point: Set Time, Request Records (count, then
 * each record with a greater id), Delete Records (up to and including the
 * id); unknown opcode result 1, bad length result 2. The pump keeps pumping
 * when the link drops and sends nothing until the central subscribes again.
 */
#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "lactd-emu.h"
#include "opp-encode.h"

#define STEP_MS 250 /* the pump's own tick: 4 measurements a second at most */

typedef struct {
	LactdPhase phase;
	guint seconds;
} Phase;

typedef struct {
	/* scenario */
	guint16 features;
	guint8 max_suction;
	guint8 suction;
	guint8 battery;
	guint32 first_id;
	gint64 start_at_ms;
	GArray *phases; /* Phase */
	guint16 final_left;  /* 0.1 mL */
	guint16 final_right;
	guint repeat;
	gint64 gap_ms;
	/* state */
	GArray *records; /* OppRecord, stored on the pump */
	gint64 done_ms;	 /* scenario time processed */
	gboolean clock_set;
	gint64 clock_base;    /* seconds at clock_set_ms */
	gint64 clock_set_ms;
	guint8 state;
	guint32 session;
	gint64 session_start_ms;
	guint16 left, right; /* now, 0.1 mL */
	guint16 sent_left, sent_right;
	gboolean sent_any;
	guint16 sequence;
	gint64 last_status_ms;
	guint sessions_done;
} Opp;

static const LactdEmuChar opp_chars[] = {
    {OPP_FEATURE, "read"},
    {OPP_STATUS, "read,notify"},
    {OPP_MEASUREMENT, "notify"},
    {OPP_RECORD, "indicate"},
    {OPP_CONTROL, "write,indicate"},
    {NULL, NULL},
};

static const LactdEmuChar battery_chars[] = {
    {LACTD_UUID16("2a19"), "read,notify"},
    {NULL, NULL},
};

static const LactdEmuService opp_services[] = {
    {OPP_SERVICE, opp_chars},
    {LACTD_UUID16("180f"), battery_chars},
    {NULL, NULL},
};

static const char *const known_keys[] = {
    "emulator", "name", "channels", "max_suction", "suction", "battery", "clock",
    "first_session_id", "start_at", "phases", "left_ml", "right_ml", "repeat", "gap",
    "history", NULL,
};

static gboolean
get_uint(GKeyFile *kf, const char *group, const char *key, guint def, guint max, guint *out,
	 GError **error)
{
	g_autoptr(GError) local = NULL;
	guint64 v;

	if (!g_key_file_has_key(kf, group, key, NULL)) {
		*out = def;
		return TRUE;
	}
	v = g_key_file_get_uint64(kf, group, key, &local);
	if (local != NULL || v > max) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] %s: expected a number up to %u", group, key, max);
		return FALSE;
	}
	*out = (guint)v;
	return TRUE;
}

static gboolean
get_ml(GKeyFile *kf, const char *group, const char *key, guint16 *out, GError **error)
{
	g_autoptr(GError) local = NULL;
	double v;

	if (!g_key_file_has_key(kf, group, key, NULL)) {
		*out = 0;
		return TRUE;
	}
	v = g_key_file_get_double(kf, group, key, &local);
	if (local != NULL || !(v >= 0 && v <= 1000)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] %s: expected mL from 0 to 1000", group, key);
		return FALSE;
	}
	*out = (guint16)lround(v * 10);
	return TRUE;
}

static gboolean
parse_number(const char *text, guint64 max, guint64 *out)
{
	return text != NULL && g_ascii_string_to_unsigned(g_strstrip((char *)text), 10, 0, max,
							  out, NULL);
}

static gboolean
parse_ml(const char *text, guint16 *out)
{
	char *end = NULL;
	double v;

	if (text == NULL || *text == '\0')
		return FALSE;
	v = g_ascii_strtod(text, &end);
	if (end == text || *end != '\0' || !(v >= 0 && v <= LACTD_MAX_SIDE_ML))
		return FALSE;
	*out = (guint16)lround(v * 10);
	return TRUE;
}

static gboolean
parse_phases(Opp *o, const char *text, const char *group, GError **error)
{
	g_auto(GStrv) parts = g_strsplit(text, ";", -1);
	guint total = 0;

	for (guint i = 0; parts[i] != NULL; i++) {
		g_auto(GStrv) kv = g_strsplit(g_strstrip(parts[i]), ":", 2);
		Phase p = {0};
		const char *names[] = {"idle", "stimulation", "expression", "paused"};
		gboolean found = FALSE;
		guint64 seconds = 0;

		if (kv[0] == NULL || kv[0][0] == '\0')
			continue;
		for (guint k = 0; k < G_N_ELEMENTS(names); k++) {
			if (g_str_equal(kv[0], names[k])) {
				p.phase = (LactdPhase)k;
				found = TRUE;
			}
		}
		if (found && p.phase == LACTD_PHASE_IDLE)
			break; /* the session ends here */
		if (!found || !parse_number(kv[1], G_MAXUINT16, &seconds)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] phases: '%s' is not NAME:SECONDS", group, parts[i]);
			return FALSE;
		}
		p.seconds = (guint)seconds;
		total += p.seconds;
		g_array_append_val(o->phases, p);
	}
	/* Elapsed time and the record's duration are u16 seconds. */
	if (total > G_MAXUINT16) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] phases: a session lasts at most 65535 s", group);
		return FALSE;
	}
	return TRUE;
}

static gboolean
parse_history(Opp *o, const char *text, const char *group, GError **error)
{
	g_auto(GStrv) parts = g_strsplit(text, ";", -1);

	for (guint i = 0; parts[i] != NULL; i++) {
		g_auto(GStrv) f = g_strsplit(g_strstrip(parts[i]), ":", -1);
		guint64 id, start, duration, flags;
		OppRecord r = {0};

		if (f[0] == NULL || f[0][0] == '\0')
			continue;
		if (g_strv_length(f) != 6 || !parse_number(f[0], G_MAXUINT32, &id) || id == 0 ||
		    !parse_number(f[1], G_MAXUINT32, &start) ||
		    !parse_number(f[2], OPP_MAX_DURATION_S, &duration) ||
		    !parse_ml(f[3], &r.left) || !parse_ml(f[4], &r.right) ||
		    !parse_number(f[5], 7, &flags)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] history: '%s' is not id:start:duration:left_ml:right_ml:flags",
				    group, parts[i]);
			return FALSE;
		}
		/* The pump keeps its records in id order and never reuses one. */
		if (o->records->len > 0 &&
		    id <= g_array_index(o->records, OppRecord, o->records->len - 1).id) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] history: ids must increase", group);
			return FALSE;
		}
		r.id = (guint32)id;
		r.start = (guint32)start;
		r.duration = (guint16)duration;
		r.flags = (guint8)flags;
		if (!(o->features & OPP_FEAT_LEFT))
			r.left = OPP_NO_CHANNEL;
		if (!(o->features & OPP_FEAT_RIGHT))
			r.right = OPP_NO_CHANNEL;
		g_array_append_val(o->records, r);
	}
	return TRUE;
}

static gboolean
opp_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Opp *o = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *channels = g_key_file_get_string(kf, group, "channels", NULL);
	g_autofree char *phases = g_key_file_get_string(kf, group, "phases", NULL);
	g_autofree char *history = g_key_file_get_string(kf, group, "history", NULL);
	guint v, start_at, gap, repeat, highest;

	o->phases = g_array_new(FALSE, FALSE, sizeof(Phase));
	o->records = g_array_new(FALSE, FALSE, sizeof(OppRecord));
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the opp emulator", group, keys[i]);
			return FALSE;
		}
	}
	o->features = OPP_FEAT_VOLUME | OPP_FEAT_RECORDS;
	if (channels == NULL || g_str_equal(channels, "left,right"))
		o->features |= OPP_FEAT_LEFT | OPP_FEAT_RIGHT;
	else if (g_str_equal(channels, "left"))
		o->features |= OPP_FEAT_LEFT;
	else if (g_str_equal(channels, "right"))
		o->features |= OPP_FEAT_RIGHT;
	else {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] channels: left,right, left or right", group);
		return FALSE;
	}
	if (g_key_file_has_key(kf, group, "clock", NULL)) {
		g_autoptr(GError) local = NULL;
		gboolean clock = g_key_file_get_boolean(kf, group, "clock", &local);

		if (local != NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] clock: true or false", group);
			return FALSE;
		}
		if (clock)
			o->features |= OPP_FEAT_CLOCK;
	} else {
		o->features |= OPP_FEAT_CLOCK;
	}
	if (!get_uint(kf, group, "max_suction", 9, 255, &v, error))
		return FALSE;
	o->max_suction = (guint8)v;
	/* The profile: the highest level is 0 when bit3 is clear. */
	if (o->max_suction > 0)
		o->features |= OPP_FEAT_SUCTION;
	if (!get_uint(kf, group, "suction", MIN(5, o->max_suction), o->max_suction, &v, error))
		return FALSE;
	o->suction = (guint8)v;
	if (!get_uint(kf, group, "battery", 80, 255, &v, error))
		return FALSE;
	if (v > 100 && v != 255) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] battery: percent 0 to 100, or 255 for unknown", group);
		return FALSE;
	}
	o->battery = (guint8)v;
	if (!get_uint(kf, group, "start_at", 1, 86400, &start_at, error) ||
	    !get_uint(kf, group, "gap", 60, 86400, &gap, error) ||
	    !get_uint(kf, group, "repeat", 1, 1000, &repeat, error))
		return FALSE;
	if (repeat == 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] repeat: at least one session", group);
		return FALSE;
	}
	o->start_at_ms = (gint64)start_at * 1000;
	o->gap_ms = (gint64)gap * 1000;
	o->repeat = repeat;
	if (!get_ml(kf, group, "left_ml", &o->final_left, error) ||
	    !get_ml(kf, group, "right_ml", &o->final_right, error))
		return FALSE;
	if (!(o->features & OPP_FEAT_LEFT))
		o->final_left = 0;
	if (!(o->features & OPP_FEAT_RIGHT))
		o->final_right = 0;
	if (!parse_phases(o, phases != NULL ? phases : "stimulation:120;expression:1080;idle",
			  group, error))
		return FALSE;
	if (history != NULL && !parse_history(o, history, group, error))
		return FALSE;
	/* Session ids only grow: the live ones follow the stored ones. */
	highest = o->records->len > 0
		      ? g_array_index(o->records, OppRecord, o->records->len - 1).id
		      : 0;
	if (!get_uint(kf, group, "first_session_id", highest + 1, G_MAXUINT32, &v, error))
		return FALSE;
	if (v <= highest || (guint64)v + o->repeat - 1 > G_MAXUINT32) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] first_session_id: must be above every history id (%u) and leave room "
			    "for every session",
			    group, highest);
		return FALSE;
	}
	o->first_id = v;
	o->session = 0;
	o->state = LACTD_PHASE_IDLE;
	return TRUE;
}

static void
opp_finalize(LactdEmu *emu)
{
	Opp *o = emu->priv;

	if (o->phases != NULL)
		g_array_unref(o->phases);
	if (o->records != NULL)
		g_array_unref(o->records);
}

static guint
session_seconds(Opp *o)
{
	guint total = 0;

	for (guint i = 0; i < o->phases->len; i++)
		total += g_array_index(o->phases, Phase, i).seconds;
	return total;
}

static guint16
channel_value(Opp *o, gboolean left, guint16 v)
{
	return (o->features & (left ? OPP_FEAT_LEFT : OPP_FEAT_RIGHT)) ? v : OPP_NO_CHANNEL;
}

static void
send_status(LactdEmu *emu, Opp *o, gint64 t)
{
	guint8 buf[OPP_STATUS_LEN];
	guint16 elapsed = o->session ? (guint16)((t - o->session_start_ms) / 1000) : 0;

	opp_encode_status(buf, o->state, o->state == LACTD_PHASE_IDLE ? 0 : o->session, elapsed,
			  o->state == LACTD_PHASE_IDLE ? 0 : o->suction, o->battery);
	lactd_emu_send(emu, OPP_STATUS, buf, sizeof(buf));
	o->last_status_ms = t;
}

static void
send_measurement(LactdEmu *emu, Opp *o, gint64 t)
{
	guint8 buf[OPP_MEASUREMENT_LEN];

	if (!lactd_emu_is_subscribed(emu, OPP_MEASUREMENT))
		return;
	opp_encode_measurement(buf, o->session, o->sequence++,
			       (guint16)((t - o->session_start_ms) / 1000),
			       channel_value(o, TRUE, o->left), channel_value(o, FALSE, o->right));
	lactd_emu_send(emu, OPP_MEASUREMENT, buf, sizeof(buf));
	o->sent_left = o->left;
	o->sent_right = o->right;
	o->sent_any = TRUE;
}

static void
indicate_record(LactdEmu *emu, const OppRecord *r)
{
	guint8 buf[OPP_RECORD_LEN];

	opp_encode_record(buf, r);
	lactd_emu_send(emu, OPP_RECORD, buf, sizeof(buf));
}

static guint32
pump_clock(Opp *o, gint64 t)
{
	if (!o->clock_set)
		return 0;
	return (guint32)(o->clock_base + (t - o->clock_set_ms) / 1000);
}

/* Where the scenario is at time t: phase, and the volumes so far. */
static void
evaluate(Opp *o, gint64 t, guint *session_index, LactdPhase *phase, gint64 *start_ms,
	 double *progress)
{
	gint64 len_ms = (gint64)session_seconds(o) * 1000;
	gint64 rel = t - o->start_at_ms;
	gint64 at = 0, expression_ms = 0, expressed_ms = 0;
	guint k;

	*phase = LACTD_PHASE_IDLE;
	*progress = 0;
	if (rel < 0 || len_ms == 0)
		return;
	k = (guint)(rel / (len_ms + o->gap_ms));
	if (k >= o->repeat)
		return;
	*session_index = k;
	*start_ms = o->start_at_ms + (gint64)k * (len_ms + o->gap_ms);
	rel -= (gint64)k * (len_ms + o->gap_ms);
	if (rel >= len_ms)
		return;
	for (guint i = 0; i < o->phases->len; i++) {
		const Phase *p = &g_array_index(o->phases, Phase, i);

		if (p->phase == LACTD_PHASE_EXPRESSION)
			expression_ms += (gint64)p->seconds * 1000;
	}
	/* Volumes follow the expression time so far over all of the session's
	 * expression phases, so that a pause never takes milk back. */
	for (guint i = 0; i < o->phases->len; i++) {
		const Phase *p = &g_array_index(o->phases, Phase, i);
		gint64 end = at + (gint64)p->seconds * 1000;

		if (rel < end) {
			*phase = p->phase;
			if (p->phase == LACTD_PHASE_EXPRESSION)
				*progress = (double)(expressed_ms + rel - at) / (double)expression_ms;
			else
				*progress = -1; /* volumes stay where they are */
			return;
		}
		if (p->phase == LACTD_PHASE_EXPRESSION)
			expressed_ms += end - at;
		at = end;
	}
}

static void
end_session(LactdEmu *emu, Opp *o, gint64 t)
{
	OppRecord r = {
	    .id = o->session,
	    .start = o->clock_set ? pump_clock(o, o->session_start_ms) : 0,
	    .duration = (guint16)((t - o->session_start_ms) / 1000),
	    .left = channel_value(o, TRUE, o->left),
	    .right = channel_value(o, FALSE, o->right),
	    .flags = 0x01,
	};

	/* The final values go out before the session ends. */
	if (!o->sent_any || o->left != o->sent_left || o->right != o->sent_right)
		send_measurement(emu, o, t);
	g_array_append_val(o->records, r);
	o->state = LACTD_PHASE_IDLE;
	send_status(emu, o, t);
	indicate_record(emu, &r);
	o->session = 0;
	o->sessions_done++;
}

static void
step(LactdEmu *emu, Opp *o, gint64 t)
{
	guint k = 0;
	LactdPhase phase;
	gint64 start_ms = 0;
	double progress;

	evaluate(o, t, &k, &phase, &start_ms, &progress);
	if (o->state != LACTD_PHASE_IDLE && phase == LACTD_PHASE_IDLE) {
		/* Expression is over: the volumes reach their final values. */
		o->left = o->final_left;
		o->right = o->final_right;
		end_session(emu, o, t);
		return;
	}
	if (phase == LACTD_PHASE_IDLE)
		return;
	if (o->state == LACTD_PHASE_IDLE) {
		o->session = o->first_id + k;
		o->session_start_ms = start_ms;
		o->left = o->right = 0;
		o->sent_left = o->sent_right = 0;
		o->sent_any = FALSE;
		o->sequence = 0;
	}
	if (progress >= 0) {
		/* A curve that rises fast, then levels off, as a let-down does. */
		double f = 1 - (1 - progress) * (1 - progress);
		o->left = (guint16)lround(o->final_left * f);
		o->right = (guint16)lround(o->final_right * f);
	}
	if ((guint8)phase != o->state || t - o->last_status_ms >= 10000) {
		o->state = (guint8)phase;
		send_status(emu, o, t);
	}
	if (o->left >= o->sent_left + 5 || o->right >= o->sent_right + 5 ||
	    (!o->sent_any && (o->left > 0 || o->right > 0)))
		send_measurement(emu, o, t);
}

static void
opp_advance(LactdEmu *emu)
{
	Opp *o = emu->priv;

	while (o->done_ms + STEP_MS <= emu->sim_ms) {
		o->done_ms += STEP_MS;
		step(emu, o, o->done_ms);
	}
}

static GBytes *
opp_read(LactdEmu *emu, const char *uuid, GError **error)
{
	Opp *o = emu->priv;

	if (g_str_equal(uuid, OPP_FEATURE)) {
		guint8 buf[OPP_FEATURE_LEN];
		opp_encode_feature(buf, o->features, o->max_suction);
		return g_bytes_new(buf, sizeof(buf));
	}
	if (g_str_equal(uuid, OPP_STATUS)) {
		guint8 buf[OPP_STATUS_LEN];
		opp_encode_status(buf, o->state, o->state ? o->session : 0,
				  o->session ? (guint16)((o->done_ms - o->session_start_ms) / 1000) : 0,
				  o->state ? o->suction : 0, o->battery);
		return g_bytes_new(buf, sizeof(buf));
	}
	if (g_str_equal(uuid, LACTD_UUID16("2a19"))) {
		guint8 b = o->battery == 255 ? 0 : o->battery;
		return g_bytes_new(&b, 1);
	}
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not readable", uuid);
	return NULL;
}

static void
respond(LactdEmu *emu, guint8 request, guint8 result, guint16 count)
{
	guint8 buf[5];
	gsize n = opp_encode_response(buf, request, result, count);

	lactd_emu_send(emu, OPP_CONTROL, buf, n);
}

static gboolean
opp_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Opp *o = emu->priv;
	guint8 opcode, result;
	guint32 value;

	if (!g_str_equal(uuid, OPP_CONTROL)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not writable", uuid);
		return FALSE;
	}
	result = opp_decode_request(data, len, &opcode, &value);
	if (result != OPP_RESULT_SUCCESS) {
		respond(emu, opcode, result, 0);
		return TRUE;
	}
	switch (opcode) {
	case OPP_OP_SET_TIME:
		if (!(o->features & OPP_FEAT_CLOCK)) {
			respond(emu, opcode, OPP_RESULT_NOT_SUPPORTED, 0);
			break;
		}
		o->clock_set = TRUE;
		o->clock_base = value;
		o->clock_set_ms = o->done_ms;
		respond(emu, opcode, OPP_RESULT_SUCCESS, 0);
		break;
	case OPP_OP_REQUEST_RECORDS: {
		guint count = 0, sent = 0;

		for (guint i = 0; i < o->records->len; i++)
			count += g_array_index(o->records, OppRecord, i).id > value;
		/* The count is a u16: send that many, the rest next time. */
		count = MIN(count, G_MAXUINT16);
		respond(emu, opcode, OPP_RESULT_SUCCESS, (guint16)count);
		for (guint i = 0; i < o->records->len && sent < count; i++) {
			const OppRecord *r = &g_array_index(o->records, OppRecord, i);

			if (r->id > value) {
				indicate_record(emu, r);
				sent++;
			}
		}
		break;
	}
	case OPP_OP_DELETE_RECORDS:
		for (guint i = o->records->len; i > 0; i--) {
			if (g_array_index(o->records, OppRecord, i - 1).id <= value)
				g_array_remove_index(o->records, i - 1);
		}
		respond(emu, opcode, OPP_RESULT_SUCCESS, 0);
		break;
	default:
		g_assert_not_reached();
	}
	return TRUE;
}

/* A central that subscribes during a session learns where it stands at
 * once, instead of after up to 10 s of silence. */
static void
opp_subscribed(LactdEmu *emu, const char *uuid, gboolean on)
{
	Opp *o = emu->priv;

	if (!on || o->state == LACTD_PHASE_IDLE)
		return;
	if (g_str_equal(uuid, OPP_STATUS))
		send_status(emu, o, o->done_ms);
	else if (g_str_equal(uuid, OPP_MEASUREMENT) &&
		 (o->left != o->sent_left || o->right != o->sent_right))
		send_measurement(emu, o, o->done_ms);
}

static gboolean
opp_finished(LactdEmu *emu)
{
	Opp *o = emu->priv;

	return o->sessions_done >= o->repeat && o->state == LACTD_PHASE_IDLE;
}

const LactdEmuClass lactd_emu_opp = {
    .name = "opp",
    .default_name = "Open Pump",
    .services = opp_services,
    .priv_size = sizeof(Opp),
    .init = opp_init,
    .advance = opp_advance,
    .read = opp_read,
    .write = opp_write,
    .subscribed = opp_subscribed,
    .finished = opp_finished,
    .finalize = opp_finalize,
};
