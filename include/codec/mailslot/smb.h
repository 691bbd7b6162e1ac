/* SPDX-License-Identifier: MIT */
/* The SMB1 header and the SMB_COM_TRANSACTION request that carries a
 * mailslot write (MS-CIFS 2.2.3.1, 2.2.4.33; MS-MAIL 2.2.1; PROTOCOL.md §3,
 * §4). Pure codec: no allocation; ranges borrow the caller's buffer. */
#ifndef MAILSLOT_SMB_H
#define MAILSLOT_SMB_H

#include "mailslot/status.h"
#include "mailslot/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MS_SMB_HEADER_SIZE 32
#define MS_SMB_COM_TRANSACTION 0x25
/* The most words a WordCount octet can announce past the 14 fixed ones. */
#define MS_TRANS_MAX_SETUP (255 - 14)

typedef struct ms_smb_header {
    uint8_t protocol[4];    /* FF 'S' 'M' 'B' */
    uint8_t command;
    uint32_t status;
    uint8_t flags;
    uint16_t flags2;
    uint16_t pid_high;
    uint8_t security[8];
    uint16_t reserved;
    uint16_t tid;
    uint16_t pid_low;
    uint16_t uid;
    uint16_t mid;
} ms_smb_header;

/* Fields an encoder computes when the caller leaves them unset. */
#define MS_TRANS_AUTO_WORD_COUNT  0x01u /* 14 + setup_words */
#define MS_TRANS_AUTO_TOTAL_DATA  0x02u /* = data.len */
#define MS_TRANS_AUTO_DATA_COUNT  0x04u /* = data.len */
#define MS_TRANS_AUTO_DATA_OFFSET 0x08u /* SMB offset of the data */
#define MS_TRANS_AUTO_PARAM_OFFSET 0x10u /* = DataOffset (Windows style) */
#define MS_TRANS_AUTO_SETUP_COUNT 0x20u /* = setup_words */
#define MS_TRANS_AUTO_BYTE_COUNT  0x40u /* octets after the ByteCount field */
#define MS_TRANS_AUTO_PAD         0x80u /* 0..3 zeros to a 4-aligned DataOffset */
#define MS_TRANS_AUTO_PAD_TO_OFFSET 0x100u /* zeros from the name's end up to
                                          * the given DataOffset */

/* The transaction request. Octets after ByteCount are laid out in order as
 * name (+NUL when terminated), pad, data, trailing; a frame whose DataOffset
 * points elsewhere (inside the name, past the end) keeps everything after
 * the name in `trailing` and says so with data_located = false. */
typedef struct ms_trans {
    uint8_t word_count;
    uint16_t total_param_count;
    uint16_t total_data_count;
    uint16_t max_param_count;
    uint16_t max_data_count;
    uint8_t max_setup_count;
    uint8_t reserved1;
    uint16_t flags;
    uint32_t timeout;
    uint16_t reserved2;
    uint16_t param_count;
    uint16_t param_offset;
    uint16_t data_count;
    uint16_t data_offset;
    uint8_t setup_count;
    uint8_t reserved3;
    size_t setup_words;     /* words present after the 14 fixed ones */
    uint16_t setup[MS_TRANS_MAX_SETUP]; /* [0] opcode, [1] priority, [2] class;
                             * ms_trans_decode writes [0..setup_words) and
                             * clears [0..2], leaves the rest as it was */
    uint16_t byte_count;
    ms_str name;            /* \MAILSLOT\... (OEM octets) */
    ms_bytes pad;
    ms_bytes data;          /* octets present (may be fewer than DataCount) */
    ms_bytes trailing;
    bool data_located;      /* pad/data found where DataOffset points */
    unsigned auto_fields;   /* MS_TRANS_AUTO_* */
} ms_trans;

/* Decode the SMB header and transaction from one NBDS USER_DATA. On failure
 * *err_off is the offset in smb where decoding stopped. A DataOffset outside
 * the message decodes (data_located = false, the octets after the name in
 * `trailing`); DataOffset+DataCount past the end returns MS_ERR_DATA_RANGE
 * with every field filled (data holds what is there; it still re-encodes).
 * MS_ERR_NOT_SMB, MS_ERR_SMB_COMMAND and MS_ERR_WORD_COUNT mean the octets
 * are not a transaction request at all. */
MS_EXTERN ms_status ms_trans_decode(const uint8_t *smb, size_t len, ms_smb_header *hdr,
                                    ms_trans *t, size_t *err_off);

/* Encode header + transaction. Auto fields are computed from the rest. */
MS_EXTERN ms_status ms_trans_encode(const ms_smb_header *hdr, const ms_trans *t,
                                    uint8_t *buf, size_t cap, size_t *out_len);

/* Fill hdr/t with a plain mailslot write in the given style (every count
 * and offset left to the encoder). */
typedef enum ms_trans_style {
    MS_STYLE_BROWSER,    /* Windows browser service: zeros, Timeout 1000, no pad */
    MS_STYLE_REDIRECTOR, /* Windows redirector: 0x18/0x0004/0xFEFF, padded */
    MS_STYLE_SAMBA       /* Samba nmbd: zeros, Timeout 0, priority 1, no pad */
} ms_trans_style;

MS_EXTERN void ms_trans_init(ms_smb_header *hdr, ms_trans *t, ms_trans_style style,
                             const char *mailslot, const uint8_t *data, size_t len);

MS_EXTERN void ms_smb_header_fields(const ms_smb_header *h, ms_field_fn fn, void *ctx);
MS_EXTERN void ms_trans_fields(const ms_trans *t, ms_field_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
