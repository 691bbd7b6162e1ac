/* SPDX-License-Identifier: MIT */
/* The requests of the control protocol (mailslotd(8), "CONTROL
 * PROTOCOL"): HELLO first, then CREATE, DELETE, SEND and STATUS in any
 * order. Each request gets exactly one answer, in order: WELCOME for
 * HELLO, STATUS_REPLY for STATUS, RESULT for the others (and for any
 * refusal). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "md.h"
#include "values.h"

#ifndef MAILSLOT_VERSION
#define MAILSLOT_VERSION "0"
#endif

void md_result(md_client *c, ms_status st, const char *text, const char *slot)
{
    ms_ctl_msg m;
    ms_ctl_init(&m, MS_CTL_RESULT);
    m.status = (uint32_t)st;
    m.have = MS_CTL_BIT(MS_CTL_A_STATUS);
    if (text && *text) {
        m.text = (ms_bytes){ (const uint8_t *)text, strlen(text) };
        m.have |= MS_CTL_BIT(MS_CTL_A_TEXT);
    }
    if (slot && *slot) {
        m.slot = (ms_bytes){ (const uint8_t *)slot, strlen(slot) };
        m.have |= MS_CTL_BIT(MS_CTL_A_SLOT);
    }
    if (st != MS_OK)
        c->d->n.bad_requests++;
    (void)md_client_put(c, NULL, &m);
}

static void hello(md *d, md_client *c, const ms_ctl_msg *r)
{
    if (!MS_CTL_HAS(r, MS_CTL_A_VERSION) || r->version < 1) {
        md_result(c, MS_ERR_VERSION, "HELLO without a VERSION of 1 or more", NULL);
        return;
    }
    if (MS_CTL_HAS(r, MS_CTL_A_TEXT)) {
        size_t n = r->text.len < sizeof c->who - 1 ? r->text.len : sizeof c->who - 1;
        for (size_t i = 0; i < n; i++) /* for the log: printable only */
            c->who[i] = r->text.p[i] >= 0x20 && r->text.p[i] < 0x7F ? (char)r->text.p[i] : '?';
        c->who[n] = '\0';
    }
    c->hello = true;
    ms_ctl_msg m;
    ms_ctl_init(&m, MS_CTL_WELCOME);
    /* The names it may send from: the host's first, then the others held. */
    char text[MS_NAME_SERVICE_MAX_NAMES][24];
    md_nbname_text(d->host, text[0], sizeof text[0]);
    m.names[m.nnames] = (ms_bytes){ (const uint8_t *)text[0], strlen(text[0]) };
    m.nnames++;
    for (size_t i = 0; i < d->names.held.count && m.nnames < MS_NAME_SERVICE_MAX_NAMES; i++) {
        if (!memcmp(d->names.held.n[i].raw, d->host, 16) || d->names.held.n[i].group)
            continue;
        md_nbname_text(d->names.held.n[i].raw, text[m.nnames], sizeof text[0]);
        m.names[m.nnames] = (ms_bytes){ (const uint8_t *)text[m.nnames], strlen(text[m.nnames]) };
        m.nnames++;
    }
    static const char ver[] = "mailslotd " MAILSLOT_VERSION;
    m.text = (ms_bytes){ (const uint8_t *)ver, sizeof ver - 1 };
    m.workgroup = (ms_bytes){ (const uint8_t *)d->names.workgroup, strlen(d->names.workgroup) };
    m.pid = (uint32_t)getpid();
    m.queue_max = d->set.queue;
    m.have = MS_CTL_BIT(MS_CTL_A_VERSION) | MS_CTL_BIT(MS_CTL_A_NAME) | MS_CTL_BIT(MS_CTL_A_TEXT) |
             MS_CTL_BIT(MS_CTL_A_WORKGROUP) | MS_CTL_BIT(MS_CTL_A_PID) |
             MS_CTL_BIT(MS_CTL_A_QUEUE_MAX);
    (void)md_client_put(c, NULL, &m);
}

/* SLOT as a C string (no NUL inside), normalized to \MAILSLOT\...; a
 * monitor's is "*". */
static ms_status slot_arg(const ms_ctl_msg *r, bool monitor, char *out, size_t cap,
                          const char **why)
{
    if (monitor) {
        snprintf(out, cap, "*");
        return MS_OK;
    }
    char raw[MS_MAILSLOT_NAME_MAX + 16];
    *why = "SLOT missing";
    if (!MS_CTL_HAS(r, MS_CTL_A_SLOT))
        return MS_ERR_INVALID_ARG;
    *why = "SLOT is not a mailslot name (\\MAILSLOT\\x, at most 255 octets, printable)";
    if (r->slot.len >= sizeof raw)
        return MS_ERR_INVALID_ARG;
    for (size_t i = 0; i < r->slot.len; i++)
        if (r->slot.p[i] < 0x20 || r->slot.p[i] == 0x7F)
            return MS_ERR_INVALID_ARG;
    memcpy(raw, r->slot.p, r->slot.len);
    raw[r->slot.len] = '\0';
    return ms_mailslot_name_normalize(raw, out, cap) == MS_OK ? MS_OK : MS_ERR_INVALID_ARG;
}

