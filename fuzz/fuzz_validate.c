/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the validator: any payload, decoded, then checked
 * with arbitrary frame information, and held to a sender's shape (X-04,
 * the layout table). Findings must stay inside the report and name offsets
 * inside (or at the end of) the datagram that was sent; a frame matches a
 * shape exactly when it departs from it nowhere. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    static ms_message m;
    static ms_report r;
    if (n < 2)
        return 0;
    /* The first two octets choose the frame information. */
    ms_frame_info info = { 0xC0000214u, 0xC00002FFu, (uint16_t)(d[0] & 1 ? 138 : 0),
                           (uint16_t)(d[0] & 2 ? 138 : 139), n - 2 + (d[1] & 7),
                           (d[0] & 4) != 0 };
    const uint8_t *p = d + 2;
    size_t len = n - 2;
    ms_message_decode(p, len, &m);
    ms_report_clear(&r);
    ms_validate(p, len, &m, (d[0] & 8) ? NULL : &info, &r);
    ms_layout as = (ms_layout)((d[1] >> 3) % (MS_LAYOUT_SAMBA_AD + 1));
    ms_validate_layout(&m, as, &r);
    unsigned bits = ms_sender_match(&m);
    for (int s = 0; s < MS_SENDER_COUNT; s++)
        if ((bits >> s & 1) && ms_layout_departures(&m, (ms_sender)s, NULL, 0) != 0)
            abort();
    size_t sent = len > info.orig_len ? len : info.orig_len;
    if (r.count > MS_REPORT_MAX)
        abort();
    for (size_t i = 0; i < r.count; i++) {
        const ms_finding *f = &r.items[i];
        if (!f->rule || !f->field || f->offset > sent + 1 || !memchr(f->text, 0, sizeof f->text))
            abort();
    }
    return 0;
}
