/* SPDX-License-Identifier: MIT */
/* Routing (daemon/route.c): which datagrams are for this host (a unique
 * name it registered, a group name it joined, a broadcast; not another
 * host's name, not a name with a scope), the creator of the named
 * mailslot in any case, nested names apart, monitors' copies of
 * everything, and GetBackupListResponses to the client whose request
 * carried their Token while the Token is fresh. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/control.h"
#include "route.h"

#define S 1000000000ull

static md_name_set OURS;
static md_slots SL;
static md_tokens TK;
static int C1, C2, C3;
static ms_message M;
static uint8_t BUF[1024];

static void hold(const char *text, bool group)
{
    ms_nb_name n;
    ck_assert_int_eq(ms_nb_name_parse(&n, text, strlen(text)), MS_OK);
    memcpy(OURS.n[OURS.count].raw, n.name, 16);
    OURS.n[OURS.count].group = group;
    OURS.count++;
}

/* A clean write from PEER<00> of type to dst (NAME<xx>[.scope]), decoded
 * into M (borrowing BUF). */
static void write_to(uint8_t type, const char *dst, const char *slot, const uint8_t *data,
                     size_t len)
{
    ms_message e;
    memset(&e, 0, sizeof e);
    e.dgram.type = type;
    e.dgram.flags = 0x02;
    e.dgram.id = 0x4242;
    e.dgram.src_ip = 0xC0000214u;
    e.dgram.src_port = 138;
    e.dgram.auto_fields = MS_DGRAM_AUTO_LENGTH;
    ck_assert_int_eq(ms_nb_name_parse(&e.dgram.src, "PEER<00>", 8), MS_OK);
    ck_assert_int_eq(ms_nb_name_parse(&e.dgram.dst, dst, strlen(dst)), MS_OK);
    ms_trans_init(&e.smb, &e.trans, MS_STYLE_BROWSER, slot, data, len);
    e.has_smb = true;
    size_t n;
    ck_assert_int_eq(ms_message_encode(&e, BUF, sizeof BUF, &n), MS_OK);
    /* "hi" on \MAILSLOT\BROWSE is no browser frame: the write decodes,
     * its payload not. */
    (void)ms_message_decode(BUF, n, &M);
    ck_assert(M.has_smb);
}

static void write_text(uint8_t type, const char *dst, const char *slot)
{
    write_to(type, dst, slot, (const uint8_t *)"hi", 2);
}

static md_slot *create(const char *name, void *owner, uint32_t id, bool monitor)
{
    md_slot *s = NULL;
    char why[200];
    ck_assert_int_eq(md_slots_create(&SL, name, monitor, owner, id, 1, 0, 8, &s, why, sizeof why),
                     MS_OK);
    return s;
}

static void setup(void)
{
    memset(&OURS, 0, sizeof OURS);
    hold("HOSTA<00>", false);
    hold("ALIAS<00>", false);
    hold("MSLAB<00>", true);
    md_slots_init(&SL);
    md_tokens_init(&TK);
}

static void teardown(void)
{
    md_slots_free(&SL);
}

