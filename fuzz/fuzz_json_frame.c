/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for decode's JSON back into a datagram (what `encode`
 * and `send --json` build, tools/in/json_frame.c): any JSON either builds
 * a message or fails with a reason; a message that builds encodes or fails
 * cleanly, and encoding it with every length computed, as send --json
 * does, decodes again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    static ms_message m, back;
    static uint8_t arena[1 << 16], out[1 << 16];
    char err[256];
    if (n > sizeof arena)
        return 0;
    json_doc *doc = json_parse((const char *)d, n, err, sizeof err);
    if (!doc)
        return 0;
    jf_arena ar = { arena, sizeof arena, 0 };
    jf_ctx c = { doc, &ar, "" };
    size_t len;
    if (jf_build_message(&c, json_root(doc), &m)) {
        ms_message_encode(&m, out, sizeof out, &len);
        m.dgram.auto_fields |= MS_DGRAM_AUTO_LENGTH;
        m.trans.auto_fields |= MS_TRANS_AUTO_WORD_COUNT | MS_TRANS_AUTO_DATA_COUNT |
                               MS_TRANS_AUTO_DATA_OFFSET | MS_TRANS_AUTO_BYTE_COUNT;
        if (ms_message_encode(&m, out, sizeof out, &len) == MS_OK)
            ms_message_decode(out, len, &back);
    } else if (!memchr(c.err, 0, sizeof c.err) || !c.err[0]) {
        abort(); /* a failure always says why */
    }
    json_free(doc);
    return 0;
}
