/* SPDX-License-Identifier: MIT */
/* Link layers: strip whatever a capture record carries in front of IPv4.
 * Knows nothing of IP beyond "this is where the IPv4 header starts". */
#ifndef MS_CAPTURE_LINK_H
#define MS_CAPTURE_LINK_H

#include <stddef.h>
#include <stdint.h>
#include "cursor.h"

typedef enum ms_link_kind {
    MS_LINK_UNSUPPORTED = 0,
    MS_LINK_ETHERNET, /* DLT_EN10MB, incl. 802.1Q/802.1ad tags, 802.3+SNAP */
    MS_LINK_SLL,      /* DLT_LINUX_SLL (113) */
    MS_LINK_SLL2,     /* DLT_LINUX_SLL2 (276) */
    MS_LINK_RAW,      /* DLT_RAW (12 or 14), LINKTYPE_RAW (101): v4 or v6 */
    MS_LINK_IPV4,     /* LINKTYPE_IPV4 (228): IPv4 only */
    MS_LINK_NULL,     /* DLT_NULL (0): 4-octet AF, capturing host's order */
    MS_LINK_LOOP,     /* DLT_LOOP (108): 4-octet AF, network order */
} ms_link_kind;

typedef enum ms_link_result {
    MS_LINK_OK_IPV4,     /* *ip covers the IPv4 datagram (and maybe padding) */
    MS_LINK_NOT_IPV4,    /* a well-formed frame carrying something else */
    MS_LINK_TRUNCATED,   /* the record ends inside a link header */
    MS_LINK_BAD,         /* a link header that makes no sense */
    MS_LINK_UNSUPPORTED_TYPE,
} ms_link_result;

/* Map a libpcap DLT value (as pcap_datalink() reports it) to what we read. */
ms_link_kind ms_link_from_dlt(int dlt);

/* Short name of a supported kind; NULL for MS_LINK_UNSUPPORTED. */
const char *ms_link_kind_name(ms_link_kind kind);

/* Find the IPv4 header in one captured frame. On MS_LINK_OK_IPV4 *ip is a
 * cursor over the rest of the frame starting at the IPv4 header (bounded by
 * an 802.3 length field when there is one). */
ms_link_result ms_link_ipv4(ms_link_kind kind, const uint8_t *frame, size_t caplen,
                            ms_rcur *ip);

#endif