static bool is_monitor(const ms_ctl_msg *r)
{
    return (MS_CTL_HAS(r, MS_CTL_A_MODE) && r->mode == MS_CTL_MODE_MONITOR) ||
           (MS_CTL_HAS(r, MS_CTL_A_SLOT) && r->slot.len == 1 && r->slot.p[0] == '*');
}

static void create(md *d, md_client *c, const ms_ctl_msg *r)
{
    bool monitor = is_monitor(r);
    char name[MS_MAILSLOT_NAME_MAX + 1], why[200];
    const char *w = "";
    ms_status st = slot_arg(r, monitor, name, sizeof name, &w);
    if (st != MS_OK) {
        md_result(c, st, w, NULL);
        return;
    }
    st = md_slot_allowed(name, monitor, c->peer.uid, d->uid, why, sizeof why);
    if (st == MS_OK && c->nslots >= MD_MAX_SLOTS_PER_CLIENT) {
        snprintf(why, sizeof why, "a client creates at most %d mailslots",
                 MD_MAX_SLOTS_PER_CLIENT);
        st = MS_ERR_TOO_MANY;
    }
    uint32_t q = d->set.queue;
    if (MS_CTL_HAS(r, MS_CTL_A_QUEUE_MAX) && r->queue_max && r->queue_max < q)
        q = r->queue_max;
    md_slot *s = NULL;
    if (st == MS_OK)
        st = md_slots_create(&d->slots, name, monitor, c, c->id, c->peer.pid, c->peer.uid, q, &s,
                             why, sizeof why);
    if (st != MS_OK) {
        md_log("client pid %ld (uid %ld): %s refused: %s", (long)c->peer.pid,
               (long)c->peer.uid, name, why);
        md_result(c, st, why, name);
        return;
    }
    c->nslots++;
    md_log("client pid %ld (uid %ld) created %s", (long)c->peer.pid, (long)c->peer.uid,
           monitor ? "a monitor" : name);
    ms_ctl_msg m;
    ms_ctl_init(&m, MS_CTL_RESULT);
    m.status = MS_OK;
    m.slot = (ms_bytes){ (const uint8_t *)s->name, s->len };
    m.queue_max = q;
    m.have = MS_CTL_BIT(MS_CTL_A_STATUS) | MS_CTL_BIT(MS_CTL_A_SLOT) |
             MS_CTL_BIT(MS_CTL_A_QUEUE_MAX);
    (void)md_client_put(c, NULL, &m);
}

static void delete(md *d, md_client *c, const ms_ctl_msg *r)
{
    bool monitor = is_monitor(r);
    char name[MS_MAILSLOT_NAME_MAX + 1];
    const char *w = "";
    ms_status st = slot_arg(r, monitor, name, sizeof name, &w);
    md_slot *s = st == MS_OK ? md_slots_find_owned(&d->slots, name, monitor, c) : NULL;
    if (!s) {
        md_result(c, st == MS_OK ? MS_ERR_NOT_FOUND : st,
                  st == MS_OK ? "this client did not create that mailslot" : w, NULL);
        return;
    }
    md_outq_purge(&c->q, &s->q, &d->qb);
    md_slots_remove(&d->slots, s);
    c->nslots--;
    md_log("client pid %ld (uid %ld) deleted %s", (long)c->peer.pid, (long)c->peer.uid,
           monitor ? "its monitor" : name);
    md_result(c, MS_OK, NULL, monitor ? NULL : name);
}

static void status(md *d, md_client *c)
{
    /* One attribute holds at most 65535 octets: the JSON says what it
     * left out when the host has more mailslots than fit. */
    static char json[65536];
    size_t len = md_status_json(d, json, sizeof json);
    ms_ctl_msg m;
    ms_ctl_init(&m, MS_CTL_STATUS_REPLY);
    m.json = (ms_bytes){ (const uint8_t *)json, len };
    m.have = MS_CTL_BIT(MS_CTL_A_JSON);
    (void)md_client_put(c, NULL, &m);
}

void md_request(md *d, md_client *c, const ms_ctl_msg *m)
{
    if (m->type == MS_CTL_HELLO) {
        hello(d, c, m);
        return;
    }
    if (!c->hello) {
        md_result(c, MS_ERR_INVALID_ARG, "HELLO first", NULL);
        return;
    }
    switch (m->type) {
    case MS_CTL_CREATE: create(d, c, m); break;
    case MS_CTL_DELETE: delete(d, c, m); break;
    case MS_CTL_SEND: md_send_request(d, c, m); break;
    case MS_CTL_STATUS: status(d, c); break;
    default: md_result(c, MS_ERR_INVALID_ARG, "not a request mailslotd takes", NULL); break;
    }
}
