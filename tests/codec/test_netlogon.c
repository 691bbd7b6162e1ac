/* SPDX-License-Identifier: MIT */
/* NETLOGON payload codec (PROTOCOL.md §7): byte-exact vectors (the §7.8
 * worked example, one hand-built message per layout and per odd shape seen
 * on the wire, and a few NETLOGON payloads of the shared captures), every
 * proper prefix against a guard page, the compressed-name hazards of
 * §7.6/§9.2, and the encoder's error paths. The shared-capture payloads are
 * named by file and frame and read at run time (never copied here); they
 * are skipped — exit 77, or 1 under MAILSLOT_REQUIRE_ALL — when
 * ../shared/captures is absent. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_rt.h"
#include "guard.h"
#include "mailslot/netlogon.h"

/* ---- vectors ---------------------------------------------------------- */

/* §7.8: the 64 data octets of the captured Windows DC-locator ping. */
#define V_WORKED_7_8                                                       \
    "1200" "0000" "48004f00530054003000310000" "00" "0000"                 \
    "5c4d41494c534c4f545c4e45545c4745544443353130434330414400"             \
    "00000000" "00000000" "0b000020" "ffff" "ffff"

/* Hand-built, one per layout (field values chosen to exercise pads). */
#define V_LOGON_REQUEST \
    "0000574b533100616c696365005c4d41494c534c4f545c54454d505c4e45544c" \
    "4f474f4e0001ffff0100"
#define V_RESPONSE2 \
    "06005c5c5044433100ffff"
#define V_PQ_NT \
    "0700574b533132005c4d41494c534c4f545c4e45545c47455444433132330000" \
    "57004b0053003100320000000b000000ffffffff"
#define V_PQ_W95 \
    "07005739355043005c4d41494c534c4f545c54454d505c4e45544c4f474f4e00" \
    "0100"
#define V_PR \
    "0c005044433100005000440043003100000044004f004d00000001000000ffff" \
    "ffff"
#define V_SAM_SID \
    "1200030048004f005300540030003200000062006f00620000005c4d41494c53" \
    "4c4f545c4e45545c474554444337008000000010000000000102000000000005" \
    "20000000200200000b000010ffffffff"
#define V_NT40 \
    "13005c005c00440043003100000061006c00690063006500000044004f004d00" \
    "000001000000ffffffff"
#define V_NT5 \
    "13005c005c004400430031000000000044004f004d0000000102030405060708" \
    "090a0b0c0d0e0f100000000000000000000000000000000003646f6d056c6f63" \
    "616c00c03803646331c0380a0000011100000003000000ffffffff"
#define V_EX_NOSOCK \
    "17000000fd0300000102030405060708090a0b0c0d0e0f10076578616d706c65" \
    "03636f6d00c01803444331c018074558414d504c4500034443310003626f6200" \
    "1744656661756c742d46697273742d536974652d4e616d6500c04005000000ff" \
    "ffffff"
#define V_EX_VCS \
    "17000000fd0300000102030405060708090a0b0c0d0e0f10076578616d706c65" \
    "03636f6d00c01803444331c018074558414d504c4500034443310003626f6200" \
    "1744656661756c742d46697273742d536974652d4e616d6500c0401002000000" \
    "0a0102030000000000000000064272616e6368001d000000ffffffff"
#define V_DBC \
    "0a002a0000000000003a2c010000070000005044433100444f4d000050004400" \
    "43003100000044004f004d000000030000000000000064000000000000000000" \
    "00000000d001010000006500000000000000010000000000d001020000006600" \
    "000000000000020000000000d001180000000104000000000005150000000100" \
    "0000020000000300000001000000ffffffff"
/* 0x12 from "PEAR7" with a 24-octet domain SID after 3 pad octets
 * (S-1-5-21-111111111-222222222-333333333), NtVersion 0x0B: the shape
 * Windows XP sends. */
#define V_SAM_SID24 \
    "1200000050004500410052003700000000005c4d41494c534c4f545c4e45545c" \
    "4745544443393138000000000018000000000000010400000000000515000000" \
    "c76b9f068ed73e0d5543de130b000000ffffffff"
/* 0x17 as a Windows DC answers: NtVersion V1|V5EX|V5EP (0x0D), compressed
 * names (domain = pointer to the forest, host = label + pointer, client
 * site = pointer to the DC site), and a 16-octet sockaddr 10.20.30.40 but
 * no NextClosestSiteName. DC ORANGERY of QUINCE (quince.test). */
#define V_EX_SOCK \
    "17000000fc31000000112233445566778899aabbccddeeff067175696e636504" \
    "7465737400c018084f72616e67657279c018065155494e434500084f52414e47" \
    "45525900000b47617264656e2d5369746500c04510020000000a141e28000000" \
    "00000000000d000000ffffffff"
/* The same as 0x18 (LOGON_SAM_PAUSE_RESPONSE_EX), flags 0x105. */
#define V_EX_PAUSE_SOCK \
    "180000000501000000112233445566778899aabbccddeeff067175696e636504" \
    "7465737400c018084f72616e67657279c018065155494e434500084f52414e47" \
    "45525900000b47617264656e2d5369746500c04510020000000a141e28000000" \
    "00000000000d000000ffffffff"

typedef struct vec {
    const char *name;
    ms_netlogon_layout layout;
    const char *hex;        /* hand-built octets; NULL for a real frame */
    const char *file;       /* real: capture file in ../shared/captures */
    unsigned frame;         /* real: its 1-based frame number */
    size_t complete_prefix; /* a proper prefix that is itself a message, or 0 */
} vec;

static const vec vectors[] = {
    { "worked-7.8", MS_NL_LAYOUT_SAM_REQUEST, V_WORKED_7_8, NULL, 0, 0 },
    { "logon-request", MS_NL_LAYOUT_LOGON_REQUEST, V_LOGON_REQUEST, NULL, 0, 0 },
    { "response2", MS_NL_LAYOUT_LOGON_RESPONSE2, V_RESPONSE2, NULL, 0, 0 },
    /* The first 33 octets are opcode, names and two more octets: exactly
     * the Windows 95 short form, so that prefix decodes on its own. */
    { "primary-query-nt", MS_NL_LAYOUT_PRIMARY_QUERY, V_PQ_NT, NULL, 0, 33 },
    { "primary-query-w95", MS_NL_LAYOUT_PRIMARY_QUERY_W95, V_PQ_W95, NULL, 0, 0 },
    { "primary-response", MS_NL_LAYOUT_PRIMARY_RESPONSE, V_PR, NULL, 0, 0 },
    { "sam-request-sid", MS_NL_LAYOUT_SAM_REQUEST, V_SAM_SID, NULL, 0, 0 },
    { "sam-request-sid24", MS_NL_LAYOUT_SAM_REQUEST, V_SAM_SID24, NULL, 0, 0 },
    { "sam-response-nt40", MS_NL_LAYOUT_SAM_RESPONSE_NT40, V_NT40, NULL, 0, 0 },
    { "sam-response-nt5", MS_NL_LAYOUT_SAM_RESPONSE_NT5, V_NT5, NULL, 0, 0 },
    { "sam-response-ex", MS_NL_LAYOUT_SAM_RESPONSE_EX, V_EX_NOSOCK, NULL, 0, 0 },
    { "sam-response-ex-ip-site", MS_NL_LAYOUT_SAM_RESPONSE_EX, V_EX_VCS, NULL, 0, 0 },
    { "sam-response-ex-sockaddr", MS_NL_LAYOUT_SAM_RESPONSE_EX, V_EX_SOCK, NULL, 0, 0 },
    { "sam-pause-response-ex", MS_NL_LAYOUT_SAM_RESPONSE_EX, V_EX_PAUSE_SOCK, NULL, 0, 0 },
    { "db-change", MS_NL_LAYOUT_DB_CHANGE, V_DBC, NULL, 0, 0 },
};
#define N_VECTORS (sizeof vectors / sizeof vectors[0])

