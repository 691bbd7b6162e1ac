/* SPDX-License-Identifier: MIT */
/* Benchmark corpus generator: N mailslot datagrams (plus ~3 % other traffic)
 * built with the library's encoders, written through libpcap's pcap_dump.
 * Deterministic: the same N and seed give the same file, octet for octet.
 *
 *   gen OUT.pcap N [SEED]
 *
 * The mix (per mille of mailslot datagrams): browser 570 (host 300, local
 * master 60, domain 60, election 40, announcement request 30, GetBackupList
 * request 40 / response 40), NETLOGON 220 (SAM logon request 120, EX
 * response 100), custom mailslot writes of 1..420 octets 210. Senders come
 * from a pool of 4096 hosts (distinct names and IPs) in 16 workgroups. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/browser.h"
#include "mailslot/message.h"
#include "mailslot/netbios.h"
#include "mailslot/netlogon.h"
#include "mailslot/smb.h"

#define NHOSTS 4096
#define NGROUPS 16

/* xorshift64*: small, fast and the same everywhere. */
static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}
static uint32_t below(uint32_t n) { return rnd() % n; }

static pcap_dumper_t *dump;
static uint64_t now_us = 1764000000ULL * 1000000ULL; /* 2025-11-24 */
static uint16_t ip_id;
static uint8_t frame[2048];

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xFFFF); }

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
    uint32_t acc = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return (uint16_t)~acc;
}

static void write_frame(size_t len)
{
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    now_us += 1 + below(2000); /* a busy LAN: about 1 ms apart */
    h.ts.tv_sec = (time_t)(now_us / 1000000);
    h.ts.tv_usec = (suseconds_t)(now_us % 1000000);
    h.caplen = h.len = (bpf_u_int32)len;
    pcap_dump((u_char *)dump, &h, frame);
}

static void ether(uint32_t src_ip, bool bcast, uint16_t type)
{
    for (int i = 0; i < 6; i++)
        frame[i] = bcast ? 0xFF : (uint8_t)(i == 0 ? 0x02 : below(256));
    frame[6] = 0x02;
    frame[7] = 0x00;
    put32(frame + 8, src_ip);
    put16(frame + 12, type);
}

/* Ethernet + IPv4 + transport header of `l4len` octets already at
 * frame + 34. UDP checksum left 0 (allowed for IPv4, as many stacks do). */
static size_t ipv4(uint32_t src, uint32_t dst, uint8_t proto, size_t l4len)
{
    ether(src, (dst & 0xFF) == 0xFF, 0x0800);
    uint8_t *ip = frame + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (unsigned)(20 + l4len));
    put16(ip + 4, ip_id++);
    ip[8] = 128;
    ip[9] = proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, ip_checksum(ip, 20));
    return 34 + l4len;
}

static void udp(uint32_t src, uint32_t dst, unsigned sport, unsigned dport,
                const uint8_t *payload, size_t len)
{
    uint8_t *u = frame + 34;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (unsigned)(8 + len));
    put16(u + 6, 0);
    memcpy(u + 8, payload, len);
    write_frame(ipv4(src, dst, 17, 8 + len));
}

/* The host pool. */
static char host_name[NHOSTS][16];
static uint32_t host_ip[NHOSTS];
static char group_name[NGROUPS][16];

static uint32_t group_bcast(unsigned h) { return (host_ip[h] & 0xFFFF0000u) | 0xFFFF; }
static unsigned group_of(unsigned h) { return h % NGROUPS; }

static void nb(ms_nb_name *n, const char *text, unsigned suffix)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%s<%02x>", text, suffix);
    if (ms_nb_name_parse(n, buf, strlen(buf)) != MS_OK) {
        fprintf(stderr, "gen: bad name %s\n", buf);
        exit(1);
    }
}

/* One mailslot datagram from host h: NBDS header + transaction + data. */
static void mailslot(unsigned h, uint8_t type, const char *dst, unsigned dsuffix, uint32_t ip_dst,
                     ms_trans_style style, const char *slot, const uint8_t *data, size_t len)
{
    static ms_message m;
    memset(&m.dgram, 0, sizeof m.dgram);
    m.dgram.type = type;
    m.dgram.flags = 0x02;
    m.dgram.id = (uint16_t)rnd();
    m.dgram.src_ip = host_ip[h];
    m.dgram.src_port = 138;
    m.dgram.auto_fields = MS_DGRAM_AUTO_LENGTH;
    nb(&m.dgram.src, host_name[h], 0x00);
    nb(&m.dgram.dst, dst, dsuffix);
    ms_trans_init(&m.smb, &m.trans, style, slot, data, len);
    m.has_smb = true;
    uint8_t out[1500];
    size_t n;
    if (ms_message_encode(&m, out, sizeof out, &n) != MS_OK) {
        fprintf(stderr, "gen: encode failed\n");
        exit(1);
    }
    udp(host_ip[h], ip_dst, 138, 138, out, n);
}

