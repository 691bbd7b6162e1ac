/* SPDX-License-Identifier: MIT */
/* A master browser's backup list, printed (browse_print.h). */
#include "browse_print.h"

#include "escape.h"
#include "json_out.h"
#include "mailslot/net.h"

static void print_json(FILE *f, const browse_master *m)
{
    static json_out j;
    char ip[16];
    jo_init(&j, f);
    jo_begin(&j, NULL);
    jo_cstr(&j, "workgroup", m->workgroup);
    jo_cstr(&j, "master", m->name);
    ms_ip_format(m->ip, ip, sizeof ip);
    jo_cstr(&j, "address", ip);
    jo_uint(&j, "token", m->token);
    jo_uint(&j, "count", m->count);
    jo_begin_list(&j, "backups");
    for (size_t i = 0; i < m->n; i++) {
        jo_begin(&j, NULL);
        jo_text(&j, "name", m->b[i].raw, m->b[i].raw_len);
        jo_bool(&j, "resolved", m->b[i].ip != 0);
        if (m->b[i].ip) {
            ms_ip_format(m->b[i].ip, ip, sizeof ip);
            jo_cstr(&j, "address", ip);
        }
        jo_end(&j);
    }
    jo_end(&j);
    jo_end_line(&j);
}

void browse_print(FILE *f, const browse_master *m, bool json)
{
    if (json) {
        print_json(f, m);
        return;
    }
    char ip[16];
    ms_ip_format(m->ip, ip, sizeof ip);
    fprintf(f, "master %s %s (workgroup %s, token %lu): %zu backup browser%s\n", m->name, ip,
            m->workgroup, (unsigned long)m->token, m->n, m->n == 1 ? "" : "s");
    for (size_t i = 0; i < m->n; i++) {
        fputs("    ", f);
        esc_write(f, m->b[i].raw, m->b[i].raw_len, ESC_TEXT);
        if (m->b[i].ip) {
            ms_ip_format(m->b[i].ip, ip, sizeof ip);
            fprintf(f, " %s\n", ip);
        } else {
            fputs(" unresolved\n", f);
        }
    }
}
