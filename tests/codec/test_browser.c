/* SPDX-License-Identifier: MIT */
/* Browser payload codec: byte-exact vectors for every opcode, every prefix
 * against a guard page, short output buffers, fields and summaries.
 * Vectors are the mailslot data only (the octets after the SMB transaction's
 * DataOffset). Hand-built ones follow the tables in PROTOCOL.md §6.3 / §6.7
 * and include one of each odd shape seen on the wire; "real" ones name a
 * frame of ../shared/captures, read at run time (never copied here), and are
 * skipped — exit 77, or 1 under MAILSLOT_REQUIRE_ALL — when it is absent. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_rt.h"
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
    const char *hex;      /* hand-built octets; NULL for a real frame */
    const char *file;     /* real: capture file in ../shared/captures */
    unsigned frame;       /* real: its 1-based frame number */
    const size_t *starts; /* field starts of the fixed part */
    size_t nstarts;
    /* Every prefix at least this long is itself a complete frame: the
     * variable strings are then absent or cut, and decode keeps them as
     * unterminated (terminated = false) so they round-trip. Shorter prefixes
     * cut the fixed part and must fail. */
    size_t min_ok;
} vec;

#define HAND(what, lanman, hex, layout, min_ok) { what, lanman, hex, NULL, 0, layout, min_ok }
#define REAL(what, file, frame, layout, min_ok) { what, false, NULL, file, frame, layout, min_ok }

enum {
    H_HOST_A, H_HOST_COMMENTLESS, H_HOST_NAME_JUNK, H_HOST_COMMENT, H_HOST_LONG_NAME,
    H_HOST_TRAILING, H_LOCAL_MASTER, H_DOMAIN_UNINIT, H_DOMAIN_JUNK_NAME, H_DOMAIN_SAMBA,
    H_ANN_REQUEST, H_ANN_REQUEST_SAMBA, H_ELECTION, H_ELECTION_FORCED, H_BACKUP_REQ,
    H_BACKUP_RESP, H_BACKUP_RESP_SHORT, H_BACKUP_RESP_EXTRA, H_BACKUP_RESP_EMPTY,
    H_BECOME_BACKUP, H_MASTER_ANN, H_RESET, H_RESET_TRAILING, H_LM_ANNOUNCE, N_HAND
};