static ms_str cstr(const char *s)
{
    ms_str r = { (const uint8_t *)s, strlen(s), true };
    return r;
}

static void browser(unsigned h)
{
    static const char *comments[] = { "", "Samba 4.17.12-Debian", "file server",
                                      "Printer room 2", "build box", "LAB PC" };
    ms_browser b;
    memset(&b, 0, sizeof b);
    unsigned g = group_of(h);
    unsigned r = below(570), suffix = 0x1d;
    const char *dst = group_name[g];
    ms_trans_style style = below(4) ? MS_STYLE_BROWSER : MS_STYLE_SAMBA;
    uint8_t type = MS_NBDS_DIRECT_GROUP;
    const char *names[8];
    if (r < 360) { /* host / local master announcement */
        b.opcode = r < 300 ? MS_BRWS_HOST_ANNOUNCEMENT : MS_BRWS_LOCAL_MASTER_ANNOUNCEMENT;
        b.update_count = (uint8_t)below(8);
        b.periodicity = 720000;
        memcpy(b.server_name, host_name[h], strlen(host_name[h]));
        b.os_major = 6 + (uint8_t)below(5);
        b.os_minor = (uint8_t)below(4);
        b.server_type = 0x00001003u | (r >= 300 ? 0x00040000u : 0) | (below(3) ? 0 : 0x00000800u);
        b.browser_major = 15;
        b.browser_minor = 1;
        b.signature = 0xAA55;
        b.comment = cstr(comments[below(6)]);
        if (r >= 300)
            suffix = 0x1e;
    } else if (r < 420) { /* domain announcement, to the MSBROWSE name */
        b.opcode = MS_BRWS_DOMAIN_ANNOUNCEMENT;
        b.periodicity = 720000;
        memcpy(b.server_name, group_name[g], strlen(group_name[g]));
        b.os_major = 6;
        b.os_minor = 1;
        b.server_type = 0x80001000u;
        b.browser_major = 15;
        b.browser_minor = 1;
        b.signature = 0xAA55;
        b.comment = cstr(host_name[h]);
        dst = "<01><02>__MSBROWSE__<02>";
        suffix = 0x01;
    } else if (r < 460) {
        b.opcode = MS_BRWS_REQUEST_ELECTION;
        b.version = 1;
        b.criteria = 0x20010f03u + below(16);
        b.uptime = rnd();
        b.name = cstr(host_name[h]);
        suffix = 0x1e;
    } else if (r < 490) {
        b.opcode = MS_BRWS_ANNOUNCEMENT_REQUEST;
        b.name = cstr(host_name[h]);
        suffix = 0x1e;
    } else if (r < 530) {
        b.opcode = MS_BRWS_GET_BACKUP_LIST_REQUEST;
        b.count = 4;
        b.token = rnd();
    } else {
        b.opcode = MS_BRWS_GET_BACKUP_LIST_RESPONSE;
        b.count = (uint8_t)(1 + below(8));
        b.token = rnd();
        b.name_count = b.count;
        for (unsigned i = 0; i < b.count; i++) {
            names[i] = host_name[(h + 1 + i * 16u) % NHOSTS];
            b.names[i] = cstr(names[i]);
        }
        type = MS_NBDS_DIRECT_UNIQUE;
        dst = host_name[(h + 7) % NHOSTS];
        suffix = 0x00;
    }
    uint8_t data[600];
    size_t n;
    if (ms_browser_encode(&b, data, sizeof data, &n) != MS_OK) {
        fprintf(stderr, "gen: browser encode failed (opcode %u)\n", b.opcode);
        exit(1);
    }
    mailslot(h, type, dst, suffix, type == MS_NBDS_DIRECT_UNIQUE ? host_ip[(h + 7) % NHOSTS]
                                                               : group_bcast(h),
             style, "\\MAILSLOT\\BROWSE", data, n);
}

/* A captured-shape EX response (PROTOCOL.md §7; test_netlogon's V_EX_SOCK)
 * decoded once, then given each DC's own names, GUID and address. */
static const char ex_hex[] =
    "17000000fc31000000112233445566778899aabbccddeeff067175696e636504"
    "7465737400c018084f72616e67657279c018065155494e434500084f52414e47"
    "45525900000b47617264656e2d5369746500c04510020000000a141e28000000"
    "00000000000d000000ffffffff";

