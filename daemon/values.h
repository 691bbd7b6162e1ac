/* SPDX-License-Identifier: MIT */
/* The values mailslotd takes from its command line and its configuration
 * file, checked the same way in both: NetBIOS names, a workgroup, an
 * interface, an unsigned number, a user name. Each fills why (a few words
 * for the error line) on failure. */
#ifndef MD_VALUES_H
#define MD_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "md_limits.h"
#include "mailslot/netbios.h"

/* NAME or NAME<xx> (no scope): upper-cased, at most 15 characters, none of
 * the characters Windows refuses in a computer name; suffix 0x00 when
 * none is given. raw: the 16 octets. MS_ERR_INVALID_ARG. */
ms_status md_parse_nbname(const char *text, uint8_t raw[16], char *why, size_t whylen);
/* A workgroup: a NetBIOS name without suffix, upper-cased into out. */
ms_status md_parse_workgroup(const char *text, char out[16], char *why, size_t whylen);
/* An interface name: 1..15 characters, no '/', no blank. */
ms_status md_parse_iface(const char *text, char out[MD_IFNAME_MAX + 1], char *why, size_t whylen);
/* A decimal number in lo..hi, nothing else around it. */
ms_status md_parse_uint(const char *text, uint32_t lo, uint32_t hi, uint32_t *out, char *why,
                        size_t whylen);
/* A user name: 1..32 characters of [A-Za-z0-9._-], not starting with '-'. */
ms_status md_parse_user(const char *text, char out[MD_USER_MAX + 1], char *why, size_t whylen);
/* raw as text, "NAME<xx>" (trailing spaces dropped). */
void md_nbname_text(const uint8_t raw[16], char *out, size_t cap);
/* raw as an ms_nb_name without scope. */
void md_nbname_make(const uint8_t raw[16], ms_nb_name *out);

#endif
