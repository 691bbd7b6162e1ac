/* SPDX-License-Identifier: MIT */
/* The RDATA of a NODE STATUS RESPONSE (RFC 1002 §4.2.18):
 *
 *   NUM_NAMES (8) | NUM_NAMES × { NAME (16 octets, not encoded), NAME_FLAGS (16) }
 *   | STATISTICS (46 octets: UNIT_ID (6) then counters)
 *
 * Pure: no allocation; decode borrows nothing but the statistics. */
#include "mailslot/nbns.h"

#include <string.h>

#include "cursor.h"

#define ENTRY_LEN 18

ms_status ms_nbns_node_status_decode(const uint8_t *rdata, size_t len, ms_nbns_node_status *out,
                                     size_t *err_off)
{
    memset(out, 0, sizeof *out);
    ms_rcur c = ms_rcur_make(rdata, len);
    if (err_off)
        *err_off = 0;
    size_t n = ms_rcur_u8(&c);
    if (c.err)
        return MS_ERR_TRUNCATED;
    for (size_t i = 0; i < n; i++) {
        size_t at = c.pos;
        const uint8_t *name = ms_rcur_take(&c, 16);
        uint16_t flags = ms_rcur_be16(&c);
        if (c.err) {
            if (err_off)
                *err_off = at;
            return MS_ERR_TRUNCATED;
        }
        memcpy(out->names[i].name, name, 16);
        out->names[i].flags = flags;
    }
    out->nnames = n;
    /* What follows is the statistics block. Senders differ in how much of
     * it they send (46 octets by the RFC); keep what came, and the unit ID
     * when there is one. */
    size_t rest = ms_rcur_left(&c);
    out->stats.p = rest ? ms_rcur_take(&c, rest) : NULL;
    out->stats.len = rest;
    if (rest >= sizeof out->unit_id) {
        memcpy(out->unit_id, out->stats.p, sizeof out->unit_id);
        out->has_unit_id = true;
    }
    if (err_off)
        *err_off = len;
    return MS_OK;
}

ms_status ms_nbns_node_status_encode(const ms_nbns_node_status *st, uint8_t *buf, size_t cap,
                                     size_t *out_len)
{
    *out_len = 0;
    if (st->nnames > MS_NBNS_STATUS_MAX_NAMES)
        return MS_ERR_INVALID_ARG;
    ms_wcur w = ms_wcur_make(buf, cap);
    ms_wcur_u8(&w, (uint8_t)st->nnames);
    for (size_t i = 0; i < st->nnames; i++) {
        ms_wcur_bytes(&w, st->names[i].name, 16);
        ms_wcur_be16(&w, st->names[i].flags);
    }
    /* Statistics: UNIT_ID, then 40 octets of counters we do not keep. */
    uint8_t stats[MS_NBNS_STATS_LEN] = { 0 };
    memcpy(stats, st->unit_id, sizeof st->unit_id);
    ms_wcur_bytes(&w, stats, sizeof stats);
    if (w.err)
        return w.err;
    *out_len = w.pos;
    return MS_OK;
}
