/* SPDX-License-Identifier: MIT */
/* One status enum for the whole library, and its strerror. */
#ifndef MAILSLOT_STATUS_H
#define MAILSLOT_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ms_status {
    MS_OK = 0,
    MS_ERR_TRUNCATED,        /* input ends before a field it must hold */
    MS_ERR_NO_SPACE,         /* caller's output buffer is too small */
    MS_ERR_INVALID_ARG,      /* a caller-supplied value cannot be encoded */
    MS_ERR_NAME_FIRST_LABEL, /* first label of a NetBIOS name is not 0x20 */
    MS_ERR_NAME_POINTER,     /* label pointer (0xC0) in a datagram name */
    MS_ERR_NAME_LABEL,       /* reserved label type (0x40/0x80) */
    MS_ERR_NAME_TOO_LONG,    /* encoded name longer than 255 octets */
    MS_ERR_NAME_ENCODING,    /* first-level letters outside 'A'..'P' */
    MS_ERR_MSG_TYPE,         /* NBDS MSG_TYPE outside 0x10..0x16 */
    MS_ERR_NOT_SMB,          /* USER_DATA does not start with \xFFSMB */
    MS_ERR_SMB_COMMAND,      /* SMB command is not 0x25 (TRANSACTION) */
    MS_ERR_WORD_COUNT,       /* WordCount too small for a transaction */
    MS_ERR_UNTERMINATED,     /* a string has no terminator inside its bounds */
    MS_ERR_DATA_RANGE,       /* DataOffset/DataCount outside the message */
    MS_ERR_OPCODE,           /* payload opcode not defined */
    MS_ERR_LAYOUT,           /* payload octets do not fit the opcode's layout */
    MS_ERR_COMPRESSION,      /* bad compressed DNS name (loop, forward, outside) */
    MS_ERR_TOO_MANY,         /* more items than the decoder's fixed table holds */
    MS_ERR_TIMEOUT,          /* nothing arrived within the timeout */
    MS_ERR_TOO_BIG,          /* message over the size rule that applies */
    MS_ERR_NOT_FOUND,        /* name not resolved / mailslot does not exist */
    MS_ERR_EXISTS,           /* mailslot name already in use */
    MS_ERR_SYSTEM,           /* an OS call failed (errno says why) */
    MS_ERR__COUNT
} ms_status;

/* A short English text for a status; never NULL. */
const char *ms_strerror(ms_status st);

#ifdef __cplusplus
}
#endif
#endif
