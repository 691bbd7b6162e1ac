/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the CLI's JSON reader (what `mailslot encode`
 * parses): any input either parses or fails with a message; accessors on
 * every node are safe. */
#include <stdint.h>
#include <stdlib.h>

#include "json_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    char err[256];
    json_doc *doc = json_parse((const char *)d, n, err, sizeof err);
    if (!doc)
        return 0;
    json_ref root = json_root(doc);
    uint8_t buf[256];
    size_t len;
    for (size_t i = 0; i < json_len(doc, root) && i < 64; i++) {
        json_ref r = json_at(doc, root, i);
        uint64_t u;
        json_u64(doc, r, &u);
        json_hex(doc, r, buf, sizeof buf, &len);
        json_str_latin1(doc, r, buf, sizeof buf, &len);
        json_key(doc, r, &len);
    }
    json_path(doc, root, "trans.data_offset");
    json_free(doc);
    return 0;
}