/* NETLOGON payloads (mailslot data only) of the shared captures: requests
 * with and without a SID, and each distinct 0x17 and 0x18 shape the Windows
 * DCs sent (DC SNICKLEFRITZ of PICKLESWORTH in the elcab captures). */
enum {
    R_MACGYVER_28, R_CHIP_7, R_SNORT_1, R_WMI_40, R_MACGYVER_30, R_NETSHARE_5,
    R_CHIP_12, R_CHIP_33, N_REAL
};

#define REAL(name, layout, file, frame) { name, layout, NULL, file, frame, 0 }

static const vec real_vectors[N_REAL] = {
    [R_MACGYVER_28] = REAL("elcab_macgyver_nbt#28", MS_NL_LAYOUT_SAM_REQUEST,
                           "elcab_macgyver_nbt.pcapng", 28),
    [R_CHIP_7] = REAL("elcab_chip_host_signin_nbt#7", MS_NL_LAYOUT_SAM_REQUEST,
                      "elcab_chip_host_signin_nbt.pcapng", 7),
    [R_SNORT_1] = REAL("snort3demo_http_noblock_nbt#1", MS_NL_LAYOUT_SAM_REQUEST,
                       "snort3demo_http_noblock_nbt.pcap", 1),
    [R_WMI_40] = REAL("elcab_wmi_exec_2_nbt#40", MS_NL_LAYOUT_SAM_RESPONSE_EX,
                      "elcab_wmi_exec_2_nbt.pcapng", 40),
    [R_MACGYVER_30] = REAL("elcab_macgyver_nbt#30", MS_NL_LAYOUT_SAM_RESPONSE_EX,
                           "elcab_macgyver_nbt.pcapng", 30),
    [R_NETSHARE_5] = REAL("elcab_more_netshare_nbt#5", MS_NL_LAYOUT_SAM_RESPONSE_EX,
                          "elcab_more_netshare_nbt.pcapng", 5),
    [R_CHIP_12] = REAL("elcab_chip_host_signin_nbt#12", MS_NL_LAYOUT_SAM_RESPONSE_EX,
                       "elcab_chip_host_signin_nbt.pcapng", 12),
    [R_CHIP_33] = REAL("elcab_chip_host_signin_nbt#33", MS_NL_LAYOUT_SAM_RESPONSE_EX,
                       "elcab_chip_host_signin_nbt.pcapng", 33),
};

static size_t load(const char *hex, uint8_t *out, size_t cap)
{
    return hex_to_bytes(hex, out, cap);
}

static ms_status decode_hex(const char *hex, uint8_t *buf, size_t cap, size_t *len,
                            ms_netlogon *n, size_t *err_off)
{
    *len = load(hex, buf, cap);
    return ms_netlogon_decode(buf, *len, n, err_off);
}

/* The vector's octets: parsed from hex, or read from its shared capture. */
static size_t load_vec(const vec *v, uint8_t *buf, size_t cap)
{
    return rt_load(v->name, v->hex, v->file, v->frame, buf, cap);
}

static ms_status nl_decode(const uint8_t *p, size_t n, void *msg, size_t *err_off,
                           const void *unused)
{
    (void)unused;
    return ms_netlogon_decode(p, n, msg, err_off);
}

static ms_status nl_encode(const void *msg, uint8_t *buf, size_t cap, size_t *used)
{
    return ms_netlogon_encode(msg, buf, cap, used);
}

static const rt_codec netlogon_codec = { nl_decode, nl_encode };

static ms_status decode_vec(const vec *v, uint8_t *buf, size_t cap, size_t *len,
                            ms_netlogon *n, size_t *err_off)
{
    *len = load_vec(v, buf, cap);
    return ms_netlogon_decode(buf, *len, n, err_off);
}

/* ---- a visitor that records what it is shown -------------------------- */

typedef struct rec_field {
    char key[48];
    ms_field_kind kind;
    uint64_t u;
    char text[300]; /* TEXT as is; UTF16 narrowed; HEX as lowercase hex */
    char label[160];
} rec_field;

typedef struct rec {
    size_t n;
    rec_field f[96];
} rec;

static void rec_fn(void *ctx, const ms_field *f)
{
    rec *r = ctx;
    ck_assert_uint_lt(r->n, 96);
    rec_field *o = &r->f[r->n++];
    memset(o, 0, sizeof *o);
    snprintf(o->key, sizeof o->key, "%s", f->key ? f->key : "");
    o->kind = f->kind;
    o->u = f->u;
    if (f->label)
        snprintf(o->label, sizeof o->label, "%s", f->label);
    size_t k = 0;
    switch (f->kind) {
    case MS_F_TEXT:
        for (size_t i = 0; i < f->len && k + 1 < sizeof o->text; i++)
            o->text[k++] = (char)f->p[i];
        break;
    case MS_F_UTF16:
        for (size_t i = 0; i + 1 < f->len && k + 1 < sizeof o->text; i += 2)
            o->text[k++] = (char)f->p[i];
        break;
    case MS_F_HEX:
        for (size_t i = 0; i < f->len && k + 3 < sizeof o->text; i++)
            k += (size_t)snprintf(o->text + k, 3, "%02x", f->p[i]);
        break;
    default:
        break;
    }
}

static const rec_field *find(const rec *r, const char *key)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->f[i].key, key) == 0)
            return &r->f[i];
    return NULL;
}

static const char *text_of(const rec *r, const char *key)
{
    const rec_field *f = find(r, key);
    ck_assert_msg(f != NULL, "missing key %s", key);
    return f->text;
}

static uint64_t uint_of(const rec *r, const char *key)
{
    const rec_field *f = find(r, key);
    ck_assert_msg(f != NULL, "missing key %s", key);
    return f->u;
}

static void fields_of(const ms_netlogon *n, rec *r)
{
    memset(r, 0, sizeof *r);
    ms_netlogon_fields(n, rec_fn, r);
    ck_assert_uint_gt(r->n, 1);
    ck_assert_str_eq(r->f[0].key, "command");
    ck_assert_uint_eq(r->f[0].u, n->opcode);
    ck_assert_str_eq(r->f[1].key, "layout");
}

static void assert_round_trip(const ms_netlogon *n, const uint8_t *in, size_t len)
{
    rt_encodes_to(&netlogon_codec, "netlogon", n, in, len);
}

/* UTF-16LE text of an ms_str, narrowed (test strings are ASCII). */
static const char *narrow(ms_str s)
{
    static char buf[256];
    size_t k = 0;
    for (size_t i = 0; i + 1 < s.len && k + 1 < sizeof buf; i += 2)
        buf[k++] = (char)s.p[i];
    buf[k] = '\0';
    return buf;
}

static const char *ascii(ms_str s)
{
    static char buf[256];
    size_t k = s.len < sizeof buf - 1 ? s.len : sizeof buf - 1;
    memcpy(buf, s.p, k);
    buf[k] = '\0';
    return buf;
}

static const char *summary(const ms_netlogon *n)
{
    static char buf[256];
    ms_netlogon_summary(n, buf, sizeof buf);
    return buf;
}

/* ---- every vector: decode, layout, lossless ---------------------------- */

static void check_round_trip(const vec *v)
{
    uint8_t buf[1024];
    size_t len = load_vec(v, buf, sizeof buf);
    ms_netlogon n;
    rt_round_trip(&netlogon_codec, NULL, v->name, buf, len, &n);
    ck_assert_msg(n.layout == v->layout, "%s: layout %s", v->name,
                  ms_netlogon_layout_name(n.layout));
    ck_assert_uint_eq(n.trailing.len, 0);

    /* The visitor and the summary never fail on a decoded message. */
    rec r;
    fields_of(&n, &r);
    ck_assert_str_eq(text_of(&r, "layout"), ms_netlogon_layout_name(v->layout));
    ck_assert_ptr_null(find(&r, "trailing"));
    ck_assert_uint_gt(strlen(summary(&n)), 0);
}

