/* SPDX-License-Identifier: MIT */
#include "guard.h"

#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define GUARD_AREA (1u << 20)

const uint8_t *guarded_copy(const void *src, size_t len)
{
    static uint8_t *area;
    static size_t page;
    if (!area) {
        page = (size_t)sysconf(_SC_PAGESIZE);
        area = mmap(NULL, GUARD_AREA + page, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (area == MAP_FAILED) {
            perror("mmap");
            abort();
        }
        if (mprotect(area + GUARD_AREA, page, PROT_NONE) != 0) {
            perror("mprotect");
            abort();
        }
    }
    if (len > GUARD_AREA)
        abort();
    uint8_t *dst = area + GUARD_AREA - len;
    if (len)
        memcpy(dst, src, len);
    return dst;
}

const char *shared_captures_dir(void)
{
    static char path[4096];
    const char *s = getenv("MAILSLOT_SHARED");
    if (!s || !*s)
        s = "../shared";
    snprintf(path, sizeof path, "%s/captures", s);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return path;
}

int skip_or_fail(const char *why)
{
    const char *req = getenv("MAILSLOT_REQUIRE_ALL");
    if (req && *req && strcmp(req, "0") != 0) {
        fprintf(stderr, "FAIL (MAILSLOT_REQUIRE_ALL set, nothing may skip): %s\n", why);
        return 1;
    }
    fprintf(stderr, "skipped: %s\n", why);
    return 77;
}

size_t hex_to_bytes(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (const char *p = hex; *p; p++) {
        if (isspace((unsigned char)*p))
            continue;
        int v = isdigit((unsigned char)*p) ? *p - '0' : tolower((unsigned char)*p) - 'a' + 10;
        if (v < 0 || v > 15)
            abort();
        if (hi < 0) {
            hi = v;
        } else {
            if (n >= cap)
                abort();
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return n;
}

int run_suite(Suite *s, const char *skip_why)
{
    SRunner *sr = srunner_create(s);
    /* As ctest runs them (CK_FORK=no): one process, so a test may read
     * what the ones before it left behind (the coverage checks do). */
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (failed)
        return EXIT_FAILURE;
    if (skip_why)
        return skip_or_fail(skip_why);
    return EXIT_SUCCESS;
}
