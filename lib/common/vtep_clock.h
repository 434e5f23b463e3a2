/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch's clock: monotonic milliseconds plus a warp offset that tests (and the
 * management "time/warp" command) can move forward to exercise aging and timeouts.
 *
 * The control thread calls vtep_clock_tick() once per loop; the fast path reads the
 * cached vtep_clock_sec/vtep_clock_ms values and never makes a syscall.
 */
#ifndef VTEP_CLOCK_H
#define VTEP_CLOCK_H

#include <stdint.h>

/** Cached time, refreshed by vtep_clock_tick(). Readable from any thread. */
extern volatile uint64_t vtep_clock_ms_cached;

/** Read the clock now (monotonic + warp), in milliseconds. Control thread only. */
uint64_t vtep_clock_now_ms(void);

/** Refresh the cached value; returns the new time in milliseconds. */
uint64_t vtep_clock_tick(void);

/** Move the clock forward by @p ms milliseconds (tests, time/warp). */
void vtep_clock_warp(uint64_t ms);

/** The cached time in whole seconds (what the fast path stamps FDB entries with). */
static inline uint32_t
vtep_clock_sec(void)
{
	return (uint32_t)(vtep_clock_ms_cached / 1000);
}

#endif
