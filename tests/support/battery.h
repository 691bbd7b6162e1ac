/* SPDX-License-Identifier: MIT */
/* Test support for the malformed-frame battery: build a mailslot datagram
 * with the library's encoders, patch single fields, run it through decode +
 * field walk + validator on a guarded copy, and assert on the report by
 * rule ID, field and offset. Every assertion is also counted per rule, so
 * a test can check that each rule of the catalogue was both broken and
 * passed somewhere. */
#ifndef MS_TEST_BATTERY_H
#define MS_TEST_BATTERY_H

#include <stddef.h>
#include <stdint.h>

#include "mailslot/message.h"
#include "mailslot/validate.h"

#define BT_CAP 2048

typedef struct bt_frame {
    uint8_t b[BT_CAP];
    size_t len;
} bt_frame;

/* UDP payload offsets of an unscoped frame (names 34 + 34 octets). */
enum {
    BT_SRC = 14,            /* SOURCE_NAME */
    BT_DST = 48,            /* DESTINATION_NAME */
    BT_SMB = 82,            /* SMB header */
    BT_STATUS = BT_SMB + 5,
    BT_SFLAGS = BT_SMB + 9,
    BT_SFLAGS2 = BT_SMB + 10,
    BT_TID = BT_SMB + 24,
    BT_PIDLOW = BT_SMB + 26,
    BT_WC = BT_SMB + 32,    /* WordCount */
    BT_TPC = BT_SMB + 33,   /* TotalParameterCount */
    BT_TDC = BT_SMB + 35,   /* TotalDataCount */
    BT_MPC = BT_SMB + 37,   /* MaxParameterCount */
    BT_MDC = BT_SMB + 39,   /* MaxDataCount */
    BT_MSC = BT_SMB + 41,   /* MaxSetupCount */
    BT_RES1 = BT_SMB + 42,
    BT_TFLAGS = BT_SMB + 43,
    BT_TIMEOUT = BT_SMB + 45,
    BT_RES2 = BT_SMB + 49,
    BT_PC = BT_SMB + 51,    /* ParameterCount */
    BT_PO = BT_SMB + 53,    /* ParameterOffset */
    BT_DC = BT_SMB + 55,    /* DataCount */
    BT_DO = BT_SMB + 57,    /* DataOffset */
    BT_SC = BT_SMB + 59,    /* SetupCount */
    BT_RES3 = BT_SMB + 60,
    BT_OPCODE = BT_SMB + 61,
    BT_PRIO = BT_SMB + 63,
    BT_CLASS = BT_SMB + 65,
    BT_BC = BT_SMB + 67,    /* ByteCount */
    BT_NAME = BT_SMB + 69   /* mailslot name */
};

/* One mailslot write. bt_spec_default() gives a frame that passes every
 * rule: Windows redirector style (padded), DIRECT_UNIQUE from
 * LABHOST<00> 192.168.56.10 to MSLAB<00>, \MAILSLOT\LABSLOT, 8 octets. */
typedef struct bt_spec {
    uint8_t type, flags;
    uint16_t id, src_port;
    uint32_t src_ip;
    const char *src, *dst;      /* text form, "LABHOST<00>" */
    ms_trans_style style;
    const char *slot;
    const uint8_t *data;
    size_t dlen;
    int pad;                    /* -1: as the style does; else this many octets */
    const uint8_t *pad_bytes;   /* NULL: zeros */
    int priority;               /* -1: as the style does */
} bt_spec;

bt_spec bt_spec_default(void);

/* Encode the spec (asserts success). */
void bt_build(const bt_spec *s, bt_frame *f);
/* The same frame with a browser message / NETLOGON message as its data. */
void bt_build_browser(bt_spec s, const ms_browser *b, bt_frame *f);
void bt_build_netlogon(bt_spec s, const ms_netlogon *n, bt_frame *f);
/* Swap the two encoded names for raw wire octets (any length); the SMB part
 * is kept and DGM_LENGTH recomputed. */
void bt_set_names(bt_frame *f, const uint8_t *src, size_t src_len, const uint8_t *dst,
                  size_t dst_len);
/* 34-octet wire form of a name text. */
size_t bt_name_wire(uint8_t *out, const char *text);
/* Octets of `fill`, n of them (n <= BT_CAP), in a static buffer per slot 0..3. */
const uint8_t *bt_fill(int slot, uint8_t fill, size_t n);

/* Field patches (payload offsets). */
void bt_u8(bt_frame *f, size_t off, uint8_t v);
void bt_le16(bt_frame *f, size_t off, uint16_t v);
void bt_be16(bt_frame *f, size_t off, uint16_t v);
void bt_le32(bt_frame *f, size_t off, uint32_t v);
/* Recompute DGM_LENGTH after a change of length. */
void bt_fix_length(bt_frame *f);
/* Append octets (growing the datagram; counts and lengths are not touched). */
void bt_append(bt_frame *f, const void *p, size_t n);

