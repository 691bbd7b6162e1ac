/* SPDX-License-Identifier: MIT */
/* The hosts of a LAN as their browser announcements describe them
 * (HostAnnouncement, LocalMasterAnnouncement, LAN Manager 2.x
 * announcement): one table, filled from decoded messages and printed as
 * `mailslot hosts` prints it (also `browse --announce-request`). */
#ifndef MS_TOOLS_HOST_TABLE_H
#define MS_TOOLS_HOST_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mailslot/message.h"

#define HOST_NAME_MAX_OCTETS 15
#define HOST_COMMENT_MAX 256

typedef struct host {
    uint8_t name[HOST_NAME_MAX_OCTETS + 1];
    size_t name_len;
    uint8_t group[HOST_NAME_MAX_OCTETS + 1];
    size_t group_len;
    uint8_t comment[HOST_COMMENT_MAX];
    size_t comment_len;
    uint32_t ip;
    uint8_t os_major, os_minor;
    uint8_t browser_major, browser_minor;
    bool lm_format;          /* described by a LAN Manager 2.x announcement */
    bool brws;               /* has sent an MS-BRWS announcement */
    bool described;          /* has sent one that was not "going away" */
    bool going_away;         /* the newest announcement had server type 0 */
    uint32_t server_type;
    uint32_t periodicity_ms;
    uint64_t first_ns, last_ns;  /* capture (or wall-clock) time */
    uint64_t first_frame, last_frame;
    uint64_t announcements;
} host;

typedef struct host_table {
    host *h;
    size_t n, cap;
    uint64_t announcements;
    bool oom;
} host_table;

/* Remember m when it announces a host (t_ns: its time; frame: its number). */
void host_table_take(host_table *c, const ms_message *m, uint64_t t_ns, uint64_t frame);

/* Sort by name; the text heading; one host as text or as one JSON line. */
void host_table_sort(host_table *c);
void host_table_heading(FILE *f);
void host_table_print(FILE *f, const host *h, bool json);

#endif
