/* SPDX-License-Identifier: MIT */
/* The senders' shapes (layout.h, docs/LAYOUTS.md) and the mailslot write
 * each one builds. The values are those of the captures named in
 * docs/LAYOUTS.md and of PROTOCOL.md §2.3, §3, §4.2. */
#include <string.h>
#include <strings.h>

#include "layout_shape.h"

static const layout_shape shapes[MS_SENDER_COUNT] = {
    /* Windows NT 4.0 to 10 browser service, and Netlogon (its pings and
     * DC replies): 30 of 31 captured pings, every captured DC reply. NT
     * 4.0 writes FLAGS 0x1A. */
    [MS_SENDER_WINDOWS_BROWSER] = { 0, 0, 0, 0, 0, 1000, false, false, SHAPE_PRIO_BROWSER,
                                    MS_NODE_B, { 0x02, 0x06, 0x0E, 0x1A, 0 } },
    /* The redirector: MS-MAIL §4 trace, the §7.8 ping, one captured
     * Windows 7 ping (elcab_macgyver_nbt.pcapng #28). */
    [MS_SENDER_WINDOWS_REDIRECTOR] = { 0x18, 0x0004, 0xFEFF, 2, 0x0002, 0, true, true, 0,
                                       MS_NODE_B, { 0x02, 0x06, 0x0E, 0 } },
    /* Windows 95 and 98 browser frames: nmbd's shape from a Windows node. */
    [MS_SENDER_WIN9X] = { 0, 0, 0, 0, 0, 0, false, false, 1, MS_NODE_B, { 0x02, 0x06, 0x0E, 0 } },
    /* nmbd (send_mailslot) and libsmb: M node always. */
    [MS_SENDER_SAMBA_NMBD] = { 0, 0, 0, 0, 0, 0, false, false, 1, MS_NODE_M, { 0x0A, 0 } },
    /* source4 dgram_mailslot_send: F + the NBDD value. */
    [MS_SENDER_SAMBA_AD] = { 0, 0, 0, 0, 0, 1000, false, false, 1, MS_NODE_H, { 0x0E, 0 } },
};

static const char *const sender_names[MS_SENDER_COUNT] = {
    "windows-browser", "windows-redirector", "win9x", "samba-nmbd", "samba-ad",
};

const layout_shape *ms_layout_shape(ms_sender s)
{
    return (unsigned)s < MS_SENDER_COUNT ? &shapes[s] : &shapes[0];
}

const char *ms_sender_name(ms_sender s)
{
    return (unsigned)s < MS_SENDER_COUNT ? sender_names[s] : NULL;
}

const char *ms_layout_name(ms_layout l)
{
    if (l == MS_LAYOUT_WINDOWS)
        return "windows";
    return ms_sender_name((ms_sender)((int)l - 1));
}

ms_status ms_layout_parse(const char *text, ms_layout *out)
{
    for (int l = MS_LAYOUT_WINDOWS; l <= MS_LAYOUT_SAMBA_AD; l++)
        if (!strcasecmp(text, ms_layout_name((ms_layout)l))) {
            *out = (ms_layout)l;
            return MS_OK;
        }
    return MS_ERR_INVALID_ARG;
}

static bool name_is(const char *name, size_t len, const char *want)
{
    return len == strlen(want) && !strncasecmp(name, want, len);
}

bool ms_layout_is_browser_slot(const char *name, size_t len)
{
    return name_is(name, len, "\\MAILSLOT\\BROWSE") || name_is(name, len, "\\MAILSLOT\\LANMAN");
}

ms_sender ms_layout_sender(ms_layout l, const char *name, size_t len)
{
    if (l != MS_LAYOUT_WINDOWS && l <= MS_LAYOUT_SAMBA_AD)
        return (ms_sender)((int)l - 1);
    /* Windows' services write through the browser's datagram path; only
     * WriteFile on a \\X\mailslot\y handle goes through the redirector. */
    static const char net[] = "\\MAILSLOT\\NET\\";
    bool service = ms_layout_is_browser_slot(name, len) ||
                   (len > sizeof net - 1 && !strncasecmp(name, net, sizeof net - 1));
    return service ? MS_SENDER_WINDOWS_BROWSER : MS_SENDER_WINDOWS_REDIRECTOR;
}

uint8_t ms_sender_nbds_flags(ms_sender s, ms_node_type nt)
{
    static const uint8_t snt[] = { 0, 0x00, 0x04, 0x08, 0x0C };
    if (nt == MS_NODE_DEFAULT || (unsigned)nt > MS_NODE_H)
        nt = ms_layout_shape(s)->node;
    return (uint8_t)(MS_NBDS_FLAG_FIRST | snt[nt]);
}

uint16_t ms_sender_priority(ms_sender s, const char *name, size_t name_len, const uint8_t *data,
                            size_t len, uint8_t src_suffix)
{
    const layout_shape *sh = ms_layout_shape(s);
    if (sh->priority != SHAPE_PRIO_BROWSER)
        return sh->priority;
    /* The captures: every Host/LocalMasterAnnouncement Windows NT 4.0 to 10
     * sends from <computer>[20] is at priority 0; the one from [00] and
     * every other frame at 1 (PROTOCOL.md §4.2). */
    bool announce = len >= 1 && (data[0] == MS_BRWS_HOST_ANNOUNCEMENT ||
                                 data[0] == MS_BRWS_LOCAL_MASTER_ANNOUNCEMENT);
    return ms_layout_is_browser_slot(name, name_len) && announce && src_suffix == 0x20 ? 0 : 1;
}

void ms_layout_init(ms_smb_header *hdr, ms_trans *t, ms_sender s, const char *name,
                    const uint8_t *data, size_t len, uint8_t src_suffix)
{
    const layout_shape *sh = ms_layout_shape(s);
    /* Zeros, the counts left to the encoder, opcode 1, class 2. */
    ms_trans_init(hdr, t, MS_STYLE_SAMBA, name, data, len);
    hdr->flags = sh->smb_flags;
    hdr->flags2 = sh->smb_flags2;
    hdr->pid_low = sh->pid_low;
    t->max_param_count = sh->max_param_count;
    t->flags = sh->trans_flags;
    t->timeout = sh->timeout;
    if (sh->param_at_data)
        t->auto_fields |= MS_TRANS_AUTO_PARAM_OFFSET;
    if (sh->pad4)
        t->auto_fields |= MS_TRANS_AUTO_PAD;
    t->setup[1] = ms_sender_priority(s, name, strlen(name), data, len, src_suffix);
}

size_t ms_layout_data_offset(ms_sender s, size_t name_len)
{
    size_t end = 70 + name_len; /* 69 fixed octets, the name, its NUL */
    return ms_layout_shape(s)->pad4 ? (end + 3) & ~(size_t)3 : end;
}
