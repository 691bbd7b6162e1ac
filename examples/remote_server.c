/* SPDX-License-Identifier: MIT */
/* A remote mailslot server as a Win32 programmer writes it, on Linux: the
 * same CreateMailslot / GetMailslotInfo / ReadFile program, but the
 * messages come from other machines (NetBIOS datagrams on UDP 138) that
 * wrote to \\THISHOST\mailslot\x, \\DOMAIN\mailslot\x or \\*\mailslot\x.
 *
 * How the Win32 calls map to this library:
 *
 *   Win32                                   here
 *   -------------------------------------   ---------------------------------
 *   (the system's NetBIOS datagram service) ms_server_open: one UDP socket,
 *                                           port 138 unless -p says another
 *   (the system registering the computer   ms_name_service_open on the
 *    name and answering queries for it)     server's event loop
 *                                           (ms_server_loop), ms_name_service_add,
 *                                           ms_name_service_wait: registered
 *                                           before ReadFile, answered while it
 *                                           waits (-r NAME; UDP 137)
 *   CreateMailslot(name, nMaxMessageSize,   ms_mailslot_create(srv, name,
 *                  lReadTimeout, NULL)        max_size, read_timeout_ms, &st)
 *     fails, ERROR_ALREADY_EXISTS            NULL, st == MS_ERR_EXISTS
 *   GetMailslotInfo(h, &max, &next,         ms_mailslot_get_info(h, &info):
 *                   &count, &timeout)         info.max_size, .next_size,
 *                                             .count, .read_timeout_ms
 *     next == MAILSLOT_NO_MESSAGE            info.next_size ==
 *                                             MS_MAILSLOT_NO_MESSAGE
 *   ReadFile(h, buf, next, &read, NULL)     ms_mailslot_read(h, &msg):
 *                                             msg.data, msg.len (and who
 *                                             sent it, which Win32 hides)
 *     fails, ERROR_SEM_TIMEOUT               MS_ERR_TIMEOUT
 *   SetMailslotInfo(h, lReadTimeout)        ms_mailslot_set_timeout
 *   CloseHandle(h)                          ms_mailslot_close, then
 *                                           ms_server_close
 *
 * Usage: remote_server [OPTIONS] SLOT   (see usage() below). Bounded: it
 * reads -n messages, or gives up after -T seconds (checked between reads).
 * Exit status: 0 all messages read, 1 error, 2 bad usage, 3 the -T
 * deadline passed first. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mailslot/name_service.h"
#include "mailslot/nbns.h"
#include "mailslot/net.h"
#include "mailslot/server.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: remote_server [OPTIONS] SLOT\n"
            "  SLOT       \\\\.\\mailslot\\NAME or \\MAILSLOT\\NAME (CreateMailslot's name)\n"
            "  -p PORT    UDP port to receive on (default 138, which needs root)\n"
            "  -b ADDR    bind only this address (default: any; needed to hear broadcasts)\n"
            "  -i IFACE   take only datagrams that arrive on IFACE; with -r its address\n"
            "             is the one the name answers with\n"
            "  -r NAME    register NAME<00> (UDP 137, root) and answer queries for it,\n"
            "             so writers can open \\\\NAME\\mailslot\\...\n"
            "  -n COUNT   messages to read, then exit (default 1)\n"
            "  -t MS      read timeout, CreateMailslot's lReadTimeout (default 1000)\n"
            "  -T SEC     give up after SEC seconds in all (default 30)\n"
            "  -m OCTETS  largest message accepted, nMaxMessageSize (default 0: any)\n"
            "  -w N       before the first read, wait until N messages are queued\n");
}

static long number(const char *s, long lo, long hi, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "remote_server: %s '%s' is not a number from %ld to %ld\n", what, s, lo,
                hi);
        exit(2);
    }
    return v;
}

static uint64_t now_ms(void)
{
    return ms_monotonic_ns() / 1000000u;
}

static void sleep_ms(long ms) /* Win32: Sleep(ms) */
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* ---- the name service: says what happens to our name ----------------- */

static void on_name_event(const ms_name_event *ev, void *ctx)
{
    (void)ctx;
    char line[400];
    ms_name_event_format(ev, line, sizeof line);
    fprintf(stderr, "remote_server: %s\n", line);
}

/* ---- printing --------------------------------------------------------- */

static const char *type_name(uint8_t t)
{
    switch (t) {
    case MS_NBDS_DIRECT_UNIQUE: return "unique";
    case MS_NBDS_DIRECT_GROUP: return "group";
    case MS_NBDS_BROADCAST: return "broadcast";
    }
    return "?";
}