START_TEST(addressing)
{
    write_text(MS_NBDS_DIRECT_UNIQUE, "HOSTA<00>", "\\MAILSLOT\\X");
    ck_assert_int_eq(md_addressed(&OURS, &M.dgram), MD_ADDR_OURS);
    write_text(MS_NBDS_DIRECT_UNIQUE, "alias<00>", "\\MAILSLOT\\X");
    ck_assert_int_eq(md_addressed(&OURS, &M.dgram), MD_ADDR_OURS);
    write_text(MS_NBDS_DIRECT_GROUP, "MSLAB<00>", "\\MAILSLOT\\X");
    ck_assert_int_eq(md_addressed(&OURS, &M.dgram), MD_ADDR_OURS);
    write_text(MS_NBDS_BROADCAST, "ANYONE<00>", "\\MAILSLOT\\X");
    ck_assert_int_eq(md_addressed(&OURS, &M.dgram), MD_ADDR_BROADCAST);
    /* Another host's name, another suffix, another workgroup, a scope. */
    write_text(MS_NBDS_DIRECT_UNIQUE, "HOSTB<00>", "\\MAILSLOT\\X");
    ck_assert_int_eq(md_addressed(&OURS, &M.dgram), MD_ADDR_OTHER);
    write_text(MS_NBDS_DIRECT_UNIQUE, "HOSTA<20>", "\\MAILSLOT\\X");
    ck_assert_int_eq(md_addressed(&OURS, &M.dgram), MD_ADDR_OTHER);
    write_text(MS_NBDS_DIRECT_GROUP, "MSLAB<1d>", "\\MAILSLOT\\BROWSE");
    ck_assert_int_eq(md_addressed(&OURS, &M.dgram), MD_ADDR_OTHER);
    write_text(MS_NBDS_DIRECT_UNIQUE, "HOSTA<00>.lab.example", "\\MAILSLOT\\X");
    ck_assert_int_eq(md_addressed(&OURS, &M.dgram), MD_ADDR_OTHER);
    /* A name the host no longer holds. */
    write_text(MS_NBDS_DIRECT_UNIQUE, "ALIAS<00>", "\\MAILSLOT\\X");
    OURS.count = 1;
    ck_assert_int_eq(md_addressed(&OURS, &M.dgram), MD_ADDR_OTHER);
}
END_TEST

START_TEST(creator_case_nested)
{
    md_slot *one = create("\\MAILSLOT\\one", &C1, 1, false);
    md_slot *sub = create("\\MAILSLOT\\one\\sub", &C2, 2, false);
    md_target t[MD_MAX_TARGETS];
    md_verdict v;
    write_text(MS_NBDS_DIRECT_UNIQUE, "HOSTA<00>", "\\MAILSLOT\\ONE");
    ck_assert_uint_eq(md_route(&M, &OURS, &SL, &TK, 0, t, &v), 1);
    ck_assert_int_eq(v, MD_ROUTED);
    ck_assert_ptr_eq(t[0].slot, one);
    ck_assert_uint_eq(t[0].flags, 0);
    write_text(MS_NBDS_BROADCAST, "X<00>", "\\mailslot\\One\\SUB");
    ck_assert_uint_eq(md_route(&M, &OURS, &SL, &TK, 0, t, &v), 1);
    ck_assert_ptr_eq(t[0].slot, sub);
    /* Nobody created it: counted, no target. */
    write_text(MS_NBDS_DIRECT_GROUP, "MSLAB<00>", "\\MAILSLOT\\two");
    ck_assert_uint_eq(md_route(&M, &OURS, &SL, &TK, 0, t, &v), 0);
    ck_assert_int_eq(v, MD_NO_MAILSLOT);
    /* Another host's: not delivered even though the mailslot exists. */
    write_text(MS_NBDS_DIRECT_UNIQUE, "HOSTB<00>", "\\MAILSLOT\\one");
    ck_assert_uint_eq(md_route(&M, &OURS, &SL, &TK, 0, t, &v), 0);
    ck_assert_int_eq(v, MD_NOT_OURS);
}
END_TEST

START_TEST(monitors_get_copies_of_everything)
{
    md_slot *one = create("\\MAILSLOT\\one", &C1, 1, false);
    md_slot *m1 = create(NULL, &C2, 2, true);
    md_slot *m2 = create(NULL, &C3, 3, true);
    md_target t[MD_MAX_TARGETS];
    md_verdict v;
    write_text(MS_NBDS_DIRECT_UNIQUE, "HOSTA<00>", "\\MAILSLOT\\one");
    ck_assert_uint_eq(md_route(&M, &OURS, &SL, &TK, 0, t, &v), 3);
    ck_assert_ptr_eq(t[0].slot, one);
    ck_assert(t[1].slot == m1 || t[1].slot == m2);
    ck_assert(t[2].slot == m1 || t[2].slot == m2);
    ck_assert_uint_eq(t[1].flags, MS_CTL_F_COPY);
    ck_assert_uint_eq(t[2].flags, MS_CTL_F_COPY);
    /* Not for this host, nobody's: the monitors still see it. */
    write_text(MS_NBDS_DIRECT_GROUP, "MSLAB<1d>", "\\MAILSLOT\\BROWSE");
    ck_assert_uint_eq(md_route(&M, &OURS, &SL, &TK, 0, t, &v), 2);
    ck_assert_int_eq(v, MD_NOT_OURS);
    ck_assert_uint_eq(t[0].flags, MS_CTL_F_COPY);
}
END_TEST

