/* SPDX-License-Identifier: MIT */
/* mailslotd's command line, and the settings it makes together with the
 * configuration file: an option given on the command line replaces the
 * file's value (for a repeatable one, the file's whole list). */
#ifndef MD_OPTS_H
#define MD_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "md_limits.h"

typedef struct md_settings {
    uint8_t names[MD_MAX_NAMES][16];
    size_t nnames;
    char ifaces[MD_MAX_IFACES][MD_IFNAME_MAX + 1];
    size_t nifaces;         /* 0: the first interface that is up */
    char workgroup[16];
    uint32_t wins;          /* 0: none */
    uint32_t queue;
    uint32_t rcvbuf;        /* UDP receive buffer asked for, octets */
    char user[MD_USER_MAX + 1]; /* "": stay who we are */
    char nmbd_dir[MD_DIR_MAX + 1]; /* nmbd's socket directory */
} md_settings;

typedef struct md_cli {
    bool foreground;
    const char *conf_path;  /* -c, or MD_DEFAULT_CONF */
    bool conf_given;        /* -c: the file must exist */
    uint16_t port, name_port;
    md_settings set;        /* what the options said ... */
    bool have_names, have_ifaces, have_workgroup, have_wins, have_queue, have_user,
        have_nmbd_dir, have_rcvbuf;
} md_cli;

/* -1: go on; else the exit status (0 after --help or --version, 2 for a
 * bad option, its line on stderr). */
int md_cli_parse(int argc, char **argv, md_cli *out);
/* The settings: defaults, then the file (c may be NULL), then options. */
void md_settings_make(const md_conf *c, const md_cli *o, md_settings *out);

#endif
