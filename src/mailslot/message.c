/* SPDX-License-Identifier: MIT */
/* A whole mailslot datagram: walks the layers top to bottom and records the
 * first place where decoding stopped. */
#include "mailslot/message.h"

#include <string.h>
#include <strings.h>

static bool name_is(const uint8_t *name, size_t len, const char *want)
{
    size_t n = strlen(want);
    return len == n && strncasecmp((const char *)name, want, n) == 0;
}

static bool name_starts(const uint8_t *name, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && strncasecmp((const char *)name, prefix, n) == 0;
}

ms_payload_kind ms_mailslot_kind(const uint8_t *name, size_t len)
{
    /* Names as senders write them (upper case) by fixed-size compares;
     * any other spelling by the case-insensitive ones below. */
    if (len == 16 && memcmp(name, "\\MAILSLOT\\BROWSE", 16) == 0)
        return MS_PAYLOAD_BROWSER;
    if (len >= 14 && memcmp(name, "\\MAILSLOT\\NET\\", 14) == 0)
        return MS_PAYLOAD_NETLOGON;
    if (name_is(name, len, "\\MAILSLOT\\BROWSE"))
        return MS_PAYLOAD_BROWSER;
    if (name_is(name, len, "\\MAILSLOT\\LANMAN"))
        return MS_PAYLOAD_LANMAN;
    if (name_starts(name, len, "\\MAILSLOT\\NET\\") ||
        name_is(name, len, "\\MAILSLOT\\TEMP\\NETLOGON") ||
        name_is(name, len, "\\MAILSLOT\\MSSP"))
        return MS_PAYLOAD_NETLOGON;
    return MS_PAYLOAD_NONE;
}

const char *ms_layer_name(ms_layer l)
{
    static const char *const names[] = { NULL, "nbdgm", "smb", "browser", "netlogon" };
    return (unsigned)l < sizeof names / sizeof names[0] ? names[l] : NULL;
}

static ms_status fail(ms_message *m, ms_status st, size_t off, ms_layer layer)
{
    m->status = st;
    m->err_off = off;
    m->err_layer = layer;
    return st;
}

ms_status ms_message_decode(const uint8_t *buf, size_t len, ms_message *m)
{
    size_t off = 0;
    m->has_smb = false;
    m->smb_status = MS_OK;
    m->kind = MS_PAYLOAD_NONE;
    m->payload_ok = false;
    m->status = MS_OK;
    m->err_off = 0;
    m->err_layer = MS_LAYER_NONE;

    ms_status st = ms_dgram_decode(buf, len, &m->dgram, &off);
    if (st != MS_OK)
        return fail(m, st, off, MS_LAYER_NBDGM);
    if (!ms_dgram_has_data(m->dgram.type) || ms_dgram_is_partial(&m->dgram))
        return MS_OK;

    size_t base = ms_message_smb_offset(m);
    st = ms_trans_decode(m->dgram.user_data.p, m->dgram.user_data.len,
                         &m->smb, &m->trans, &off);
    /* USER_DATA that is some other SMB message (or not SMB) is kept as
     * octets; that is not a decoding failure, just not a mailslot write. */
    if (st == MS_ERR_NOT_SMB || st == MS_ERR_SMB_COMMAND || st == MS_ERR_WORD_COUNT) {
        m->smb_status = st;
        return MS_OK;
    }
    /* Keep the transaction view whenever it re-encodes to the same octets. */
    m->has_smb = st == MS_OK || st == MS_ERR_DATA_RANGE || st == MS_ERR_UNTERMINATED;
    if (st != MS_OK)
        return fail(m, st, base + off, MS_LAYER_SMB);
    if (!m->trans.data_located)
        return MS_OK;

    m->kind = ms_mailslot_kind(m->trans.name.p, m->trans.name.len);
    size_t data_base = base + m->trans.data_offset;
    const ms_bytes *d = &m->trans.data;
    switch (m->kind) {
    case MS_PAYLOAD_BROWSER:
    case MS_PAYLOAD_LANMAN:
        st = ms_browser_decode(d->p, d->len, m->kind == MS_PAYLOAD_LANMAN,
                               &m->browser, &off);
        if (st != MS_OK)
            return fail(m, st, data_base + off, MS_LAYER_BROWSER);
        break;
    case MS_PAYLOAD_NETLOGON:
        st = ms_netlogon_decode(d->p, d->len, &m->netlogon, &off);
        if (st != MS_OK)
            return fail(m, st, data_base + off, MS_LAYER_NETLOGON);
        break;
    case MS_PAYLOAD_NONE:
        return MS_OK;
    }
    m->payload_ok = true;
    return MS_OK;
}

ms_status ms_message_encode(const ms_message *m, uint8_t *buf, size_t cap,
                            size_t *out_len)
{
    *out_len = 0;
    if (!ms_dgram_has_data(m->dgram.type) || !m->has_smb)
        return ms_dgram_encode(&m->dgram, buf, cap, out_len);

    /* Write the transaction in place after the names, then the header
     * around it (DGM_LENGTH may depend on the transaction's size). */
    size_t hdr = ms_dgram_header_size(&m->dgram);
    if (hdr > cap)
        return MS_ERR_NO_SPACE;
    size_t smb_len;
    ms_status st = ms_trans_encode(&m->smb, &m->trans, buf + hdr, cap - hdr, &smb_len);
    if (st != MS_OK)
        return st;
    ms_dgram d = m->dgram;
    d.user_data.p = NULL; /* already in place */
    d.user_data.len = smb_len;
    d.trailing.p = NULL;
    d.trailing.len = 0;
    return ms_dgram_encode(&d, buf, cap, out_len);
}
