/* SPDX-License-Identifier: MIT */
/* NETLOGON mailslot messages on \MAILSLOT\NET\NETLOGON, NTLOGON and the
 * GETDC reply slots (PROTOCOL.md §7). Pure codec: no allocation; strings and
 * compressed names borrow the caller's buffer. */
#ifndef MAILSLOT_NETLOGON_H
#define MAILSLOT_NETLOGON_H

#include "mailslot/status.h"
#include "mailslot/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* struct ms_netlogon is defined below by the netlogon codec. */
typedef struct ms_netlogon ms_netlogon;

/* Decode one NETLOGON message (the mailslot data). On error *err_off is the
 * offset in data where decoding stopped (err_off may be NULL). An undefined
 * opcode gives MS_ERR_OPCODE with out filled as MS_NL_LAYOUT_RAW, which
 * still encodes back to the same octets. */
MS_EXTERN ms_status ms_netlogon_decode(const uint8_t *data, size_t len, ms_netlogon *out,
                                       size_t *err_off);

/* Encode; writes exactly the octets decode read. */
MS_EXTERN ms_status ms_netlogon_encode(const ms_netlogon *in, uint8_t *buf, size_t cap,
                                       size_t *out_len);

/* Name of an opcode ("LOGON_SAM_LOGON_REQUEST", ...) or NULL. */
MS_EXTERN const char *ms_netlogon_opcode_name(uint16_t opcode);

/* Describe every field through the visitor; the first key is "command"
 * (keys listed at the top of netlogon_fields.c). Does not emit BEGIN/END for the
 * enclosing object. Expanded names and labels point into this call's stack:
 * valid only during the callback. */
MS_EXTERN void ms_netlogon_fields(const ms_netlogon *n, ms_field_fn fn, void *ctx);

/* One short human summary, e.g.
 * "LOGON_SAM_LOGON_REQUEST HOST01 reply \MAILSLOT\NET\GETDC042". Writes at
 * most cap - 1 characters plus a NUL; returns the number written. */
MS_EXTERN size_t ms_netlogon_summary(const ms_netlogon *n, char *out, size_t cap);

/* Opcodes with a structured layout (PROTOCOL.md §7.2). */
enum {
    MS_NL_LOGON_REQUEST = 0x00,
    MS_NL_LOGON_RESPONSE2 = 0x06,
    MS_NL_LOGON_PRIMARY_QUERY = 0x07,
    MS_NL_DB_CHANGE = 0x0A,
    MS_NL_LOGON_PRIMARY_RESPONSE = 0x0C,
    MS_NL_SAM_LOGON_REQUEST = 0x12,
    MS_NL_SAM_LOGON_RESPONSE = 0x13,
    MS_NL_SAM_PAUSE_RESPONSE = 0x14,
    MS_NL_SAM_USER_UNKNOWN = 0x15,
    MS_NL_SAM_LOGON_RESPONSE_EX = 0x17,
    MS_NL_SAM_PAUSE_RESPONSE_EX = 0x18,
    MS_NL_SAM_USER_UNKNOWN_EX = 0x19
};

/* NtVersion bits (§7.3). */
#define MS_NL_NT_VERSION_1 0x00000001u
#define MS_NL_NT_VERSION_5 0x00000002u
#define MS_NL_NT_VERSION_5EX 0x00000004u
#define MS_NL_NT_VERSION_5EX_WITH_IP 0x00000008u   /* V5EP: DcSockAddr present */
#define MS_NL_NT_VERSION_WITH_CLOSEST_SITE 0x00000010u /* VCS */
#define MS_NL_NT_VERSION_AVOID_NT4EMUL 0x01000000u
#define MS_NL_NT_VERSION_PDC 0x10000000u
#define MS_NL_NT_VERSION_IP 0x20000000u
#define MS_NL_NT_VERSION_LOCAL 0x40000000u
#define MS_NL_NT_VERSION_GC 0x80000000u

/* Which wire layout a message was decoded with (and is encoded with). The
 * opcode alone does not say: 0x07 has two forms and the SAM responses are
 * chosen by the trailer's NtVersion (§7.7). */
typedef enum ms_netlogon_layout {
    MS_NL_LAYOUT_RAW = 0,          /* opcode + body octets, nothing parsed */
    MS_NL_LAYOUT_LOGON_REQUEST,    /* 0x00, §7.4.6 */
    MS_NL_LAYOUT_LOGON_RESPONSE2,  /* 0x06, §7.4.6 */
    MS_NL_LAYOUT_PRIMARY_QUERY,    /* 0x07 NT form, §7.4.1 */
    MS_NL_LAYOUT_PRIMARY_QUERY_W95,/* 0x07 Windows 95 short form */
    MS_NL_LAYOUT_PRIMARY_RESPONSE, /* 0x0C, §7.4.2 */
    MS_NL_LAYOUT_SAM_REQUEST,      /* 0x12, §7.4.3 */
    MS_NL_LAYOUT_SAM_RESPONSE_NT40,/* 0x13-0x15/0x17-0x19, NtVersion == 1 */
    MS_NL_LAYOUT_SAM_RESPONSE_NT5, /* ... NtVersion & V5 */
    MS_NL_LAYOUT_SAM_RESPONSE_EX,  /* ... NtVersion & V5EX */
    MS_NL_LAYOUT_DB_CHANGE,        /* 0x0A, §7.4.7 */
    MS_NL_LAYOUT__COUNT
} ms_netlogon_layout;

/* Short name of a layout ("sam_logon_response_ex", ...); never NULL. */
MS_EXTERN const char *ms_netlogon_layout_name(ms_netlogon_layout layout);

