/* SPDX-License-Identifier: MIT */
/* mailslotd's configuration file (mailslotd(8), "CONFIGURATION FILE"):
 *
 *   # a comment (also ';'), on a line of its own
 *   name = ALIAS           one NetBIOS name (NAME or NAME<xx>); repeatable
 *   workgroup = MSLAB      the workgroup joined (WORKGROUP<00>, a group name)
 *   interface = eth0       an interface to serve; repeatable
 *   wins = 192.0.2.10      a WINS server to register with
 *   queue = 64             messages each mailslot's queue holds
 *   rcvbuf = 33554432      octets of UDP receive buffer asked for
 *   user = mailslot        the user to run as after binding (when root)
 *   nmbd_socket_dir = /run/samba/nmbd   nmbd's socket directory (beside
 *                          Samba: where its unexpected-packet socket is)
 *
 * One "key = value" per line; blanks around both are dropped; keys in
 * lower case; no quoting, no comment after a value. A key that is not
 * repeatable may be given once. The parser reads a caller's buffer (it
 * neither allocates nor reads files); md_conf_load reads a file into one. */
#ifndef MD_CONF_H
#define MD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "md_limits.h"
#include "mailslot/status.h"

typedef struct md_conf {
    uint8_t names[MD_MAX_NAMES][16]; /* NetBIOS names, 16 octets each */
    size_t nnames;
    char ifaces[MD_MAX_IFACES][MD_IFNAME_MAX + 1];
    size_t nifaces;
    char workgroup[16];
    uint32_t wins;                   /* host order */
    uint32_t queue;
    uint32_t rcvbuf;
    char user[MD_USER_MAX + 1];
    char nmbd_dir[MD_DIR_MAX + 1];
    /* Which keys were given (each on which line). */
    unsigned line_workgroup, line_wins, line_queue, line_user, line_nmbd_dir, line_rcvbuf;
} md_conf;

/* Parse len octets of text (no NUL needed). MS_OK, or MS_ERR_BAD_INPUT
 * with "line N: what is wrong" in err; MS_ERR_TOO_BIG past
 * MD_CONF_MAX_BYTES. *out is cleared first. */
ms_status md_conf_parse(const char *text, size_t len, md_conf *out, char *err, size_t errlen);
/* Read and parse a file. MS_ERR_NOT_FOUND when it does not exist (err
 * says so), MS_ERR_SYSTEM when it cannot be read, else as md_conf_parse;
 * err starts with the path. */
ms_status md_conf_load(const char *path, md_conf *out, char *err, size_t errlen);

#endif
