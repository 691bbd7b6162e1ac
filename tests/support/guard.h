/* SPDX-License-Identifier: MIT */
/* Test support: place input against a PROT_NONE guard page so that any read
 * past its end faults at once, and the shared-captures / skip policy. */
#ifndef MS_TEST_GUARD_H
#define MS_TEST_GUARD_H

#include <stddef.h>
#include <stdint.h>

/* Copy len octets so that the last one sits right before a guard page.
 * Returns a pointer valid until the next guarded_copy call (one slot). */
const uint8_t *guarded_copy(const void *src, size_t len);

/* Directory of ../shared/captures, or NULL when absent. When absent and
 * MAILSLOT_REQUIRE_ALL is set, the test must fail instead of skipping:
 * skip_or_fail() prints the reason and returns 77 or 1 accordingly. */
const char *shared_captures_dir(void);
int skip_or_fail(const char *why);

/* Run a Check suite. Returns the test's exit status: failure when a test
 * failed, otherwise skip_or_fail(skip_why) when part of the suite could not
 * run (skip_why non-NULL), otherwise success. */
struct Suite;
int run_suite(struct Suite *s, const char *skip_why);

/* Parse a hex string (spaces allowed) into out; returns octet count. */
size_t hex_to_bytes(const char *hex, uint8_t *out, size_t cap);

#endif