/* Frame info of a clean capture: IP source = SOURCE_IP, ports 138 -> 138,
 * nothing cut. */
ms_frame_info bt_info(const uint8_t *p, size_t len);

/* Guarded copy -> ms_message_decode -> ms_message_fields (a visitor that
 * reads every octet it is given) -> ms_validate. info NULL: bt_info().
 * Returns the report; bt_msg() is the decoded message. */
const ms_report *bt_run_info(const uint8_t *p, size_t len, const ms_frame_info *info);
/* An ms_layout: bt_run_info also runs ms_validate_layout with it;
 * -1 (the default): not. */
extern int bt_validate_as;
const ms_report *bt_run(const bt_frame *f);
const ms_message *bt_msg(void);
/* Every octet the field walk touched (to prove it ran). */
size_t bt_touched(void);

/* Assertions on the last report. field NULL or offset < 0: not compared. */
void bt_has_(const char *file, int line, const char *id, const char *field, long offset);
void bt_lacks_(const char *file, int line, const char *id);
void bt_clean_(const char *file, int line);
#define BT_HAS(id, field, off) bt_has_(__FILE__, __LINE__, (id), (field), (long)(off))
#define BT_LACKS(id) bt_lacks_(__FILE__, __LINE__, (id))
/* No finding at all (not counted per rule). */
#define BT_CLEAN() bt_clean_(__FILE__, __LINE__)

/* How often each rule was asserted present / absent. */
size_t bt_count_has(const char *id);
size_t bt_count_lacks(const char *id);
size_t bt_assertions(void);
/* Print the last report (for failing tests). */
void bt_dump(void);

/* ---- helpers of the battery suites (tests/check/test_check_*.c,
 * test_validate.c) --------------------------------------------------- */

/* The frame the suites build and run. */
extern bt_frame F;

/* A small octet builder for hand-made payloads. */
typedef struct obuf {
    uint8_t b[BT_CAP];
    size_t n;
} obuf;

void o_raw(obuf *o, const void *p, size_t n);
void o_u8(obuf *o, uint8_t v);
void o_le16(obuf *o, uint16_t v);
void o_le32(obuf *o, uint32_t v);
/* ASCII with its NUL. */
void o_str(obuf *o, const char *s);
/* UTF-16LE of an ASCII text, with the 2-octet NUL. */
void o_u16(obuf *o, const char *s);
void o_fill(obuf *o, uint8_t v, size_t n);
/* The NT-era trailer: NtVersion, LmNtToken, Lm20Token. */
void o_trailer(obuf *o, uint32_t nt_version);

/* bt_run_info with the frame info of a clean capture. */
const ms_report *run_bytes(const uint8_t *p, size_t n);
/* F: a frame carrying `data` to `slot`, otherwise s. */
void build_data(bt_spec s, const char *slot, const uint8_t *data, size_t n);
/* Every prefix of p decodes, walks and validates without reading past its
 * end. */
void every_prefix(const uint8_t *p, size_t n);
/* UDP payload offset of the mailslot data of the last frame run. */
size_t data_at(void);
/* F: bt_spec_default(). */
void base_frame(void);
/* F: a write of n data octets to slot, priority 1; unpadded unless padded. */
void sized(uint8_t type, const char *slot, bool padded, size_t n);

/* \MAILSLOT\BROWSE (n = 16) padded to DataOffset 88: data at 170. */
#define BR 170
/* DIRECT_GROUP from LABHOST<20> to dst on \MAILSLOT\BROWSE. */
bt_spec browse(const char *dst);

/* Requests go to \MAILSLOT\NET\NETLOGON, replies to \MAILSLOT\NET\GETDC123:
 * both n = 22, DataOffset 92, data at 174. */
#define NL 174
/* A request to MSLAB<1c>; a response from LABDC01<00> to LABHOST<00>,
 * browser style. */
bt_spec nl_request_spec(void);
bt_spec nl_response_spec(void);
/* F: the octets of o to slot. */
void nl_frame(bt_spec s, const char *slot, const obuf *o);

/* A string of the text s, with or without its terminator. */
ms_str cstr(const char *s, bool terminated);

/* F decodes, walks and validates, and so does every prefix of it. */
void cve_frame(void);

/* Which suite breaks and passes which rule families (the first letters of
 * their IDs), and how many rules that is. tests/check/test_rules.c checks
 * that the suites share the catalogue out between them. */
typedef struct bt_owner {
    const char *suite;
    const char *families;
    size_t rules;
} bt_owner;
extern const bt_owner bt_owners[];
extern const size_t bt_nowners;

/* Every catalogue rule of the suite's families was asserted broken and
 * passed (BT_HAS / BT_LACKS) by the tests that ran before. */
void bt_coverage(const char *suite);

#endif
