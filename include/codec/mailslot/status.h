/* SPDX-License-Identifier: MIT */
/* One status enum for the whole library. Every call that can fail returns
 * an ms_status; MS_OK is 0 and every other value is a failure. The list
 * below is the one place a status is defined: the enum, ms_strerror() and
 * ms_status_name() are generated from it. New statuses go at the end. */
#ifndef MAILSLOT_STATUS_H
#define MAILSLOT_STATUS_H

#include "mailslot/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, message): the enumerator and its short English text. */
#define MS_STATUS_MAP(X)                                                           \
    X(MS_OK, "ok")                                                                 \
    X(MS_ERR_TRUNCATED, "truncated: input ends inside a field")                    \
    X(MS_ERR_NO_SPACE, "output buffer too small")                                  \
    X(MS_ERR_INVALID_ARG, "invalid argument")                                      \
    X(MS_ERR_NAME_FIRST_LABEL, "NetBIOS name: first label length is not 32")       \
    X(MS_ERR_NAME_POINTER, "NetBIOS name: label pointer not allowed in datagrams") \
    X(MS_ERR_NAME_LABEL, "NetBIOS name: reserved label type")                      \
    X(MS_ERR_NAME_TOO_LONG, "NetBIOS name: longer than 255 octets")                \
    X(MS_ERR_NAME_ENCODING, "NetBIOS name: letter outside A..P")                   \
    X(MS_ERR_MSG_TYPE, "NBDS: unknown message type")                               \
    X(MS_ERR_NOT_SMB, "SMB: protocol is not \\xFFSMB")                             \
    X(MS_ERR_SMB_COMMAND, "SMB: command is not TRANSACTION (0x25)")                \
    X(MS_ERR_WORD_COUNT, "SMB: WordCount too small for a transaction")             \
    X(MS_ERR_UNTERMINATED, "string not terminated")                                \
    X(MS_ERR_DATA_RANGE, "DataOffset/DataCount outside the message")               \
    X(MS_ERR_OPCODE, "unknown opcode")                                             \
    X(MS_ERR_LAYOUT, "payload does not fit the opcode's layout")                   \
    X(MS_ERR_COMPRESSION, "bad compressed name")                                   \
    X(MS_ERR_TOO_MANY, "too many items")                                           \
    X(MS_ERR_TIMEOUT, "timed out")                                                 \
    X(MS_ERR_TOO_BIG, "message larger than the size limit that applies")           \
    X(MS_ERR_NOT_FOUND, "not found")                                               \
    X(MS_ERR_EXISTS, "already exists")                                             \
    X(MS_ERR_SYSTEM, "system call failed")                                         \
    X(MS_ERR_NO_MEMORY, "out of memory")                                           \
    X(MS_ERR_END, "end of input")                                                  \
    X(MS_ERR_AGAIN, "nothing waiting now")                                         \
    X(MS_ERR_BAD_INPUT, "input damaged or not of the expected format")            \
    X(MS_ERR_STOPPED, "stopped on request")                                       \
    X(MS_ERR_VERSION, "protocol version not spoken here")                          \
    X(MS_ERR_DENIED, "not allowed")

typedef enum ms_status {
#define MS_STATUS_ENUM_(name, text) name,
    MS_STATUS_MAP(MS_STATUS_ENUM_)
#undef MS_STATUS_ENUM_
    MS_ERR__COUNT
} ms_status;

/* A short English text for a status ("truncated: input ends inside a
 * field"); never NULL ("unknown status" outside the enum). */
MS_EXTERN const char *ms_strerror(ms_status st);
/* The enumerator's name ("MS_ERR_TRUNCATED"); never NULL. */
MS_EXTERN const char *ms_status_name(ms_status st);

#ifdef __cplusplus
}
#endif
#endif
