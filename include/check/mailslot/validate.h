/* SPDX-License-Identifier: MIT */
/* The conformance validator: one UDP payload in, a report of findings out,
 * each naming a rule of PROTOCOL.md §8 (N-, S-, T-, D-, B-, L-, X-) or one
 * of our own (P- capture/transport, F- NBDS fragments, Z- size limits that
 * §8 leaves out). Never prints, never allocates. */
#ifndef MAILSLOT_VALIDATE_H
#define MAILSLOT_VALIDATE_H

#include "mailslot/layout.h"
#include "mailslot/message.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ms_level {
    MS_LEVEL_MUST,   /* breaks a MUST of the RFC / specification */
    MS_LEVEL_COMMON  /* well-formed, but not what Windows or Samba send;
                      * also MUST rules that shipped senders break */
} ms_level;

typedef struct ms_rule {
    const char *id;       /* "D-13" */
    ms_level level;
    const char *field;    /* JSON key path it is about, e.g. "trans.data_count" */
    const char *text;     /* the rule in one line */
    const char *source;   /* where it comes from */
} ms_rule;

#define MS_FINDING_TEXT 120

typedef struct ms_finding {
    const ms_rule *rule;
    const char *field;    /* JSON key path (may be more precise than the rule's) */
    size_t offset;        /* from the start of the UDP payload */
    char text[MS_FINDING_TEXT];
} ms_finding;

#define MS_REPORT_MAX 64

typedef struct ms_report {
    size_t count;
    size_t dropped;       /* findings beyond MS_REPORT_MAX */
    size_t must;          /* findings at level must */
    ms_finding items[MS_REPORT_MAX];
    unsigned flags;       /* MS_REPORT_*; ms_report_clear sets it to 0:
                           * set it after clearing (ms_report_reset) */
} ms_report;

/* Findings are recorded without their text (text[0] == '\0'): for callers
 * that only count. Rule, field, offset, count, must and dropped are what
 * they would be without it. */
#define MS_REPORT_NO_TEXT 1u

/* What the validator knows about the datagram beyond its payload. */
typedef struct ms_frame_info {
    uint32_t ip_src, ip_dst;  /* host order */
    uint16_t sport, dport;
    size_t orig_len;          /* UDP payload length the headers claim */
    bool truncated;           /* the capture's snaplen cut the datagram */
} ms_frame_info;

/* The rule catalogue, in order. */
MS_EXTERN const ms_rule *ms_rules(size_t *count);
MS_EXTERN const ms_rule *ms_rule_find(const char *id);

/* Validate one UDP payload already decoded into m (ms_message_decode).
 * info may be NULL (no address checks then). Appends to report. */
MS_EXTERN void ms_validate(const uint8_t *payload, size_t len, const ms_message *m,
                           const ms_frame_info *info, ms_report *report);

/* one finding for every field where a decoded write departs from
 * the shape the sender `as` would have used for its mailslot (layout.h;
 * MS_LAYOUT_WINDOWS: the browser service's for BROWSE, LANMAN and NET\...,
 * the redirector's otherwise). Appends to report; nothing for a datagram
 * without a transaction. */
MS_EXTERN void ms_validate_layout(const ms_message *m, ms_layout as, ms_report *report);

/* Add one finding (used by callers for P- and F- rules they detect). */
MS_EXTERN void ms_report_add(ms_report *r, const char *rule_id, const char *field,
                             size_t offset, const char *fmt, ...)
              __attribute__((format(printf, 5, 6)));

MS_EXTERN void ms_report_clear(ms_report *r);

/* ms_report_clear, then flags (MS_REPORT_NO_TEXT or 0) for what follows. */
MS_EXTERN void ms_report_reset(ms_report *r, unsigned flags);

#ifdef __cplusplus
}
#endif
#endif
