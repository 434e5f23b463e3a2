/* SPDX-License-Identifier: BSD-3-Clause */
/* Monotonic clock with a warp offset for tests. */
#include <time.h>

#include "vtep_clock.h"

volatile uint64_t vtep_clock_ms_cached;
static uint64_t warp_ms;

uint64_t
vtep_clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 + warp_ms;
}

uint64_t
vtep_clock_tick(void)
{
	uint64_t now = vtep_clock_now_ms();

	vtep_clock_ms_cached = now;
	return now;
}

void
vtep_clock_warp(uint64_t ms)
{
	warp_ms += ms;
	vtep_clock_tick();
}
