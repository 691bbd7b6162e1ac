/* SPDX-License-Identifier: MIT */
/* One mailslot datagram, all layers: NBDS header + SMB transaction + the
 * well-known payloads (browser, NETLOGON). PROTOCOL.md §2-§7. */
#ifndef MAILSLOT_MESSAGE_H
#define MAILSLOT_MESSAGE_H

#include "mailslot/browser.h"
#include "mailslot/netbios.h"
#include "mailslot/netlogon.h"
#include "mailslot/smb.h"
#include "mailslot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ms_payload_kind {
    MS_PAYLOAD_NONE,     /* other mailslot, or no data located */
    MS_PAYLOAD_BROWSER,  /* \MAILSLOT\BROWSE */
    MS_PAYLOAD_LANMAN,   /* \MAILSLOT\LANMAN (browser codec, LANMAN rules) */
    MS_PAYLOAD_NETLOGON  /* \MAILSLOT\NET\..., \MAILSLOT\TEMP\NETLOGON, \MAILSLOT\MSSP */
} ms_payload_kind;

/* The layer a decode stopped in. */
typedef enum ms_layer {
    MS_LAYER_NONE = 0,   /* every layer decoded */
    MS_LAYER_NBDGM,      /* the NetBIOS datagram header or names */
    MS_LAYER_SMB,        /* the SMB header or transaction */
    MS_LAYER_BROWSER,    /* the browser payload */
    MS_LAYER_NETLOGON    /* the NETLOGON payload */
} ms_layer;

/* "nbdgm", "smb", "browser", "netlogon" (the JSON objects of those
 * layers); NULL for MS_LAYER_NONE and outside the enum. */
MS_EXTERN const char *ms_layer_name(ms_layer l);

typedef struct ms_message {
    ms_dgram dgram;
    bool has_smb;           /* smb + trans hold a decoded transaction */
    ms_status smb_status;   /* when !has_smb: why USER_DATA is not one
                             * (not SMB, another command, few words) */
    ms_smb_header smb;
    ms_trans trans;
    ms_payload_kind kind;
    bool payload_ok;        /* browser/netlogon decoded */
    ms_status status;       /* first failure, MS_OK when every layer decoded */
    size_t err_off;         /* UDP payload offset of that failure */
    ms_layer err_layer;     /* where that failure is (MS_LAYER_NONE: none) */
    /* The payload, by kind (last: a copy of a message of another kind
     * leaves them out). */
    ms_browser browser;     /* kind BROWSER or LANMAN */
    ms_netlogon netlogon;   /* kind NETLOGON */
} ms_message;

/* True when the datagram carries only part of its USER_DATA: an NBDS
 * fragment with more to follow, or a later fragment (PACKET_OFFSET > 0).
 * Its octets are decoded with the other fragments, not on their own. */
static inline bool ms_dgram_is_partial(const ms_dgram *d)
{
    return ms_dgram_has_data(d->type) &&
           ((d->flags & MS_NBDS_FLAG_MORE) || d->packet_offset != 0);
}

#define MS_MAILSLOT_NAME_MAX 255 /* \MAILSLOT\... octets */

/* "\MAILSLOT\x", "\\.\mailslot\x" or "mailslot\x" (any case; '/' taken as
 * '\') -> "\MAILSLOT\x": prefix upper-cased, the rest as given (Windows
 * writes it that way). MS_ERR_INVALID_ARG for another prefix or an empty
 * tail; MS_ERR_NO_SPACE when out cannot hold it. */
MS_EXTERN ms_status ms_mailslot_name_normalize(const char *in, char *out, size_t cap);

/* True when name is written in the local form \\.\mailslot\... ('/' as
 * '\'). */
MS_EXTERN bool ms_mailslot_name_is_local(const char *name);

/* Decode one UDP payload. Always fills what it can; status says where it
 * stopped. Borrowed ranges point into buf. */
MS_EXTERN ms_status ms_message_decode(const uint8_t *buf, size_t len, ms_message *m);

/* m was decoded from from[0..len) and those octets now also sit at
 * to[0..len) (copied by the caller): make every borrowed range of every
 * layer point into `to`, so m stays valid when `from` goes away. Ranges
 * outside `from` are left alone; the payload structure of another kind
 * than m->kind is not looked at. */
MS_EXTERN void ms_message_move(ms_message *m, const uint8_t *from, size_t len,
                               const uint8_t *to);
/* *dst = *src, then ms_message_move(dst, from, len, to), copying only what
 * src's kind uses (the payload structure of another kind is left as it
 * was in dst): what a receiver does to keep a decode beside its own copy
 * of the octets, at a fraction of a new decode's cost. */
MS_EXTERN void ms_message_copy(ms_message *dst, const ms_message *src, const uint8_t *from,
                               size_t len, const uint8_t *to);

/* Which payload codec a mailslot name selects (case-insensitive). */
MS_EXTERN ms_payload_kind ms_mailslot_kind(const uint8_t *name, size_t len);

/* Encode a message whose dgram fields are set and, for 0x10..0x12, whose
 * user data is the transaction (has_smb) or dgram.user_data (!has_smb). */
MS_EXTERN ms_status ms_message_encode(const ms_message *m, uint8_t *buf, size_t cap,
                                      size_t *out_len);

/* Describe every layer through the visitor as nested objects "nbdgm",
 * "smb", "trans", "mailslot", and "browser" or "netlogon" — the objects of
 * `mailslot decode --json`. */
MS_EXTERN void ms_message_fields(const ms_message *m, ms_field_fn fn, void *ctx);

/* Offset of the SMB header (USER_DATA) in the UDP payload. */
static inline size_t ms_message_smb_offset(const ms_message *m)
{
    return 14 + m->dgram.src.wire_len + m->dgram.dst.wire_len;
}

#ifdef __cplusplus
}
#endif
#endif
