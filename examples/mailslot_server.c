/* SPDX-License-Identifier: MIT */
/* A mailslot server as a Win32 programmer writes it, on Linux:
 *
 *   hSlot = CreateMailslot("\\\\.\\mailslot\\sample_mailslot", 0,
 *                          MAILSLOT_WAIT_FOREVER, NULL);
 *   for (;;) {
 *       GetMailslotInfo(hSlot, NULL, &cbMessage, &cMessage, NULL);
 *       while (cMessage != 0) {
 *           ReadFile(hSlot, buf, cbMessage, &cbRead, NULL);
 *           ...
 *       }
 *   }
 *   CloseHandle(hSlot);
 *
 * Usage: mailslot_server [COUNT]  — read COUNT messages (default 3), or
 * until a message "quit", then close the mailslot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/server.h"

#define SLOT_NAME "\\\\.\\mailslot\\sample_mailslot"

int main(int argc, char **argv)
{
    long want = argc > 1 ? strtol(argv[1], NULL, 10) : 3;
    char err[256];

    /* The "system": a server with no network socket (local only). */
    ms_server_opts opts;
    ms_server_opts_init(&opts);
    opts.no_socket = true;
    ms_server *sys;
    if (ms_server_open(&opts, &sys, err, sizeof err) != MS_OK) {
        fprintf(stderr, "mailslot_server: %s\n", err);
        return 1;
    }

    /* CreateMailslot(name, nMaxMessageSize = 0, lReadTimeout = forever) */
    ms_mailslot *hSlot;
    ms_status st = ms_mailslot_create(sys, SLOT_NAME, 0, MS_MAILSLOT_WAIT_FOREVER, &hSlot);
    if (st != MS_OK) {
        /* INVALID_HANDLE_VALUE; GetLastError() == ERROR_ALREADY_EXISTS */
        fprintf(stderr, "CreateMailslot failed: %s\n", ms_strerror(st));
        ms_server_close(sys);
        return 1;
    }
    printf("CreateMailslot %s ok\n", SLOT_NAME);
    fflush(stdout);

    long got = 0;
    int rc = 0;
    while (got < want) {
        /* Block for the next message (lReadTimeout = MAILSLOT_WAIT_FOREVER). */
        ms_mailslot_msg msg;
        if (ms_mailslot_read(hSlot, &msg) != MS_OK) {
            fprintf(stderr, "ReadFile failed\n");
            rc = 1;
            break;
        }
        printf("Message #%ld: %.*s\n", ++got, (int)msg.len, (const char *)msg.data);

        /* GetMailslotInfo(hSlot, NULL, &cbMessage, &cMessage, NULL) */
        ms_mailslot_info info = MS_SIZED(ms_mailslot_info);
        if (ms_mailslot_get_info(hSlot, &info) != MS_OK) {
            fprintf(stderr, "GetMailslotInfo failed\n");
            rc = 1;
            break;
        }
        /* Drain what is already waiting without blocking. */
        ms_mailslot_set_timeout(hSlot, 0); /* SetMailslotInfo(hSlot, 0) */
        while (info.count != 0 && got < want) {
            printf("Waiting: %lu message(s), next %lu octets\n", (unsigned long)info.count,
                   (unsigned long)info.next_size);
            if (ms_mailslot_read(hSlot, &msg) != MS_OK)
                break;
            printf("Message #%ld: %.*s\n", ++got, (int)msg.len, (const char *)msg.data);
            if (ms_mailslot_get_info(hSlot, &info) != MS_OK)
                break;
        }
        ms_mailslot_set_timeout(hSlot, MS_MAILSLOT_WAIT_FOREVER);
        fflush(stdout);
        if (msg.len == 4 && !memcmp(msg.data, "quit", 4))
            break;
    }

    /* CloseHandle(hSlot): the mailslot disappears. */
    ms_mailslot_close(hSlot);
    ms_server_close(sys);
    printf("CloseHandle: %ld message(s)\n", got);
    return rc;
}
