/* SPDX-License-Identifier: MIT */
/* What validate.c (the entry point and the report) and the rule groups of
 * check_*.c share: the datagram under check and one function per layer.
 * (Not "check.h": the unit tests include the Check framework's <check.h>
 * with this folder on their include path.) */
#ifndef MS_CHECK_VALIDATOR_H
#define MS_CHECK_VALIDATOR_H

#include "mailslot/validate.h"

/* Rule IDs are catalogue entries (rules.c); ms_report_add ignores any other. */
#define ADD ms_report_add

/* Everything the rule functions share about one datagram. */
typedef struct vctx {
    const uint8_t *p;
    size_t len;        /* octets present */
    size_t wire_len;   /* octets sent (differs when the capture cut it) */
    const ms_message *m;
    const ms_frame_info *info;
    ms_report *r;
    size_t smb;        /* payload offset of the SMB header */
    size_t s;          /* S: octets after the names */
    size_t base;       /* payload offset of the mailslot data (DataOffset) */
} vctx;

/* N- rules (check_nbds.c). */
void ms_check_nbds(vctx *v);

/* S-01, then the S-, T-, D- and X- rules of the SMB transaction
 * (check_smb.c); false when the transaction did not decode. Needs v->smb
 * and v->s. */
bool ms_check_smb(vctx *v);

/* B- rules of \MAILSLOT\BROWSE and \MAILSLOT\LANMAN (check_browser.c) and
 * L- rules of NETLOGON (check_netlogon.c). Need v->base too. */
void ms_check_browser(vctx *v);
void ms_check_netlogon(vctx *v);

/* P-03: the datagram did not decode completely, and no rule of its layer
 * says why. */
void ms_check_undecoded(vctx *v);

#endif
