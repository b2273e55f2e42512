/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whether this build runs under AddressSanitizer. Its quarantine keeps
 * freed memory for a while (up to 256 MiB), so a daemon's RSS then says
 * nothing about growth: the fault tests print it but do not judge it.
 */
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define LACTD_FAULTS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LACTD_FAULTS_ASAN 1
#endif
#endif
#ifndef LACTD_FAULTS_ASAN
#define LACTD_FAULTS_ASAN 0
#endif
