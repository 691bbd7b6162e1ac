/* SPDX-License-Identifier: MIT */
/* NAME or NAME<xx> from the command line to an ms_nb_name. */
#include "cli_nbname.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Longest argument looked at: a name, its suffix and a scope of 255. */
#define ARG_MAX 300

static bool hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Why NAME<xx>[.scope] did not parse, for the one-line error. */
static const char *why_not(const char *up, size_t len)
{
    const char *lt = strchr(up, '<');
    size_t base = (size_t)(lt - up);
    if (base == 0)
        return "no name before the suffix";
    if (base > 15)
        return "longer than 15 characters";
    /* The suffix is the last <..> before an optional .scope. */
    const char *end = strchr(lt, '.');
    size_t tail = end ? (size_t)(end - up) : len;
    if (tail < 4 || up[tail - 1] != '>' || up[tail - 4] != '<' || !hex_digit(up[tail - 3]) ||
        !hex_digit(up[tail - 2]))
        return "the suffix must be <xx>, two hex digits";
    return "more than 15 octets before the suffix, or a bad scope";
}

int cli_nb_name_arg(const char *text, ms_nb_name *nb, char *why, size_t whylen)
{
    size_t len = strlen(text);
    const char *bad = NULL;
    char up[ARG_MAX + 1];
    if (len == 0)
        bad = "the name is empty";
    else if (len > ARG_MAX)
        bad = "longer than 15 characters";
    if (bad) {
        snprintf(why, whylen, "%s", bad);
        return -1;
    }
    for (size_t k = 0; k <= len; k++)
        up[k] = (text[k] >= 'a' && text[k] <= 'z') ? (char)(text[k] - 'a' + 'A') : text[k];
    if (strchr(up, '<')) {
        /* "<20>" alone would be fifteen spaces: not a name anyone means. */
        if (up[0] != '<' && ms_nb_name_parse(nb, up, len) == MS_OK)
            return 0;
        snprintf(why, whylen, "%s", why_not(up, len));
        return -1;
    }
    uint8_t raw[16];
    if (len > 15 || ms_nb_name_pad(raw, up, len, 0x00) != MS_OK ||
        ms_nb_name_make(nb, raw, NULL) != MS_OK) {
        snprintf(why, whylen, "longer than 15 characters");
        return -1;
    }
    return 0;
}
