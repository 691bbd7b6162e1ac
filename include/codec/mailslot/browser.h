/* SPDX-License-Identifier: MIT */
/* MS-BRWS browser frames on \MAILSLOT\BROWSE and \MAILSLOT\LANMAN, plus the
 * LAN Manager 2.x host announcement on \MAILSLOT\LANMAN (PROTOCOL.md §6).
 * Pure codec: no allocation, strings borrow the caller's buffer. */
#ifndef MAILSLOT_BROWSER_H
#define MAILSLOT_BROWSER_H

#include "mailslot/status.h"
#include "mailslot/types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    MS_BRWS_HOST_ANNOUNCEMENT = 0x01,
    MS_BRWS_ANNOUNCEMENT_REQUEST = 0x02,
    MS_BRWS_REQUEST_ELECTION = 0x08,
    MS_BRWS_GET_BACKUP_LIST_REQUEST = 0x09,
    MS_BRWS_GET_BACKUP_LIST_RESPONSE = 0x0A,
    MS_BRWS_BECOME_BACKUP = 0x0B,
    MS_BRWS_DOMAIN_ANNOUNCEMENT = 0x0C,
    MS_BRWS_MASTER_ANNOUNCEMENT = 0x0D,
    MS_BRWS_RESET_STATE_REQUEST = 0x0E,
    MS_BRWS_LOCAL_MASTER_ANNOUNCEMENT = 0x0F
};

#define MS_BRWS_MAX_BACKUP_NAMES 64

typedef struct ms_browser {
    uint8_t opcode;
    bool lm_format;          /* LAN Manager 2.x layout (§6.7), LANMAN only */

    /* 0x01 / 0x0F / 0x0C (and LM format) */
    uint8_t update_count;    /* 0x02: the Reserved octet */
    uint32_t periodicity;    /* ms; LM format: seconds (16 bits on the wire) */
    uint8_t server_name[16]; /* ServerName / MachineGroup, all 16 octets */
    uint8_t os_major, os_minor;  /* 0x0C: BrowserConfigVersion */
    uint32_t server_type;
    uint8_t browser_major, browser_minor;
    uint16_t signature;
    ms_str comment;          /* 0x01/0x0F Comment; 0x0C LocalMasterBrowserName */

    /* 0x08 RequestElection */
    uint8_t version;
    uint32_t criteria;
    uint32_t uptime;
    uint32_t unused;

    /* 0x09 / 0x0A */
    uint8_t count;           /* RequestedCount / BackupServerCount */
    uint32_t token;
    size_t name_count;       /* names decoded into names[] */
    ms_str names[MS_BRWS_MAX_BACKUP_NAMES]; /* ms_browser_decode writes
                              * names[0..name_count) only; the entries after
                              * them are left as they were (not cleared) */

    /* one variable name: 0x02 ResponseName, 0x08 ServerName,
     * 0x0B BrowserToPromote, 0x0D MasterBrowserServerName; LM: ServerName */
    ms_str name;
    /* 0x02 as Samba nmbd sends it: an extra 0x00 at offset 2, ResponseName at
     * offset 3 and no final NUL (PROTOCOL.md §6.3). Kept so encode can
     * reproduce it; only set when name is non-empty and unterminated. */
    bool samba_form;

    /* 0x0E */
    uint8_t reset_type;

    ms_bytes trailing;       /* octets after the layout, kept verbatim */
} ms_browser;

/* Decode one browser message (the mailslot data). lanman selects the LANMAN
 * rules (LM 2.x layout unless the MS-BRWS signature test of §6.1 passes).
 * On error *err_off is the offset in data where decoding stopped. */
MS_EXTERN ms_status ms_browser_decode(const uint8_t *data, size_t len, bool lanman,
                                      ms_browser *out, size_t *err_off);

/* Encode; writes exactly the octets decode read. */
MS_EXTERN ms_status ms_browser_encode(const ms_browser *in, uint8_t *buf, size_t cap,
                                      size_t *out_len);

/* Name of an opcode ("HostAnnouncement", ...) or NULL when undefined. */
MS_EXTERN const char *ms_browser_opcode_name(uint8_t opcode);

/* Describe every field through the visitor (keys are JSON keys, the first
 * is "command"). Does not emit BEGIN/END for the enclosing object. */
MS_EXTERN void ms_browser_fields(const ms_browser *b, ms_field_fn fn, void *ctx);

/* One short human summary, e.g. "HostAnnouncement LABPEER os 4.9". Returns
 * the length it needed (snprintf-like); out is NUL-terminated when cap > 0. */
MS_EXTERN size_t ms_browser_summary(const ms_browser *b, char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