static void check_every_prefix_fails(const vec *v)
{
    uint8_t buf[1024];
    size_t len = load_vec(v, buf, sizeof buf);
    for (size_t i = 0; i < len; i++) {
        ms_netlogon n;
        size_t off = 0;
        const uint8_t *g = guarded_copy(buf, i);
        ms_status st = ms_netlogon_decode(g, i, &n, &off);
        if (i == v->complete_prefix && i != 0) {
            ck_assert_msg(st == MS_OK, "%s: listed prefix %zu", v->name, i);
            continue;
        }
        ck_assert_msg(st != MS_OK, "%s: prefix %zu of %zu decoded", v->name, i, len);
        ck_assert_uint_le(off, i);
    }
}

static void check_encode_no_space(const vec *v)
{
    uint8_t buf[1024];
    size_t len;
    ms_netlogon n;
    ck_assert_int_eq(decode_vec(v, buf, sizeof buf, &len, &n, NULL), MS_OK);
    rt_no_space(&netlogon_codec, v->name, &n, len);
}

START_TEST(vector_round_trip)
{
    check_round_trip(&vectors[_i]);
}
END_TEST

START_TEST(vector_every_prefix_fails)
{
    check_every_prefix_fails(&vectors[_i]);
}
END_TEST

START_TEST(vector_encode_no_space)
{
    check_encode_no_space(&vectors[_i]);
}
END_TEST

START_TEST(real_vector_round_trip)
{
    NEED_SHARED();
    check_round_trip(&real_vectors[_i]);
}
END_TEST

START_TEST(real_vector_every_prefix_fails)
{
    NEED_SHARED();
    check_every_prefix_fails(&real_vectors[_i]);
}
END_TEST

START_TEST(real_vector_encode_no_space)
{
    NEED_SHARED();
    check_encode_no_space(&real_vectors[_i]);
}
END_TEST

/* ---- field checks, layout by layout ----------------------------------- */

START_TEST(worked_example_7_8)
{
    uint8_t buf[128];
    size_t len;
    ms_netlogon n;
    ck_assert_int_eq(decode_hex(V_WORKED_7_8, buf, sizeof buf, &len, &n, NULL), MS_OK);
    ck_assert_uint_eq(len, 64);
    ck_assert_uint_eq(n.opcode, MS_NL_SAM_LOGON_REQUEST);
    ck_assert_uint_eq(n.request_count, 0);
    ck_assert_str_eq(narrow(n.unicode_computer_name), "HOST01");
    ck_assert_uint_eq(n.unicode_computer_name.len, 12);
    ck_assert_uint_eq(n.unicode_user_name.len, 0);
    ck_assert(n.unicode_user_name.terminated);
    ck_assert_str_eq(ascii(n.mailslot_name), "\\MAILSLOT\\NET\\GETDC510CC0AD");
    ck_assert_uint_eq(n.allowable_account_control, 0);
    ck_assert_uint_eq(n.domain_sid.len, 0);
    ck_assert_uint_eq(n.sid_pad.len, 0);
    ck_assert_uint_eq(n.nt_version, 0x2000000B);
    ck_assert_uint_eq(n.lmnt_token, 0xFFFF);
    ck_assert_uint_eq(n.lm20_token, 0xFFFF);
    assert_round_trip(&n, buf, len);

    rec r;
    fields_of(&n, &r);
    ck_assert_str_eq(r.f[0].label, "LOGON_SAM_LOGON_REQUEST");
    ck_assert_str_eq(text_of(&r, "unicode_computer_name"), "HOST01");
    ck_assert_uint_eq(find(&r, "unicode_computer_name")->kind, MS_F_UTF16);
    ck_assert_str_eq(text_of(&r, "mailslot_name"), "\\MAILSLOT\\NET\\GETDC510CC0AD");
    ck_assert_uint_eq(uint_of(&r, "domain_sid_size"), 0);
    ck_assert_ptr_null(find(&r, "domain_sid"));
    ck_assert_uint_eq(uint_of(&r, "nt_version"), 0x2000000B);
    ck_assert_str_eq(find(&r, "nt_version")->label, "V1|V5|V5EP|VIP");
    ck_assert_str_eq(summary(&n),
                     "LOGON_SAM_LOGON_REQUEST HOST01 reply \\MAILSLOT\\NET\\GETDC510CC0AD");
}
END_TEST

START_TEST(logon_request_0x00)
{
    uint8_t buf[128];
    size_t len;
    ms_netlogon n;
    ck_assert_int_eq(decode_hex(V_LOGON_REQUEST, buf, sizeof buf, &len, &n, NULL), MS_OK);
    ck_assert_str_eq(ascii(n.computer_name), "WKS1");
    ck_assert_str_eq(ascii(n.user_name), "alice");
    ck_assert_str_eq(ascii(n.mailslot_name), "\\MAILSLOT\\TEMP\\NETLOGON");
    ck_assert_uint_eq(n.request_count, 1);
    ck_assert_uint_eq(n.lmnt_token, 0xFFFF);
    ck_assert_uint_eq(n.lm20_token, 0x0001);
    ck_assert_str_eq(summary(&n),
                     "LOGON_REQUEST WKS1 user alice reply \\MAILSLOT\\TEMP\\NETLOGON");
    rec r;
    fields_of(&n, &r);
    ck_assert_str_eq(text_of(&r, "user_name"), "alice");
    ck_assert_ptr_null(find(&r, "nt_version"));
}
END_TEST

START_TEST(response2_0x06)
{
    uint8_t buf[64];
    size_t len;
    ms_netlogon n;
    ck_assert_int_eq(decode_hex(V_RESPONSE2, buf, sizeof buf, &len, &n, NULL), MS_OK);
    ck_assert_str_eq(ascii(n.primary_dc_name), "\\\\PDC1");
    ck_assert_uint_eq(n.lm20_token, 0xFFFF);
    ck_assert_str_eq(summary(&n), "LOGON_RESPONSE2 PDC \\\\PDC1");
}
END_TEST