/* RFC 1035-compressed names of the NT5 and EX responses, by position. */
enum {
    MS_NL_CN_DNS_FOREST = 0,    /* NT5 + EX */
    MS_NL_CN_DNS_DOMAIN,        /* NT5 + EX */
    MS_NL_CN_DNS_HOST,          /* NT5 + EX */
    MS_NL_CN_NETBIOS_DOMAIN,    /* EX only from here on */
    MS_NL_CN_NETBIOS_COMPUTER,
    MS_NL_CN_USER,
    MS_NL_CN_DC_SITE,
    MS_NL_CN_CLIENT_SITE,
    MS_NL_CN_NEXT_CLOSEST_SITE, /* EX with NtVersion & VCS */
    MS_NL_CN_COUNT
};

/* Upper bound of DBCount entries kept for NETLOGON_DB_CHANGE (NT 4.0 sends
 * three: SAM, BUILTIN, LSA); more gives MS_ERR_TOO_MANY. */
#define MS_NL_MAX_DB_CHANGES 16

/* Room for any expanded name: at most 255 wire octets -> 253 text + NUL. */
#define MS_NL_NAME_TEXT_MAX 256

typedef struct ms_netlogon_db_change_info {
    uint32_t db_index;
    uint64_t serial_number;   /* LargeSerialNumber */
    uint64_t date_and_time;   /* FILETIME */
} ms_netlogon_db_change_info;

/* One decoded NETLOGON message. Which members are meaningful is given by
 * `layout`; the rest stay zero. Strings and names borrow the decoded buffer.
 * Pads: decode always sets p (even for an empty pad); an encoder given
 * p == NULL computes the spec's zero pad instead of copying octets. */
struct ms_netlogon {
    uint16_t opcode;
    ms_netlogon_layout layout;

    /* 8-bit (OEM) strings */
    ms_str computer_name;        /* 0x00, 0x07 */
    ms_str user_name;            /* 0x00 */
    ms_str mailslot_name;        /* 0x00, 0x07, 0x12: the reply mailslot */
    ms_str primary_dc_name;      /* 0x06 PdcName, 0x0C, 0x0A */
    ms_str domain_name;          /* 0x0A */
    ms_bytes pad;                /* 0x07, 0x0C, 0x0A: 0/1 octet to even offset */

    /* UTF-16LE strings: octets without the 2-octet terminator */
    ms_str unicode_computer_name;   /* 0x07, 0x12 */
    ms_str unicode_user_name;       /* 0x12, NT40, NT5 */
    ms_str unicode_logon_server;    /* NT40, NT5 */
    ms_str unicode_primary_dc_name; /* 0x0C, 0x0A */
    ms_str unicode_domain_name;     /* 0x0C, NT40, NT5, 0x0A */

    /* 0x12 (and 0x00: one octet) */
    uint16_t request_count;
    uint32_t allowable_account_control;
    ms_bytes sid_pad;            /* 0x12: 0-3 octets to a 4-octet boundary */
    ms_bytes domain_sid;         /* 0x12, 0x0A; DomainSidSize = len */

    /* SAM responses */
    uint16_t sbz;                /* EX */
    uint32_t flags;              /* NT5, EX: DS_FLAG bits */
    uint8_t domain_guid[16];     /* NT5, EX */
    uint8_t null_guid[16];       /* NT5 */
    uint32_t dc_ip_address;      /* NT5: the 4 octets in wire order, read as
                                  * network order (byte order disputed, §7.4.5) */
    ms_bytes names[MS_NL_CN_COUNT]; /* exact wire octets of each name */
    /* EX DcSockAddr, present iff nt_version & V5EP (DcSockAddrSize is 16) */
    uint16_t sockaddr_family;    /* LE, 2 = AF_INET */
    uint16_t sockaddr_port;      /* network order, as in sockaddr_in */
    uint32_t sockaddr_addr;      /* network order on the wire; host value here */
    uint8_t sockaddr_zero[8];

    /* 0x0A NETLOGON_DB_CHANGE */
    uint32_t low_serial_number;
    uint32_t date_and_time;      /* seconds since 1970 */
    uint32_t pulse;
    uint32_t random;
    uint32_t db_count;
    ms_netlogon_db_change_info db[MS_NL_MAX_DB_CHANGES];

    /* Trailer. NT-era layouts end in NtVersion, LmNtToken, Lm20Token (for
     * 0x0A the same 8 octets are MessageFormatVersion and MessageToken);
     * 0x00 has only the two tokens, 0x06 and the 0x07 short form only
     * Lm20Token. */
    uint32_t nt_version;
    uint16_t lmnt_token;
    uint16_t lm20_token;

    ms_bytes body;               /* RAW: everything after the opcode */
    ms_bytes message;            /* decode: the whole message, which name
                                  * pointers resolve against; encode ignores it */
    ms_bytes trailing;           /* octets after the layout: before the
                                  * trailer in NT-era layouts, else at the end */
};

/* Expand one compressed name (§7.6) to dotted text in out (NUL-terminated).
 * msg/msg_len is the whole NETLOGON message (pointer offsets count from its
 * opcode); wire is the name's own octets, normally inside msg. Every pointer
 * must stay inside msg and point strictly before the label run it ends (so
 * no loops), at most 64 hops, at most 255 octets in all, and wire must end
 * exactly at its terminator. out may be NULL to validate only.
 * Returns MS_ERR_COMPRESSION or MS_ERR_NO_SPACE on failure. */
MS_EXTERN ms_status ms_netlogon_name_text(const uint8_t *msg, size_t msg_len, ms_bytes wire,
                                          char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
