/* SPDX-License-Identifier: MIT */
/* The sender list of one datagram, from ms_sender_match. */
#include "sender_print.h"

#include <string.h>

#include "mailslot/layout.h"

size_t sender_names(const ms_message *m, const char *names[], size_t cap)
{
    unsigned bits = ms_sender_match(m);
    size_t n = 0;
    for (int s = 0; s < MS_SENDER_COUNT && n < cap; s++)
        if (bits & (1u << s))
            names[n++] = ms_sender_name((ms_sender)s);
    if (n == 0 && cap)
        names[n++] = "unknown";
    return n;
}

void sender_json(json_out *j, const ms_message *m)
{
    if (!sender_known_for(m))
        return;
    const char *names[MS_SENDER_COUNT];
    size_t n = sender_names(m, names, MS_SENDER_COUNT);
    jo_begin_list(j, "sender");
    for (size_t i = 0; i < n; i++)
        jo_cstr(j, NULL, names[i]);
    jo_end(j);
}

void sender_words(const ms_message *m, const char *sep, char *out, size_t cap)
{
    const char *names[MS_SENDER_COUNT];
    size_t n = sender_names(m, names, MS_SENDER_COUNT), used = 0;
    if (cap)
        out[0] = '\0';
    for (size_t i = 0; i < n && used < cap; i++) {
        size_t need = (i ? strlen(sep) : 0) + strlen(names[i]);
        if (used + need + 1 > cap)
            break;
        if (i) {
            strcpy(out + used, sep);
            used += strlen(sep);
        }
        strcpy(out + used, names[i]);
        used += strlen(names[i]);
    }
}