static void print_info(const ms_mailslot_info *in)
{
    char next[24] = "none";
    if (in->next_size != MS_MAILSLOT_NO_MESSAGE)
        snprintf(next, sizeof next, "%lu", (unsigned long)in->next_size);
    printf("GetMailslotInfo: max %lu, next %s, count %lu, timeout %lu ms\n",
           (unsigned long)in->max_size, next, (unsigned long)in->count,
           (unsigned long)in->read_timeout_ms);
}

/* One line per message; the data in hex, every octet, so a test can
 * compare exactly what was sent with what arrived. */
static void print_message(long k, const ms_mailslot_msg *m)
{
    char src[80], dst[80], sip[16], dip[16];
    ms_nb_name_format(&m->src, src, sizeof src);
    ms_nb_name_format(&m->dst, dst, sizeof dst);
    ms_ip_format(m->src_ip, sip, sizeof sip);
    ms_ip_format(m->dst_ip, dip, sizeof dip);
    printf("Message #%ld: %zu octets, %s, from %s %s:%u, to %s at %s, slot %s, data ", k, m->len,
           type_name(m->type), src, sip, m->src_port, dst, dip, m->slot);
    for (size_t i = 0; i < m->len; i++)
        printf("%02x", m->data[i]);
    printf("\n");
}