START_TEST(primary_query_0x07_both_forms)
{
    uint8_t buf[128];
    size_t len;
    ms_netlogon n;
    ck_assert_int_eq(decode_hex(V_PQ_NT, buf, sizeof buf, &len, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.layout, MS_NL_LAYOUT_PRIMARY_QUERY);
    ck_assert_str_eq(ascii(n.computer_name), "WKS12");
    ck_assert_str_eq(ascii(n.mailslot_name), "\\MAILSLOT\\NET\\GETDC123");
    ck_assert_uint_eq(n.pad.len, 1); /* 31 is odd: one alignment octet */
    ck_assert_str_eq(narrow(n.unicode_computer_name), "WKS12");
    ck_assert_uint_eq(n.nt_version, 0x0B);
    rec r;
    fields_of(&n, &r);
    ck_assert_str_eq(text_of(&r, "pad"), "00");

    /* A non-zero pad octet is kept, value and all (L-04 is the validator's). */
    buf[31] = 0x5A;
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.pad.p[0], 0x5A);
    assert_round_trip(&n, buf, len);

    ck_assert_int_eq(decode_hex(V_PQ_W95, buf, sizeof buf, &len, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.layout, MS_NL_LAYOUT_PRIMARY_QUERY_W95);
    ck_assert_str_eq(ascii(n.computer_name), "W95PC");
    ck_assert_uint_eq(n.lm20_token, 0x0001);
    ck_assert_str_eq(summary(&n), "LOGON_PRIMARY_QUERY W95PC reply \\MAILSLOT\\TEMP\\NETLOGON");
    fields_of(&n, &r);
    ck_assert_ptr_null(find(&r, "nt_version"));
    ck_assert_str_eq(text_of(&r, "layout"), "primary_query_w95");
}
END_TEST

START_TEST(primary_response_0x0c)
{
    uint8_t buf[128];
    size_t len;
    ms_netlogon n;
    ck_assert_int_eq(decode_hex(V_PR, buf, sizeof buf, &len, &n, NULL), MS_OK);
    ck_assert_str_eq(ascii(n.primary_dc_name), "PDC1");
    ck_assert_uint_eq(n.pad.len, 1);
    ck_assert_str_eq(narrow(n.unicode_primary_dc_name), "PDC1");
    ck_assert_str_eq(narrow(n.unicode_domain_name), "DOM");
    ck_assert_uint_eq(n.nt_version, 1);
    ck_assert_str_eq(summary(&n), "LOGON_PRIMARY_RESPONSE PDC PDC1 domain DOM");
}
END_TEST

START_TEST(sam_request_0x12_with_sid)
{
    uint8_t buf[128];
    size_t len;
    ms_netlogon n;
    ck_assert_int_eq(decode_hex(V_SAM_SID, buf, sizeof buf, &len, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.request_count, 3);
    ck_assert_str_eq(narrow(n.unicode_computer_name), "HOST02");
    ck_assert_str_eq(narrow(n.unicode_user_name), "bob");
    ck_assert_str_eq(ascii(n.mailslot_name), "\\MAILSLOT\\NET\\GETDC7");
    ck_assert_uint_eq(n.allowable_account_control, 0x80);
    ck_assert_uint_eq(n.sid_pad.len, 1); /* DomainSid at offset 56 */
    ck_assert_uint_eq(n.domain_sid.len, 16);
    ck_assert_uint_eq(n.nt_version, 0x1000000B);
    rec r;
    fields_of(&n, &r);
    ck_assert_uint_eq(uint_of(&r, "domain_sid_size"), 16);
    ck_assert_str_eq(text_of(&r, "sid_pad"), "00");
    ck_assert_str_eq(text_of(&r, "domain_sid_text"), "S-1-5-32-544");
    ck_assert_str_eq(summary(&n),
                     "LOGON_SAM_LOGON_REQUEST HOST02 user bob reply \\MAILSLOT\\NET\\GETDC7");
}
END_TEST

/* A 0x12 with a 24-octet domain SID after 3 pad octets. */
static void check_sid24(const uint8_t *buf, size_t len, const char *host, const char *sid)
{
    ms_netlogon n;
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, NULL), MS_OK);
    ck_assert_uint_eq(len, 84);
    ck_assert_str_eq(narrow(n.unicode_computer_name), host);
    ck_assert_uint_eq(n.sid_pad.len, 3);
    ck_assert_uint_eq(n.domain_sid.len, 24);
    ck_assert_uint_eq(n.nt_version, 0x0B);
    rec r;
    fields_of(&n, &r);
    ck_assert_str_eq(text_of(&r, "domain_sid_text"), sid);
    assert_round_trip(&n, buf, len);
}

START_TEST(sam_request_0x12_sid24)
{
    uint8_t buf[128];
    size_t len = load(V_SAM_SID24, buf, sizeof buf);
    check_sid24(buf, len, "PEAR7", "S-1-5-21-111111111-222222222-333333333");
}
END_TEST

START_TEST(real_sam_request_0x12_sid)
{
    /* snort3demo frame 1: Windows XP "WINXP", 24-octet domain SID, 3 pad. */
    NEED_SHARED();
    uint8_t buf[128];
    size_t len = load_vec(&real_vectors[R_SNORT_1], buf, sizeof buf);
    check_sid24(buf, len, "WINXP", "S-1-5-21-2237764470-585456749-2022973044");
}
END_TEST

START_TEST(sam_request_0x12_unpadded_sender)
{
    /* Same SID without its pre-alignment: kept where it is, round-trips. */
    uint8_t buf[128], cut[128];
    size_t len;
    ms_netlogon n;
    len = load(V_SAM_SID, buf, sizeof buf);
    memcpy(cut, buf, 55);
    memcpy(cut + 55, buf + 56, len - 56);
    ck_assert_int_eq(ms_netlogon_decode(cut, len - 1, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.sid_pad.len, 0);
    ck_assert_uint_eq(n.domain_sid.len, 16);
    assert_round_trip(&n, cut, len - 1);
    /* A SID size beyond the body is truncation, not a wild read. */
    buf[51] = 0x40;
    size_t off;
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, &off), MS_ERR_TRUNCATED);
}
END_TEST

