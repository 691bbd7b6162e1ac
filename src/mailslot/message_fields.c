/* SPDX-License-Identifier: MIT */
/* The field stream of a whole message: one nested object per layer. */
#include "mailslot/message.h"

#include <string.h>

static void emit(ms_field_fn fn, void *ctx, const char *key, ms_field_kind k,
                 uint64_t u, const uint8_t *p, size_t len)
{
    ms_field f = { key, k, u, p, len, NULL };
    fn(ctx, &f);
}

static void begin(ms_field_fn fn, void *ctx, const char *key)
{
    emit(fn, ctx, key, MS_F_BEGIN, 0, NULL, 0);
}

static void end(ms_field_fn fn, void *ctx)
{
    emit(fn, ctx, NULL, MS_F_END, 0, NULL, 0);
}

void ms_message_fields(const ms_message *m, ms_field_fn fn, void *ctx)
{
    begin(fn, ctx, "nbdgm");
    ms_dgram_fields(&m->dgram, fn, ctx);
    /* USER_DATA that is not a transaction we can rebuild stays as octets. */
    if (ms_dgram_has_data(m->dgram.type) && !m->has_smb && m->dgram.user_data.p)
    {
        emit(fn, ctx, "user_data", MS_F_HEX, 0, m->dgram.user_data.p,
             m->dgram.user_data.len);
        if (m->smb_status != MS_OK || ms_dgram_is_partial(&m->dgram)) {
            const char *why = m->smb_status != MS_OK
                                  ? ms_strerror(m->smb_status)
                                  : "NBDS fragment: decoded with the rest of its datagram";
            ms_field f = { "user_data_note", MS_F_TEXT, 0, (const uint8_t *)why, strlen(why), NULL };
            fn(ctx, &f);
        }
    }
    end(fn, ctx);
    if (!m->has_smb)
        return;

    begin(fn, ctx, "smb");
    ms_smb_header_fields(&m->smb, fn, ctx);
    end(fn, ctx);
    begin(fn, ctx, "trans");
    ms_trans_fields(&m->trans, fn, ctx);
    end(fn, ctx);

    const ms_trans *t = &m->trans;
    begin(fn, ctx, "mailslot");
    emit(fn, ctx, "name", MS_F_TEXT, 0, t->name.p, t->name.len);
    static const char *const setup_keys[3] = { "opcode", "priority", "class" };
    for (size_t i = 0; i < 3 && i < t->setup_words; i++)
        emit(fn, ctx, setup_keys[i], MS_F_UINT, t->setup[i], NULL, 0);
    emit(fn, ctx, "size", MS_F_UINT, t->data_count, NULL, 0);
    if (t->data_located)
        emit(fn, ctx, "data", MS_F_HEX, 0, t->data.p, t->data.len);
    end(fn, ctx);

    if (!m->payload_ok) {
        /* The payload did not decode; still say which command it claims. */
        const ms_bytes *d = &t->data;
        if ((m->kind == MS_PAYLOAD_BROWSER || m->kind == MS_PAYLOAD_LANMAN) && d->len >= 1) {
            begin(fn, ctx, "browser");
            emit(fn, ctx, "command", MS_F_UINT, d->p[0], NULL, 0);
            end(fn, ctx);
        } else if (m->kind == MS_PAYLOAD_NETLOGON && d->len >= 2) {
            begin(fn, ctx, "netlogon");
            emit(fn, ctx, "command", MS_F_UINT, (uint64_t)(d->p[0] | (d->p[1] << 8)), NULL, 0);
            end(fn, ctx);
        }
        return;
    }
    if (m->kind == MS_PAYLOAD_BROWSER || m->kind == MS_PAYLOAD_LANMAN) {
        begin(fn, ctx, "browser");
        ms_browser_fields(&m->browser, fn, ctx);
        end(fn, ctx);
    } else if (m->kind == MS_PAYLOAD_NETLOGON) {
        begin(fn, ctx, "netlogon");
        ms_netlogon_fields(&m->netlogon, fn, ctx);
        end(fn, ctx);
    }
}
