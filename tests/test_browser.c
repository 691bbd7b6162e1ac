/* SPDX-License-Identifier: MIT */
/* Browser payload codec: byte-exact vectors for every opcode, every prefix
 * against a guard page, short output buffers, fields and summaries.
 * Vectors are the mailslot data only (the octets after the SMB transaction's
 * DataOffset). "real" ones are copied from frames in ../shared/captures
 * (file and frame number given); the others are built from the tables in
 * PROTOCOL.md §6.3 / §6.7. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "mailslot/browser.h"

/* Field starts of each layout's fixed part: a prefix shorter than the fixed
 * part must fail with MS_ERR_TRUNCATED at the last start it reached. */
static const size_t L_HOST[] = { 0, 1, 2, 6, 22, 23, 24, 28, 29, 30 };
static const size_t L_LM[] = { 0, 1, 2, 6, 7, 8 };
static const size_t L_REQ[] = { 0, 1 };
static const size_t L_ELECT[] = { 0, 1, 2, 6, 10 };
static const size_t L_BACKUP[] = { 0, 1, 2 };
static const size_t L_NAME[] = { 0 };
static const size_t L_RESET[] = { 0, 1 };
#define LAYOUT(a) a, sizeof a / sizeof a[0]

typedef struct vec {
    const char *what;
    bool lanman;
    const char *hex;
    const size_t *starts; /* field starts of the fixed part */
    size_t nstarts;
    /* Every prefix at least this long is itself a complete frame: the
     * variable strings are then absent or cut, and decode keeps them as
     * unterminated (terminated = false) so they round-trip. Shorter prefixes
     * cut the fixed part and must fail. */
    size_t min_ok;
} vec;

