/* SPDX-License-Identifier: MIT */
/* Small shared types: borrowed byte ranges, strings as found on the wire,
 * and the field visitor that lets tools print any decoded layer generically. */
#ifndef MAILSLOT_TYPES_H
#define MAILSLOT_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailslot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Octets borrowed from a caller's buffer (decode) or supplied by the caller
 * (encode). Never owned by the library. */
typedef struct ms_bytes {
    const uint8_t *p;
    size_t len;
} ms_bytes;

/* A string as it sits on the wire: the octets before the terminator, and
 * whether a terminator (one 0x00, or 00 00 for UTF-16) followed. Encoders
 * write `len` octets and then the terminator only when `terminated` is set,
 * so an unterminated string round-trips unchanged. */
typedef struct ms_str {
    const uint8_t *p;
    size_t len;
    bool terminated;
} ms_str;

/* Field visitor: decoders describe what they decoded as a flat stream of
 * fields; BEGIN/END bracket a nested object (key = object name) or, with
 * MS_F_BEGIN_LIST, an array. The same stream feeds JSON and the -v tree. */
typedef enum ms_field_kind {
    MS_F_UINT,       /* u */
    MS_F_HEX,        /* p,len: raw octets, shown as lowercase hex */
    MS_F_TEXT,       /* p,len: 8-bit text (OEM/ASCII/UTF-8), shown escaped */
    MS_F_UTF16,      /* p,len: UTF-16LE text without terminator */
    MS_F_BOOL,       /* u != 0 */
    MS_F_IPV4,       /* u: host-order IPv4 address */
    MS_F_BEGIN,      /* start of a nested object */
    MS_F_BEGIN_LIST, /* start of an array; elements have key NULL */
    MS_F_END         /* end of the innermost object or array */
} ms_field_kind;

typedef struct ms_field {
    const char *key;  /* JSON key; NULL for array elements */
    ms_field_kind kind;
    uint64_t u;
    const uint8_t *p;
    size_t len;
    const char *label; /* optional human meaning, e.g. "HostAnnouncement" */
} ms_field;

typedef void (*ms_field_fn)(void *ctx, const ms_field *f);

/* Structures the caller allocates and a later library may grow (options,
 * statistics) begin with `size_t size`, set to their sizeof by the caller:
 * the *_init functions do, or MS_SIZED(type) as an initialiser. The
 * library reads and writes only the fields that fit in `size`, so a
 * program built against an older header keeps working with a newer
 * library (docs/ABI.md). */
#define MS_SIZED(type) ((type){ .size = sizeof(type) })

/* Hex digits (either case) to octets: text[0..len) holds pairs of digits,
 * with any of the characters of sep (NULL: none) allowed between pairs.
 * MS_OK and *out_len octets; MS_ERR_INVALID_ARG when a character is
 * neither (or a pair is split), *out_len its offset; MS_ERR_NO_SPACE when
 * more than cap octets (*out_len how many there are). */
MS_EXTERN ms_status ms_hex_decode(const char *text, size_t len, const char *sep, uint8_t *out, size_t cap,
                                  size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
