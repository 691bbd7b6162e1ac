/* SPDX-License-Identifier: MIT */
/* NetBIOS names (RFC 1001 §14, RFC 1002 §4.1) and the NetBIOS Datagram
 * Service header (RFC 1002 §4.4): PROTOCOL.md §1 and §2.
 * Pure codec: no allocation, no I/O; callers own every buffer. */
#ifndef MAILSLOT_NETBIOS_H
#define MAILSLOT_NETBIOS_H

#include "mailslot/status.h"
#include "mailslot/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest encoded name, counting every length octet and the final zero. */
#define MS_NB_WIRE_MAX 255
/* Longest scope label. */
#define MS_NB_LABEL_MAX 63

/* A second-level encoded name exactly as on the wire, plus its decoded view.
 * The wire octets are what encoders write, so a name that is structurally
 * sound but not valid first-level encoding (letters outside A..P, a first
 * label that is not 32 long) still round-trips. */
typedef struct ms_nb_name {
    uint8_t wire[MS_NB_WIRE_MAX];
    size_t wire_len;        /* octets in wire[], final zero included */
    bool valid;             /* first label is 32 letters in 'A'..'P' */
    uint8_t name[16];       /* decoded octets, suffix at [15]; when !valid,
                             * each undecodable pair is 0 */
    size_t scope_off;       /* wire offset of the first scope label */
} ms_nb_name;

/* Decode one name at buf[0..len). *used = octets consumed. Structural errors
 * (pointer, reserved label, over 255, running off the end, a first label of
 * length 0) fail; a sound structure with bad letters returns MS_OK with
 * valid = false. On failure *used is the offset of the offending octet. */
MS_EXTERN ms_status ms_nb_name_decode(const uint8_t *buf, size_t len, ms_nb_name *out,
                                      size_t *used);

/* Build a name from 16 octets and an optional dotted scope ("" or NULL for
 * none). Fails with MS_ERR_INVALID_ARG for an empty, over-long (> 63) label
 * or a scope that makes the name exceed 255 octets. */
MS_EXTERN ms_status ms_nb_name_make(ms_nb_name *out, const uint8_t name[16],
                                    const char *scope);

/* 16 octets from a NetBIOS name text and suffix: text upper-cased? No — used
 * as given; padded with spaces (0x00 for "*"), at most 15 octets. */
MS_EXTERN ms_status ms_nb_name_pad(uint8_t out[16], const char *text, size_t text_len,
                                   uint8_t suffix);

/* Format a name the way tshark does, losslessly: octets 0..14 with trailing
 * spaces removed, octets outside 0x20..0x7E as <xx>, '<' itself literally,
 * then the suffix as <xx>, then ".scope" when there is one. For an invalid
 * name the output is the tshark-style decode of the pairs that decode.
 * Returns the length it needed (snprintf-like); out is NUL-terminated when
 * cap > 0. */
MS_EXTERN size_t ms_nb_name_format(const ms_nb_name *n, char *out, size_t cap);

/* Parse the text form back (inverse of ms_nb_name_format for valid names):
 * "NAME<xx>[.scope]" with <xx> escapes anywhere in NAME. */
MS_EXTERN ms_status ms_nb_name_parse(ms_nb_name *out, const char *text, size_t len);

/* Datagram service message types (RFC 1002 §4.4.1). */
enum {
    MS_NBDS_DIRECT_UNIQUE = 0x10,
    MS_NBDS_DIRECT_GROUP = 0x11,
    MS_NBDS_BROADCAST = 0x12,
    MS_NBDS_ERROR = 0x13,
    MS_NBDS_QUERY_REQUEST = 0x14,
    MS_NBDS_POSITIVE_QUERY_RESPONSE = 0x15,
    MS_NBDS_NEGATIVE_QUERY_RESPONSE = 0x16
};

#define MS_NBDS_FLAG_MORE 0x01
#define MS_NBDS_FLAG_FIRST 0x02
#define MS_NBDS_SNT_MASK 0x0C

/* Fields an encoder computes when the caller leaves them unset. */
#define MS_DGRAM_AUTO_LENGTH 0x1u /* DGM_LENGTH = octets after the header */

/* One datagram-service message. For 0x10..0x12 user_data is every octet
 * after the two names (the UDP length bounds it, not DGM_LENGTH, which real
 * senders get wrong). For other types `trailing` keeps octets after the
 * defined layout, and for an unknown type every octet after the 10-octet
 * common header. */
typedef struct ms_dgram {
    uint8_t type;
    uint8_t flags;
    uint16_t id;
    uint32_t src_ip;        /* host byte order */
    uint16_t src_port;
    uint16_t dgm_length;    /* 0x10..0x12 */
    uint16_t packet_offset; /* 0x10..0x12 */
    uint8_t error_code;     /* 0x13 */
    ms_nb_name src;         /* 0x10..0x12 */
    ms_nb_name dst;         /* 0x10..0x12, 0x14..0x16 */
    ms_bytes user_data;     /* 0x10..0x12 */
    ms_bytes trailing;
    unsigned auto_fields;   /* MS_DGRAM_AUTO_*: encoder computes these */
} ms_dgram;

/* True for the three types that carry names and user data. */
static inline bool ms_dgram_has_data(uint8_t type)
{
    return type >= MS_NBDS_DIRECT_UNIQUE && type <= MS_NBDS_BROADCAST;
}

/* Decode one UDP payload. Borrowed ranges point into buf. On failure
 * *err_off is the payload offset where decoding stopped and every field
 * before it is filled. */
MS_EXTERN ms_status ms_dgram_decode(const uint8_t *buf, size_t len, ms_dgram *out,
                                    size_t *err_off);

/* Size of the header + names for this message (no user data). */
MS_EXTERN size_t ms_dgram_header_size(const ms_dgram *d);

/* Encode into buf. With MS_DGRAM_AUTO_LENGTH, DGM_LENGTH becomes the octets
 * written after the 14-octet header. */
MS_EXTERN ms_status ms_dgram_encode(const ms_dgram *d, uint8_t *buf, size_t cap,
                                    size_t *out_len);

MS_EXTERN const char *ms_dgram_type_name(uint8_t type);
MS_EXTERN const char *ms_dgram_error_name(uint8_t code);

/* Describe the header through the visitor (keys as in `decode --json`'s
 * "nbdgm" object). */
MS_EXTERN void ms_dgram_fields(const ms_dgram *d, ms_field_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