static void netlogon(unsigned h)
{
    ms_netlogon n;
    uint8_t data[700];
    size_t len;
    unsigned g = group_of(h);
    if (below(220) < 120) { /* SAM logon request, client -> domain<1c> */
        uint8_t ucn[32], uun[32];
        size_t nl = strlen(host_name[h]);
        for (size_t i = 0; i < nl; i++) {
            ucn[2 * i] = (uint8_t)host_name[h][i];
            ucn[2 * i + 1] = 0;
        }
        char user[16];
        snprintf(user, sizeof user, "user%u", below(1000));
        size_t ul = strlen(user);
        for (size_t i = 0; i < ul; i++) {
            uun[2 * i] = (uint8_t)user[i];
            uun[2 * i + 1] = 0;
        }
        char slot[32];
        snprintf(slot, sizeof slot, "\\MAILSLOT\\NET\\GETDC%03u", below(1000));
        memset(&n, 0, sizeof n);
        n.opcode = MS_NL_SAM_LOGON_REQUEST;
        n.layout = MS_NL_LAYOUT_SAM_REQUEST;
        n.request_count = 0;
        n.unicode_computer_name = (ms_str){ ucn, 2 * nl, true };
        n.unicode_user_name = (ms_str){ uun, below(2) ? 2 * ul : 0, true };
        n.mailslot_name = cstr(slot);
        n.allowable_account_control = below(2) ? 0x80 : 0;
        n.nt_version = 0x0000000B;
        n.lmnt_token = n.lm20_token = 0xFFFF;
        if (ms_netlogon_encode(&n, data, sizeof data, &len) != MS_OK) {
            fprintf(stderr, "gen: netlogon request encode failed\n");
            exit(1);
        }
        mailslot(h, MS_NBDS_DIRECT_UNIQUE, group_name[g], 0x1c, group_bcast(h),
                 MS_STYLE_REDIRECTOR, "\\MAILSLOT\\NET\\NETLOGON", data, len);
        return;
    }
    /* EX response from a DC of the group back to a client's GETDC slot. */
    static uint8_t tmpl[256];
    static size_t tmpl_len;
    if (!tmpl_len)
        for (; ex_hex[2 * tmpl_len]; tmpl_len++) {
            unsigned v;
            sscanf(ex_hex + 2 * tmpl_len, "%2x", &v);
            tmpl[tmpl_len] = (uint8_t)v;
        }
    size_t off;
    if (ms_netlogon_decode(tmpl, tmpl_len, &n, &off) != MS_OK) {
        fprintf(stderr, "gen: template does not decode\n");
        exit(1);
    }
    unsigned dc = g; /* host g is its group's DC */
    uint8_t comp[20], dom[20];
    size_t cl = strlen(host_name[dc]), dl = strlen(group_name[g]);
    comp[0] = (uint8_t)cl;
    memcpy(comp + 1, host_name[dc], cl);
    comp[cl + 1] = 0;
    dom[0] = (uint8_t)dl;
    memcpy(dom + 1, group_name[g], dl);
    dom[dl + 1] = 0;
    n.names[MS_NL_CN_NETBIOS_COMPUTER] = (ms_bytes){ comp, cl + 2 };
    n.names[MS_NL_CN_NETBIOS_DOMAIN] = (ms_bytes){ dom, dl + 2 };
    /* The template's client site points at its DC site, whose offset moved
     * with the names above: spell it out instead. */
    static const uint8_t site[] = "\x0bGarden-Site";
    n.names[MS_NL_CN_CLIENT_SITE] = (ms_bytes){ site, sizeof site };
    n.domain_guid[0] = (uint8_t)g;
    n.sockaddr_addr = host_ip[dc];
    n.opcode = below(10) ? MS_NL_SAM_LOGON_RESPONSE_EX : MS_NL_SAM_USER_UNKNOWN_EX;
    if (ms_netlogon_encode(&n, data, sizeof data, &len) != MS_OK) {
        fprintf(stderr, "gen: netlogon response encode failed\n");
        exit(1);
    }
    char slot[32];
    snprintf(slot, sizeof slot, "\\MAILSLOT\\NET\\GETDC%03u", below(1000));
    mailslot(dc, MS_NBDS_DIRECT_UNIQUE, host_name[h], 0x00, host_ip[h], MS_STYLE_REDIRECTOR,
             slot, data, len);
}

