/* SPDX-License-Identifier: MIT */
/* gethostname(2) -> HOST<00>. */
#include "hostname.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

ms_status md_host_name_from(const char *host, uint8_t raw[16])
{
    size_t len = strcspn(host, ".");
    if (len == 0)
        return MS_ERR_INVALID_ARG;
    if (len > 15)
        len = 15;
    memset(raw, ' ', 15);
    raw[15] = 0x00;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)host[i];
        if (c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 'a' + 'A');
        /* What values.c refuses in a name, and anything outside ASCII. */
        if (c <= 0x20 || c >= 0x7F || strchr("\\/:*?\"<>|,;=+[]", c))
            c = '-';
        raw[i] = c;
    }
    return MS_OK;
}

ms_status md_host_name(uint8_t raw[16], char *err, size_t errlen)
{
    char host[256];
    if (gethostname(host, sizeof host) != 0) {
        snprintf(err, errlen, "gethostname: %s", strerror(errno));
        return MS_ERR_SYSTEM;
    }
    host[sizeof host - 1] = '\0';
    if (md_host_name_from(host, raw) != MS_OK) {
        snprintf(err, errlen, "the host name '%.60s' gives no NetBIOS name", host);
        return MS_ERR_INVALID_ARG;
    }
    return MS_OK;
}
