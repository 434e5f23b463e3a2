/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wide Internet checksum (RFC 1071) over flat buffers: the sum is kept unfolded in a 64-bit
 * accumulator so that the pieces of one packet (headers, a payload slice spread over
 * several buffers) are summed separately and combined with a single fold at the end.
 *
 * The value is the one's complement sum of 16-bit words as they lie in memory, exactly
 * what rte_raw_cksum() returns after folding; a buffer of odd length ends with its last
 * byte in the word's first position (padded with a zero). A piece that starts at an odd
 * offset of the checksummed range must be byte-swapped before it is added: see
 * vtep_cksum_shift().
 */
#ifndef VTEP_CKSUM_H
#define VTEP_CKSUM_H

#include <stdint.h>

#include <rte_byteorder.h>

/** Add the 16-bit word sum of @p len bytes at @p buf to @p sum (unfolded). */
uint64_t vtep_cksum_add(const void *buf, uint32_t len, uint64_t sum);

/** Fold an unfolded sum to 16 bits (not inverted). */
static inline uint16_t
vtep_cksum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/** The sum of a piece that starts at an odd offset, as seen from the range's start. */
static inline uint64_t
vtep_cksum_shift(uint64_t sum)
{
	return rte_bswap16(vtep_cksum_fold(sum));
}

#endif
