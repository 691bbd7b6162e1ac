/* SPDX-License-Identifier: MIT */
/* A remote mailslot client as a Win32 programmer writes it, on Linux:
 * open \\HOST\mailslot\x (one machine), \\DOMAIN\mailslot\x or
 * \\*\mailslot\x (every machine of the workgroup or domain on the subnet)
 * and write messages to it; each becomes one NetBIOS datagram on UDP 138.
 *
 * How the Win32 calls map to this library:
 *
 *   Win32                                   here
 *   -------------------------------------   ---------------------------------
 *   CreateFile("\\\\HOST\\mailslot\\x",     ms_client_open_path(path, &opts, &h,
 *              GENERIC_WRITE,                 &st, err, sizeof err)
 *              FILE_SHARE_READ, NULL,
 *              OPEN_EXISTING, 0, NULL)
 *     \\HOST: the name is resolved now      hosts file (-H), then a NetBIOS
 *                                           name query (WINS with -W, else a
 *                                           broadcast); st == MS_ERR_NOT_FOUND
 *                                           when nobody answers
 *     \\* and \\DOMAIN: nothing to check    the subnet broadcast address of
 *                                           the interface (-i), workgroup -w
 *     \\A.B.C.D (not a Win32 form)          the destination NetBIOS name
 *                                           must be given (-d NAME<xx>)
 *   WriteFile(h, buf, len, &written, NULL)  ms_client_write(h, buf, len,
 *                                             &res, err, sizeof err)
 *     a group write over 424 octets fails   MS_ERR_TOO_BIG (the 424-octet
 *                                           rule of the CreateMailslot
 *                                           remarks; direct writes: the SMB
 *                                           message within 512 octets)
 *     success says nothing about delivery   the same: a datagram, no reply
 *   CloseHandle(h)                          ms_client_close(h)
 *
 * Usage: remote_client [OPTIONS] PATH [MESSAGE | @FILE]...  (see usage()).
 * Each MESSAGE is written as is (no terminating NUL), @FILE writes the
 * octets of FILE. Exit status: 0 every message written, 1 CreateFile or a
 * WriteFile failed (the other messages are still tried), 2 bad usage. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mailslot/client.h"
#include "mailslot/net.h"

#define MAX_MESSAGE 65536

static void usage(FILE *f)
{
    fprintf(f,
            "usage: remote_client [OPTIONS] PATH [MESSAGE | @FILE]...\n"
            "  PATH        \\\\HOST\\mailslot\\NAME, \\\\DOMAIN\\mailslot\\NAME,\n"
            "              \\\\*\\mailslot\\NAME or \\\\A.B.C.D\\mailslot\\NAME (with -d)\n"
            "  MESSAGE     written as is; @FILE: the octets of FILE (default: one greeting)\n"
            "  -p PORT     destination UDP port (default 138)\n"
            "  -s PORT     source UDP port, bound alone (default: 138 through a raw\n"
            "              socket with CAP_NET_RAW, else any; 0 = any)\n"
            "  -i IFACE    the network to use (its address and broadcast address)\n"
            "  -w WG       workgroup: what \\\\* writes to, and which \\\\NAME is a domain\n"
            "              (default WORKGROUP)\n"
            "  -f NAME     our NetBIOS name (default: the host name)\n"
            "  -d NAME<xx> destination NetBIOS name (needed for an address)\n"
            "  -t TYPE     unique | group | broadcast (default: from PATH)\n"
            "  -H FILE     LMHOSTS-style file (\"IP NAME\" lines) tried before NBNS\n"
            "  -W ADDR     ask this WINS server instead of broadcasting the name query\n"
            "  -I MS       pause between messages (default 0)\n");
}

static long number(const char *s, long lo, long hi, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "remote_client: %s '%s' is not a number from %ld to %ld\n", what, s, lo,
                hi);
        exit(2);
    }
    return v;
}

static const char *type_name(uint8_t t)
{
    switch (t) {
    case MS_NBDS_DIRECT_UNIQUE: return "unique";
    case MS_NBDS_DIRECT_GROUP: return "group";
    case MS_NBDS_BROADCAST: return "broadcast";
    }
    return "?";
}

/* MESSAGE or @FILE -> octets in buf. */
static int message(const char *arg, uint8_t *buf, size_t *len)
{
    if (arg[0] != '@') {
        *len = strlen(arg);
        if (*len > MAX_MESSAGE)
            return -1;
        memcpy(buf, arg, *len);
        return 0;
    }
    FILE *f = fopen(arg + 1, "rb");
    if (!f) {
        fprintf(stderr, "remote_client: %s: %s\n", arg + 1, strerror(errno));
        return -1;
    }
    *len = fread(buf, 1, MAX_MESSAGE, f);
    int bad = ferror(f) || fgetc(f) != EOF;
    fclose(f);
    if (bad) {
        fprintf(stderr, "remote_client: %s: unreadable or over %d octets\n", arg + 1,
                MAX_MESSAGE);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    ms_client_opts o;
    ms_client_opts_init(&o);
    long pause_ms = 0;
    int c;
    while ((c = getopt(argc, argv, "p:s:i:w:f:d:t:H:W:I:h")) != -1) {
        switch (c) {
        case 'p': o.dport = (uint16_t)number(optarg, 1, 65535, "port"); break;
        case 's': {
            long p = number(optarg, 0, 65535, "source port");
            o.sport = p ? (int)p : MS_CLIENT_SPORT_EPHEMERAL;
            break;
        }
        case 'i': o.iface = optarg; break;
        case 'w': o.workgroup = optarg; break;
        case 'f': o.from = optarg; break;
        case 'd': o.dest_name = optarg; break;
        case 't':
            if (!strcmp(optarg, "unique"))
                o.type = MS_NBDS_DIRECT_UNIQUE;
            else if (!strcmp(optarg, "group"))
                o.type = MS_NBDS_DIRECT_GROUP;
            else if (!strcmp(optarg, "broadcast"))
                o.type = MS_NBDS_BROADCAST;
            else {
                fprintf(stderr, "remote_client: -t '%s': unique, group or broadcast\n", optarg);
                return 2;
            }
            break;
        case 'H': o.hosts_file = optarg; break;
        case 'W':
            if (ms_ip_parse(optarg, &o.wins_ip) != MS_OK) {
                fprintf(stderr, "remote_client: -W '%s' is not an IPv4 address\n", optarg);
                return 2;
            }
            break;
        case 'I': pause_ms = number(optarg, 0, 10000, "pause"); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    const char *path = argv[optind++];
    char err[512];
    /* CreateFile(path, GENERIC_WRITE, FILE_SHARE_READ, NULL, OPEN_EXISTING,
     *            FILE_ATTRIBUTE_NORMAL, NULL) */
    ms_client *hFile;
    ms_status st = ms_client_open_path(path, &o, &hFile, err, sizeof err);
    if (st != MS_OK) {
        /* INVALID_HANDLE_VALUE; GetLastError() ERROR_BAD_NETPATH and the like */
        fprintf(stderr, "CreateFile %s failed: %s: %s\n", path, ms_strerror(st), err);
        return st == MS_ERR_INVALID_ARG ? 2 : 1;
    }
    const ms_client_info *in = ms_client_get_info(hFile);
    char dst[80], src[80], dip[16], sip[16];
    ms_nb_name_format(&in->dst, dst, sizeof dst);
    ms_nb_name_format(&in->src, src, sizeof src);
    ms_ip_format(in->dst_ip, dip, sizeof dip);
    ms_ip_format(in->src_ip, sip, sizeof sip);
    printf("CreateFile %s ok: %s to %s at %s:%u, from %s %s:%u, slot %s, at most %zu octets\n",
           path, type_name(in->type), dst, dip, in->dport, src, sip, in->sport, in->slot,
           in->max_data);
    if (in->sport_fallback)
        printf("note: %s\n", in->note);

    static uint8_t buf[MAX_MESSAGE];
    static const char *const greeting[] = { "Hello from remote_client." };
    const char *const *msgs = optind < argc ? (const char *const *)argv + optind : greeting;
    int nmsgs = optind < argc ? argc - optind : 1;
    int rc = 0;
    for (int k = 0; k < nmsgs; k++) {
        size_t len;
        if (message(msgs[k], buf, &len) != 0) {
            rc = 1;
            continue;
        }
        if (k > 0 && pause_ms > 0) {
            struct timespec ts = { pause_ms / 1000, (pause_ms % 1000) * 1000000L };
            nanosleep(&ts, NULL); /* Sleep(pause_ms) */
        }
        /* WriteFile(hFile, buf, len, &cbWritten, NULL) */
        ms_write_result res;
        st = ms_client_write(hFile, buf, len, &res, err, sizeof err);
        if (st != MS_OK) {
            printf("WriteFile #%d failed: %s: %s\n", k + 1, ms_strerror(st), err);
            rc = 1;
            continue;
        }
        printf("WriteFile #%d: %zu octets written (datagram of %zu octets, DGM_ID 0x%04x)%s\n",
               k + 1, len, res.payload_len, res.dgm_id,
               res.over_576 ? "; over 576 octets: Samba nmbd would drop it" : "");
    }
    fflush(stdout);
    ms_client_close(hFile); /* CloseHandle(hFile) */
    return rc;
}