START_TEST(sam_response_nt40_and_nt5)
{
    uint8_t buf[128];
    size_t len;
    ms_netlogon n;
    ck_assert_int_eq(decode_hex(V_NT40, buf, sizeof buf, &len, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.layout, MS_NL_LAYOUT_SAM_RESPONSE_NT40);
    ck_assert_str_eq(narrow(n.unicode_logon_server), "\\\\DC1");
    ck_assert_str_eq(narrow(n.unicode_user_name), "alice");
    ck_assert_str_eq(narrow(n.unicode_domain_name), "DOM");
    ck_assert_str_eq(summary(&n), "LOGON_SAM_LOGON_RESPONSE DC \\\\DC1 domain DOM");

    ck_assert_int_eq(decode_hex(V_NT5, buf, sizeof buf, &len, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.layout, MS_NL_LAYOUT_SAM_RESPONSE_NT5);
    ck_assert_uint_eq(n.nt_version, 3);
    ck_assert_uint_eq(n.domain_guid[0], 1);
    ck_assert_uint_eq(n.domain_guid[15], 16);
    ck_assert_uint_eq(n.dc_ip_address, 0x0A000001);
    ck_assert_uint_eq(n.flags, 0x11);
    ck_assert_uint_eq(n.names[MS_NL_CN_DNS_DOMAIN].len, 2);
    rec r;
    fields_of(&n, &r);
    ck_assert_str_eq(text_of(&r, "dns_forest_name"), "dom.local");
    ck_assert_str_eq(text_of(&r, "dns_domain_name"), "dom.local");
    ck_assert_str_eq(text_of(&r, "dns_host_name"), "dc1.dom.local");
    ck_assert_uint_eq(find(&r, "dc_ip_address")->kind, MS_F_IPV4);
    ck_assert_uint_eq(uint_of(&r, "dc_ip_address"), 0x0A000001);
    ck_assert_str_eq(find(&r, "flags")->label, "PDC|DS");
    ck_assert_str_eq(text_of(&r, "null_guid"), "00000000000000000000000000000000");
}
END_TEST

START_TEST(sam_response_ex_hand_built)
{
    uint8_t buf[256];
    size_t len;
    ms_netlogon n;
    rec r;
    ck_assert_int_eq(decode_hex(V_EX_NOSOCK, buf, sizeof buf, &len, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.nt_version, 5);
    fields_of(&n, &r);
    ck_assert_str_eq(text_of(&r, "dns_forest_name"), "example.com");
    ck_assert_str_eq(text_of(&r, "dns_domain_name"), "example.com");
    ck_assert_str_eq(text_of(&r, "dns_host_name"), "DC1.example.com");
    ck_assert_str_eq(text_of(&r, "netbios_domain_name"), "EXAMPLE");
    ck_assert_str_eq(text_of(&r, "netbios_computer_name"), "DC1");
    ck_assert_str_eq(text_of(&r, "user_name"), "bob");
    ck_assert_str_eq(text_of(&r, "client_site_name"), "Default-First-Site-Name");
    ck_assert_ptr_null(find(&r, "dc_sockaddr_ip"));
    ck_assert_ptr_null(find(&r, "next_closest_site"));
    ck_assert_str_eq(summary(&n), "LOGON_SAM_LOGON_RESPONSE_EX DC DC1 domain EXAMPLE");

    ck_assert_int_eq(decode_hex(V_EX_VCS, buf, sizeof buf, &len, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.nt_version, 0x1D);
    ck_assert_uint_eq(n.sockaddr_family, 2);
    ck_assert_uint_eq(n.sockaddr_addr, 0x0A010203);
    fields_of(&n, &r);
    ck_assert_uint_eq(uint_of(&r, "dc_sockaddr_size"), 16);
    ck_assert_uint_eq(uint_of(&r, "dc_sockaddr_family"), 2);
    ck_assert_uint_eq(uint_of(&r, "dc_sockaddr_port"), 0);
    ck_assert_uint_eq(find(&r, "dc_sockaddr_ip")->kind, MS_F_IPV4);
    ck_assert_uint_eq(uint_of(&r, "dc_sockaddr_ip"), 0x0A010203);
    ck_assert_str_eq(text_of(&r, "next_closest_site"), "Branch");
    ck_assert_str_eq(find(&r, "nt_version")->label, "V1|V5EX|V5EP|VCS");
}
END_TEST

/* What an EX response with a sockaddr and no NextClosestSiteName says. */
typedef struct ex_expect {
    const char *forest;       /* DnsForestName = DnsDomainName */
    const char *host;         /* DnsHostName */
    const char *nb_domain;
    const char *nb_computer;
    const char *site;         /* DcSiteName = ClientSiteName */
    const char *guid;         /* DomainGuid, hex; NULL: octets 8-23 of the
                               * message (a capture's own, not copied here) */
    uint32_t ip;              /* DcSockAddr's address */
} ex_expect;

static const ex_expect EX_ORANGERY = {
    "quince.test", "Orangery.quince.test", "QUINCE", "ORANGERY", "Garden-Site",
    "00112233445566778899aabbccddeeff", 0x0A141E28
};
static const ex_expect EX_SNICKLEFRITZ = {
    "picklesworth.local", "SnickleFritz.picklesworth.local", "PICKLESWORTH", "SNICKLEFRITZ",
    "Default-First-Site-Name", NULL, 0xC0A801C3
};

static void check_ex_sockaddr(const ms_netlogon *n, const uint8_t *msg, const ex_expect *e)
{
    char guid[33];
    for (size_t i = 0; i < 16; i++)
        snprintf(guid + 2 * i, 3, "%02x", msg[8 + i]);
    ck_assert_uint_eq(n->layout, MS_NL_LAYOUT_SAM_RESPONSE_EX);
    ck_assert_uint_eq(n->nt_version, 0x0D); /* V1 | V5EX | V5EP, no VCS */
    ck_assert_uint_eq(n->sbz, 0);
    ck_assert_uint_eq(n->sockaddr_family, 2);
    ck_assert_uint_eq(n->sockaddr_port, 0);
    ck_assert_uint_eq(n->sockaddr_addr, e->ip);
    rec r;
    fields_of(n, &r);
    ck_assert_str_eq(text_of(&r, "dns_forest_name"), e->forest);
    ck_assert_str_eq(text_of(&r, "dns_domain_name"), e->forest);
    ck_assert_str_eq(text_of(&r, "dns_host_name"), e->host);
    ck_assert_str_eq(text_of(&r, "netbios_domain_name"), e->nb_domain);
    ck_assert_str_eq(text_of(&r, "netbios_computer_name"), e->nb_computer);
    ck_assert_str_eq(text_of(&r, "user_name"), "");
    ck_assert_str_eq(text_of(&r, "dc_site_name"), e->site);
    ck_assert_str_eq(text_of(&r, "client_site_name"), e->site);
    ck_assert_str_eq(text_of(&r, "domain_guid"), e->guid ? e->guid : guid);
    ck_assert_uint_eq(uint_of(&r, "dc_sockaddr_ip"), e->ip);
    ck_assert_ptr_null(find(&r, "next_closest_site"));
    ck_assert_ptr_null(find(&r, "dns_host_name_raw"));
}

START_TEST(sam_response_ex_sockaddr)
{
    uint8_t buf[256];
    size_t len;
    ms_netlogon n;
    ck_assert_int_eq(decode_hex(V_EX_SOCK, buf, sizeof buf, &len, &n, NULL), MS_OK);
    ck_assert_uint_eq(len, 109);
    check_ex_sockaddr(&n, buf, &EX_ORANGERY);
    ck_assert_uint_eq(n.flags, 0x31FC);
    rec r;
    fields_of(&n, &r);
    ck_assert_str_eq(r.f[0].label, "LOGON_SAM_LOGON_RESPONSE_EX");
    ck_assert_str_eq(find(&r, "flags")->label,
                     "GC|LDAP|DS|KDC|TIMESERV|CLOSEST|WRITABLE|FULL_SECRET_DOMAIN_6|WS");
    assert_round_trip(&n, buf, len);
    ck_assert_str_eq(summary(&n), "LOGON_SAM_LOGON_RESPONSE_EX DC ORANGERY domain QUINCE");

    ck_assert_int_eq(decode_hex(V_EX_PAUSE_SOCK, buf, sizeof buf, &len, &n, NULL), MS_OK);
    check_ex_sockaddr(&n, buf, &EX_ORANGERY);
    ck_assert_uint_eq(n.opcode, MS_NL_SAM_PAUSE_RESPONSE_EX);
    ck_assert_uint_eq(n.flags, 0x0105);
    assert_round_trip(&n, buf, len);
    ck_assert_str_eq(summary(&n), "LOGON_SAM_PAUSE_RESPONSE_EX DC ORANGERY domain QUINCE");
}
END_TEST

/* elcab_more_netshare frame 5 (0x17) and elcab_chip_host_signin frame 12
 * (0x18): Windows DC SNICKLEFRITZ of PICKLESWORTH. */
START_TEST(real_ex_0x17_and_0x18)
{
    NEED_SHARED();
    uint8_t buf[256];
    size_t len;
    ms_netlogon n;
    ck_assert_int_eq(decode_vec(&real_vectors[R_NETSHARE_5], buf, sizeof buf, &len, &n, NULL),
                     MS_OK);
    ck_assert_uint_eq(len, 142);
    check_ex_sockaddr(&n, buf, &EX_SNICKLEFRITZ);
    ck_assert_uint_eq(n.flags, 0x33FD);
    rec r;
    fields_of(&n, &r);
    ck_assert_str_eq(r.f[0].label, "LOGON_SAM_LOGON_RESPONSE_EX");
    ck_assert_str_eq(find(&r, "flags")->label,
                     "PDC|GC|LDAP|DS|KDC|TIMESERV|CLOSEST|WRITABLE|GOOD_TIMESERV|"
                     "FULL_SECRET_DOMAIN_6|WS");
    assert_round_trip(&n, buf, len);
    ck_assert_str_eq(summary(&n),
                     "LOGON_SAM_LOGON_RESPONSE_EX DC SNICKLEFRITZ domain PICKLESWORTH");
    uint8_t guid[16]; /* one DC, one domain: the 0x18 must carry the same GUID */
    memcpy(guid, n.domain_guid, sizeof guid);

    ck_assert_int_eq(decode_vec(&real_vectors[R_CHIP_12], buf, sizeof buf, &len, &n, NULL),
                     MS_OK);
    ck_assert_mem_eq(n.domain_guid, guid, sizeof guid);
    check_ex_sockaddr(&n, buf, &EX_SNICKLEFRITZ);
    ck_assert_uint_eq(n.opcode, MS_NL_SAM_PAUSE_RESPONSE_EX);
    ck_assert_uint_eq(n.flags, 0x0101);
    assert_round_trip(&n, buf, len);
    ck_assert_str_eq(summary(&n),
                     "LOGON_SAM_PAUSE_RESPONSE_EX DC SNICKLEFRITZ domain PICKLESWORTH");
}
END_TEST

START_TEST(db_change_0x0a)
{
    uint8_t buf[256];
    size_t len;
    ms_netlogon n;
    ck_assert_int_eq(decode_hex(V_DBC, buf, sizeof buf, &len, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.low_serial_number, 42);
    ck_assert_uint_eq(n.pulse, 300);
    ck_assert_uint_eq(n.random, 7);
    ck_assert_str_eq(ascii(n.primary_dc_name), "PDC1");
    ck_assert_str_eq(ascii(n.domain_name), "DOM");
    ck_assert_uint_eq(n.pad.len, 1);
    ck_assert_str_eq(narrow(n.unicode_domain_name), "DOM");
    ck_assert_uint_eq(n.db_count, 3);
    ck_assert_uint_eq(n.db[2].db_index, 2);
    ck_assert_uint_eq(n.db[2].serial_number, 102);
    ck_assert_uint_eq(n.db[2].date_and_time, 0x01d0000000000002ULL);
    ck_assert_uint_eq(n.sid_pad.len, 0);
    ck_assert_uint_eq(n.domain_sid.len, 24);
    rec r;
    fields_of(&n, &r);
    ck_assert_uint_eq(uint_of(&r, "message_format_version"), 1);
    ck_assert_uint_eq(uint_of(&r, "message_token"), 0xFFFFFFFF);
    ck_assert_str_eq(text_of(&r, "domain_sid_text"), "S-1-5-21-1-2-3");
    ck_assert_uint_eq(find(&r, "db_changes")->kind, MS_F_BEGIN_LIST);
    ck_assert_str_eq(summary(&n), "NETLOGON_DB_CHANGE PDC PDC1 domain DOM serial 42");

    /* DBCount beyond the fixed table. */
    buf[0x2e] = 0x20;
    size_t off = 0;
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, &off), MS_ERR_TOO_MANY);
    ck_assert_uint_eq(off, 0x2e);
}
END_TEST

/* ---- opcodes without a layout, unknown opcodes ------------------------ */

START_TEST(raw_and_unknown_opcodes)
{
    uint8_t buf[32];
    size_t len = load("0800" "5043310000ffff", buf, sizeof buf);
    ms_netlogon n;
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.layout, MS_NL_LAYOUT_RAW);
    ck_assert_uint_eq(n.body.len, 7);
    assert_round_trip(&n, buf, len);
    ck_assert_str_eq(summary(&n), "LOGON_START_PRIMARY 7 octets");
    rec r;
    fields_of(&n, &r);
    ck_assert_str_eq(text_of(&r, "body"), "5043310000ffff");

    len = load("3412" "abcdef", buf, sizeof buf);
    size_t off = 9;
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, &off), MS_ERR_OPCODE);
    ck_assert_uint_eq(off, 0);
    ck_assert_uint_eq(n.opcode, 0x1234);
    ck_assert_uint_eq(n.body.len, 3);
    assert_round_trip(&n, buf, len); /* still lossless */
    fields_of(&n, &r);
    ck_assert_str_eq(r.f[0].label, "");
    ck_assert_str_eq(summary(&n), "opcode 0x00001234 3 octets");

    /* Opcode only, and less than an opcode. */
    ck_assert_int_eq(ms_netlogon_decode(guarded_copy("\x16\x00", 2), 2, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.body.len, 0);
    ck_assert_int_eq(ms_netlogon_decode(guarded_copy("\x16", 1), 1, &n, NULL),
                     MS_ERR_TRUNCATED);
    ck_assert_int_eq(ms_netlogon_decode(guarded_copy("", 0), 0, &n, NULL),
                     MS_ERR_TRUNCATED);

    for (unsigned op = 0; op < 0x20; op++) {
        const char *name = ms_netlogon_opcode_name((uint16_t)op);
        ck_assert_msg((name != NULL) == (op <= 0x19), "opcode %#x", op);
    }
}
END_TEST

/* ---- trailer and layout selection -------------------------------------- */

/* DcSockAddrSize other than 16 (L-09), in an EX message whose sockaddr
 * ends right before the trailer. */
static void check_sockaddr_size_rule(uint8_t *buf, size_t len)
{
    ms_netlogon n;
    size_t off;
    buf[len - 8 - 17] = 0x1C;
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, &off), MS_ERR_LAYOUT);
    ck_assert_uint_eq(off, len - 8 - 17);
}