static const vec vecs[] = {
    /* 0: PROTOCOL.md §4.6 worked example A, data octets 86..118. */
    { "host-example-A", false,
      "01 00 80 fc 0a 00 53 45 52 56 45 52 31 00 00 00 00 00 00 00 00 00"
      "0a 00 03 10 01 00 0f 01 55 aa 00",
      LAYOUT(L_HOST), 32 },
    /* 1: the same without the Comment's NUL: a Comment-less frame, itself
     * complete (comment empty, unterminated). */
    { "host-commentless", false,
      "01 00 80 fc 0a 00 53 45 52 56 45 52 31 00 00 00 00 00 00 00 00 00"
      "0a 00 03 10 01 00 0f 01 55 aa",
      LAYOUT(L_HOST), 32 },
    /* 2: real, sv_sip-method_sip.pcap #199 (Windows XP LAB111): octets after
     * the ServerName NUL are not zero. */
    { "host-name-garbage", false,
      "010080fc0a004c4142313131000000000fb2efcd68220501031000000f0155aa00",
      LAYOUT(L_HOST), 32 },
    /* 3: real, sv_rfb-partial-tx_in_nbt.pcap #1 (macOS VMAC): a comment. */
    { "host-comment", false,
      "010000fa0000564d4143000000000000000000000000060103100000150155aa766d616300",
      LAYOUT(L_HOST), 32 },
    /* 4: real, snort3demo_malware_mac.doc.pcap #354 (Samba, Ubuntu): 16-octet
     * ServerName with no NUL, 46-octet comment (limit 43). */
    { "host-samba-long", false,
      "01ef80fc0a005141555345522d5649525455414c2d4d0409039a81000f0155aa"
      "7161757365722d7669727475616c2d6d616368696e652073657276657220285361"
      "6d62612c205562756e74752900",
      LAYOUT(L_HOST), 32 },
    /* 5: example A with four octets after the Comment's NUL. */
    { "host-trailing", false,
      "01 00 80 fc 0a 00 53 45 52 56 45 52 31 00 00 00 00 00 00 00 00 00"
      "0a 00 03 10 01 00 0f 01 55 aa 00 de ad be ef",
      LAYOUT(L_HOST), 32 },
    /* 6: real, tcpdump_eapon1.pcap #7 (Windows XP DJP95S0J): garbage after
     * the NUL, browser version 15.1. */
    { "local-master", false,
      "0f0080fc0a00444a50393553304a000072006f0073000501031005000f0155aa00",
      LAYOUT(L_HOST), 32 },
    /* 7: real, ndpi_tor_nbt.pcap #1: Windows leaves octets 28-31 as junk. */
    { "domain-windows", false,
      "0c00a0bb0d00574f524b47524f555000000000000000030a00100080fe070000"
      "454e4449414e2d504300",
      LAYOUT(L_HOST), 32 },
    /* 8: real, sv_smb2-ntlmssp-negotiateflags_input_nbt.pcap #98: junk after
     * the MachineGroup NUL too. */
    { "domain-junk-name", false,
      "0c00a0bb0d00574f524b47524f55500068f07e402000030a0010008020000000"
      "53435600",
      LAYOUT(L_HOST), 32 },
    /* 9: real, ndpi_1kxun_nbt.pcap #8 (Samba): 21-octet LocalMasterName. */
    { "domain-samba", false,
      "0c50e0930400574f524b47524f5550000000000000000409001000800f0155aa"
      "53414e4a492d4c494645424f4f4b2d4c4835333100",
      LAYOUT(L_HOST), 32 },
    /* 10: real, tcpdump_eapon1.pcap #1. */
    { "ann-request", false, "0200444a50393553304a00", LAYOUT(L_REQ), 2 },
    /* 11: Samba nmbd form (§6.3): token 7, 0x00, name with no NUL. */
    { "ann-request-samba", false, "02 07 00 4c 41 42 50 45 45 52",
      LAYOUT(L_REQ), 2 },
    /* 12: real, tcpdump_eapon1.pcap #82. */
    { "election", false, "0801200f011059b1191500000000444a50393553304a00",
      LAYOUT(L_ELECT), 14 },
    /* 13: real, ppp_solaris-snoop.pcap #208: version 0, criteria 0, empty
     * name (a forced election). */
    { "election-forced", false, "080000000000000000000000000000",
      LAYOUT(L_ELECT), 14 },
    /* 14: real, elcab_capture-...cerber_nbt.pcapng #20. */
    { "backup-req", false, "090401000000", LAYOUT(L_BACKUP), 6 },
    /* 15: real, elcab_normal_share_traversal_nbt.pcapng #9. */
    { "backup-resp", false, "0a0101000000434849505f444f55474c41532d504300",
      LAYOUT(L_BACKUP), 6 },
    /* 16: count 3, one name present. */
    { "backup-resp-short", false, "0a 03 02 00 00 00 42 4b 31 00",
      LAYOUT(L_BACKUP), 6 },
    /* 17: count 1, two names, the last without its NUL. */
    { "backup-resp-extra", false, "0a 01 05 00 00 00 41 00 42 43 44",
      LAYOUT(L_BACKUP), 6 },
    /* 18: count 0, no names. */
    { "backup-resp-empty", false, "0a 00 00 00 00 00", LAYOUT(L_BACKUP), 6 },
    /* 19: real, sv_smb2-ntlmssp-negotiateflags_input_nbt.pcap #1. */
    { "become-backup", false, "0b4445534b544f502d5631464130555100",
      LAYOUT(L_NAME), 1 },
    /* 20: real, elcab_capture-...cerber_nbt.pcapng #11. */
    { "master-ann", false, "0d434849505f444f55474c41532d504300",
      LAYOUT(L_NAME), 1 },
    /* 21: RESET_STATE_STOP_MASTER. */
    { "reset", false, "0e 01", LAYOUT(L_RESET), 2 },
    /* 22: RESET_STATE_STOP plus one stray octet. */
    { "reset-trailing", false, "0e 04 00", LAYOUT(L_RESET), 2 },
    /* 23: LAN Manager 2.x on LANMAN (§6.7): type 0x00819a03, OS 4.9,
     * 60 s, "LABPEER", "lab box". */
    { "lm-announce", true,
      "01 00 03 9a 81 00 04 09 3c 00 4c 41 42 50 45 45 52 00"
      "6c 61 62 20 62 6f 78 00",
      LAYOUT(L_LM), 10 },
};
#define NVEC (sizeof vecs / sizeof vecs[0])

static size_t load(size_t i, uint8_t *buf, size_t cap)
{
    return hex_to_bytes(vecs[i].hex, buf, cap);
}

static bool has_open_string(const ms_browser *b)
{
    if (b->opcode == MS_BRWS_GET_BACKUP_LIST_RESPONSE)
        return b->name_count && !b->names[b->name_count - 1].terminated;
    switch (b->opcode) {
    case MS_BRWS_HOST_ANNOUNCEMENT:
    case MS_BRWS_LOCAL_MASTER_ANNOUNCEMENT:
    case MS_BRWS_DOMAIN_ANNOUNCEMENT:
        return !b->comment.terminated || (b->lm_format && !b->name.terminated);
    case MS_BRWS_ANNOUNCEMENT_REQUEST:
    case MS_BRWS_REQUEST_ELECTION:
    case MS_BRWS_BECOME_BACKUP:
    case MS_BRWS_MASTER_ANNOUNCEMENT:
        return !b->name.terminated;
    }
    return false;
}

