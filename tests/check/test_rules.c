/* SPDX-License-Identifier: MIT */
/* The rule catalogue (src/check/rules.c): its IDs are unique and well
 * formed, each family numbered in order (the lookup relies on it), every
 * ID any code of src/ or tools/ reports is an entry of it and every entry
 * is reported somewhere, the F- rules the CLI reports from the NBDS
 * reassembler are entries like the others, and the battery suites share
 * the other families out between them (tests/support/battery.c). */
#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "battery.h"
#include "guard.h"
#include "mailslot/validate.h"

START_TEST(ids_unique_and_well_formed)
{
    size_t n;
    const ms_rule *r = ms_rules(&n);
    ck_assert_uint_gt(n, 80);
    for (size_t i = 0; i < n; i++) {
        const char *id = r[i].id;
        /* "X-NN": ms_rule_find compares these five octets. */
        ck_assert_msg(strlen(id) == 4 && isupper((unsigned char)id[0]) && id[1] == '-' &&
                          isdigit((unsigned char)id[2]) && isdigit((unsigned char)id[3]),
                      "rule %zu: ID \"%s\"", i, id);
        ck_assert_msg(r[i].level == MS_LEVEL_MUST || r[i].level == MS_LEVEL_COMMON, "%s", id);
        ck_assert_msg(r[i].field && *r[i].field && r[i].text && *r[i].text && r[i].source &&
                          *r[i].source, "%s: field, text and source", id);
        for (size_t j = 0; j < i; j++)
            ck_assert_msg(strcmp(r[j].id, id) != 0, "%s twice", id);
    }
}
END_TEST

/* Each family is one run of the catalogue, numbered from 01 without gaps. */
START_TEST(families_numbered_in_order)
{
    size_t n;
    const ms_rule *r = ms_rules(&n);
    char seen[32] = "";
    for (size_t i = 0; i < n; i++) {
        int num = (r[i].id[2] - '0') * 10 + (r[i].id[3] - '0');
        if (i == 0 || r[i].id[0] != r[i - 1].id[0]) {
            ck_assert_msg(!strchr(seen, r[i].id[0]), "family %c comes twice", r[i].id[0]);
            ck_assert_uint_lt(strlen(seen), sizeof seen - 1);
            strncat(seen, r[i].id, 1);
            ck_assert_msg(num == 1, "%s opens its family", r[i].id);
        } else {
            int prev = (r[i - 1].id[2] - '0') * 10 + (r[i - 1].id[3] - '0');
            ck_assert_msg(num == prev + 1, "%s follows %s", r[i].id, r[i - 1].id);
        }
    }
    ck_assert_str_eq(seen, "NSTDBLXPFZ");
}
END_TEST

START_TEST(find)
{
    size_t n;
    const ms_rule *r = ms_rules(&n);
    for (size_t i = 0; i < n; i++)
        ck_assert_ptr_eq(ms_rule_find(r[i].id), &r[i]);
    static const char *const none[] = { "N-17", "N-00", "Q-01", "n-01", "N-1", "N-011", "", "F-06",
                                        "Z-03", "-01" };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        ck_assert_msg(ms_rule_find(none[i]) == NULL, "\"%s\" found", none[i]);
}
END_TEST

/* ---- the IDs the code reports ------------------------------------------ */

typedef struct ids {
    char id[256][5];
    size_t n;
    size_t files;
} ids;

static void add_id(ids *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->id[i], id) == 0)
            return;
    ck_assert_uint_lt(s->n, 256);
    memcpy(s->id[s->n++], id, 5);
}

/* Every string literal of the form "X-NN" in one C file. Comments name
 * rules without quotes, so a quoted one is an ID handed to the report. */
static void scan_file(const char *path, ids *s)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s", path);
    int c, prev[5] = { 0 };
    while ((c = fgetc(f)) != EOF) {
        /* prev holds the last five characters: '"', X, '-', N, N. */
        if (c == '"' && prev[0] == '"' && isupper(prev[1]) && prev[2] == '-' && isdigit(prev[3]) &&
            isdigit(prev[4])) {
            char id[5] = { (char)prev[1], '-', (char)prev[3], (char)prev[4], '\0' };
            add_id(s, id);
        }
        memmove(prev, prev + 1, 4 * sizeof prev[0]);
        prev[4] = c;
    }
    fclose(f);
    s->files++;
}