/* A GetBackupListResponse with token, to HOSTA<00>. */
static void backup_list_response(uint32_t token)
{
    ms_browser b;
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_GET_BACKUP_LIST_RESPONSE;
    b.count = 0;
    b.token = token;
    static uint8_t data[64];
    size_t len;
    ck_assert_int_eq(ms_browser_encode(&b, data, sizeof data, &len), MS_OK);
    write_to(MS_NBDS_DIRECT_UNIQUE, "HOSTA<00>", "\\MAILSLOT\\BROWSE", data, len);
    ck_assert(M.payload_ok);
}

START_TEST(token_routes_expire)
{
    md_target t[MD_MAX_TARGETS];
    md_verdict v;
    md_tokens_add(&TK, 77, 2, 10 * S, 15 * S);
    /* Nobody created BROWSE: the Token's client gets it alone. */
    backup_list_response(77);
    ck_assert_uint_eq(md_route(&M, &OURS, &SL, &TK, 11 * S, t, &v), 1);
    ck_assert_int_eq(v, MD_ROUTED);
    ck_assert_ptr_null(t[0].slot);
    ck_assert_uint_eq(t[0].client, 2);
    ck_assert_uint_eq(t[0].flags, MS_CTL_F_REPLY);
    /* Another Token: BROWSE's creator only (when there is one). */
    md_slot *browse = create("\\MAILSLOT\\BROWSE", &C1, 1, false);
    backup_list_response(78);
    ck_assert_uint_eq(md_route(&M, &OURS, &SL, &TK, 11 * S, t, &v), 1);
    ck_assert_ptr_eq(t[0].slot, browse);
    /* Its Token: both, the creator first. */
    backup_list_response(77);
    ck_assert_uint_eq(md_route(&M, &OURS, &SL, &TK, 11 * S, t, &v), 2);
    ck_assert_ptr_eq(t[0].slot, browse);
    ck_assert_uint_eq(t[1].client, 2);
    /* The creator sent the request itself: one copy, not two. */
    md_tokens_add(&TK, 79, 1, 10 * S, 15 * S);
    backup_list_response(79);
    ck_assert_uint_eq(md_route(&M, &OURS, &SL, &TK, 11 * S, t, &v), 1);
    /* Expired: the creator only. */
    backup_list_response(77);
    ck_assert_uint_eq(md_route(&M, &OURS, &SL, &TK, 25 * S, t, &v), 1);
    ck_assert_ptr_eq(t[0].slot, browse);
    /* Any other browser frame with the same number is no reply. */
    md_tokens_add(&TK, 5, 2, 30 * S, 15 * S);
    static const uint8_t request[] = { 0x09, 0x04, 5, 0, 0, 0 }; /* GetBackupListRequest */
    write_to(MS_NBDS_DIRECT_UNIQUE, "HOSTA<00>", "\\MAILSLOT\\BROWSE", request, sizeof request);
    ck_assert_uint_eq(md_route(&M, &OURS, &SL, &TK, 31 * S, t, &v), 1);
    ck_assert_ptr_eq(t[0].slot, browse);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("daemon_route");
    TCase *t = tcase_create("route");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, addressing);
    tcase_add_test(t, creator_case_nested);
    tcase_add_test(t, monitors_get_copies_of_everything);
    tcase_add_test(t, token_routes_expire);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
