/* SPDX-License-Identifier: MIT */
/* `mailslot status`: what the running mailslotd says about itself (its
 * names, the mailslots created and counters), over its control socket. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_opts.h"
#include "mailslot/ctl_sock.h"
#include "mailslot/net.h"
#include "status_print.h"

#define DEFAULT_TIMEOUT_MS 2000
#define MAX_TIMEOUT_MS 60000

enum { K_JSON = 400, K_TIMEOUT };

static const cli_opt status_opts[] = {
    { "json", K_JSON, 0, NULL, "print the daemon's JSON object (one line)", NULL },
    { "timeout", K_TIMEOUT, 0, "MS", "wait at most MS milliseconds for the answer (default 2000)",
      NULL },
    { NULL, 0, 0, NULL, NULL, NULL },
};

const cli_cmd cli_cmd_status = {
    "status",
    "names, mailslots and counters of the running mailslotd",
    "mailslot status [--json] [--timeout MS]\n",
    "Ask the running mailslotd(8) (its control socket in $MAILSLOTD_DIR,\n"
    "default /run/mailslotd) for its state: the host's NetBIOS names and their\n"
    "states, the mailslots programs created (owner pid and uid, queued,\n"
    "delivered, dropped) and the daemon's counters.\n",
    status_opts,
    "Exit status: 0 the daemon answered, 1 no mailslotd runs (one line on\n"
    "standard error says where it was looked for), 2 bad usage, 3 an answer\n"
    "that is not the JSON expected, 4 system error or no answer in time.\n",
    NULL,
};

/* The next message other than DELIVER, waiting at most until end_ns. */
static ms_status next_answer(int fd, uint8_t *buf, size_t cap, uint64_t end_ns, ms_ctl_msg *m)
{
    for (;;) {
        ms_status st = ms_ctl_recv(fd, buf, cap, m);
        if (st == MS_OK && m->type == MS_CTL_DELIVER)
            continue;
        if (st != MS_ERR_AGAIN)
            return st;
        uint64_t now = ms_monotonic_ns();
        if (now >= end_ns)
            return MS_ERR_TIMEOUT;
        struct pollfd p = { fd, POLLIN, 0 };
        (void)poll(&p, 1, (int)((end_ns - now) / 1000000u) + 1);
    }
}

/* HELLO, WELCOME, STATUS, STATUS_REPLY. */
static int ask(int fd, int timeout_ms, uint8_t *buf, size_t cap, ms_ctl_msg *reply)
{
    uint64_t end = ms_monotonic_ns() + (uint64_t)timeout_ms * 1000000u;
    static const char who[] = "mailslot status";
    ms_ctl_msg m;
    ms_ctl_init(&m, MS_CTL_HELLO);
    m.pid = (uint32_t)getpid();
    m.text = (ms_bytes){ (const uint8_t *)who, sizeof who - 1 };
    m.have = MS_CTL_BIT(MS_CTL_A_VERSION) | MS_CTL_BIT(MS_CTL_A_PID) | MS_CTL_BIT(MS_CTL_A_TEXT);
    ms_status st = ms_ctl_send(fd, &m, buf, cap);
    if (st == MS_OK)
        st = next_answer(fd, buf, cap, end, reply);
    if (st == MS_OK && reply->type != MS_CTL_WELCOME) {
        cli_error("status", "mailslotd did not welcome us (%s, status %u)",
                  ms_ctl_type_name(reply->type), (unsigned)reply->status);
        return EXIT_SYSTEM;
    }
    ms_ctl_init(&m, MS_CTL_STATUS);
    if (st == MS_OK)
        st = ms_ctl_send(fd, &m, buf, cap);
    if (st == MS_OK)
        st = next_answer(fd, buf, cap, end, reply);
    if (st == MS_OK && (reply->type != MS_CTL_STATUS_REPLY || !MS_CTL_HAS(reply, MS_CTL_A_JSON))) {
        cli_error("status", "mailslotd answered STATUS with %s", ms_ctl_type_name(reply->type));
        return EXIT_SYSTEM;
    }
    if (st != MS_OK) {
        cli_error("status", "%s", st == MS_ERR_TIMEOUT ? "no answer from mailslotd in time"
                                                        : ms_strerror(st));
        return EXIT_SYSTEM;
    }
    return EXIT_OK;
}

static int parse_args(int argc, char **argv, bool *json, int *timeout)
{
    int key;
    while ((key = cli_next(&cli_cmd_status, argc, argv)) > 0) {
        if (key == K_JSON) {
            *json = true;
            continue;
        }
        char *end;
        long v = strtol(optarg, &end, 10);
        if (!*optarg || *end || v < 1 || v > MAX_TIMEOUT_MS) {
            cli_error("status", "--timeout: '%s' is not milliseconds (1..60000)", optarg);
            return EXIT_USAGE;
        }
        *timeout = (int)v;
    }
    if (key != CLI_END)
        return key == CLI_EXIT_OK ? CLI_EXIT_OK : EXIT_USAGE;
    if (optind < argc) {
        cli_error("status", "unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cmd_status(int argc, char **argv)
{
    bool json = false;
    int timeout = DEFAULT_TIMEOUT_MS;
    int rc = parse_args(argc, argv, &json, &timeout);
    if (rc != EXIT_OK)
        return rc == CLI_EXIT_OK ? EXIT_OK : rc;
    char path[128], err[300];
    if (ms_ctl_path(NULL, path, sizeof path) != MS_OK) {
        cli_error("status", "$MAILSLOTD_DIR is too long for a socket path");
        return EXIT_USAGE;
    }
    int fd;
    ms_status st = ms_ctl_connect(path, &fd, err, sizeof err);
    if (st != MS_OK) {
        if (st == MS_ERR_NOT_FOUND)
            cli_error("status", "%s: mailslotd does not run (or $MAILSLOTD_DIR names another "
                      "directory)", err);
        else
            cli_error("status", "%s", err);
        return st == MS_ERR_NOT_FOUND ? EXIT_NEGATIVE : EXIT_SYSTEM;
    }
    static uint8_t buf[MS_CTL_MAX_PACKET];
    ms_ctl_msg reply;
    rc = ask(fd, timeout, buf, sizeof buf, &reply);
    close(fd);
    if (rc != EXIT_OK)
        return rc;
    if (json) {
        fwrite(reply.json.p, 1, reply.json.len, stdout);
        fputc('\n', stdout);
    } else if (status_print_text(stdout, (const char *)reply.json.p, reply.json.len, err,
                                 sizeof err) != 0) {
        cli_error("status", "mailslotd's answer is not what it should be: %s", err);
        return EXIT_INPUT;
    }
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_SYSTEM;
}
