/* SPDX-License-Identifier: MIT */
/* The set of UDP ports to select: one bit per port, so any number of ports
 * costs the same constant-time test. */
#ifndef MS_CAPTURE_PORTSET_H
#define MS_CAPTURE_PORTSET_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct ms_portset {
    bool all;                  /* no filter: every UDP port */
    uint64_t bits[65536 / 64];
} ms_portset;

static inline void ms_portset_clear(ms_portset *s)
{
    memset(s, 0, sizeof *s);
}

static inline void ms_portset_add(ms_portset *s, uint16_t port)
{
    s->bits[port / 64] |= (uint64_t)1 << (port % 64);
}

static inline bool ms_portset_has(const ms_portset *s, uint16_t port)
{
    return s->all || ((s->bits[port / 64] >> (port % 64)) & 1u);
}

#endif