/* decode -> encode gives the same octets, read from a guarded copy. */
START_TEST(roundtrip)
{
    uint8_t raw[256], out[256];
    size_t n = load((size_t)_i, raw, sizeof raw);
    const uint8_t *in = guarded_copy(raw, n);
    ms_browser b;
    size_t off = 12345, used = 0;
    ck_assert_msg(ms_browser_decode(in, n, vecs[_i].lanman, &b, &off) == MS_OK,
                  "%s", vecs[_i].what);
    ck_assert_uint_eq(off, n);
    ck_assert_uint_eq(b.opcode, raw[0]);
    ck_assert_int_eq(ms_browser_encode(&b, out, sizeof out, &used), MS_OK);
    ck_assert_uint_eq(used, n);
    ck_assert_mem_eq(out, raw, n);
}
END_TEST

/* Every proper prefix: the fixed part cut -> MS_ERR_TRUNCATED at the field
 * it stopped in; from min_ok on, a complete frame that still round-trips,
 * with the cut string marked unterminated. */
START_TEST(prefixes)
{
    const vec *v = &vecs[_i];
    uint8_t raw[256], out[256];
    size_t n = load((size_t)_i, raw, sizeof raw);
    ms_browser full;
    ck_assert_int_eq(ms_browser_decode(raw, n, v->lanman, &full, NULL), MS_OK);
    ck_assert_uint_le(v->min_ok, n);

    for (size_t len = 0; len < n; len++) {
        const uint8_t *in = guarded_copy(raw, len);
        ms_browser b;
        size_t off = 9999, used = 0;
        ms_status st = ms_browser_decode(in, len, v->lanman, &b, &off);
        if (len < v->min_ok) {
            size_t want = 0;
            for (size_t k = 0; k < v->nstarts; k++)
                if (v->starts[k] <= len)
                    want = v->starts[k];
            ck_assert_msg(st == MS_ERR_TRUNCATED, "%s len %zu: %s", v->what,
                          len, ms_strerror(st));
            ck_assert_msg(off == want, "%s len %zu: err_off %zu want %zu",
                          v->what, len, off, want);
            continue;
        }
        ck_assert_msg(st == MS_OK, "%s len %zu: %s", v->what, len,
                      ms_strerror(st));
        ck_assert_uint_eq(off, len);
        ck_assert_uint_eq(b.lm_format, full.lm_format);
        ck_assert_int_eq(ms_browser_encode(&b, out, sizeof out, &used), MS_OK);
        ck_assert_uint_eq(used, len);
        ck_assert_mem_eq(out, raw, len);
        /* A cut inside a string must show as an unterminated string. */
        if (full.trailing.len == 0 && (len == v->min_ok || raw[len - 1] != 0) &&
            raw[0] != MS_BRWS_GET_BACKUP_LIST_RESPONSE)
            ck_assert_msg(has_open_string(&b), "%s len %zu", v->what, len);
    }
}
END_TEST

START_TEST(no_space)
{
    uint8_t raw[256], out[256];
    size_t n = load((size_t)_i, raw, sizeof raw);
    ms_browser b;
    ck_assert_int_eq(ms_browser_decode(raw, n, vecs[_i].lanman, &b, NULL), MS_OK);
    for (size_t cap = 0; cap < n; cap++) {
        size_t used = 777;
        ck_assert_int_eq(ms_browser_encode(&b, cap ? out : NULL, cap, &used),
                         MS_ERR_NO_SPACE);
        ck_assert_uint_eq(used, 0);
    }
    size_t used = 0;
    ck_assert_int_eq(ms_browser_encode(&b, out, n, &used), MS_OK);
    ck_assert_uint_eq(used, n);
}
END_TEST

/* ---- field recorder --------------------------------------------------- */

typedef struct rec_field {
    const char *key;
    ms_field_kind kind;
    uint64_t u;
    const uint8_t *p;
    size_t len;
    char label[256];
} rec_field;

typedef struct rec {
    rec_field f[64];
    size_t n;
    char keys[1024]; /* "a,b,c" top-level keys in order */
} rec;

static void record(void *ctx, const ms_field *f)
{
    rec *r = ctx;
    ck_assert_uint_lt(r->n, 64);
    rec_field *o = &r->f[r->n++];
    o->key = f->key;
    o->kind = f->kind;
    o->u = f->u;
    o->p = f->p;
    o->len = f->len;
    snprintf(o->label, sizeof o->label, "%s", f->label ? f->label : "");
    if (f->key) {
        if (r->keys[0])
            strcat(r->keys, ",");
        strcat(r->keys, f->key);
    }
}

static void fields_of(size_t i, uint8_t *raw, ms_browser *b, rec *r)
{
    size_t n = load(i, raw, 256);
    ck_assert_int_eq(ms_browser_decode(raw, n, vecs[i].lanman, b, NULL), MS_OK);
    memset(r, 0, sizeof *r);
    ms_browser_fields(b, record, r);
}

