/* SPDX-License-Identifier: MIT */
/* The octets of nmbd's unexpected-packet socket: our query and nmbd's
 * records. Both are C structures in the host's ABI (nmbd writes its
 * structure's memory as it is), so the layouts below are declared with the
 * same member types and the compiler places them; records are read with
 * the cursor at those offsets. There is no version field: every field a
 * record has is checked against what Samba 4.17 can write. */
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "cursor.h"
#include "errf.h"
#include "mailslot/nmbd_unexpected.h"

/* nmbd's enum packet_type: NMB_PACKET 0, DGRAM_PACKET 1. */
#define PACKET_DGRAM 1
/* "Any transaction id": nmbd looks at it only for name service packets. */
#define ANY_TRN_ID (-1)
/* An NBDS header as nmbd builds one: 14 octets before the names. */
#define NBDS_HDR 14
#define NBDS_DGM_LENGTH_AT 10

struct query_abi {
    int type; /* an enum whose values fit an int: int-sized */
    size_t mailslot_namelen;
    int trn_id;
};

struct header_abi {
    size_t len;
    int type;
    time_t timestamp;
    struct in_addr ip;
    int port;
};

#define FORMAT_MSG "nmbd's unexpected-packet format not recognised (Samba 4.17 layout expected)"

size_t ms_nmbd_query_size(void)
{
    return sizeof(struct query_abi);
}

size_t ms_nmbd_record_header_size(void)
{
    return sizeof(struct header_abi);
}

ms_status ms_nmbd_query_build(uint8_t *buf, size_t cap, size_t *len)
{
    struct query_abi q;
    memset(&q, 0, sizeof q); /* the padding goes out too: make it zero */
    q.type = PACKET_DGRAM;
    q.mailslot_namelen = 0;  /* no name: every datagram nmbd passes on */
    q.trn_id = ANY_TRN_ID;
    ms_wcur w = ms_wcur_make(buf, cap);
    ms_wcur_bytes(&w, &q, sizeof q);
    *len = w.err ? 0 : w.pos;
    return w.err;
}

/* A field of the header block h at its offset in the host layout. */
#define FIELD(h, member, var) memcpy(&(var), (h) + offsetof(struct header_abi, member), sizeof(var))

static ms_status mismatch(char *err, size_t errlen, const char *what, long long v)
{
    ms_errf(err, errlen, FORMAT_MSG ": %s %lld", what, v);
    return MS_ERR_VERSION;
}

/* The header's fields against what nmbd writes for a datagram. */
static ms_status check_header(const uint8_t *h, ms_nmbd_record *out, size_t *dlen, char *err,
                              size_t errlen)
{
    size_t len;
    int type, port;
    time_t ts;
    struct in_addr ip;
    FIELD(h, len, len);
    FIELD(h, type, type);
    FIELD(h, timestamp, ts);
    FIELD(h, ip, ip);
    FIELD(h, port, port);
    if (type != PACKET_DGRAM)
        return mismatch(err, errlen, "record type (1, a datagram, expected)", type);
    if (len < NBDS_HDR || len > MS_NMBD_RECORD_MAX)
        return mismatch(err, errlen, "datagram length (14..1024 expected)", (long long)len);
    if (port < 0 || port > 65535)
        return mismatch(err, errlen, "source port", port);
    if (ts < 0)
        return mismatch(err, errlen, "arrival time", (long long)ts);
    out->src_ip = ntohl(ip.s_addr);
    out->src_port = (uint16_t)port;
    out->time_s = (int64_t)ts;
    *dlen = len;
    return MS_OK;
}

ms_status ms_nmbd_record_parse(const uint8_t *buf, size_t len, ms_nmbd_record *out,
                               size_t *used, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    *used = 0;
    ms_rcur c = ms_rcur_make(buf, len);
    const uint8_t *h = ms_rcur_take(&c, sizeof(struct header_abi));
    if (!h)
        return MS_ERR_TRUNCATED;
    size_t dlen = 0;
    ms_status st = check_header(h, out, &dlen, err, errlen);
    if (st != MS_OK)
        return st;
    const uint8_t *d = ms_rcur_take(&c, dlen);
    if (!d)
        return MS_ERR_TRUNCATED;
    /* nmbd re-encodes the datagram and writes DGM_LENGTH as what follows
     * the 14-octet header: a record whose datagram says otherwise was not
     * framed the way we read it. */
    uint16_t dgm_length = ms_blk_be16(d, NBDS_DGM_LENGTH_AT);
    if (dgm_length != dlen - NBDS_HDR)
        return mismatch(err, errlen, "DGM_LENGTH (length - 14 expected)", dgm_length);
    out->dgram = d;
    out->len = dlen;
    *used = c.pos;
    return MS_OK;
}