static const vec hand[N_HAND] = {
    /* PROTOCOL.md §4.6 worked example A, data octets 86..118. */
    [H_HOST_A] = HAND("host-example-A", false,
                      "01 00 80 fc 0a 00 53 45 52 56 45 52 31 00 00 00 00 00 00 00 00 00"
                      "0a 00 03 10 01 00 0f 01 55 aa 00",
                      LAYOUT(L_HOST), 32),
    /* The same without the Comment's NUL: a Comment-less frame, itself
     * complete (comment empty, unterminated). */
    [H_HOST_COMMENTLESS] = HAND("host-commentless", false,
                                "01 00 80 fc 0a 00 53 45 52 56 45 52 31 00 00 00 00 00 00 00 00 00"
                                "0a 00 03 10 01 00 0f 01 55 aa",
                                LAYOUT(L_HOST), 32),
    /* Octets after the ServerName NUL that are not zero (as Windows XP
     * sends): "PEBBLE", NUL, nine junk octets. */
    [H_HOST_NAME_JUNK] = HAND("host-name-junk", false,
                              "01 00 60 ea 00 00 50 45 42 42 4c 45 00 5a 11 c3 7e 9d 42 00 01 fe"
                              "06 01 03 10 00 00 0f 01 55 aa 00",
                              LAYOUT(L_HOST), 32),
    /* A comment ("orangery box"), browser version 21.1 (as macOS sends). */
    [H_HOST_COMMENT] = HAND("host-comment", false,
                            "01 00 00 fa 00 00 4f 52 41 4e 47 45 52 59 00 00 00 00 00 00 00 00"
                            "06 01 03 10 00 00 15 01 55 aa 6f 72 61 6e 67 65 72 79 20 62 6f 78 00",
                            LAYOUT(L_HOST), 32),
    /* Samba's shape: a 16-octet ServerName with no NUL ("MARMALADE-TOAST1")
     * and a 46-octet comment (limit 43), OS 4.9, type 0x00819a03. */
    [H_HOST_LONG_NAME] = HAND("host-long-name", false,
                              "01 3c 80 fc 0a 00 4d 41 52 4d 41 4c 41 44 45 2d 54 4f 41 53 54 31"
                              "04 09 03 9a 81 00 0f 01 55 aa"
                              "6d 61 72 6d 61 6c 61 64 65 2d 74 6f 61 73 74 31 20 73 65 72 76 65"
                              "72 20 28 53 61 6d 62 61 2c 20 74 65 73 74 20 66 69 78 74 75 72 65"
                              "29 00",
                              LAYOUT(L_HOST), 32),
    /* Example A with four octets after the Comment's NUL. */
    [H_HOST_TRAILING] = HAND("host-trailing", false,
                             "01 00 80 fc 0a 00 53 45 52 56 45 52 31 00 00 00 00 00 00 00 00 00"
                             "0a 00 03 10 01 00 0f 01 55 aa 00 de ad be ef",
                             LAYOUT(L_HOST), 32),
    /* LocalMasterAnnouncement "QUINCE" with UTF-16-looking junk after the
     * name's NUL, browser version 15.1. */
    [H_LOCAL_MASTER] = HAND("local-master", false,
                            "0f 00 80 fc 0a 00 51 55 49 4e 43 45 00 7a 00 6b 00 31 00 32 00 00"
                            "05 01 03 10 05 00 0f 01 55 aa 00",
                            LAYOUT(L_HOST), 32),
    /* DomainAnnouncement as Windows sends it: octets 28-31 uninitialised
     * (browser version 0xc4.0x2b, signature 0). */
    [H_DOMAIN_UNINIT] = HAND("domain-uninit", false,
                             "0c 00 a0 bb 0d 00 4f 52 43 48 41 52 44 00 00 00 00 00 00 00 00 00"
                             "03 0a 00 10 00 80 c4 2b 00 00 50 4c 55 4d 54 52 45 45 2d 50 43 00",
                             LAYOUT(L_HOST), 32),
    /* And junk after the MachineGroup NUL too. */
    [H_DOMAIN_JUNK_NAME] = HAND("domain-junk-name", false,
                                "0c 00 a0 bb 0d 00 4f 52 43 48 41 52 44 00 e1 f2 03 04 a5 b6 c7 d8"
                                "03 0a 00 10 00 80 41 00 00 00 46 49 47 00",
                                LAYOUT(L_HOST), 32),
    /* Samba's DomainAnnouncement: signature set, 20-octet LocalMasterName. */
    [H_DOMAIN_SAMBA] = HAND("domain-samba", false,
                            "0c 21 e0 93 04 00 4f 52 43 48 41 52 44 00 00 00 00 00 00 00 00 00"
                            "04 09 00 10 00 80 0f 01 55 aa"
                            "41 50 52 49 43 4f 54 2d 4e 4f 54 45 42 4f 4f 4b 2d 58 32 30 00",
                            LAYOUT(L_HOST), 32),
    [H_ANN_REQUEST] = HAND("ann-request", false, "02 00 51 55 49 4e 43 45 00",
                           LAYOUT(L_REQ), 2),
    /* Samba nmbd form (§6.3): token 7, 0x00, name with no NUL. */
    [H_ANN_REQUEST_SAMBA] = HAND("ann-request-samba", false, "02 07 00 4c 41 42 50 45 45 52",
                                 LAYOUT(L_REQ), 2),
    /* Version 1, criteria 0x20011f04, uptime 123456, "QUINCE". */
    [H_ELECTION] = HAND("election", false,
                        "08 01 04 1f 01 20 40 e2 01 00 00 00 00 00 51 55 49 4e 43 45 00",
                        LAYOUT(L_ELECT), 14),
    /* Version 0, criteria 0, empty name (a forced election). */
    [H_ELECTION_FORCED] = HAND("election-forced", false,
                               "08 00 00 00 00 00 b8 0b 00 00 00 00 00 00 00",
                               LAYOUT(L_ELECT), 14),
    [H_BACKUP_REQ] = HAND("backup-req", false, "09 08 ef be ad de", LAYOUT(L_BACKUP), 6),
    /* Count 1, token 7, "FIG-SERVER". */
    [H_BACKUP_RESP] = HAND("backup-resp", false,
                           "0a 01 07 00 00 00 46 49 47 2d 53 45 52 56 45 52 00",
                           LAYOUT(L_BACKUP), 6),
    /* Count 3, one name present. */
    [H_BACKUP_RESP_SHORT] = HAND("backup-resp-short", false, "0a 03 02 00 00 00 42 4b 31 00",
                                 LAYOUT(L_BACKUP), 6),
    /* Count 1, two names, the last without its NUL. */
    [H_BACKUP_RESP_EXTRA] = HAND("backup-resp-extra", false, "0a 01 05 00 00 00 41 00 42 43 44",
                                 LAYOUT(L_BACKUP), 6),
    /* Count 0, no names. */
    [H_BACKUP_RESP_EMPTY] = HAND("backup-resp-empty", false, "0a 00 00 00 00 00",
                                 LAYOUT(L_BACKUP), 6),
    [H_BECOME_BACKUP] = HAND("become-backup", false,
                             "0b 51 55 49 4e 43 45 2d 44 45 53 4b 54 4f 50 00",
                             LAYOUT(L_NAME), 1),
    [H_MASTER_ANN] = HAND("master-ann", false, "0d 50 4c 55 4d 54 52 45 45 2d 50 43 00",
                          LAYOUT(L_NAME), 1),
    /* RESET_STATE_STOP_MASTER. */
    [H_RESET] = HAND("reset", false, "0e 01", LAYOUT(L_RESET), 2),
    /* RESET_STATE_STOP plus one stray octet. */
    [H_RESET_TRAILING] = HAND("reset-trailing", false, "0e 04 00", LAYOUT(L_RESET), 2),
    /* LAN Manager 2.x on LANMAN (§6.7): type 0x00819a03, OS 4.9,
     * 60 s, "LABPEER", "lab box". */
    [H_LM_ANNOUNCE] = HAND("lm-announce", true,
                           "01 00 03 9a 81 00 04 09 3c 00 4c 41 42 50 45 45 52 00"
                           "6c 61 62 20 62 6f 78 00",
                           LAYOUT(L_LM), 10),
};