static const rec_field *get(const rec *r, const char *key)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->f[i].key && strcmp(r->f[i].key, key) == 0)
            return &r->f[i];
    ck_abort_msg("no field %s (have %s)", key, r->keys);
    return NULL;
}

static void text_is(const rec *r, const char *key, const char *want)
{
    const rec_field *f = get(r, key);
    ck_assert_int_eq(f->kind, MS_F_TEXT);
    ck_assert_uint_eq(f->len, strlen(want));
    ck_assert_mem_eq(f->p, want, f->len);
}

START_TEST(fields_host)
{
    uint8_t raw[256];
    ms_browser b;
    rec r;
    fields_of(0, raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,update_count,periodicity,server_name,"
                             "os_major,os_minor,server_type,browser_major,"
                             "browser_minor,signature,comment");
    ck_assert_uint_eq(get(&r, "command")->u, 1);
    ck_assert_str_eq(get(&r, "command")->label, "HostAnnouncement");
    ck_assert_uint_eq(get(&r, "periodicity")->u, 720000);
    text_is(&r, "server_name", "SERVER1");
    ck_assert_uint_eq(get(&r, "os_major")->u, 10);
    ck_assert_uint_eq(get(&r, "os_minor")->u, 0);
    ck_assert_uint_eq(get(&r, "server_type")->u, 0x00011003);
    ck_assert_str_eq(get(&r, "server_type")->label,
                     "SV_TYPE_WORKSTATION|SV_TYPE_SERVER|SV_TYPE_NT|"
                     "SV_TYPE_POTENTIAL_BROWSER");
    ck_assert_uint_eq(get(&r, "browser_major")->u, 15);
    ck_assert_uint_eq(get(&r, "browser_minor")->u, 1);
    ck_assert_uint_eq(get(&r, "signature")->u, 0xAA55);
    text_is(&r, "comment", "");
    ck_assert(b.comment.terminated);
}
END_TEST

START_TEST(fields_host_oddities)
{
    uint8_t raw[256];
    ms_browser b;
    rec r;

    fields_of(1, raw, &b, &r); /* Comment-less */
    ck_assert_str_eq(r.keys, "command,update_count,periodicity,server_name,"
                             "os_major,os_minor,server_type,browser_major,"
                             "browser_minor,signature,comment,comment_terminated");
    ck_assert_int_eq(get(&r, "comment_terminated")->kind, MS_F_BOOL);
    ck_assert_uint_eq(get(&r, "comment_terminated")->u, 0);

    fields_of(2, raw, &b, &r); /* junk after the ServerName NUL */
    text_is(&r, "server_name", "LAB111");
    ck_assert_int_eq(get(&r, "server_name_raw")->kind, MS_F_HEX);
    ck_assert_uint_eq(get(&r, "server_name_raw")->len, 16);
    ck_assert_mem_eq(get(&r, "server_name_raw")->p, raw + 6, 16);
    ck_assert_ptr_null(strstr(r.keys, "server_name_terminated"));
    ck_assert_uint_eq(b.server_name[11], 0xb2);

    fields_of(4, raw, &b, &r); /* Samba: no NUL, 46-octet comment */
    ck_assert_str_eq(r.keys, "command,update_count,periodicity,server_name,"
                             "server_name_raw,server_name_terminated,os_major,"
                             "os_minor,server_type,browser_major,browser_minor,"
                             "signature,comment");
    text_is(&r, "server_name", "QAUSER-VIRTUAL-M");
    ck_assert_uint_eq(get(&r, "server_name_terminated")->u, 0);
    ck_assert_uint_eq(get(&r, "update_count")->u, 0xef);
    ck_assert_uint_eq(get(&r, "os_major")->u, 4);
    ck_assert_uint_eq(get(&r, "os_minor")->u, 9);
    ck_assert_uint_eq(get(&r, "server_type")->u, 0x00819a03);
    text_is(&r, "comment", "qauser-virtual-machine server (Samba, Ubuntu)");
    ck_assert_uint_eq(b.comment.len + 1, 46);

    fields_of(5, raw, &b, &r); /* trailing */
    ck_assert_int_eq(get(&r, "trailing")->kind, MS_F_HEX);
    ck_assert_uint_eq(get(&r, "trailing")->len, 4);
    ck_assert_mem_eq(get(&r, "trailing")->p, "\xde\xad\xbe\xef", 4);

    fields_of(6, raw, &b, &r); /* LocalMasterAnnouncement */
    ck_assert_str_eq(get(&r, "command")->label, "LocalMasterAnnouncement");
    text_is(&r, "server_name", "DJP95S0J");
    ck_assert_uint_eq(get(&r, "server_name_raw")->len, 16);
    ck_assert_uint_eq(get(&r, "server_type")->u, 0x00051003);
}
END_TEST

