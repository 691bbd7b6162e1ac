/* SPDX-License-Identifier: MIT */
#include "dg_filter.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "mailslot/server.h"

static const struct {
    const char *word;
    uint8_t type;
} type_words[] = {
    { "unique", MS_NBDS_DIRECT_UNIQUE },
    { "group", MS_NBDS_DIRECT_GROUP },
    { "broadcast", MS_NBDS_BROADCAST },
    { "error", MS_NBDS_ERROR },
    { "query", MS_NBDS_QUERY_REQUEST },
    { "positive", MS_NBDS_POSITIVE_QUERY_RESPONSE },
    { "negative", MS_NBDS_NEGATIVE_QUERY_RESPONSE },
};

static bool room(size_t n, const char *sub, const char *opt)
{
    if (n < DG_FILTER_MAX)
        return true;
    cli_error(sub, "%s: at most %d of them", opt, DG_FILTER_MAX);
    return false;
}

int dg_filter_add_slot(dg_filter *f, const char *sub, const char *text)
{
    if (!room(f->nslots, sub, "--slot"))
        return -1;
    char *out = f->slots[f->nslots];
    if (ms_mailslot_name_normalize(text, out, DG_FILTER_SLOT_MAX) != MS_OK) {
        cli_error(sub, "--slot: '%s' is not a mailslot name (\\MAILSLOT\\NAME)", text);
        return -1;
    }
    f->nslots++;
    return 0;
}

int dg_filter_add_type(dg_filter *f, const char *sub, const char *text)
{
    if (!room(f->ntypes, sub, "--type"))
        return -1;
    for (size_t i = 0; i < sizeof type_words / sizeof type_words[0]; i++)
        if (!strcasecmp(text, type_words[i].word)) {
            f->types[f->ntypes++] = type_words[i].type;
            return 0;
        }
    cli_error(sub, "--type: '%s' is not one of %s", text, DG_FILTER_TYPE_WORDS);
    return -1;
}

/* NAME or NAME<xx>: up to 15 octets, case-insensitive. */
int dg_filter_add_name(dg_filter *f, const char *sub, const char *text)
{
    if (!room(f->nnames, sub, "--name"))
        return -1;
    size_t len = strlen(text);
    int suffix = -1;
    if (len >= 4 && text[len - 1] == '>' && text[len - 4] == '<' &&
        isxdigit((unsigned char)text[len - 3]) && isxdigit((unsigned char)text[len - 2])) {
        unsigned v;
        sscanf(text + len - 3, "%2x", &v);
        suffix = (int)v;
        len -= 4;
    }
    if (len == 0 || len > 15 || memchr(text, '<', len) || memchr(text, '>', len)) {
        cli_error(sub, "--name: '%s' is not a NetBIOS name (1-15 characters, optional <xx>)", text);
        return -1;
    }
    uint8_t *n = f->names[f->nnames].name;
    memset(n, ' ', 15);
    for (size_t i = 0; i < len; i++)
        n[i] = (uint8_t)toupper((unsigned char)text[i]);
    f->names[f->nnames].suffix = suffix;
    f->nnames++;
    return 0;
}

bool dg_filter_active(const dg_filter *f)
{
    return f->nslots || f->ntypes || f->nnames;
}

static bool name_is(const ms_nb_name *nb, const uint8_t want[15], int suffix)
{
    if (!nb->valid)
        return false;
    if (suffix >= 0 && nb->name[15] != suffix)
        return false;
    for (size_t i = 0; i < 15; i++)
        if (toupper(nb->name[i]) != want[i])
            return false;
    return true;
}

static bool slot_is(const ms_message *m, const char *want)
{
    if (!m->has_smb)
        return false;
    size_t n = m->trans.name.len;
    while (n && m->trans.name.p[n - 1] == 0)
        n--;
    return n == strlen(want) && !strncasecmp((const char *)m->trans.name.p, want, n);
}

bool dg_filter_match(const dg_filter *f, const ms_message *m)
{
    if (f->ntypes) {
        bool hit = false;
        for (size_t i = 0; i < f->ntypes && !hit; i++)
            hit = m->dgram.type == f->types[i];
        if (!hit)
            return false;
    }
    if (f->nnames) {
        bool hit = false;
        for (size_t i = 0; i < f->nnames && !hit; i++)
            hit = name_is(&m->dgram.src, f->names[i].name, f->names[i].suffix) ||
                  name_is(&m->dgram.dst, f->names[i].name, f->names[i].suffix);
        if (!hit)
            return false;
    }
    if (f->nslots) {
        bool hit = false;
        for (size_t i = 0; i < f->nslots && !hit; i++)
            hit = slot_is(m, f->slots[i]);
        if (!hit)
            return false;
    }
    return true;
}