#define CERBER "elcab_capture-Thu-11-24-16-10-28-11_cerber_nbt.pcapng"

enum {
    R_HOST_NAME_GARBAGE, R_HOST_COMMENT, R_HOST_SAMBA_LONG, R_LOCAL_MASTER,
    R_DOMAIN_WINDOWS, R_DOMAIN_JUNK_NAME, R_DOMAIN_SAMBA, R_ANN_REQUEST, R_ELECTION,
    R_ELECTION_FORCED, R_BACKUP_REQ, R_BACKUP_RESP, R_BECOME_BACKUP, R_MASTER_ANN, N_REAL
};

static const vec real[N_REAL] = {
    /* Windows XP LAB111: octets after the ServerName NUL are not zero. */
    [R_HOST_NAME_GARBAGE] = REAL("host-name-garbage", "sv_sip-method_sip.pcap", 199,
                                 LAYOUT(L_HOST), 32),
    /* macOS VMAC: a comment. */
    [R_HOST_COMMENT] = REAL("host-comment", "sv_rfb-partial-tx_in_nbt.pcap", 1,
                            LAYOUT(L_HOST), 32),
    /* Samba, Ubuntu: 16-octet ServerName with no NUL, 46-octet comment. */
    [R_HOST_SAMBA_LONG] = REAL("host-samba-long", "snort3demo_malware_mac.doc.pcap", 354,
                               LAYOUT(L_HOST), 32),
    /* Windows XP DJP95S0J: garbage after the NUL, browser version 15.1. */
    [R_LOCAL_MASTER] = REAL("local-master", "tcpdump_eapon1.pcap", 7, LAYOUT(L_HOST), 32),
    /* Windows leaves octets 28-31 as junk. */
    [R_DOMAIN_WINDOWS] = REAL("domain-windows", "ndpi_tor_nbt.pcap", 1, LAYOUT(L_HOST), 32),
    /* Junk after the MachineGroup NUL too. */
    [R_DOMAIN_JUNK_NAME] = REAL("domain-junk-name",
                                "sv_smb2-ntlmssp-negotiateflags_input_nbt.pcap", 98,
                                LAYOUT(L_HOST), 32),
    /* Samba: 21-octet LocalMasterName. */
    [R_DOMAIN_SAMBA] = REAL("domain-samba", "ndpi_1kxun_nbt.pcap", 8, LAYOUT(L_HOST), 32),
    [R_ANN_REQUEST] = REAL("ann-request", "tcpdump_eapon1.pcap", 1, LAYOUT(L_REQ), 2),
    [R_ELECTION] = REAL("election", "tcpdump_eapon1.pcap", 82, LAYOUT(L_ELECT), 14),
    /* Version 0, criteria 0, empty name (a forced election). */
    [R_ELECTION_FORCED] = REAL("election-forced", "ppp_solaris-snoop.pcap", 208,
                               LAYOUT(L_ELECT), 14),
    [R_BACKUP_REQ] = REAL("backup-req", CERBER, 20, LAYOUT(L_BACKUP), 6),
    [R_BACKUP_RESP] = REAL("backup-resp", "elcab_normal_share_traversal_nbt.pcapng", 9,
                           LAYOUT(L_BACKUP), 6),
    [R_BECOME_BACKUP] = REAL("become-backup", "sv_smb2-ntlmssp-negotiateflags_input_nbt.pcap",
                             1, LAYOUT(L_NAME), 1),
    [R_MASTER_ANN] = REAL("master-ann", CERBER, 11, LAYOUT(L_NAME), 1),
};

static ms_status brws_decode(const uint8_t *p, size_t n, void *msg, size_t *err_off,
                             const void *lanman)
{
    return ms_browser_decode(p, n, *(const bool *)lanman, msg, err_off);
}

static ms_status brws_encode(const void *msg, uint8_t *buf, size_t cap, size_t *used)
{
    return ms_browser_encode(msg, buf, cap, used);
}

static const rt_codec browser_codec = { brws_decode, brws_encode };