START_TEST(fields_domain)
{
    uint8_t raw[256];
    ms_browser b;
    rec r;
    fields_of(7, raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,update_count,periodicity,machine_group,"
                             "browser_config_major,browser_config_minor,"
                             "server_type,browser_major,browser_minor,"
                             "signature,local_master_name");
    ck_assert_str_eq(get(&r, "command")->label, "DomainAnnouncement");
    ck_assert_uint_eq(get(&r, "periodicity")->u, 900000);
    text_is(&r, "machine_group", "WORKGROUP");
    ck_assert_uint_eq(get(&r, "browser_config_major")->u, 3);
    ck_assert_uint_eq(get(&r, "browser_config_minor")->u, 10);
    ck_assert_uint_eq(get(&r, "server_type")->u, 0x80001000);
    ck_assert_str_eq(get(&r, "server_type")->label, "SV_TYPE_NT|SV_TYPE_DOMAIN_ENUM");
    ck_assert_uint_eq(get(&r, "browser_major")->u, 0xfe); /* uninitialised */
    ck_assert_uint_eq(get(&r, "browser_minor")->u, 0x07);
    ck_assert_uint_eq(get(&r, "signature")->u, 0);
    text_is(&r, "local_master_name", "ENDIAN-PC");

    fields_of(8, raw, &b, &r);
    ck_assert_uint_eq(get(&r, "machine_group_raw")->len, 16);
    ck_assert_uint_eq(get(&r, "browser_major")->u, 0x20);
    text_is(&r, "local_master_name", "SCV");

    fields_of(9, raw, &b, &r);
    text_is(&r, "local_master_name", "SANJI-LIFEBOOK-LH531");
    ck_assert_uint_eq(get(&r, "signature")->u, 0xAA55);
    ck_assert_uint_eq(get(&r, "update_count")->u, 0x50);
}
END_TEST