START_TEST(trailer_rules)
{
    uint8_t buf[256];
    size_t len, off;
    ms_netlogon n;
    /* Tokens other than 0xFFFF: not an NT-era message (L-02). */
    len = load(V_WORKED_7_8, buf, sizeof buf);
    buf[len - 1] = 0x7F;
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, &off), MS_ERR_LAYOUT);
    ck_assert_uint_eq(off, len - 4);

    /* A response whose NtVersion names no structure (§7.7). */
    len = load(V_NT40, buf, sizeof buf);
    buf[len - 8] = 0x00;
    buf[len - 5] = 0x20; /* VIP only */
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, &off), MS_ERR_LAYOUT);
    ck_assert_uint_eq(off, len - 8);

    /* The opcode does not choose the layout: 0x13 with V5EX is EX. */
    len = load(V_EX_NOSOCK, buf, sizeof buf);
    buf[0] = 0x13;
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.layout, MS_NL_LAYOUT_SAM_RESPONSE_EX);

    /* DcSockAddrSize other than 16 (L-09). */
    len = load(V_EX_SOCK, buf, sizeof buf);
    check_sockaddr_size_rule(buf, len);

    /* V5EP announced but absent: the site name does not end where it should. */
    len = load(V_EX_NOSOCK, buf, sizeof buf);
    buf[len - 8] = 0x0D;
    ck_assert_int_ne(ms_netlogon_decode(buf, len, &n, &off), MS_OK);

    /* A UTF-16 string that would need the trailer to terminate. */
    len = load("1300" "4100" "00000000" "ffffffff", buf, sizeof buf);
    buf[2] = 0x41;
    buf[4] = 0x01; /* NtVersion 1 read from the last 8 octets */
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, &off), MS_ERR_UNTERMINATED);
    ck_assert_uint_eq(off, 2);

    /* Octets between the layout and the trailer are kept as "trailing". */
    uint8_t big[300];
    len = load(V_NT40, buf, sizeof buf);
    memcpy(big, buf, len - 8);
    memcpy(big + len - 8, "\xAA\xBB", 2);
    memcpy(big + len - 6, buf + len - 8, 8);
    ck_assert_int_eq(ms_netlogon_decode(big, len + 2, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.trailing.len, 2);
    assert_round_trip(&n, big, len + 2);
    rec r;
    fields_of(&n, &r);
    ck_assert_str_eq(text_of(&r, "trailing"), "aabb");
}
END_TEST

START_TEST(real_trailer_sockaddr_size)
{
    NEED_SHARED();
    uint8_t buf[256];
    size_t len = load_vec(&real_vectors[R_NETSHARE_5], buf, sizeof buf);
    check_sockaddr_size_rule(buf, len);
}
END_TEST

/* ---- compressed-name hazards (§7.6, §9.2 item 7, L-10) ------------------ */

/* An EX message around the eight given names: header, names, 0x05 trailer. */
static size_t build_ex(const char *names_hex, uint8_t *out, size_t cap)
{
    char hex[2048];
    snprintf(hex, sizeof hex, "%s%s%s",
             "17000000fd0300000102030405060708090a0b0c0d0e0f10", names_hex,
             "05000000ffffffff");
    return load(hex, out, cap);
}

static ms_status ex_status(const char *names_hex, size_t *off)
{
    static uint8_t buf[1024];
    size_t len = build_ex(names_hex, buf, sizeof buf);
    ms_netlogon n;
    *off = 12345;
    return ms_netlogon_decode(guarded_copy(buf, len), len, &n, off);
}

#define SIX_ROOTS "000000000000"
#define SEVEN_ROOTS "00" SIX_ROOTS

