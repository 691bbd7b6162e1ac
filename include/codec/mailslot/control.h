/* SPDX-License-Identifier: MIT */
/* The control protocol between mailslotd and the programs on its host
 * (mailslotd(8)): one message per packet on a Unix SOCK_SEQPACKET socket.
 *
 *   octets 0-2  magic "MSD"
 *   octet  3    version (MS_CTL_VERSION)
 *   octets 4-5  message type (big-endian)
 *   octets 6-7  zero (reserved)
 *   then attributes to the end: type (16), length (16), value
 *
 * A peer skips attributes it does not know, so later versions add
 * attributes without breaking older peers; a known attribute with the
 * wrong length, or given twice (NAME excepted), is an error. Pure codec:
 * no allocation, borrowed ranges point into the caller's packet. */
#ifndef MAILSLOT_CONTROL_H
#define MAILSLOT_CONTROL_H

#include "mailslot/status.h"
#include "mailslot/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MS_CTL_VERSION 1
#define MS_CTL_HEADER_LEN 8
/* The largest packet: a whole UDP payload in DATAGRAM plus the rest. */
#define MS_CTL_MAX_PACKET 70000
/* Most NAME attributes one message keeps. */
#define MS_CTL_MAX_NAMES 32

typedef enum ms_ctl_type {
    MS_CTL_HELLO = 1,        /* program → daemon: VERSION, PID, TEXT (who) */
    MS_CTL_WELCOME = 2,      /* daemon → program: VERSION, NAME (the host's first), WORKGROUP, PID */
    MS_CTL_CREATE = 3,       /* program → daemon: SLOT, MODE, QUEUE_MAX */
    MS_CTL_DELETE = 4,       /* program → daemon: SLOT */
    MS_CTL_RESULT = 5,       /* daemon → program: STATUS, TEXT; the answer to one request */
    MS_CTL_DELIVER = 6,      /* daemon → program: SLOT, DATAGRAM, addresses, TIME_NS, VIA */
    MS_CTL_SEND = 7,         /* program → daemon: DATAGRAM, DST_IP, DST_PORT, SRC_NAME, TOKEN */
    MS_CTL_STATUS = 8,       /* program → daemon: (nothing) */
    MS_CTL_STATUS_REPLY = 9, /* daemon → program: JSON */
} ms_ctl_type;

typedef enum ms_ctl_attr {
    MS_CTL_A_VERSION = 1,    /* u16: the highest version the sender speaks */
    MS_CTL_A_STATUS = 2,     /* u32: an ms_status */
    MS_CTL_A_TEXT = 3,       /* octets: words for a person */
    MS_CTL_A_SLOT = 4,       /* octets: a mailslot name, \MAILSLOT\... */
    MS_CTL_A_MODE = 5,       /* u8: MS_CTL_MODE_* */
    MS_CTL_A_QUEUE_MAX = 6,  /* u32: messages the daemon holds for the slot */
    MS_CTL_A_DATAGRAM = 7,   /* octets: a whole NBDS datagram (UDP payload) */
    MS_CTL_A_SRC_IP = 8,     /* u32 */
    MS_CTL_A_SRC_PORT = 9,   /* u16 */
    MS_CTL_A_DST_IP = 10,    /* u32 */
    MS_CTL_A_DST_PORT = 11,  /* u16 */
    MS_CTL_A_TIME_NS = 12,   /* u64: arrival, CLOCK_REALTIME nanoseconds */
    MS_CTL_A_IFINDEX = 13,   /* u32: the interface it came in on */
    MS_CTL_A_TOKEN = 14,     /* u32: a browser request's Token, whose replies come back */
    MS_CTL_A_NAME = 15,      /* octets, repeatable: a NetBIOS name as text, NAME<xx> */
    MS_CTL_A_JSON = 16,      /* octets: a JSON object */
    MS_CTL_A_PID = 17,       /* u32 */
    MS_CTL_A_FLAGS = 18,     /* u32: MS_CTL_F_* */
    MS_CTL_A_SRC_NAME = 19,  /* octets: the source name asked for, NAME<xx> */
    MS_CTL_A_VIA = 20,       /* u8: MS_CTL_VIA_* */
    MS_CTL_A_DROPPED = 21,   /* u64: messages dropped for this slot so far */
    MS_CTL_A_WORKGROUP = 22, /* octets: WELCOME: the workgroup the host joined */
    MS_CTL_A_LAST = 22
} ms_ctl_attr;

#define MS_CTL_MODE_CREATOR 0u  /* the one program that created the slot */
#define MS_CTL_MODE_MONITOR 1u  /* a copy of every message (SLOT "*") */

#define MS_CTL_VIA_SOCKET 0u    /* the daemon's UDP socket */
#define MS_CTL_VIA_NMBD 1u      /* nmbd's unexpected-packet socket */

#define MS_CTL_F_COPY 0x1u      /* DELIVER: a monitor's copy */
#define MS_CTL_F_REPLY 0x2u     /* DELIVER: routed by a request's TOKEN */

typedef struct ms_ctl_msg {
    uint16_t type;
    uint32_t have;          /* bit (1u << attr) for each attribute present */
    size_t unknown;         /* decode: attributes skipped */
    uint16_t version;
    uint32_t status;
    uint8_t mode, via;
    uint32_t queue_max, src_ip, dst_ip, ifindex, token, pid, flags;
    uint16_t src_port, dst_port;
    uint64_t time_ns, dropped;
    ms_bytes text, slot, datagram, json, src_name, workgroup;
    size_t nnames;
    ms_bytes names[MS_CTL_MAX_NAMES];
} ms_ctl_msg;

#define MS_CTL_BIT(a) (1u << (a))
#define MS_CTL_HAS(m, a) (((m)->have & MS_CTL_BIT(a)) != 0)

/* A message of the given type with no attributes. */
MS_EXTERN void ms_ctl_init(ms_ctl_msg *m, uint16_t type);
/* Decode one packet. MS_ERR_BAD_INPUT (not "MSD"), MS_ERR_VERSION (a
 * version we do not speak), MS_ERR_TRUNCATED, MS_ERR_LAYOUT (a known
 * attribute of the wrong length or repeated, reserved octets not zero),
 * MS_ERR_TOO_MANY (more than MS_CTL_MAX_NAMES names). *err_off (may be
 * NULL): where decoding stopped. */
MS_EXTERN ms_status ms_ctl_decode(const uint8_t *buf, size_t len, ms_ctl_msg *out,
                                  size_t *err_off);
/* Encode the attributes in m->have, in attribute order (NAME as many
 * times as m->nnames). MS_ERR_NO_SPACE, MS_ERR_INVALID_ARG (a value over
 * 65535 octets, a NULL range). */
MS_EXTERN ms_status ms_ctl_encode(const ms_ctl_msg *m, uint8_t *buf, size_t cap, size_t *out_len);
/* "hello", "welcome", ... or "unknown". */
MS_EXTERN const char *ms_ctl_type_name(uint16_t type);

#ifdef __cplusplus
}
#endif
#endif