static void scan_tree(const char *dir, ids *s)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "%s", dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        size_t l = strlen(e->d_name);
        if (S_ISDIR(st.st_mode))
            scan_tree(path, s);
        else if (l > 2 && strcmp(e->d_name + l - 2, ".c") == 0 &&
                 !strstr(path, "/check/rules.c")) /* the catalogue itself */
            scan_file(path, s);
    }
    closedir(d);
}

static const char *source_dir(void)
{
    const char *src = getenv("MAILSLOT_SRC");
    return src && *src ? src : NULL;
}

START_TEST(every_reported_id_in_catalogue)
{
    const char *src = source_dir();
    if (!src)
        return; /* main reports the skip */
    static ids found;
    char dir[1024];
    found.n = found.files = 0;
    snprintf(dir, sizeof dir, "%s/src", src);
    scan_tree(dir, &found);
    snprintf(dir, sizeof dir, "%s/tools", src);
    scan_tree(dir, &found);
    ck_assert_uint_gt(found.files, 30);
    for (size_t i = 0; i < found.n; i++)
        ck_assert_msg(ms_rule_find(found.id[i]) != NULL,
                      "%s is reported but not in the catalogue (src/check/rules.c)", found.id[i]);
    /* And no entry that nothing reports. */
    size_t n;
    const ms_rule *r = ms_rules(&n);
    for (size_t i = 0; i < n; i++) {
        bool reported = false;
        for (size_t j = 0; j < found.n && !reported; j++)
            reported = strcmp(found.id[j], r[i].id) == 0;
        ck_assert_msg(reported, "%s is in the catalogue, but no code reports it", r[i].id);
    }
    ck_assert_uint_eq(found.n, n);
}
END_TEST

/* The F- rules come from the NBDS reassembler through the CLI
 * (tools/in/datagrams.c): catalogue entries, reported as any other. */
START_TEST(fragment_rules_are_entries)
{
    static ms_report r;
    ms_report_reset(&r, 0);
    static const char *const f[] = { "F-01", "F-02", "F-03", "F-04", "F-05" };
    for (size_t i = 0; i < 5; i++) {
        const ms_rule *rule = ms_rule_find(f[i]);
        ck_assert_msg(rule != NULL, "%s", f[i]);
        ck_assert_msg(strncmp(rule->field, "nbdgm.", 6) == 0, "%s: %s", f[i], rule->field);
        ms_report_add(&r, f[i], "nbdgm.id", 2, "DGM_ID 0x%04x: %s", 0x4d53u, "test");
        ck_assert_ptr_eq(r.items[i].rule, rule);
        ck_assert_str_eq(r.items[i].field, "nbdgm.id");
        ck_assert_str_eq(r.items[i].text, "DGM_ID 0x4d53: test");
    }
    ck_assert_uint_eq(r.count, 5);
    ck_assert_uint_eq(r.must, 2); /* F-01, F-02 */
}
END_TEST

/* The battery suites (tests/check/test_check_*.c, test_validate.c) break
 * and pass every family but F-, each family in exactly one of them. */
START_TEST(battery_suites_share_the_families)
{
    size_t n;
    const ms_rule *r = ms_rules(&n);
    size_t per_suite[16] = { 0 };
    ck_assert_uint_le(bt_nowners, 16);
    for (size_t i = 0; i < n; i++) {
        size_t owners = 0;
        for (size_t k = 0; k < bt_nowners; k++)
            if (strchr(bt_owners[k].families, r[i].id[0])) {
                owners++;
                per_suite[k]++;
            }
        ck_assert_msg(owners == (r[i].id[0] == 'F' ? 0u : 1u), "%s: %zu suites", r[i].id, owners);
    }
    for (size_t k = 0; k < bt_nowners; k++)
        ck_assert_msg(per_suite[k] == bt_owners[k].rules, "%s: %zu rules, says %zu",
                      bt_owners[k].suite, per_suite[k], bt_owners[k].rules);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("catalogue");
    tcase_add_test(tc, ids_unique_and_well_formed);
    tcase_add_test(tc, families_numbered_in_order);
    tcase_add_test(tc, find);
    tcase_add_test(tc, every_reported_id_in_catalogue);
    tcase_add_test(tc, fragment_rules_are_entries);
    tcase_add_test(tc, battery_suites_share_the_families);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite(), source_dir() ? NULL
                                           : "MAILSLOT_SRC not set: the IDs the code reports "
                                             "were not read");
}