START_TEST(compression_hazards)
{
    size_t off;
    /* Baseline: same frame with sane names decodes. */
    ck_assert_int_eq(ex_status("0161" "00" "c018" SIX_ROOTS, &off), MS_OK);
    ck_assert_int_eq(ex_status("0161" "00" "0162c018" SIX_ROOTS, &off), MS_OK);

    /* Loop: the pointer at 29 points back to 27, the start of its own run. A
     * "pointer < its own offset" rule would accept it and spin forever. */
    ck_assert_int_eq(ex_status("016100" "0162c01b" SIX_ROOTS, &off), MS_ERR_COMPRESSION);
    ck_assert_uint_eq(off, 27);
    /* Self pointer. */
    ck_assert_int_eq(ex_status("c018" SEVEN_ROOTS, &off), MS_ERR_COMPRESSION);
    ck_assert_uint_eq(off, 24);
    /* Forward pointer, still inside the message. */
    ck_assert_int_eq(ex_status("c01a" SEVEN_ROOTS, &off), MS_ERR_COMPRESSION);
    ck_assert_uint_eq(off, 24);
    /* Pointer outside the message (full 14-bit offset). */
    ck_assert_int_eq(ex_status("ffff" SEVEN_ROOTS, &off), MS_ERR_COMPRESSION);
    ck_assert_int_eq(ex_status("c100" SEVEN_ROOTS, &off), MS_ERR_COMPRESSION);
    /* Reserved label types 0x40 and 0x80. */
    ck_assert_int_eq(ex_status("4100" SEVEN_ROOTS, &off), MS_ERR_COMPRESSION);
    ck_assert_int_eq(ex_status("8100" SEVEN_ROOTS, &off), MS_ERR_COMPRESSION);
    /* A label running past the end of the body (into the trailer). */
    ck_assert_int_eq(ex_status(SEVEN_ROOTS "3f4141", &off), MS_ERR_COMPRESSION);
    /* A pointer cut in half by the end of the body. */
    ck_assert_int_eq(ex_status(SEVEN_ROOTS "c0", &off), MS_ERR_COMPRESSION);

    /* More than 255 octets: in place, and only once a pointer is followed. */
    char hex[2048], l63[130];
    for (int i = 0; i < 63; i++)
        memcpy(l63 + 2 * i, "61", 2);
    l63[126] = '\0';
    snprintf(hex, sizeof hex, "3f%s3f%s3f%s3f%s00" SEVEN_ROOTS, l63, l63, l63, l63);
    ck_assert_int_eq(ex_status(hex, &off), MS_ERR_COMPRESSION);
    /* 129 + 128 octets: each half is fine, together 257. */
    snprintf(hex, sizeof hex, "3f%s3f%s00" "3f%s3f%sc018" SIX_ROOTS, l63, l63, l63, l63);
    ck_assert_int_eq(ex_status(hex, &off), MS_ERR_COMPRESSION);
    ck_assert_uint_eq(off, 24 + 129);
    /* 64 + 129 = 193: fine. */
    snprintf(hex, sizeof hex, "3f%s3f%s00" "3f%sc018" SIX_ROOTS, l63, l63, l63);
    ck_assert_int_eq(ex_status(hex, &off), MS_OK);
}
END_TEST

/* ms_netlogon_name_text on the DnsHostName of an EX message whose forest
 * name starts at 0x18 and whose host name is a label + pointer to it. */
static void check_name_text(const uint8_t *buf, size_t len, const char *want)
{
    ms_netlogon n;
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, NULL), MS_OK);
    char text[MS_NL_NAME_TEXT_MAX];
    ms_bytes host = n.names[MS_NL_CN_DNS_HOST];
    ck_assert_int_eq(ms_netlogon_name_text(buf, len, host, text, sizeof text), MS_OK);
    ck_assert_str_eq(text, want);
    /* N characters need N + 1 octets. */
    size_t k = strlen(want);
    ck_assert_int_eq(ms_netlogon_name_text(buf, len, host, text, k + 1), MS_OK);
    ck_assert_int_eq(ms_netlogon_name_text(buf, len, host, text, k), MS_ERR_NO_SPACE);
    ck_assert_int_eq(ms_netlogon_name_text(buf, len, host, text, 0), MS_ERR_NO_SPACE);
    ck_assert_int_eq(ms_netlogon_name_text(buf, len, host, NULL, 0), MS_OK);
    /* Message too short for the pointer's target. */
    ck_assert_int_eq(ms_netlogon_name_text(buf, 0x18, host, text, sizeof text),
                     MS_ERR_COMPRESSION);
    /* A wire copy outside the message still resolves pointers into it. */
    uint8_t copy[64];
    memcpy(copy, host.p, host.len);
    ms_bytes w = { copy, host.len };
    ck_assert_int_eq(ms_netlogon_name_text(buf, len, w, text, sizeof text), MS_OK);
    ck_assert_str_eq(text, want);
    /* Octets after the name's own end are refused. */
    ms_bytes longer = { host.p, host.len + 1 };
    ck_assert_int_eq(ms_netlogon_name_text(buf, len, longer, text, sizeof text),
                     MS_ERR_COMPRESSION);
    /* Empty wire: no terminator at all. */
    ms_bytes empty = { copy, 0 };
    ck_assert_int_eq(ms_netlogon_name_text(buf, len, empty, text, sizeof text),
                     MS_ERR_COMPRESSION);
}

START_TEST(name_text_direct)
{
    uint8_t buf[256];
    size_t len = load(V_EX_SOCK, buf, sizeof buf);
    check_name_text(buf, len, "Orangery.quince.test");

    /* Hop cap: msg = 00, then pointers each aiming at the previous one. */
    char text[MS_NL_NAME_TEXT_MAX];
    static uint8_t chain[1 + 2 * 100];
    chain[0] = 0;
    for (size_t k = 0; k < 100; k++) {
        size_t at = 1 + 2 * k, target = k ? at - 2 : 0;
        chain[at] = (uint8_t)(0xC0 | (target >> 8));
        chain[at + 1] = (uint8_t)target;
    }
    ms_bytes p60 = { chain + 1 + 2 * 59, 2 }, p100 = { chain + 1 + 2 * 99, 2 };
    ck_assert_int_eq(ms_netlogon_name_text(chain, sizeof chain, p60, text, sizeof text),
                     MS_OK);
    ck_assert_str_eq(text, "");
    ck_assert_int_eq(ms_netlogon_name_text(chain, sizeof chain, p100, text, sizeof text),
                     MS_ERR_COMPRESSION);
}
END_TEST

START_TEST(real_name_text_direct)
{
    NEED_SHARED();
    uint8_t buf[256];
    size_t len = load_vec(&real_vectors[R_NETSHARE_5], buf, sizeof buf);
    check_name_text(buf, len, "SnickleFritz.picklesworth.local");
}
END_TEST

/* Without the message, a name that is (or ends in) a pointer is shown as
 * its wire octets; one made of labels only is still text. Here the domain
 * name is a pointer to the forest name (0x18) and the host name is one
 * label followed by that pointer. */
static void check_raw_names(const uint8_t *buf, size_t len, const char *forest,
                            const char *host_label)
{
    ms_netlogon n;
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, NULL), MS_OK);
    n.message.p = NULL; /* pointers have nothing to resolve against */
    n.message.len = 0;
    rec r;
    fields_of(&n, &r);
    ck_assert_str_eq(text_of(&r, "dns_forest_name"), forest);
    ck_assert_ptr_null(find(&r, "dns_domain_name"));
    ck_assert_str_eq(text_of(&r, "dns_domain_name_raw"), "c018");
    char want[160];
    size_t k = (size_t)snprintf(want, sizeof want, "%02zx", strlen(host_label));
    for (const char *c = host_label; *c; c++)
        k += (size_t)snprintf(want + k, sizeof want - k, "%02x", (unsigned char)*c);
    snprintf(want + k, sizeof want - k, "c018");
    ck_assert_str_eq(text_of(&r, "dns_host_name_raw"), want);
}

START_TEST(fields_raw_name_when_unexpandable)
{
    uint8_t buf[256];
    size_t len = load(V_EX_SOCK, buf, sizeof buf);
    check_raw_names(buf, len, "quince.test", "Orangery");
}
END_TEST

