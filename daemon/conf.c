/* SPDX-License-Identifier: MIT */
/* The configuration file parser: one "key = value" per line, every value
 * checked as the command line checks it, errors with their line number. */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailslot/net.h"
#include "values.h"

#define WHY 120

static ms_status fail(char *err, size_t errlen, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static ms_status fail(char *err, size_t errlen, unsigned line, const char *fmt, ...)
{
    if (err && errlen) {
        int n = snprintf(err, errlen, "line %u: ", line);
        if (n >= 0 && (size_t)n < errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return MS_ERR_BAD_INPUT;
}

/* A key that may be given once: the line it was first given on. */
static ms_status once(unsigned *seen, unsigned line, const char *key, char *err, size_t errlen)
{
    if (*seen)
        return fail(err, errlen, line, "%s given twice (first on line %u)", key, *seen);
    *seen = line;
    return MS_OK;
}

static ms_status bad_value(char *err, size_t errlen, unsigned line, const char *key,
                           const char *value, const char *why)
{
    return fail(err, errlen, line, "%s: '%.60s%s': %s", key, value,
                strlen(value) > 60 ? "..." : "", why);
}

static ms_status take(md_conf *c, const char *key, const char *value, unsigned line, char *err,
                      size_t errlen)
{
    char why[WHY];
    ms_status st = MS_OK;
    if (!strcmp(key, "name")) {
        if (c->nnames == MD_MAX_NAMES)
            return fail(err, errlen, line, "more than %d names", MD_MAX_NAMES);
        st = md_parse_nbname(value, c->names[c->nnames], why, sizeof why);
        if (st == MS_OK)
            c->nnames++;
    } else if (!strcmp(key, "interface")) {
        if (c->nifaces == MD_MAX_IFACES)
            return fail(err, errlen, line, "more than %d interfaces", MD_MAX_IFACES);
        st = md_parse_iface(value, c->ifaces[c->nifaces], why, sizeof why);
        if (st == MS_OK)
            c->nifaces++;
    } else if (!strcmp(key, "workgroup")) {
        if ((st = once(&c->line_workgroup, line, key, err, errlen)) != MS_OK)
            return st;
        st = md_parse_workgroup(value, c->workgroup, why, sizeof why);
    } else if (!strcmp(key, "wins")) {
        if ((st = once(&c->line_wins, line, key, err, errlen)) != MS_OK)
            return st;
        st = ms_ip_parse(value, &c->wins);
        if (st != MS_OK || c->wins == 0 || c->wins == 0xFFFFFFFFu) {
            snprintf(why, sizeof why, "not a unicast IPv4 address");
            st = MS_ERR_INVALID_ARG;
        }
    } else if (!strcmp(key, "queue")) {
        if ((st = once(&c->line_queue, line, key, err, errlen)) != MS_OK)
            return st;
        st = md_parse_uint(value, 1, MD_QUEUE_MAX, &c->queue, why, sizeof why);
    } else if (!strcmp(key, "rcvbuf")) {
        if ((st = once(&c->line_rcvbuf, line, key, err, errlen)) != MS_OK)
            return st;
        st = md_parse_uint(value, MD_RCVBUF_MIN, MD_RCVBUF_MAX, &c->rcvbuf, why, sizeof why);
    } else if (!strcmp(key, "user")) {
        if ((st = once(&c->line_user, line, key, err, errlen)) != MS_OK)
            return st;
        st = md_parse_user(value, c->user, why, sizeof why);
    } else if (!strcmp(key, "nmbd_socket_dir")) {
        if ((st = once(&c->line_nmbd_dir, line, key, err, errlen)) != MS_OK)
            return st;
        st = md_parse_dir(value, c->nmbd_dir, why, sizeof why);
    } else {
        return fail(err, errlen, line,
                    "unknown key '%.40s' (keys: name, workgroup, interface, wins, queue, "
                    "rcvbuf, user, nmbd_socket_dir)",
                    key);
    }
    return st == MS_OK ? MS_OK : bad_value(err, errlen, line, key, value, why);
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* One line (without its '\n'), len <= MD_CONF_MAX_LINE. */
static ms_status parse_line(md_conf *c, const char *text, size_t len, unsigned line, char *err,
                            size_t errlen)
{
    char buf[MD_CONF_MAX_LINE + 1];
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7F)
            return fail(err, errlen, line, "control character 0x%02x at column %zu", ch, i + 1);
        buf[i] = (char)ch;
    }
    size_t b = 0, e = len;
    while (b < e && blank(buf[b]))
        b++;
    while (e > b && blank(buf[e - 1]))
        e--;
    if (b == e || buf[b] == '#' || buf[b] == ';')
        return MS_OK;
    buf[e] = '\0';
    char *eq = memchr(buf + b, '=', e - b);
    if (!eq)
        return fail(err, errlen, line, "expected 'key = value'");
    size_t ke = (size_t)(eq - buf), vb = ke + 1;
    while (ke > b && blank(buf[ke - 1]))
        ke--;
    while (vb < e && blank(buf[vb]))
        vb++;
    buf[ke] = '\0';
    if (ke == b)
        return fail(err, errlen, line, "no key before '='");
    for (size_t i = b; i < ke; i++)
        if (!((buf[i] >= 'a' && buf[i] <= 'z') || buf[i] == '_'))
            return fail(err, errlen, line, "a key is lower-case letters: '%.40s'", buf + b);
    if (vb == e)
        return fail(err, errlen, line, "%s: no value after '='", buf + b);
    return take(c, buf + b, buf + vb, line, err, errlen);
}

ms_status md_conf_parse(const char *text, size_t len, md_conf *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (len > MD_CONF_MAX_BYTES) {
        if (err && errlen)
            snprintf(err, errlen, "longer than %u octets", (unsigned)MD_CONF_MAX_BYTES);
        return MS_ERR_TOO_BIG;
    }
    unsigned line = 0;
    for (size_t pos = 0; pos < len;) {
        line++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (end - pos > MD_CONF_MAX_LINE)
            return fail(err, errlen, line, "longer than %d octets", MD_CONF_MAX_LINE);
        ms_status st = parse_line(out, text + pos, end - pos, line, err, errlen);
        if (st != MS_OK)
            return st;
        pos = end + 1;
    }
    return MS_OK;
}

ms_status md_conf_load(const char *path, md_conf *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = fd < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        if (fd >= 0)
            close(fd);
        snprintf(err, errlen, "%s: %s", path, fd < 0 || e == EISDIR ? strerror(e)
                                                                   : "not a regular file");
        return e == ENOENT ? MS_ERR_NOT_FOUND : MS_ERR_SYSTEM;
    }
    char *text = malloc(MD_CONF_MAX_BYTES + 1);
    size_t len = 0;
    ssize_t got = 1;
    while (text && len <= MD_CONF_MAX_BYTES && got > 0) {
        got = read(fd, text + len, MD_CONF_MAX_BYTES + 1 - len);
        if (got > 0)
            len += (size_t)got;
        else if (got < 0 && errno == EINTR)
            got = 1;
    }
    int e = errno;
    close(fd);
    if (!text || got < 0) {
        snprintf(err, errlen, "%s: %s", path, text ? strerror(e) : "out of memory");
        free(text);
        return text ? MS_ERR_SYSTEM : MS_ERR_NO_MEMORY;
    }
    char why[300];
    ms_status rc = md_conf_parse(text, len, out, why, sizeof why);
    free(text);
    if (rc != MS_OK)
        snprintf(err, errlen, "%s: %s", path, why);
    return rc;
}
