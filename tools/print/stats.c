/* SPDX-License-Identifier: MIT */
#include "stats.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "sender_print.h"

typedef struct stats_entry {
    char key[STATS_KEY_LEN];
    uint64_t count;
} stats_entry;

/* Keys made from a small code (message type, opcode) are remembered by
 * code: entries never move once made, so the next datagram with the same
 * code counts on its entry without building and hashing the key. */
#define CODE_HITS 512

struct stats_table {
    const char *title;
    size_t used;
    uint64_t other;
    stats_entry *hit[CODE_HITS]; /* by code (see stats_add), once counted */
    stats_entry slot[2 * STATS_MAX_KEYS]; /* open addressing, half full at most */
};

static stats_table *table_new(const char *title)
{
    stats_table *t = calloc(1, sizeof *t);
    if (t)
        t->title = title;
    return t;
}

/* Counts key; returns its entry (NULL when it went to "other"). */
static stats_entry *table_add(stats_table *t, const char *key)
{
    uint32_t h = 2166136261u;
    for (const char *p = key; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    size_t n = sizeof t->slot / sizeof t->slot[0];
    for (size_t i = h % n;; i = (i + 1) % n) {
        stats_entry *e = &t->slot[i];
        if (e->count && strcmp(e->key, key) == 0) {
            e->count++;
            return e;
        }
        if (!e->count) {
            if (t->used >= STATS_MAX_KEYS) {
                t->other++;
                return NULL;
            }
            snprintf(e->key, sizeof e->key, "%s", key);
            e->count = 1;
            t->used++;
            return e;
        }
    }
}

int stats_init(stats *s)
{
    memset(s, 0, sizeof *s);
    s->types = table_new("message types");
    s->mailslots = table_new("mailslots");
    s->senders = table_new("senders (NBDS source name)");
    s->browser = table_new("browser opcodes");
    s->netlogon = table_new("NETLOGON opcodes");
    s->layouts = table_new("layouts (whose shape, docs/LAYOUTS.md)");
    return s->types && s->mailslots && s->senders && s->browser && s->netlogon && s->layouts
               ? 0
               : -1;
}

void stats_free(stats *s)
{
    free(s->types);
    free(s->mailslots);
    free(s->senders);
    free(s->browser);
    free(s->netlogon);
    free(s->layouts);
}

/* "0x%02x %s%s" by hand: snprintf was most of the cost of counting a
 * datagram. Falls back to snprintf for anything that would not fit. */
static void code_key(char *key, size_t cap, unsigned v, const char *name, const char *extra)
{
    static const char hx[] = "0123456789abcdef";
    char d[8];
    size_t n = 0;
    for (unsigned r = v; r || n < 2; r >>= 4)
        d[n++] = hx[r & 15];
    size_t nl = strlen(name), el = strlen(extra);
    if (2 + n + 1 + nl + el + 1 > cap) {
        snprintf(key, cap, "0x%02x %s%s", v, name, extra);
        return;
    }
    char *o = key;
    *o++ = '0';
    *o++ = 'x';
    while (n)
        *o++ = d[--n];
    *o++ = ' ';
    memcpy(o, name, nl);
    memcpy(o + nl, extra, el + 1);
}

/* table_add of code_key(v, name, extra), where name and extra follow from
 * the cache index idx alone. */
static void table_add_code(stats_table *t, size_t idx, unsigned v, const char *name,
                           const char *extra)
{
    if (idx < CODE_HITS && t->hit[idx]) {
        t->hit[idx]->count++;
        return;
    }
    char key[STATS_KEY_LEN];
    code_key(key, sizeof key, v, name, extra);
    stats_entry *e = table_add(t, key);
    if (idx < CODE_HITS)
        t->hit[idx] = e;
}

void stats_add(stats *s, const ms_message *m)
{
    char key[STATS_KEY_LEN];
    s->datagrams++;
    const ms_dgram *d = &m->dgram;
    const char *tn = ms_dgram_type_name(d->type);
    table_add_code(s->types, d->type, d->type, tn ? tn : "(undefined)", "");
    if (d->src.wire_len) {
        ms_nb_name_format(&d->src, key, sizeof key);
        table_add(s->senders, key);
    }
    if (!m->has_smb)
        return;
    esc_cstr(m->trans.name.p, m->trans.name.len, ESC_TEXT, key, sizeof key);
    table_add(s->mailslots, key);
    sender_words(m, " + ", key, sizeof key);
    table_add(s->layouts, key);
    const ms_bytes *data = &m->trans.data;
    if ((m->kind == MS_PAYLOAD_BROWSER || m->kind == MS_PAYLOAD_LANMAN) && data->len >= 1) {
        const char *on = ms_browser_opcode_name(data->p[0]);
        bool lm = m->payload_ok && m->browser.lm_format;
        table_add_code(s->browser, data->p[0] + (lm ? 256u : 0u), data->p[0], on ? on : "(undefined)",
                       lm ? " (LAN Manager)" : "");
    } else if (m->kind == MS_PAYLOAD_NETLOGON && data->len >= 2) {
        uint16_t op = (uint16_t)(data->p[0] | data->p[1] << 8);
        const char *on = ms_netlogon_opcode_name(op);
        table_add_code(s->netlogon, op, op, on ? on : "(undefined)", "");
    }
}

static int by_count(const void *a, const void *b)
{
    const stats_entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->key, y->key);
}

static void table_print(const stats_table *t, FILE *f)
{
    if (!t->used)
        return;
    stats_entry *list = malloc(t->used * sizeof *list);
    if (!list)
        return;
    size_t n = 0;
    for (size_t i = 0; i < sizeof t->slot / sizeof t->slot[0]; i++)
        if (t->slot[i].count)
            list[n++] = t->slot[i];
    qsort(list, n, sizeof *list, by_count);
    fprintf(f, "%s:\n", t->title);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %8llu  %s\n", (unsigned long long)list[i].count, list[i].key);
    if (t->other)
        fprintf(f, "  %8llu  (other: more than %d distinct)\n", (unsigned long long)t->other, STATS_MAX_KEYS);
    free(list);
}

void stats_print(const stats *s, FILE *f)
{
    fprintf(f, "datagrams: %llu\n", (unsigned long long)s->datagrams);
    table_print(s->types, f);
    table_print(s->mailslots, f);
    table_print(s->senders, f);
    table_print(s->browser, f);
    table_print(s->netlogon, f);
    table_print(s->layouts, f);
}
