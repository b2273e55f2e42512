/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every emulator the tree builds: one line each. */
#include "config.h"

#include "lactd-emu.h"

extern const LactdEmuClass lactd_emu_opp;
extern const LactdEmuClass lactd_emu_wss;
extern const LactdEmuClass lactd_emu_esn00;
extern const LactdEmuClass lactd_emu_acaia;
extern const LactdEmuClass lactd_emu_decent;
extern const LactdEmuClass lactd_emu_bookoo;
extern const LactdEmuClass lactd_emu_varia;
extern const LactdEmuClass lactd_emu_timemore;
extern const LactdEmuClass lactd_emu_eureka;
extern const LactdEmuClass lactd_emu_felicita;
extern const LactdEmuClass lactd_emu_timemore_basic;
extern const LactdEmuClass lactd_emu_weighmaster;
extern const LactdEmuClass lactd_emu_espressi;
extern const LactdEmuClass lactd_emu_difluid;
extern const LactdEmuClass lactd_emu_blackcoffee;
extern const LactdEmuClass lactd_emu_hiroia;
extern const LactdEmuClass lactd_emu_skale;
extern const LactdEmuClass lactd_emu_counter;
extern const LactdEmuClass lactd_emu_replay;

const LactdEmuClass *const lactd_emu_classes[] = {
	&lactd_emu_opp,
	&lactd_emu_wss,
	&lactd_emu_esn00,
	&lactd_emu_acaia,
	&lactd_emu_decent,
	&lactd_emu_bookoo,
	&lactd_emu_varia,
	&lactd_emu_timemore,
	&lactd_emu_eureka,
	&lactd_emu_felicita,
	&lactd_emu_timemore_basic,
	&lactd_emu_weighmaster,
	&lactd_emu_espressi,
	&lactd_emu_difluid,
	&lactd_emu_blackcoffee,
	&lactd_emu_hiroia,
	&lactd_emu_skale,
	&lactd_emu_counter,
	&lactd_emu_replay,
	NULL,
};