START_TEST(fields_small_opcodes)
{
    uint8_t raw[256];
    ms_browser b;
    rec r;

    fields_of(10, raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,reserved,name");
    text_is(&r, "name", "DJP95S0J");

    fields_of(11, raw, &b, &r); /* Samba form */
    ck_assert_str_eq(r.keys, "command,reserved,samba_form,name,name_terminated");
    ck_assert_uint_eq(get(&r, "reserved")->u, 7);
    ck_assert_uint_eq(get(&r, "samba_form")->u, 1);
    text_is(&r, "name", "LABPEER");
    ck_assert(b.samba_form);
    ck_assert(!b.name.terminated);
    ck_assert_uint_eq(b.trailing.len, 0);

    fields_of(12, raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,version,criteria,uptime,unused,name");
    ck_assert_uint_eq(get(&r, "version")->u, 1);
    ck_assert_uint_eq(get(&r, "criteria")->u, 0x10010f20);
    ck_assert_uint_eq(get(&r, "uptime")->u, 354005337);
    ck_assert_uint_eq(get(&r, "unused")->u, 0);
    text_is(&r, "name", "DJP95S0J");

    fields_of(13, raw, &b, &r);
    ck_assert_uint_eq(get(&r, "version")->u, 0);
    ck_assert_uint_eq(get(&r, "criteria")->u, 0);
    text_is(&r, "name", "");
    ck_assert(b.name.terminated);

    fields_of(14, raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,count,token");
    ck_assert_uint_eq(get(&r, "count")->u, 4);
    ck_assert_uint_eq(get(&r, "token")->u, 1);

    fields_of(19, raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,name");
    ck_assert_str_eq(get(&r, "command")->label, "BecomeBackup");
    text_is(&r, "name", "DESKTOP-V1FA0UQ");

    fields_of(20, raw, &b, &r);
    ck_assert_str_eq(get(&r, "command")->label, "MasterAnnouncement");
    text_is(&r, "name", "CHIP_DOUGLAS-PC");

    fields_of(21, raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,reset_type");
    ck_assert_uint_eq(get(&r, "reset_type")->u, 1);
    ck_assert_str_eq(get(&r, "reset_type")->label, "RESET_STATE_STOP_MASTER");

    fields_of(22, raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,reset_type,trailing");
    ck_assert_str_eq(get(&r, "reset_type")->label, "RESET_STATE_STOP");
    ck_assert_uint_eq(get(&r, "trailing")->len, 1);
}
END_TEST

START_TEST(fields_backup_list)
{
    uint8_t raw[256];
    ms_browser b;
    rec r;

    fields_of(15, raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,count,token,names");
    ck_assert_uint_eq(b.name_count, 1);
    ck_assert_int_eq(r.f[3].kind, MS_F_BEGIN_LIST);
    ck_assert_ptr_null(r.f[4].key);
    ck_assert_int_eq(r.f[4].kind, MS_F_TEXT);
    ck_assert_uint_eq(r.f[4].len, 15);
    ck_assert_mem_eq(r.f[4].p, "CHIP_DOUGLAS-PC", 15);
    ck_assert_int_eq(r.f[5].kind, MS_F_END);
    ck_assert_uint_eq(r.n, 6);

    fields_of(16, raw, &b, &r); /* count 3, one name */
    ck_assert_uint_eq(b.count, 3);
    ck_assert_uint_eq(b.token, 2);
    ck_assert_uint_eq(b.name_count, 1);
    ck_assert(b.names[0].terminated);

    fields_of(17, raw, &b, &r); /* count 1, two names, last cut */
    ck_assert_str_eq(r.keys, "command,count,token,names,names_terminated");
    ck_assert_uint_eq(b.count, 1);
    ck_assert_uint_eq(b.name_count, 2);
    ck_assert_uint_eq(b.names[0].len, 1);
    ck_assert(b.names[0].terminated);
    ck_assert_uint_eq(b.names[1].len, 3);
    ck_assert(!b.names[1].terminated);
    ck_assert_uint_eq(get(&r, "names_terminated")->u, 0);

    fields_of(18, raw, &b, &r);
    ck_assert_uint_eq(b.name_count, 0);
    ck_assert_int_eq(r.f[3].kind, MS_F_BEGIN_LIST);
    ck_assert_int_eq(r.f[4].kind, MS_F_END);
}
END_TEST

START_TEST(fields_lm)
{
    uint8_t raw[256];
    ms_browser b;
    rec r;
    fields_of(23, raw, &b, &r);
    ck_assert(b.lm_format);
    ck_assert_str_eq(r.keys, "command,lm_format,update_count,server_type,"
                             "os_major,os_minor,periodicity,server_name,comment");
    ck_assert_uint_eq(get(&r, "lm_format")->u, 1);
    ck_assert_uint_eq(get(&r, "server_type")->u, 0x00819a03);
    ck_assert_uint_eq(get(&r, "os_major")->u, 4);
    ck_assert_uint_eq(get(&r, "os_minor")->u, 9);
    ck_assert_uint_eq(get(&r, "periodicity")->u, 60);
    text_is(&r, "server_name", "LABPEER");
    text_is(&r, "comment", "lab box");
}
END_TEST

/* ---- LANMAN choice ---------------------------------------------------- */

START_TEST(lanman_rules)
{
    uint8_t raw[256];
    ms_browser b;
    size_t off, n;

    /* An MS-BRWS announcement passes the signature test on LANMAN too. */
    n = load(0, raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(guarded_copy(raw, n), n, true, &b, &off), MS_OK);
    ck_assert(!b.lm_format);
    ck_assert_uint_eq(b.signature, 0xAA55);

    /* Its 32-octet Comment-less prefix is below the 33 of the test, so on
     * LANMAN it reads as LM 2.x (listed: a complete LM frame). */
    ck_assert_int_eq(ms_browser_decode(guarded_copy(raw, 32), 32, true, &b, &off), MS_OK);
    ck_assert(b.lm_format);
    ck_assert_uint_eq(b.server_type, 0x000afc80);
    ck_assert_uint_eq(b.name.len, 3);
    ck_assert_mem_eq(b.name.p, "ER1", 3);

    /* 33 octets, signature broken -> LM on LANMAN, MS-BRWS on BROWSE. */
    raw[31] = 0xAB;
    ck_assert_int_eq(ms_browser_decode(raw, n, true, &b, &off), MS_OK);
    ck_assert(b.lm_format);
    ck_assert_int_eq(ms_browser_decode(raw, n, false, &b, &off), MS_OK);
    ck_assert(!b.lm_format);
    ck_assert_uint_eq(b.signature, 0xAB55);

    /* The LM frame on BROWSE: the MS-BRWS fixed part does not fit. */
    n = load(23, raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(guarded_copy(raw, n), n, false, &b, &off),
                     MS_ERR_TRUNCATED);
    ck_assert_uint_eq(off, 24);

    /* Other opcodes keep their MS-BRWS layout on LANMAN. */
    n = load(6, raw, sizeof raw);
    raw[30] = 0;
    ck_assert_int_eq(ms_browser_decode(raw, n, true, &b, &off), MS_OK);
    ck_assert(!b.lm_format);
    ck_assert_uint_eq(b.opcode, 0x0F);
    n = load(12, raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(raw, n, true, &b, &off), MS_OK);
    ck_assert_uint_eq(b.criteria, 0x10010f20);
}
END_TEST

START_TEST(undefined_opcodes)
{
    static const uint8_t ops[] = { 0x00, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x20, 0xff };
    uint8_t raw[40];
    memset(raw, 0x41, sizeof raw);
    for (size_t i = 0; i < sizeof ops; i++) {
        ms_browser b;
        size_t off = 99;
        raw[0] = ops[i];
        ck_assert_ptr_null(ms_browser_opcode_name(ops[i]));
        ck_assert_int_eq(ms_browser_decode(guarded_copy(raw, 1), 1, false, &b, &off),
                         MS_ERR_OPCODE);
        ck_assert_uint_eq(off, 0);
        ck_assert_int_eq(ms_browser_decode(raw, sizeof raw, true, &b, &off),
                         MS_ERR_OPCODE);
    }
    ms_browser b;
    size_t off = 99;
    ck_assert_int_eq(ms_browser_decode(guarded_copy(raw, 0), 0, false, &b, &off),
                     MS_ERR_TRUNCATED);
    ck_assert_uint_eq(off, 0);
    ck_assert_str_eq(ms_browser_opcode_name(0x0A), "GetBackupListResponse");
    ck_assert_str_eq(ms_browser_opcode_name(0x0E), "ResetStateRequest");
}
END_TEST

START_TEST(too_many_names)
{
    uint8_t raw[6 + 65];
    memset(raw, 0, sizeof raw);
    raw[0] = 0x0A;
    raw[1] = 65;
    ms_browser b;
    size_t off = 0;
    ck_assert_int_eq(ms_browser_decode(guarded_copy(raw, sizeof raw), sizeof raw,
                                       false, &b, &off),
                     MS_ERR_TOO_MANY);
    ck_assert_uint_eq(off, 6 + 64);
    /* 64 empty names fit the table and round-trip. */
    uint8_t out[80];
    size_t used = 0;
    ck_assert_int_eq(ms_browser_decode(raw, sizeof raw - 1, false, &b, &off), MS_OK);
    ck_assert_uint_eq(b.name_count, 64);
    ck_assert_int_eq(ms_browser_encode(&b, out, sizeof out, &used), MS_OK);
    ck_assert_uint_eq(used, sizeof raw - 1);
    ck_assert_mem_eq(out, raw, used);
}
END_TEST

/* ---- encode from a hand-filled struct ---------------------------------- */

START_TEST(encode_from_spec)
{
    uint8_t want[64], out[64];
    size_t n = load(0, want, sizeof want), used = 0;
    ms_browser b;
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_HOST_ANNOUNCEMENT;
    b.periodicity = 720000;
    memcpy(b.server_name, "SERVER1", 7);
    b.os_major = 10;
    b.server_type = 0x00011003;
    b.browser_major = 0x0F;
    b.browser_minor = 0x01;
    b.signature = 0xAA55;
    b.comment.terminated = true;
    ck_assert_int_eq(ms_browser_encode(&b, out, sizeof out, &used), MS_OK);
    ck_assert_uint_eq(used, n);
    ck_assert_mem_eq(out, want, n);

    /* GetBackupListRequest, count 4, token 1. */
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_GET_BACKUP_LIST_REQUEST;
    b.count = 4;
    b.token = 1;
    ck_assert_int_eq(ms_browser_encode(&b, out, sizeof out, &used), MS_OK);
    ck_assert_uint_eq(used, 6);
    ck_assert_mem_eq(out, "\x09\x04\x01\x00\x00\x00", 6);

    /* Samba-form AnnouncementRequest. */
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_ANNOUNCEMENT_REQUEST;
    b.update_count = 7;
    b.samba_form = true;
    b.name.p = (const uint8_t *)"LABPEER";
    b.name.len = 7;
    n = load(11, want, sizeof want);
    ck_assert_int_eq(ms_browser_encode(&b, out, sizeof out, &used), MS_OK);
    ck_assert_uint_eq(used, n);
    ck_assert_mem_eq(out, want, n);
}
END_TEST

START_TEST(encode_rejects)
{
    uint8_t raw[256], out[256];
    size_t used = 5;
    ms_browser b, c;
    size_t n = load(3, raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(raw, n, false, &b, NULL), MS_OK);

    c = b; /* a NUL inside the comment would not come back */
    c.comment.p = (const uint8_t *)"ab\0cd";
    c.comment.len = 5;
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);
    ck_assert_uint_eq(used, 0);

    c = b; /* nothing may follow an unterminated string */
    c.comment.terminated = false;
    c.trailing.p = (const uint8_t *)"x";
    c.trailing.len = 1;
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);

    c = b;
    c.comment.p = NULL;
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);

    c = b;
    c.opcode = 0x03;
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_OPCODE);

    c = b;
    c.opcode = MS_BRWS_LOCAL_MASTER_ANNOUNCEMENT;
    c.lm_format = true;
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);

    n = load(23, raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(raw, n, true, &b, NULL), MS_OK);
    c = b;
    c.periodicity = 0x10000; /* LM periodicity is 16 bits */
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);
    c = b;
    c.name.terminated = false; /* the comment would merge into the name */
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);

    n = load(11, raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(raw, n, false, &b, NULL), MS_OK);
    c = b;
    c.name.terminated = true;
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);
    c = b;
    c.name.len = 0;
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);

    n = load(17, raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(raw, n, false, &b, NULL), MS_OK);
    c = b;
    c.names[0].terminated = false; /* unterminated name in the middle */
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);
    c = b;
    c.name_count = MS_BRWS_MAX_BACKUP_NAMES + 1;
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);
}
END_TEST

