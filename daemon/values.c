/* SPDX-License-Identifier: MIT */
/* Checked values for the command line and the configuration file. */
#include "values.h"

#include <stdio.h>
#include <string.h>


static void say(char *why, size_t whylen, const char *text)
{
    if (why && whylen)
        snprintf(why, whylen, "%s", text);
}

/* Characters a NetBIOS computer name may hold here: printable ASCII but
 * blanks and those Windows refuses (\ / : * ? " < > |) or that mean
 * something else in our texts (. , ; = + [ ]). */
static int name_char_ok(unsigned char c)
{
    return c > 0x20 && c < 0x7F && !strchr("\\/:*?\"<>|.,;=+[]", c);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The base name (before any <xx>) of len characters into raw[0..15). */
static ms_status base_name(const char *text, size_t len, uint8_t raw[16], char *why,
                           size_t whylen)
{
    if (len == 0) {
        say(why, whylen, "the name is empty");
        return MS_ERR_INVALID_ARG;
    }
    if (len > 15) {
        say(why, whylen, "longer than 15 characters");
        return MS_ERR_INVALID_ARG;
    }
    memset(raw, ' ', 15);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (!name_char_ok(c)) {
            char w[80];
            if (c > 0x20 && c < 0x7F)
                snprintf(w, sizeof w, "character '%c' is not allowed in a NetBIOS name here", c);
            else
                snprintf(w, sizeof w, "%s is not allowed in a NetBIOS name here",
                         c == ' ' ? "a blank" : "a control or non-ASCII character");
            say(why, whylen, w);
            return MS_ERR_INVALID_ARG;
        }
        raw[i] = (uint8_t)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    return MS_OK;
}

ms_status md_parse_nbname(const char *text, uint8_t raw[16], char *why, size_t whylen)
{
    size_t len = strlen(text);
    const char *lt = strchr(text, '<');
    uint8_t suffix = 0x00;
    if (lt) {
        size_t base = (size_t)(lt - text);
        int hi = len - base == 4 ? hexval(lt[1]) : -1;
        int lo = len - base == 4 ? hexval(lt[2]) : -1;
        if (hi < 0 || lo < 0 || lt[3] != '>') {
            say(why, whylen, "the suffix must be <xx>, two hex digits, at the end");
            return MS_ERR_INVALID_ARG;
        }
        suffix = (uint8_t)(hi * 16 + lo);
        len = base;
    }
    ms_status st = base_name(text, len, raw, why, whylen);
    raw[15] = suffix;
    return st;
}

ms_status md_parse_workgroup(const char *text, char out[16], char *why, size_t whylen)
{
    uint8_t raw[16];
    size_t len = strlen(text);
    if (strchr(text, '<')) {
        say(why, whylen, "a workgroup has no <xx> suffix");
        return MS_ERR_INVALID_ARG;
    }
    ms_status st = base_name(text, len, raw, why, whylen);
    if (st != MS_OK)
        return st;
    memcpy(out, raw, len);
    out[len] = '\0';
    return MS_OK;
}

ms_status md_parse_iface(const char *text, char out[MD_IFNAME_MAX + 1], char *why, size_t whylen)
{
    size_t len = strlen(text);
    if (len == 0 || len > MD_IFNAME_MAX) {
        say(why, whylen, "an interface name has 1 to 15 characters");
        return MS_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] <= 0x20 || (unsigned char)text[i] >= 0x7F || text[i] == '/' ||
            text[i] == ':') {
            say(why, whylen, "not an interface name (blank, '/', ':' or a control character)");
            return MS_ERR_INVALID_ARG;
        }
    memcpy(out, text, len + 1);
    return MS_OK;
}

ms_status md_parse_uint(const char *text, uint32_t lo, uint32_t hi, uint32_t *out, char *why,
                        size_t whylen)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; text[i] >= '0' && text[i] <= '9' && i < 10; i++)
        v = v * 10 + (uint64_t)(text[i] - '0');
    if (i == 0 || text[i] != '\0' || v < lo || v > hi) {
        char w[80];
        snprintf(w, sizeof w, "not a number from %u to %u", (unsigned)lo, (unsigned)hi);
        say(why, whylen, w);
        return MS_ERR_INVALID_ARG;
    }
    *out = (uint32_t)v;
    return MS_OK;
}

ms_status md_parse_user(const char *text, char out[MD_USER_MAX + 1], char *why, size_t whylen)
{
    size_t len = strlen(text);
    int ok = len >= 1 && len <= MD_USER_MAX && text[0] != '-';
    for (size_t i = 0; ok && i < len; i++) {
        char c = text[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-';
    }
    if (!ok) {
        say(why, whylen, "a user name has 1 to 32 of A-Z a-z 0-9 . _ - (not first)");
        return MS_ERR_INVALID_ARG;
    }
    memcpy(out, text, len + 1);
    return MS_OK;
}

void md_nbname_make(const uint8_t raw[16], ms_nb_name *out)
{
    /* 16 octets without scope always encode. */
    (void)ms_nb_name_make(out, raw, NULL);
}

void md_nbname_text(const uint8_t raw[16], char *out, size_t cap)
{
    ms_nb_name n;
    md_nbname_make(raw, &n);
    ms_nb_name_format(&n, out, cap);
}