static void custom(unsigned h)
{
    static const char *slots[] = { "\\MAILSLOT\\MESSNGR", "\\MAILSLOT\\APP\\STATUS",
                                   "\\MAILSLOT\\CHAT", "\\MAILSLOT\\INVENTORY\\AGENT",
                                   "\\MAILSLOT\\ALERTS" };
    static const ms_trans_style styles[] = { MS_STYLE_REDIRECTOR, MS_STYLE_SAMBA,
                                             MS_STYLE_BROWSER };
    uint8_t data[424];
    /* Mostly short messages, some up to the 424-octet broadcast limit. */
    size_t len = below(4) ? 1 + below(100) : 1 + below(420);
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)(below(3) ? 'a' + below(26) : below(256));
    bool group = below(2);
    unsigned peer = below(NHOSTS);
    mailslot(h, group ? MS_NBDS_DIRECT_GROUP : MS_NBDS_DIRECT_UNIQUE,
             group ? group_name[group_of(h)] : host_name[peer], group ? 0x00 : 0x03,
             group ? group_bcast(h) : host_ip[peer], styles[below(3)], slots[below(5)], data, len);
}

/* ~3 % of frames: ARP, DNS, TCP, other UDP (NBNS, SSDP, mDNS). */
static void other(unsigned h)
{
    unsigned r = below(4);
    if (r == 0) { /* ARP who-has */
        ether(host_ip[h], true, 0x0806);
        static const uint8_t arp[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };
        memcpy(frame + 14, arp, 8);
        memcpy(frame + 22, frame + 6, 6);
        put32(frame + 28, host_ip[h]);
        memset(frame + 32, 0, 6);
        put32(frame + 38, host_ip[below(NHOSTS)]);
        memset(frame + 42, 0, 18);
        write_frame(60);
    } else if (r == 1) { /* DNS query */
        uint8_t q[64] = { 0 };
        put16(q, below(65536));
        q[2] = 0x01;
        q[5] = 1;
        static const char qn[] = "\x03www\x07example\x03" "com";
        memcpy(q + 12, qn, sizeof qn);
        put16(q + 12 + sizeof qn, 1);
        put16(q + 14 + sizeof qn, 1);
        udp(host_ip[h], 0x0A000001u, 49152 + below(16384), 53, q, 16 + sizeof qn);
    } else if (r == 2) { /* TCP segment (SMB session) */
        uint8_t *t = frame + 34;
        memset(t, 0, 20);
        put16(t, 49152 + below(16384));
        put16(t + 2, 445);
        put32(t + 4, rnd());
        put32(t + 8, rnd());
        t[12] = 0x50;
        t[13] = 0x18;
        put16(t + 14, 64240);
        size_t pl = below(200);
        for (size_t i = 0; i < pl; i++)
            t[20 + i] = (uint8_t)rnd();
        write_frame(ipv4(host_ip[h], host_ip[below(NHOSTS)], 6, 20 + pl));
    } else { /* other UDP: NBNS, SSDP, mDNS */
        static const unsigned ports[] = { 137, 1900, 5353 };
        uint8_t p[120];
        size_t pl = 20 + below(100);
        for (size_t i = 0; i < pl; i++)
            p[i] = (uint8_t)rnd();
        unsigned port = ports[below(3)];
        udp(host_ip[h], group_bcast(h), port, port, p, pl);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen OUT.pcap N [SEED]\n");
        return 2;
    }
    unsigned long n = strtoul(argv[2], NULL, 10);
    rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : 138;
    if (!rng_state)
        rng_state = 1;
    for (unsigned g = 0; g < NGROUPS; g++)
        snprintf(group_name[g], sizeof group_name[g], "%s%u",
                 g % 3 == 0 ? "WORKGROUP" : g % 3 == 1 ? "LAB" : "CORP", g);
    for (unsigned h = 0; h < NHOSTS; h++) {
        static const char *pre[] = { "PC", "LAPTOP-", "SRV", "NAS", "WS" };
        snprintf(host_name[h], sizeof host_name[h], "%s%04X", pre[below(5)], h);
        /* one /16 per workgroup: broadcasts stay within it */
        host_ip[h] = 0x0A000000u | (group_of(h) + 1) << 16 | (2 + h / NGROUPS);
    }
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    dump = dead ? pcap_dump_open(dead, argv[1]) : NULL;
    if (!dump) {
        fprintf(stderr, "gen: %s: %s\n", argv[1], dead ? pcap_geterr(dead) : "no pcap");
        return 1;
    }
    for (unsigned long i = 0; i < n;) {
        unsigned h = below(NHOSTS);
        if (below(1000) < 30) {
            other(h);
            continue; /* N counts mailslot datagrams only */
        }
        unsigned r = below(1000);
        if (r < 570)
            browser(h);
        else if (r < 790)
            netlogon(h);
        else
            custom(h);
        i++;
    }
    pcap_dump_close(dump);
    pcap_close(dead);
    return 0;
}