/* ---- summaries -------------------------------------------------------- */

static void summary_is(size_t i, const char *want)
{
    uint8_t raw[256];
    char out[256];
    ms_browser b;
    size_t n = load(i, raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(raw, n, vecs[i].lanman, &b, NULL), MS_OK);
    size_t len = ms_browser_summary(&b, out, sizeof out);
    ck_assert_str_eq(out, want);
    ck_assert_uint_eq(len, strlen(want));
}

START_TEST(summaries)
{
    summary_is(0, "HostAnnouncement SERVER1 os 10.0");
    summary_is(4, "HostAnnouncement QAUSER-VIRTUAL-M os 4.9");
    summary_is(6, "LocalMasterAnnouncement DJP95S0J os 5.1");
    summary_is(7, "DomainAnnouncement WORKGROUP master ENDIAN-PC");
    summary_is(10, "AnnouncementRequest DJP95S0J");
    summary_is(11, "AnnouncementRequest LABPEER");
    summary_is(12, "RequestElection DJP95S0J criteria 0x10010f20 uptime 354005337");
    summary_is(14, "GetBackupListRequest count 4 token 1");
    summary_is(17, "GetBackupListResponse count 1 token 5 A BCD");
    summary_is(19, "BecomeBackup DESKTOP-V1FA0UQ");
    summary_is(20, "MasterAnnouncement CHIP_DOUGLAS-PC");
    summary_is(21, "ResetStateRequest type 0x01");
    summary_is(23, "HostAnnouncement (LM) LABPEER os 4.9");

    /* Truncated output: snprintf-like length, NUL-terminated. */
    uint8_t raw[64];
    char out[8];
    ms_browser b;
    size_t n = load(0, raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(raw, n, false, &b, NULL), MS_OK);
    ck_assert_uint_eq(ms_browser_summary(&b, out, sizeof out),
                      strlen("HostAnnouncement SERVER1 os 10.0"));
    ck_assert_str_eq(out, "HostAnn");

    /* Non-printable octets are escaped. */
    memset(b.server_name, 0, sizeof b.server_name);
    memcpy(b.server_name, "A\x01\\", 3);
    ck_assert_uint_eq(ms_browser_summary(&b, NULL, 0),
                      strlen("HostAnnouncement A\\x01\\x5c os 10.0"));
}
END_TEST

static Suite *browser_suite(void)
{
    Suite *s = suite_create("browser");
    TCase *tc = tcase_create("vectors");
    tcase_add_loop_test(tc, roundtrip, 0, (int)NVEC);
    tcase_add_loop_test(tc, prefixes, 0, (int)NVEC);
    tcase_add_loop_test(tc, no_space, 0, (int)NVEC);
    suite_add_tcase(s, tc);

    tc = tcase_create("fields");
    tcase_add_test(tc, fields_host);
    tcase_add_test(tc, fields_host_oddities);
    tcase_add_test(tc, fields_domain);
    tcase_add_test(tc, fields_small_opcodes);
    tcase_add_test(tc, fields_backup_list);
    tcase_add_test(tc, fields_lm);
    tcase_add_test(tc, summaries);
    suite_add_tcase(s, tc);

    tc = tcase_create("rules");
    tcase_add_test(tc, lanman_rules);
    tcase_add_test(tc, undefined_opcodes);
    tcase_add_test(tc, too_many_names);
    tcase_add_test(tc, encode_from_spec);
    tcase_add_test(tc, encode_rejects);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(browser_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
