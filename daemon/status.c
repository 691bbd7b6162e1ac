/* SPDX-License-Identifier: MIT */
/* STATUS: one JSON object (mailslotd(8), "STATUS"): the daemon, its
 * interfaces and names, its clients, counters, and the mailslots last, so
 * that when they do not all fit one attribute the rest is still whole and
 * "mailslots_left_out" says how many are missing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "md.h"
#include "values.h"

#ifndef MAILSLOT_VERSION
#define MAILSLOT_VERSION "0"
#endif

/* Room kept for what closes the object after the mailslots. */
#define TAIL_ROOM 64

typedef struct jb {
    char *p;
    size_t cap, len;        /* len < cap always; p[len] == '\0' */
} jb;

static void putf(jb *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(jb *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(j->p + j->len, j->cap - j->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        j->len = (size_t)n < j->cap - j->len ? j->len + (size_t)n : j->cap - 1;
}

/* A JSON string from octets: a mailslot name is OEM octets, taken here as
 * Latin-1, so the output is always valid UTF-8. */
static void str(jb *j, const char *s, size_t n)
{
    putf(j, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            putf(j, "\\%c", c);
        else if (c < 0x20 || c >= 0x7F)
            putf(j, "\\u%04x", c);
        else
            putf(j, "%c", c);
    }
    putf(j, "\"");
}

static void key_str(jb *j, const char *key, const char *s)
{
    putf(j, "\"%s\":", key);
    str(j, s, strlen(s));
}

static void ip(jb *j, const char *key, uint32_t a)
{
    char t[16];
    ms_ip_format(a, t, sizeof t);
    putf(j, "\"%s\":\"%s\"", key, t);
}

static void head(jb *j, const md *d)
{
    char host[24];
    md_nbname_text(d->host, host, sizeof host);
    *strchr(host, '<') = '\0';
    putf(j, "{\"daemon\":{\"version\":\"%s\",\"pid\":%ld,\"uid\":%ld,\"uptime_s\":%llu,"
            "\"port\":%u,\"name_port\":%u,",
         MAILSLOT_VERSION, (long)getpid(), (long)d->uid,
         (unsigned long long)((ms_monotonic_ns() - d->started_mono_ns) / 1000000000u), d->port,
         d->cli.name_port);
    key_str(j, "control", d->ctl_path);
    putf(j, ",");
    key_str(j, "host", host);
    putf(j, ",");
    key_str(j, "workgroup", d->names.workgroup);
    putf(j, ",\"queue\":%u,\"queued_octets\":%zu,\"queued_octets_max\":%zu},\"interfaces\":[",
         d->set.queue, d->qb.total, d->qb.max);
    for (size_t i = 0; i < d->names.nifs; i++) {
        const ms_iface *f = &d->names.ifs[i].ifc;
        putf(j, "%s{", i ? "," : "");
        key_str(j, "name", f->name);
        putf(j, ",");
        ip(j, "address", f->addr);
        putf(j, ",");
        ip(j, "broadcast", f->bcast);
        putf(j, ",\"index\":%d}", f->index);
    }
    putf(j, "],");
}

static void names(jb *j, const md *d)
{
    putf(j, "\"names\":[");
    bool first = true;
    for (size_t i = 0; i < d->names.nifs; i++)
        for (size_t k = 0;; k++) {
            ms_name_info info;
            if (ms_name_service_name(d->names.ifs[i].ns, k, &info) != MS_OK)
                break;
            if (info.state == MS_NAME_RELEASED)
                continue;
            char t[300];
            ms_nb_name_format(&info.name, t, sizeof t);
            putf(j, "%s{", first ? "" : ",");
            first = false;
            key_str(j, "name", t);
            putf(j, ",\"group\":%s,\"state\":\"%s\",\"wins\":%s,", info.group ? "true" : "false",
                 ms_name_state_name(info.state), info.wins ? "true" : "false");
            key_str(j, "interface", d->names.ifs[i].ifc.name);
            putf(j, "}");
        }
    putf(j, "],");
}

static void clients(jb *j, const md *d)
{
    putf(j, "\"clients\":[");
    for (size_t i = 0; i < d->nclients; i++) {
        const md_client *c = d->clients[i];
        putf(j, "%s{\"pid\":%ld,\"uid\":%ld,\"gid\":%ld,", i ? "," : "", (long)c->peer.pid,
             (long)c->peer.uid, (long)c->peer.gid);
        key_str(j, "who", c->who);
        putf(j, ",\"mailslots\":%zu,\"waiting\":%zu,\"replies_dropped\":%llu}", c->nslots,
             c->q.n, (unsigned long long)c->replies.dropped);
    }
    putf(j, "],");
}

static void counters(jb *j, const md *d)
{
    const md_counters *n = &d->n;
    ms_pipeline_stats ps = MS_SIZED(ms_pipeline_stats);
    ms_pipeline_get_stats(d->pipe, &ps);
    putf(j, "\"counters\":{\"datagrams\":%llu,\"via_nmbd\":%llu,\"other_interface\":%llu,"
            "\"writes\":%llu,\"delivered\":%llu,\"token_replies\":%llu,\"monitor_copies\":%llu,"
            "\"no_mailslot\":%llu,\"not_ours\":%llu,\"queue_full\":%llu,\"over_bound\":%llu,",
         (unsigned long long)n->datagrams, (unsigned long long)n->via_nmbd,
         (unsigned long long)n->other_iface, (unsigned long long)n->writes,
         (unsigned long long)n->delivered, (unsigned long long)n->token_replies,
         (unsigned long long)n->monitor_copies, (unsigned long long)n->no_mailslot,
         (unsigned long long)n->not_ours, (unsigned long long)n->queue_full,
         (unsigned long long)d->qb.over);
    for (int v = 0; v < MS_RX_VERDICT__COUNT; v++)
        if (v != MS_RX_WRITE && v != MS_RX_FRAGMENT)
            putf(j, "\"%s\":%llu,", ms_rx_verdict_name((ms_rx_verdict)v),
                 (unsigned long long)ps.verdicts[v]);
    putf(j, "\"reassembled\":%llu,\"fragments_dropped\":%llu,\"sent\":%llu,"
            "\"send_refused\":%llu,\"send_failed\":%llu,\"clients\":%llu,"
            "\"clients_refused\":%llu,\"bad_requests\":%llu,\"tokens\":%zu,"
            "\"tokens_evicted\":%llu},",
         (unsigned long long)ps.reassembled, (unsigned long long)ps.frag_dropped,
         (unsigned long long)n->sent, (unsigned long long)n->send_refused,
         (unsigned long long)n->send_failed, (unsigned long long)n->clients,
         (unsigned long long)n->clients_refused, (unsigned long long)n->bad_requests,
         d->tokens.n, (unsigned long long)d->tokens.evicted);
}

static void mailslots(jb *j, const md *d)
{
    putf(j, "\"mailslots\":[");
    size_t left_out = 0;
    bool first = true;
    for (const md_slot *s = md_slots_next(&d->slots, NULL); s; s = md_slots_next(&d->slots, s)) {
        size_t mark = j->len;
        if (!left_out) {
            putf(j, "%s{", first ? "" : ",");
            key_str(j, "name", s->name);
            putf(j, ",\"monitor\":%s,\"pid\":%ld,\"uid\":%ld,\"queue_max\":%u,\"queued\":%u,"
                    "\"delivered\":%llu,\"dropped\":%llu}",
                 s->monitor ? "true" : "false", (long)s->pid, (long)s->uid, s->q.max, s->q.queued,
                 (unsigned long long)s->q.delivered, (unsigned long long)s->q.dropped);
        }
        if (left_out || j->len + TAIL_ROOM >= j->cap - 1) {
            j->len = mark;
            j->p[mark] = '\0';
            left_out++;
        } else {
            first = false;
        }
    }
    putf(j, "],\"mailslots_left_out\":%zu}", left_out);
}

size_t md_status_json(const md *d, char *out, size_t cap)
{
    jb j = { out, cap, 0 };
    out[0] = '\0';
    head(&j, d);
    names(&j, d);
    clients(&j, d);
    counters(&j, d);
    mailslots(&j, d);
    return j.len;
}
