/* SPDX-License-Identifier: MIT */
/* The LMHOSTS-style static map the resolver tries before asking the
 * network (rules in nbns_resolve.h). */
#include "mailslot/nbns.h"
#include "mailslot/nbns_resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "errf.h"
#include "hex.h"

static uint8_t ascii_upper(uint8_t ch)
{
    return (ch >= 'a' && ch <= 'z') ? (uint8_t)(ch - 'a' + 'A') : ch;
}

/* One hosts line against the name; true and *ip on a match. */
static bool hosts_line_match(char *line, const ms_nb_name *name, uint32_t *ip)
{
    char *save = NULL;
    char *ipf = strtok_r(line, " \t\r\n", &save);
    if (!ipf || ipf[0] == '#')
        return false;
    char *nf = strtok_r(NULL, " \t\r\n", &save);
    if (!nf || nf[0] == '#')
        return false;
    struct in_addr a;
    if (inet_pton(AF_INET, ipf, &a) != 1)
        return false;

    size_t nl = strlen(nf);
    int suffix = -1;
    char *hash = strrchr(nf, '#');
    if (hash && hash != nf && strlen(hash) == 3 && ms_hexval(hash[1]) >= 0 && ms_hexval(hash[2]) >= 0) {
        suffix = ms_hexval(hash[1]) << 4 | ms_hexval(hash[2]);
        nl -= 3;
    }
    if (nl == 0 || nl > 15)
        return false;
    if (suffix >= 0 && (uint8_t)suffix != name->name[15])
        return false;
    uint8_t want[15];
    memset(want, ' ', sizeof want);
    memcpy(want, nf, nl);
    for (size_t i = 0; i < 15; i++)
        if (ascii_upper(want[i]) != ascii_upper(name->name[i]))
            return false;
    *ip = ntohl(a.s_addr);
    return true;
}

ms_status ms_nbns_hosts_lookup(const char *path, const ms_nb_name *name,
                               uint32_t *ip, char *err, size_t errlen)
{
    char text[128];
    ms_nb_name_format(name, text, sizeof text);
    if (!path || !name->valid) {
        ms_errf(err, errlen, "hosts lookup: %s", !path ? "no file given" : "name is not a valid NetBIOS name");
        return MS_ERR_INVALID_ARG;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        ms_errf(err, errlen, "cannot open hosts file %s: %s", path, strerror(errno));
        return MS_ERR_SYSTEM;
    }
    char line[1024];
    bool found = false;
    bool cont = false; /* inside an over-long line: skip its rest */
    while (!found && fgets(line, sizeof line, f)) {
        size_t l = strlen(line);
        bool whole = l > 0 && line[l - 1] == '\n';
        if (!cont && whole)
            found = hosts_line_match(line, name, ip);
        else if (!cont && feof(f))
            found = hosts_line_match(line, name, ip); /* last line, no newline */
        cont = !whole;
    }
    bool rerr = ferror(f);
    fclose(f);
    if (found)
        return MS_OK;
    if (rerr) {
        ms_errf(err, errlen, "cannot read hosts file %s", path);
        return MS_ERR_SYSTEM;
    }
    ms_errf(err, errlen, "%s not in hosts file %s", text, path);
    return MS_ERR_NOT_FOUND;
}
