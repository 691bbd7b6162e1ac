/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for what --key-file and listen --key-file parse from
 * outside: the key file text and the authentication trailer at the end of
 * received mailslot data, plus the payload stripper and (with libcrypto)
 * the whole verifier on a decoded datagram. Octet 0 picks the target. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if (n < 1)
        return 0;
    const uint8_t *p = d + 1;
    size_t len = n - 1;
    switch (d[0] % 3) {
    case 0: {
        static ms_auth_keyring ring;
        char err[256];
        if (ms_auth_keys_parse((const char *)p, len, &ring, err, sizeof err) == MS_OK)
            ms_auth_keys_wipe(&ring);
        break;
    }
    case 1: {
        ms_auth_trailer t;
        size_t body = 0;
        if (ms_auth_trailer_parse(p, len, &t, &body) == MS_OK && body > len)
            abort();
        break;
    }
    default: {
        static ms_message m;
        static uint8_t out[1 << 16];
        size_t olen;
        ms_message_decode(p, len, &m);
        if (ms_auth_strip_payload(&m, p, len, out, sizeof out, &olen) == MS_OK && olen > len)
            abort();
#if MAILSLOT_HAVE_AUTH
        static const char keys[] = "id 1\nkey 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
        static ms_auth_keyring ring;
        static ms_auth_verifier *v;
        char err[128];
        static uint64_t mem[1024]; /* the verifier's block: 8 KiB, 64 entries fit */
        if (!v && ms_auth_keys_parse(keys, sizeof keys - 1, &ring, err, sizeof err) == MS_OK &&
            ms_auth_verifier_init(mem, sizeof mem, &ring, 30000, 64, &v) != MS_OK)
            abort();
        if (v && m.has_smb && m.trans.data_located) {
            ms_auth_msg a;
            ms_auth_msg_from_message(&a, &m);
            size_t body;
            ms_auth_verify(v, &a, 1700000000000ull, NULL, &body);
        }
#endif
        break;
    }
    }
    return 0;
}