/* The vector's octets: parsed from hex, or read from its shared capture. */
static size_t load(const vec *v, uint8_t *buf, size_t cap)
{
    return rt_load(v->what, v->hex, v->file, v->frame, buf, cap);
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
static void check_roundtrip(const vec *v)
{
    uint8_t raw[256];
    size_t n = load(v, raw, sizeof raw);
    ms_browser b;
    ck_assert_uint_eq(rt_round_trip(&browser_codec, &v->lanman, v->what, raw, n, &b), n);
    ck_assert_uint_eq(b.opcode, raw[0]);
}

/* Every proper prefix: the fixed part cut -> MS_ERR_TRUNCATED at the field
 * it stopped in; from min_ok on, a complete frame that still round-trips,
 * with the cut string marked unterminated. */
static void check_prefixes(const vec *v)
{
    uint8_t raw[256], out[256];
    size_t n = load(v, raw, sizeof raw);
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

static void check_no_space(const vec *v)
{
    uint8_t raw[256];
    size_t n = load(v, raw, sizeof raw);
    ms_browser b;
    ck_assert_int_eq(ms_browser_decode(raw, n, v->lanman, &b, NULL), MS_OK);
    rt_no_space(&browser_codec, v->what, &b, n);
}

START_TEST(roundtrip)
{
    check_roundtrip(&hand[_i]);
}
END_TEST

START_TEST(prefixes)
{
    check_prefixes(&hand[_i]);
}
END_TEST

START_TEST(no_space)
{
    check_no_space(&hand[_i]);
}
END_TEST

START_TEST(real_roundtrip)
{
    NEED_SHARED();
    check_roundtrip(&real[_i]);
}
END_TEST

START_TEST(real_prefixes)
{
    NEED_SHARED();
    check_prefixes(&real[_i]);
}
END_TEST

START_TEST(real_no_space)
{
    NEED_SHARED();
    check_no_space(&real[_i]);
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

static void fields_of(const vec *v, uint8_t *raw, ms_browser *b, rec *r)
{
    size_t n = load(v, raw, 256);
    ck_assert_int_eq(ms_browser_decode(raw, n, v->lanman, b, NULL), MS_OK);
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
    fields_of(&hand[H_HOST_A], raw, &b, &r);
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

    fields_of(&hand[H_HOST_COMMENTLESS], raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,update_count,periodicity,server_name,"
                             "os_major,os_minor,server_type,browser_major,"
                             "browser_minor,signature,comment,comment_terminated");
    ck_assert_int_eq(get(&r, "comment_terminated")->kind, MS_F_BOOL);
    ck_assert_uint_eq(get(&r, "comment_terminated")->u, 0);

    fields_of(&hand[H_HOST_NAME_JUNK], raw, &b, &r); /* junk after the NUL */
    text_is(&r, "server_name", "PEBBLE");
    ck_assert_int_eq(get(&r, "server_name_raw")->kind, MS_F_HEX);
    ck_assert_uint_eq(get(&r, "server_name_raw")->len, 16);
    ck_assert_mem_eq(get(&r, "server_name_raw")->p, raw + 6, 16);
    ck_assert_ptr_null(strstr(r.keys, "server_name_terminated"));
    ck_assert_uint_eq(b.server_name[11], 0x9d);

    fields_of(&hand[H_HOST_COMMENT], raw, &b, &r);
    text_is(&r, "server_name", "ORANGERY");
    ck_assert_ptr_null(strstr(r.keys, "server_name_raw"));
    ck_assert_uint_eq(get(&r, "browser_major")->u, 0x15);
    text_is(&r, "comment", "orangery box");
    ck_assert(b.comment.terminated);

    fields_of(&hand[H_HOST_LONG_NAME], raw, &b, &r); /* no NUL, long comment */
    ck_assert_str_eq(r.keys, "command,update_count,periodicity,server_name,"
                             "server_name_raw,server_name_terminated,os_major,"
                             "os_minor,server_type,browser_major,browser_minor,"
                             "signature,comment");
    text_is(&r, "server_name", "MARMALADE-TOAST1");
    ck_assert_uint_eq(get(&r, "server_name_terminated")->u, 0);
    ck_assert_uint_eq(get(&r, "update_count")->u, 0x3c);
    ck_assert_uint_eq(get(&r, "os_major")->u, 4);
    ck_assert_uint_eq(get(&r, "os_minor")->u, 9);
    ck_assert_uint_eq(get(&r, "server_type")->u, 0x00819a03);
    text_is(&r, "comment", "marmalade-toast1 server (Samba, test fixture)");
    ck_assert_uint_eq(b.comment.len + 1, 46);

    fields_of(&hand[H_HOST_TRAILING], raw, &b, &r);
    ck_assert_int_eq(get(&r, "trailing")->kind, MS_F_HEX);
    ck_assert_uint_eq(get(&r, "trailing")->len, 4);
    ck_assert_mem_eq(get(&r, "trailing")->p, "\xde\xad\xbe\xef", 4);

    fields_of(&hand[H_LOCAL_MASTER], raw, &b, &r);
    ck_assert_str_eq(get(&r, "command")->label, "LocalMasterAnnouncement");
    text_is(&r, "server_name", "QUINCE");
    ck_assert_uint_eq(get(&r, "server_name_raw")->len, 16);
    ck_assert_uint_eq(get(&r, "server_type")->u, 0x00051003);
}
END_TEST

START_TEST(real_fields_host)
{
    NEED_SHARED();
    uint8_t raw[256];
    ms_browser b;
    rec r;

    fields_of(&real[R_HOST_NAME_GARBAGE], raw, &b, &r); /* junk after the NUL */
    text_is(&r, "server_name", "LAB111");
    ck_assert_int_eq(get(&r, "server_name_raw")->kind, MS_F_HEX);
    ck_assert_uint_eq(get(&r, "server_name_raw")->len, 16);
    ck_assert_mem_eq(get(&r, "server_name_raw")->p, raw + 6, 16);
    ck_assert_ptr_null(strstr(r.keys, "server_name_terminated"));
    ck_assert_uint_eq(b.server_name[11], 0xb2);

    fields_of(&real[R_HOST_SAMBA_LONG], raw, &b, &r); /* Samba: no NUL, 46-octet comment */
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

    fields_of(&real[R_LOCAL_MASTER], raw, &b, &r);
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
    fields_of(&hand[H_DOMAIN_UNINIT], raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,update_count,periodicity,machine_group,"
                             "browser_config_major,browser_config_minor,"
                             "server_type,browser_major,browser_minor,"
                             "signature,local_master_name");
    ck_assert_str_eq(get(&r, "command")->label, "DomainAnnouncement");
    ck_assert_uint_eq(get(&r, "periodicity")->u, 900000);
    text_is(&r, "machine_group", "ORCHARD");
    ck_assert_uint_eq(get(&r, "browser_config_major")->u, 3);
    ck_assert_uint_eq(get(&r, "browser_config_minor")->u, 10);
    ck_assert_uint_eq(get(&r, "server_type")->u, 0x80001000);
    ck_assert_str_eq(get(&r, "server_type")->label, "SV_TYPE_NT|SV_TYPE_DOMAIN_ENUM");
    ck_assert_uint_eq(get(&r, "browser_major")->u, 0xc4); /* uninitialised */
    ck_assert_uint_eq(get(&r, "browser_minor")->u, 0x2b);
    ck_assert_uint_eq(get(&r, "signature")->u, 0);
    text_is(&r, "local_master_name", "PLUMTREE-PC");

    fields_of(&hand[H_DOMAIN_JUNK_NAME], raw, &b, &r);
    ck_assert_uint_eq(get(&r, "machine_group_raw")->len, 16);
    ck_assert_uint_eq(get(&r, "browser_major")->u, 0x41);
    text_is(&r, "local_master_name", "FIG");

    fields_of(&hand[H_DOMAIN_SAMBA], raw, &b, &r);
    text_is(&r, "local_master_name", "APRICOT-NOTEBOOK-X20");
    ck_assert_uint_eq(get(&r, "signature")->u, 0xAA55);
    ck_assert_uint_eq(get(&r, "update_count")->u, 0x21);
}
END_TEST

START_TEST(real_fields_domain)
{
    NEED_SHARED();
    uint8_t raw[256];
    ms_browser b;
    rec r;
    fields_of(&real[R_DOMAIN_WINDOWS], raw, &b, &r);
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

    fields_of(&real[R_DOMAIN_JUNK_NAME], raw, &b, &r);
    ck_assert_uint_eq(get(&r, "machine_group_raw")->len, 16);
    ck_assert_uint_eq(get(&r, "browser_major")->u, 0x20);
    text_is(&r, "local_master_name", "SCV");

    fields_of(&real[R_DOMAIN_SAMBA], raw, &b, &r);
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

    fields_of(&hand[H_ANN_REQUEST], raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,reserved,name");
    text_is(&r, "name", "QUINCE");

    fields_of(&hand[H_ANN_REQUEST_SAMBA], raw, &b, &r); /* Samba form */
    ck_assert_str_eq(r.keys, "command,reserved,samba_form,name,name_terminated");
    ck_assert_uint_eq(get(&r, "reserved")->u, 7);
    ck_assert_uint_eq(get(&r, "samba_form")->u, 1);
    text_is(&r, "name", "LABPEER");
    ck_assert(b.samba_form);
    ck_assert(!b.name.terminated);
    ck_assert_uint_eq(b.trailing.len, 0);

    fields_of(&hand[H_ELECTION], raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,version,criteria,uptime,unused,name");
    ck_assert_uint_eq(get(&r, "version")->u, 1);
    ck_assert_uint_eq(get(&r, "criteria")->u, 0x20011f04);
    ck_assert_uint_eq(get(&r, "uptime")->u, 123456);
    ck_assert_uint_eq(get(&r, "unused")->u, 0);
    text_is(&r, "name", "QUINCE");

    fields_of(&hand[H_ELECTION_FORCED], raw, &b, &r);
    ck_assert_uint_eq(get(&r, "version")->u, 0);
    ck_assert_uint_eq(get(&r, "criteria")->u, 0);
    ck_assert_uint_eq(get(&r, "uptime")->u, 3000);
    text_is(&r, "name", "");
    ck_assert(b.name.terminated);

    fields_of(&hand[H_BACKUP_REQ], raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,count,token");
    ck_assert_uint_eq(get(&r, "count")->u, 8);
    ck_assert_uint_eq(get(&r, "token")->u, 0xdeadbeef);

    fields_of(&hand[H_BECOME_BACKUP], raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,name");
    ck_assert_str_eq(get(&r, "command")->label, "BecomeBackup");
    text_is(&r, "name", "QUINCE-DESKTOP");

    fields_of(&hand[H_MASTER_ANN], raw, &b, &r);
    ck_assert_str_eq(get(&r, "command")->label, "MasterAnnouncement");
    text_is(&r, "name", "PLUMTREE-PC");

    fields_of(&hand[H_RESET], raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,reset_type");
    ck_assert_uint_eq(get(&r, "reset_type")->u, 1);
    ck_assert_str_eq(get(&r, "reset_type")->label, "RESET_STATE_STOP_MASTER");

    fields_of(&hand[H_RESET_TRAILING], raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,reset_type,trailing");
    ck_assert_str_eq(get(&r, "reset_type")->label, "RESET_STATE_STOP");
    ck_assert_uint_eq(get(&r, "trailing")->len, 1);
}
END_TEST

START_TEST(real_fields_small_opcodes)
{
    NEED_SHARED();
    uint8_t raw[256];
    ms_browser b;
    rec r;

    fields_of(&real[R_ANN_REQUEST], raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,reserved,name");
    text_is(&r, "name", "DJP95S0J");

    fields_of(&real[R_ELECTION], raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,version,criteria,uptime,unused,name");
    ck_assert_uint_eq(get(&r, "version")->u, 1);
    ck_assert_uint_eq(get(&r, "criteria")->u, 0x10010f20);
    ck_assert_uint_eq(get(&r, "uptime")->u, 354005337);
    ck_assert_uint_eq(get(&r, "unused")->u, 0);
    text_is(&r, "name", "DJP95S0J");

    fields_of(&real[R_ELECTION_FORCED], raw, &b, &r);
    ck_assert_uint_eq(get(&r, "version")->u, 0);
    ck_assert_uint_eq(get(&r, "criteria")->u, 0);
    text_is(&r, "name", "");
    ck_assert(b.name.terminated);

    fields_of(&real[R_BACKUP_REQ], raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,count,token");
    ck_assert_uint_eq(get(&r, "count")->u, 4);
    ck_assert_uint_eq(get(&r, "token")->u, 1);

    fields_of(&real[R_BECOME_BACKUP], raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,name");
    ck_assert_str_eq(get(&r, "command")->label, "BecomeBackup");
    text_is(&r, "name", "DESKTOP-V1FA0UQ");

    fields_of(&real[R_MASTER_ANN], raw, &b, &r);
    ck_assert_str_eq(get(&r, "command")->label, "MasterAnnouncement");
    text_is(&r, "name", "CHIP_DOUGLAS-PC");
}
END_TEST

/* A one-name GetBackupListResponse: a list of one text, then its end. */
static void check_one_name_list(const vec *v, const char *name)
{
    uint8_t raw[256];
    ms_browser b;
    rec r;
    fields_of(v, raw, &b, &r);
    ck_assert_str_eq(r.keys, "command,count,token,names");
    ck_assert_uint_eq(b.name_count, 1);
    ck_assert_int_eq(r.f[3].kind, MS_F_BEGIN_LIST);
    ck_assert_ptr_null(r.f[4].key);
    ck_assert_int_eq(r.f[4].kind, MS_F_TEXT);
    ck_assert_uint_eq(r.f[4].len, strlen(name));
    ck_assert_mem_eq(r.f[4].p, name, strlen(name));
    ck_assert_int_eq(r.f[5].kind, MS_F_END);
    ck_assert_uint_eq(r.n, 6);
}

START_TEST(fields_backup_list)
{
    uint8_t raw[256];
    ms_browser b;
    rec r;

    check_one_name_list(&hand[H_BACKUP_RESP], "FIG-SERVER");

    fields_of(&hand[H_BACKUP_RESP_SHORT], raw, &b, &r); /* count 3, one name */
    ck_assert_uint_eq(b.count, 3);
    ck_assert_uint_eq(b.token, 2);
    ck_assert_uint_eq(b.name_count, 1);
    ck_assert(b.names[0].terminated);

    fields_of(&hand[H_BACKUP_RESP_EXTRA], raw, &b, &r); /* count 1, two names, last cut */
    ck_assert_str_eq(r.keys, "command,count,token,names,names_terminated");
    ck_assert_uint_eq(b.count, 1);
    ck_assert_uint_eq(b.name_count, 2);
    ck_assert_uint_eq(b.names[0].len, 1);
    ck_assert(b.names[0].terminated);
    ck_assert_uint_eq(b.names[1].len, 3);
    ck_assert(!b.names[1].terminated);
    ck_assert_uint_eq(get(&r, "names_terminated")->u, 0);

    fields_of(&hand[H_BACKUP_RESP_EMPTY], raw, &b, &r);
    ck_assert_uint_eq(b.name_count, 0);
    ck_assert_int_eq(r.f[3].kind, MS_F_BEGIN_LIST);
    ck_assert_int_eq(r.f[4].kind, MS_F_END);
}
END_TEST

START_TEST(real_fields_backup_list)
{
    NEED_SHARED();
    check_one_name_list(&real[R_BACKUP_RESP], "CHIP_DOUGLAS-PC");
}
END_TEST

START_TEST(fields_lm)
{
    uint8_t raw[256];
    ms_browser b;
    rec r;
    fields_of(&hand[H_LM_ANNOUNCE], raw, &b, &r);
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

/* Other opcodes keep their MS-BRWS layout on LANMAN: a LocalMasterAnnouncement
 * with its signature broken, and a RequestElection. */
static void check_lanman_other_opcodes(const vec *master, const vec *election,
                                       uint32_t criteria)
{
    uint8_t raw[256];
    ms_browser b;
    size_t off, n;
    n = load(master, raw, sizeof raw);
    raw[30] = 0;
    ck_assert_int_eq(ms_browser_decode(raw, n, true, &b, &off), MS_OK);
    ck_assert(!b.lm_format);
    ck_assert_uint_eq(b.opcode, 0x0F);
    n = load(election, raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(raw, n, true, &b, &off), MS_OK);
    ck_assert_uint_eq(b.criteria, criteria);
}

START_TEST(lanman_rules)
{
    uint8_t raw[256];
    ms_browser b;
    size_t off, n;

    /* An MS-BRWS announcement passes the signature test on LANMAN too. */
    n = load(&hand[H_HOST_A], raw, sizeof raw);
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
    n = load(&hand[H_LM_ANNOUNCE], raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(guarded_copy(raw, n), n, false, &b, &off),
                     MS_ERR_TRUNCATED);
    ck_assert_uint_eq(off, 24);

    check_lanman_other_opcodes(&hand[H_LOCAL_MASTER], &hand[H_ELECTION], 0x20011f04);
}
END_TEST

START_TEST(real_lanman_rules)
{
    NEED_SHARED();
    check_lanman_other_opcodes(&real[R_LOCAL_MASTER], &real[R_ELECTION], 0x10010f20);
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
    size_t n = load(&hand[H_HOST_A], want, sizeof want), used = 0;
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

    /* GetBackupListRequest, count 8, token 0xdeadbeef. */
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_GET_BACKUP_LIST_REQUEST;
    b.count = 8;
    b.token = 0xdeadbeef;
    n = load(&hand[H_BACKUP_REQ], want, sizeof want);
    ck_assert_int_eq(ms_browser_encode(&b, out, sizeof out, &used), MS_OK);
    ck_assert_uint_eq(used, 6);
    ck_assert_uint_eq(n, 6);
    ck_assert_mem_eq(out, want, 6);

    /* Samba-form AnnouncementRequest. */
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_ANNOUNCEMENT_REQUEST;
    b.update_count = 7;
    b.samba_form = true;
    b.name.p = (const uint8_t *)"LABPEER";
    b.name.len = 7;
    n = load(&hand[H_ANN_REQUEST_SAMBA], want, sizeof want);
    ck_assert_int_eq(ms_browser_encode(&b, out, sizeof out, &used), MS_OK);
    ck_assert_uint_eq(used, n);
    ck_assert_mem_eq(out, want, n);
}
END_TEST

/* What the encoder refuses, starting from a decoded HostAnnouncement with
 * a comment. */
static void check_host_rejects(const vec *v)
{
    uint8_t raw[256], out[256];
    size_t used = 5;
    ms_browser b, c;
    size_t n = load(v, raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(raw, n, false, &b, NULL), MS_OK);
    ck_assert_uint_gt(b.comment.len, 0);

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
}

START_TEST(encode_rejects)
{
    uint8_t raw[256], out[256];
    size_t used = 5;
    ms_browser b, c;
    size_t n;

    check_host_rejects(&hand[H_HOST_COMMENT]);

    n = load(&hand[H_LM_ANNOUNCE], raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(raw, n, true, &b, NULL), MS_OK);
    c = b;
    c.periodicity = 0x10000; /* LM periodicity is 16 bits */
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);
    c = b;
    c.name.terminated = false; /* the comment would merge into the name */
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);

    n = load(&hand[H_ANN_REQUEST_SAMBA], raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(raw, n, false, &b, NULL), MS_OK);
    c = b;
    c.name.terminated = true;
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);
    c = b;
    c.name.len = 0;
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);

    n = load(&hand[H_BACKUP_RESP_EXTRA], raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(raw, n, false, &b, NULL), MS_OK);
    c = b;
    c.names[0].terminated = false; /* unterminated name in the middle */
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);
    c = b;
    c.name_count = MS_BRWS_MAX_BACKUP_NAMES + 1;
    ck_assert_int_eq(ms_browser_encode(&c, out, sizeof out, &used), MS_ERR_INVALID_ARG);
}
END_TEST

START_TEST(real_encode_rejects)
{
    NEED_SHARED();
    check_host_rejects(&real[R_HOST_COMMENT]);
}
END_TEST

/* ---- summaries -------------------------------------------------------- */

static void summary_is(const vec *v, const char *want)
{
    uint8_t raw[256];
    char out[256];
    ms_browser b;
    size_t n = load(v, raw, sizeof raw);
    ck_assert_int_eq(ms_browser_decode(raw, n, v->lanman, &b, NULL), MS_OK);
    size_t len = ms_browser_summary(&b, out, sizeof out);
    ck_assert_str_eq(out, want);
    ck_assert_uint_eq(len, strlen(want));
}

START_TEST(summaries)
{
    summary_is(&hand[H_HOST_A], "HostAnnouncement SERVER1 os 10.0");
    summary_is(&hand[H_HOST_LONG_NAME], "HostAnnouncement MARMALADE-TOAST1 os 4.9");
    summary_is(&hand[H_LOCAL_MASTER], "LocalMasterAnnouncement QUINCE os 5.1");
    summary_is(&hand[H_DOMAIN_UNINIT], "DomainAnnouncement ORCHARD master PLUMTREE-PC");
    summary_is(&hand[H_ANN_REQUEST], "AnnouncementRequest QUINCE");
    summary_is(&hand[H_ANN_REQUEST_SAMBA], "AnnouncementRequest LABPEER");
    summary_is(&hand[H_ELECTION], "RequestElection QUINCE criteria 0x20011f04 uptime 123456");
    summary_is(&hand[H_BACKUP_REQ], "GetBackupListRequest count 8 token 3735928559");
    summary_is(&hand[H_BACKUP_RESP_EXTRA], "GetBackupListResponse count 1 token 5 A BCD");
    summary_is(&hand[H_BECOME_BACKUP], "BecomeBackup QUINCE-DESKTOP");
    summary_is(&hand[H_MASTER_ANN], "MasterAnnouncement PLUMTREE-PC");
    summary_is(&hand[H_RESET], "ResetStateRequest type 0x01");
    summary_is(&hand[H_LM_ANNOUNCE], "HostAnnouncement (LM) LABPEER os 4.9");

    /* Truncated output: snprintf-like length, NUL-terminated. */
    uint8_t raw[64];
    char out[8];
    ms_browser b;
    size_t n = load(&hand[H_HOST_A], raw, sizeof raw);
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

START_TEST(real_summaries)
{
    NEED_SHARED();
    summary_is(&real[R_HOST_SAMBA_LONG], "HostAnnouncement QAUSER-VIRTUAL-M os 4.9");
    summary_is(&real[R_LOCAL_MASTER], "LocalMasterAnnouncement DJP95S0J os 5.1");
    summary_is(&real[R_DOMAIN_WINDOWS], "DomainAnnouncement WORKGROUP master ENDIAN-PC");
    summary_is(&real[R_ANN_REQUEST], "AnnouncementRequest DJP95S0J");
    summary_is(&real[R_ELECTION], "RequestElection DJP95S0J criteria 0x10010f20 uptime 354005337");
    summary_is(&real[R_BACKUP_REQ], "GetBackupListRequest count 4 token 1");
    summary_is(&real[R_BECOME_BACKUP], "BecomeBackup DESKTOP-V1FA0UQ");
    summary_is(&real[R_MASTER_ANN], "MasterAnnouncement CHIP_DOUGLAS-PC");
}
END_TEST

static Suite *browser_suite(void)
{
    Suite *s = suite_create("browser");
    TCase *tc = tcase_create("vectors");
    tcase_add_loop_test(tc, roundtrip, 0, N_HAND);
    tcase_add_loop_test(tc, prefixes, 0, N_HAND);
    tcase_add_loop_test(tc, no_space, 0, N_HAND);
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

    /* Frames of ../shared/captures; each returns at once when it is absent. */
    tc = tcase_create("real");
    tcase_add_loop_test(tc, real_roundtrip, 0, N_REAL);
    tcase_add_loop_test(tc, real_prefixes, 0, N_REAL);
    tcase_add_loop_test(tc, real_no_space, 0, N_REAL);
    tcase_add_test(tc, real_fields_host);
    tcase_add_test(tc, real_fields_domain);
    tcase_add_test(tc, real_fields_small_opcodes);
    tcase_add_test(tc, real_fields_backup_list);
    tcase_add_test(tc, real_lanman_rules);
    tcase_add_test(tc, real_encode_rejects);
    tcase_add_test(tc, real_summaries);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* The hand-built vectors run either way. */
    rt_shared_check("browser");
    return run_suite(browser_suite(), rt_shared_why);
}
