/* SPDX-License-Identifier: MIT */
/* A mailslot client as a Win32 programmer writes it, on Linux:
 *
 *   hFile = CreateFile("\\\\.\\mailslot\\sample_mailslot", GENERIC_WRITE,
 *                      FILE_SHARE_READ, NULL, OPEN_EXISTING,
 *                      FILE_ATTRIBUTE_NORMAL, NULL);
 *   WriteFile(hFile, "Message one for mailslot.", ..., &cbWritten, NULL);
 *   ...
 *   CloseHandle(hFile);
 *
 * Usage: mailslot_client [MESSAGE...] — default: three sample messages.
 * The same program writes to \\HOST\mailslot\x over the network when
 * given another path in MAILSLOT_PATH. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/client.h"

static int WriteSlot(ms_client *hFile, const char *text)
{
    char err[256];
    /* WriteFile(hFile, text, strlen(text), &cbWritten, NULL) */
    ms_status st = ms_client_write(hFile, text, strlen(text), NULL, err, sizeof err);
    if (st != MS_OK) {
        fprintf(stderr, "WriteFile failed: %s\n", err);
        return 0;
    }
    printf("Slot written: %s\n", text);
    return 1;
}

int main(int argc, char **argv)
{
    const char *path = getenv("MAILSLOT_PATH");
    if (!path)
        path = "\\\\.\\mailslot\\sample_mailslot";
    char err[256];
    /* CreateFile(path, GENERIC_WRITE, FILE_SHARE_READ, ..., OPEN_EXISTING) */
    ms_client *hFile;
    ms_status st = ms_client_open_path(path, NULL, &hFile, err, sizeof err);
    if (st != MS_OK) {
        /* INVALID_HANDLE_VALUE; GetLastError() == ERROR_FILE_NOT_FOUND */
        fprintf(stderr, "CreateFile failed: %s (%s)\n", ms_strerror(st), err);
        return 1;
    }
    int ok = 1;
    if (argc > 1) {
        for (int i = 1; i < argc && ok; i++)
            ok = WriteSlot(hFile, argv[i]);
    } else {
        ok = WriteSlot(hFile, "Message one for mailslot.") &&
             WriteSlot(hFile, "Message two for mailslot.") &&
             WriteSlot(hFile, "Message three for mailslot.");
    }
    ms_client_close(hFile); /* CloseHandle(hFile) */
    return ok ? 0 : 1;
}
