/* SPDX-License-Identifier: MIT */
/* How each known sender lays out a mailslot write: the NBDS node type, the
 * SMB header and the transaction words around the same mailslot name and
 * data (PROTOCOL.md §2.3, §3, §4.2, rule X-03; the captures of
 * ../shared/captures/PROVENANCE.md). One table drives three things: the
 * client's frames (ms_layout_init), telling who sent a frame
 * (ms_sender_match) and where a frame departs from a sender's shape
 * (ms_layout_departures). docs/LAYOUTS.md lists every value with the
 * capture it comes from. Pure codec: no allocation. */
#ifndef MAILSLOT_LAYOUT_H
#define MAILSLOT_LAYOUT_H

#include "mailslot/message.h"
#include "mailslot/smb.h"
#include "mailslot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The shapes, one per kind of sender. */
typedef enum ms_sender {
    MS_SENDER_WINDOWS_BROWSER,    /* Windows' browser and Netlogon services:
                                   * header zeros, Timeout 1000, no pad,
                                   * priority 0 for Host/LocalMasterAnnouncement
                                   * from <20>, else 1 */
    MS_SENDER_WINDOWS_REDIRECTOR, /* WriteFile on \\X\mailslot\y: Flags 0x18,
                                   * Flags2 0x0004, PID 0xFEFF, MaxParameterCount
                                   * 2, Flags 2, Timeout 0, data 4-aligned */
    MS_SENDER_WIN9X,              /* Windows 95/98: zeros, Timeout 0, priority 1 */
    MS_SENDER_SAMBA_NMBD,         /* nmbd: as win9x, FLAGS 0x0A (M node) */
    MS_SENDER_SAMBA_AD,           /* Samba's AD server (source4): zeros,
                                   * Timeout 1000, priority 1, FLAGS 0x0E */
    MS_SENDER_COUNT
} ms_sender;

/* What a client asks for: Windows (the shape Windows uses for the
 * mailslot: windows-browser for \MAILSLOT\BROWSE, \MAILSLOT\LANMAN and
 * \MAILSLOT\NET\..., windows-redirector for any other), or one shape. */
typedef enum ms_layout {
    MS_LAYOUT_WINDOWS = 0,
    MS_LAYOUT_WINDOWS_BROWSER,
    MS_LAYOUT_WINDOWS_REDIRECTOR,
    MS_LAYOUT_WIN9X,
    MS_LAYOUT_SAMBA_NMBD,
    MS_LAYOUT_SAMBA_AD
} ms_layout;

/* The node type in the NBDS FLAGS (RFC 1002 SNT bits). DEFAULT: the
 * sender's own (B for Windows and win9x, M for samba-nmbd, H for
 * samba-ad). */
typedef enum ms_node_type {
    MS_NODE_DEFAULT = 0,
    MS_NODE_B,  /* 0x00 */
    MS_NODE_P,  /* 0x04 */
    MS_NODE_M,  /* 0x08 */
    MS_NODE_H   /* 0x0C: Microsoft's H node (the RFC's NBDD value) */
} ms_node_type;

/* "windows-browser", "windows-redirector", "win9x", "samba-nmbd",
 * "samba-ad"; NULL outside the enum. */
MS_EXTERN const char *ms_sender_name(ms_sender s);

/* "windows" or a sender's name -> layout. MS_ERR_INVALID_ARG otherwise. */
MS_EXTERN ms_status ms_layout_parse(const char *text, ms_layout *out);
/* "windows" or the sender's name; NULL outside the enum. */
MS_EXTERN const char *ms_layout_name(ms_layout l);

/* The shape a layout means for this mailslot (name[0..len), any case). */
MS_EXTERN ms_sender ms_layout_sender(ms_layout l, const char *name, size_t len);

/* The NBDS FLAGS octet of an unfragmented datagram from this sender:
 * FIRST plus the node type's SNT bits. */
MS_EXTERN uint8_t ms_sender_nbds_flags(ms_sender s, ms_node_type nt);

/* Setup[1], the priority this sender gives the message (mailslot name,
 * data, suffix of the source name). */
MS_EXTERN uint16_t ms_sender_priority(ms_sender s, const char *name, size_t name_len,
                                      const uint8_t *data, size_t len, uint8_t src_suffix);

/* Fill hdr/t with the mailslot write this sender sends (counts, offsets
 * and padding left to ms_trans_encode). name: "\MAILSLOT\...", NUL-ended. */
MS_EXTERN void ms_layout_init(ms_smb_header *hdr, ms_trans *t, ms_sender s, const char *name,
                              const uint8_t *data, size_t len, uint8_t src_suffix);

/* SMB octets before the data of this sender's write to a mailslot name
 * of name_len octets: its DataOffset. */
MS_EXTERN size_t ms_layout_data_offset(ms_sender s, size_t name_len);

/* One field where a frame departs from a sender's shape. */
typedef struct ms_layout_departure {
    const char *field;   /* JSON key path, e.g. "trans.timeout" */
    size_t offset;       /* from the start of the UDP payload */
    uint64_t have;       /* the frame's value */
    uint64_t want;       /* the shape's (nbdgm.flags: the default node type's) */
} ms_layout_departure;

/* The fields of a decoded write (m->has_smb) that differ from shape s:
 * NBDS node type, every SMB header field, the transaction words a sender
 * chooses, the padding, priority and class. Writes the first cap to out
 * (out may be NULL with cap 0) and returns how many there are. */
MS_EXTERN size_t ms_layout_departures(const ms_message *m, ms_sender s, ms_layout_departure *out,
                                      size_t cap);

/* The senders whose shape a decoded datagram matches exactly, as bits
 * 1u << ms_sender (several when shapes coincide: an H-node Windows
 * browser frame at priority 1 is also Samba's AD server's). 0: none, or
 * no complete mailslot write (counts and lengths as an encoder writes
 * them, every reserved field 0). */
MS_EXTERN unsigned ms_sender_match(const ms_message *m);

#ifdef __cplusplus
}
#endif
#endif