int main(int argc, char **argv)
{
    ms_server_opts opts;
    ms_server_opts_init(&opts);
    const char *iface = NULL, *reg = NULL;
    long want = 1, read_ms = 1000, total_s = 30, max_size = 0, wait_queued = 0;
    int c;
    while ((c = getopt(argc, argv, "p:b:i:r:n:t:T:m:w:h")) != -1) {
        switch (c) {
        case 'p': opts.port = (uint16_t)number(optarg, 1, 65535, "port"); break;
        case 'b':
            if (ms_ip_parse(optarg, &opts.bind_ip) != MS_OK) {
                fprintf(stderr, "remote_server: -b '%s' is not an IPv4 address\n", optarg);
                return 2;
            }
            break;
        case 'i': iface = optarg; break;
        case 'r': reg = optarg; break;
        case 'n': want = number(optarg, 1, 100000, "count"); break;
        case 't': read_ms = number(optarg, 0, 3600000, "read timeout"); break;
        case 'T': total_s = number(optarg, 1, 3600, "time limit"); break;
        case 'm': max_size = number(optarg, 0, 65535, "max size"); break;
        case 'w': wait_queued = number(optarg, 0, 256, "queued count"); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    const char *slot_name = argv[optind];
    uint64_t deadline = now_ms() + (uint64_t)total_s * 1000u;
    char err[256];

    ms_iface ifc;
    bool have_if = false;
    if (iface) {
        if (ms_net_iface(iface, &ifc, err, sizeof err) != MS_OK) {
            fprintf(stderr, "remote_server: %s\n", err);
            return 1;
        }
        have_if = true;
        opts.ifindex = ifc.index;
    }

    /* The datagram service: one socket for every mailslot we create. */
    ms_server *srv;
    if (ms_server_open(&opts, &srv, err, sizeof err) != MS_OK) {
        fprintf(stderr, "remote_server: %s%s\n", err,
                errno == EACCES ? " (port 138 needs root; -p takes another)" : "");
        return 1;
    }

    /* The name service, so that \\NAME resolves to us (B node: the name
     * is registered by broadcast first; then a writer's broadcast query is
     * answered with our address). */
    ms_name_service *names = NULL;
    char nbname[80] = "";
    if (reg) {
        ms_nb_name nb;
        uint8_t raw[16];
        char up[16];
        size_t n = strlen(reg);
        for (size_t i = 0; i < n && i < 15; i++)
            up[i] = (reg[i] >= 'a' && reg[i] <= 'z') ? (char)(reg[i] - 32) : reg[i];
        if (n == 0 || n > 15 || ms_nb_name_pad(raw, up, n, 0x00) != MS_OK ||
            ms_nb_name_make(&nb, raw, NULL) != MS_OK) {
            fprintf(stderr, "remote_server: -r '%s' is not a NetBIOS name (1 to 15 octets)\n",
                    reg);
            ms_server_close(srv);
            return 2;
        }
        if (!have_if && ms_net_iface(NULL, &ifc, err, sizeof err) != MS_OK) {
            fprintf(stderr, "remote_server: -r: %s\n", err);
            ms_server_close(srv);
            return 1;
        }
        ms_name_service_opts no;
        ms_name_service_opts_init(&no);
        no.our_ip = ifc.addr;
        no.bcast_ip = ifc.bcast;
        no.netmask = ifc.netmask;
        memcpy(no.mac, ifc.mac, sizeof no.mac);
        no.on_event = on_name_event;
        if (ms_name_service_open(ms_server_loop(srv), &no, &names, err, sizeof err) != MS_OK ||
            ms_name_service_add(names, &nb, false) != MS_OK ||
            ms_name_service_wait(names, 10000, err, sizeof err) != MS_OK) {
            fprintf(stderr, "remote_server: name service: %s\n", err);
            ms_name_service_close(names);
            ms_server_close(srv);
            return 1;
        }
        char ip[16];
        ms_ip_format(ifc.addr, ip, sizeof ip);
        ms_nb_name_format(&nb, nbname, sizeof nbname);
        snprintf(nbname + strlen(nbname), sizeof nbname - strlen(nbname), " at %s", ip);
    }

    /* A service would now give up root (ms_net_drop_privileges). This
     * example keeps it: CreateMailslot with a \\.\mailslot\ name also makes
     * the local mailslot's files (local.h) as the user we run as, and after
     * a drop they could not be removed at CloseHandle. */
    /* CreateMailslot(slot_name, max_size, read_ms, NULL) */
    ms_mailslot *hSlot = NULL;
    ms_status st =
        ms_mailslot_create(srv, slot_name, (uint32_t)max_size, (uint32_t)read_ms, &hSlot);
    int rc = 0;
    long got = 0;
    if (st != MS_OK) {
        /* INVALID_HANDLE_VALUE: ERROR_ALREADY_EXISTS or ERROR_INVALID_NAME */
        fprintf(stderr, "CreateMailslot %s failed: %s\n", slot_name, ms_strerror(st));
        rc = st == MS_ERR_INVALID_ARG ? 2 : 1;
        goto out;
    }
    printf("CreateMailslot %s ok: UDP port %u, max size %ld, read timeout %ld ms%s%s\n",
           ms_mailslot_name(hSlot), ms_server_port(srv), max_size, read_ms,
           names ? ", name " : "", nbname);
    fflush(stdout);

    ms_mailslot_info info = MS_SIZED(ms_mailslot_info);
    if (wait_queued > 0) {
        /* Poll GetMailslotInfo until enough messages wait (bounded). */
        for (;;) {
            if (ms_mailslot_get_info(hSlot, &info) != MS_OK) {
                fprintf(stderr, "GetMailslotInfo failed: %s\n", strerror(errno));
                rc = 1;
                goto out;
            }
            if (info.count >= (uint32_t)wait_queued || now_ms() >= deadline)
                break;
            sleep_ms(20);
        }
        printf("Queued: %lu message(s)\n", (unsigned long)info.count);
    }

    while (got < want) {
        if (now_ms() >= deadline) {
            printf("Deadline: %ld of %ld message(s) after %ld s\n", got, want, total_s);
            rc = 3;
            break;
        }
        /* GetMailslotInfo(hSlot, &max, &next, &count, &timeout) */
        if (ms_mailslot_get_info(hSlot, &info) != MS_OK) {
            fprintf(stderr, "GetMailslotInfo failed: %s\n", strerror(errno));
            rc = 1;
            break;
        }
        print_info(&info);

        /* ReadFile(hSlot, buf, next, &cbRead, NULL): waits up to the
         * mailslot's read timeout for a message. */
        uint64_t t0 = now_ms();
        ms_mailslot_msg msg;
        st = ms_mailslot_read(hSlot, &msg);
        if (st == MS_ERR_TIMEOUT) {
            /* Win32: ReadFile fails, GetLastError() == ERROR_SEM_TIMEOUT */
            printf("ReadFile: no message within %ld ms (waited %llu ms)\n", read_ms,
                   (unsigned long long)(now_ms() - t0));
            fflush(stdout);
            if (read_ms == 0)
                sleep_ms(100); /* a poller's Sleep, not a busy loop */
            continue;
        }
        if (st != MS_OK) {
            fprintf(stderr, "ReadFile failed: %s (%s)\n", ms_strerror(st), strerror(errno));
            rc = 1;
            break;
        }
        got++;
        /* What GetMailslotInfo promised is what ReadFile returns. */
        if (info.next_size != MS_MAILSLOT_NO_MESSAGE && info.next_size != msg.len) {
            fprintf(stderr, "remote_server: GetMailslotInfo said next %lu octets, "
                            "ReadFile returned %zu\n",
                    (unsigned long)info.next_size, msg.len);
            rc = 1;
        }
        print_message(got, &msg);
        fflush(stdout);
    }

    if (ms_mailslot_get_info(hSlot, &info) == MS_OK) {
        print_info(&info);
        printf("CloseHandle: %ld message(s) read, %llu over max size, %llu queue full\n", got,
               (unsigned long long)info.too_big, (unsigned long long)info.queue_full);
    }
out:
    /* CloseHandle(hSlot) */
    ms_mailslot_close(hSlot);
    /* The name service runs on the server's loop: release and close it
     * first. */
    ms_name_service_close(names);
    ms_server_close(srv);
    return rc;
}