START_TEST(real_fields_raw_name_when_unexpandable)
{
    NEED_SHARED();
    uint8_t buf[256];
    size_t len = load_vec(&real_vectors[R_NETSHARE_5], buf, sizeof buf);
    check_raw_names(buf, len, "picklesworth.local", "SnickleFritz");
}
END_TEST

/* ---- encoder ------------------------------------------------------------ */

static ms_str wstr(const char *hex, uint8_t *store)
{
    ms_str s = { store, load(hex, store, 64), true };
    return s;
}

START_TEST(encode_from_scratch)
{
    /* The hand-built 0x12 vector, assembled field by field with pads left
     * NULL for the encoder to compute. */
    uint8_t want[128], host[64], user[64], sid[64], out[128];
    size_t want_len = load(V_SAM_SID, want, sizeof want), used;
    ms_netlogon n;
    memset(&n, 0, sizeof n);
    n.opcode = MS_NL_SAM_LOGON_REQUEST;
    n.layout = MS_NL_LAYOUT_SAM_REQUEST;
    n.request_count = 3;
    n.unicode_computer_name = wstr("48004f005300540030003200", host); /* HOST02 */
    n.unicode_user_name = wstr("62006f006200", user);                  /* bob */
    const char *slot = "\\MAILSLOT\\NET\\GETDC7";
    n.mailslot_name.p = (const uint8_t *)slot;
    n.mailslot_name.len = strlen(slot);
    n.mailslot_name.terminated = true;
    n.allowable_account_control = 0x80;
    n.domain_sid.p = sid;
    n.domain_sid.len = load("01020000000000052000000020020000", sid, sizeof sid);
    n.nt_version = 0x1000000B;
    n.lmnt_token = n.lm20_token = 0xFFFF;
    ck_assert_int_eq(ms_netlogon_encode(&n, out, sizeof out, &used), MS_OK);
    ck_assert_uint_eq(used, want_len);
    ck_assert_mem_eq(out, want, want_len);

    /* EX from scratch: unset names encode as the root. */
    memset(&n, 0, sizeof n);
    n.opcode = MS_NL_SAM_LOGON_RESPONSE_EX;
    n.layout = MS_NL_LAYOUT_SAM_RESPONSE_EX;
    n.nt_version = MS_NL_NT_VERSION_1 | MS_NL_NT_VERSION_5EX;
    n.lmnt_token = n.lm20_token = 0xFFFF;
    ck_assert_int_eq(ms_netlogon_encode(&n, out, sizeof out, &used), MS_OK);
    ck_assert_uint_eq(used, 2 + 2 + 4 + 16 + 8 + 8);
    ms_netlogon back;
    ck_assert_int_eq(ms_netlogon_decode(out, used, &back, NULL), MS_OK);
    ck_assert_uint_eq(back.layout, MS_NL_LAYOUT_SAM_RESPONSE_EX);
}
END_TEST

START_TEST(encode_rejects_inconsistent_struct)
{
    uint8_t buf[256], out[256];
    size_t len, used;
    ms_netlogon n;
    ck_assert_int_eq(decode_hex(V_NT5, buf, sizeof buf, &len, &n, NULL), MS_OK);
    n.nt_version = 1; /* would read back as NT40 */
    ck_assert_int_eq(ms_netlogon_encode(&n, out, sizeof out, &used), MS_ERR_INVALID_ARG);
    n.nt_version = 3;
    n.opcode = MS_NL_SAM_LOGON_REQUEST;
    ck_assert_int_eq(ms_netlogon_encode(&n, out, sizeof out, &used), MS_ERR_INVALID_ARG);
    n.opcode = MS_NL_SAM_LOGON_RESPONSE;
    n.unicode_domain_name.p = NULL; /* octets promised but absent */
    ck_assert_int_eq(ms_netlogon_encode(&n, out, sizeof out, &used), MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_netlogon_encode(NULL, out, sizeof out, &used), MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_netlogon_encode(&n, NULL, 5, &used), MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_netlogon_decode(NULL, 5, &n, NULL), MS_ERR_INVALID_ARG);
}
END_TEST

/* Summary into small buffers, from a decoded 0x18. */
static void check_summary_bounds(const uint8_t *buf, size_t len)
{
    ms_netlogon n;
    ck_assert_int_eq(ms_netlogon_decode(buf, len, &n, NULL), MS_OK);
    char small[8];
    memset(small, 'x', sizeof small);
    ck_assert_uint_eq(ms_netlogon_summary(&n, small, sizeof small), 7);
    ck_assert_str_eq(small, "LOGON_S");
    ck_assert_uint_eq(ms_netlogon_summary(&n, small, 1), 0);
    ck_assert_str_eq(small, "");
    ck_assert_uint_eq(ms_netlogon_summary(&n, NULL, 0), 0);
}

START_TEST(summary_bounds)
{
    uint8_t buf[256];
    size_t len = load(V_EX_PAUSE_SOCK, buf, sizeof buf);
    check_summary_bounds(buf, len);
}
END_TEST

START_TEST(real_summary_bounds)
{
    NEED_SHARED();
    uint8_t buf[256];
    size_t len = load_vec(&real_vectors[R_CHIP_12], buf, sizeof buf);
    check_summary_bounds(buf, len);
}
END_TEST

static Suite *netlogon_suite(void)
{
    Suite *s = suite_create("netlogon");
    TCase *tc = tcase_create("vectors");
    tcase_add_loop_test(tc, vector_round_trip, 0, (int)N_VECTORS);
    tcase_add_loop_test(tc, vector_every_prefix_fails, 0, (int)N_VECTORS);
    tcase_add_loop_test(tc, vector_encode_no_space, 0, (int)N_VECTORS);
    suite_add_tcase(s, tc);

    tc = tcase_create("layouts");
    tcase_add_test(tc, worked_example_7_8);
    tcase_add_test(tc, logon_request_0x00);
    tcase_add_test(tc, response2_0x06);
    tcase_add_test(tc, primary_query_0x07_both_forms);
    tcase_add_test(tc, primary_response_0x0c);
    tcase_add_test(tc, sam_request_0x12_with_sid);
    tcase_add_test(tc, sam_request_0x12_sid24);
    tcase_add_test(tc, sam_request_0x12_unpadded_sender);
    tcase_add_test(tc, sam_response_nt40_and_nt5);
    tcase_add_test(tc, sam_response_ex_hand_built);
    tcase_add_test(tc, sam_response_ex_sockaddr);
    tcase_add_test(tc, db_change_0x0a);
    tcase_add_test(tc, raw_and_unknown_opcodes);
    tcase_add_test(tc, trailer_rules);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, compression_hazards);
    tcase_add_test(tc, name_text_direct);
    tcase_add_test(tc, fields_raw_name_when_unexpandable);
    suite_add_tcase(s, tc);

    tc = tcase_create("encode");
    tcase_add_test(tc, encode_from_scratch);
    tcase_add_test(tc, encode_rejects_inconsistent_struct);
    tcase_add_test(tc, summary_bounds);
    suite_add_tcase(s, tc);

    /* Payloads of ../shared/captures; each returns at once when it is absent. */
    tc = tcase_create("real");
    tcase_add_loop_test(tc, real_vector_round_trip, 0, N_REAL);
    tcase_add_loop_test(tc, real_vector_every_prefix_fails, 0, N_REAL);
    tcase_add_loop_test(tc, real_vector_encode_no_space, 0, N_REAL);
    tcase_add_test(tc, real_sam_request_0x12_sid);
    tcase_add_test(tc, real_ex_0x17_and_0x18);
    tcase_add_test(tc, real_trailer_sockaddr_size);
    tcase_add_test(tc, real_name_text_direct);
    tcase_add_test(tc, real_fields_raw_name_when_unexpandable);
    tcase_add_test(tc, real_summary_bounds);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* The hand-built vectors run either way. */
    rt_shared_check("NETLOGON");
    return run_suite(netlogon_suite(), rt_shared_why);
}
