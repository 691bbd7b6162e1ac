/* SPDX-License-Identifier: MIT */
/* `send --json`: frames by their fields (send_json.h). The JSON says what
 * the frame is; the command says where it goes and computes what a sender
 * computes, so any datagram `decode` shows can be sent again. */
#include "send_json.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cli.h"
#include "cli_signal.h"
#include "json_frame.h"
#include "mailslot/net.h"

#define FRAME_MAX 65507

typedef struct sj_run {
    ms_client *c;
    const send_json_opts *o;
    ms_message *m, *back;  /* the frame as built; as decoded again */
    uint8_t frame[FRAME_MAX];
    jf_arena ar;
    unsigned long line, sent;
    char err[512];
} sj_run;

/* The lengths, counts and offsets a sender computes, and where decode puts
 * them: a value the JSON gives must be the computed one. */
static uint64_t computed(const ms_message *b, size_t i)
{
    switch (i) {
    case 0: return b->dgram.dgm_length;
    case 1: return b->trans.word_count;
    case 2: return b->trans.total_data_count;
    case 3: return b->trans.data_count;
    case 4: return b->trans.data_offset;
    case 5: return b->trans.setup_count;
    case 6: return b->trans.byte_count;
    default: return b->trans.data_count;
    }
}
static const char *const computed_path[] = { "nbdgm.length", "trans.word_count",
                                              "trans.total_data_count", "trans.data_count",
                                              "trans.data_offset", "trans.setup_count",
                                              "trans.byte_count", "mailslot.size" };

static bool given_matches(sj_run *r, const json_doc *d, json_ref root)
{
    for (size_t i = 0; i < sizeof computed_path / sizeof computed_path[0]; i++) {
        uint64_t v;
        json_ref at = json_path(d, root, computed_path[i]);
        if (at < 0 || (i > 0 && !r->back->has_smb))
            continue;
        if (!json_u64(d, at, &v) || v != computed(r->back, i)) {
            snprintf(r->err, sizeof r->err,
                     "\"%s\" is not %llu, what the frame's fields make it: send --json computes "
                     "lengths, counts and offsets (encode writes them as given)",
                     computed_path[i], (unsigned long long)computed(r->back, i));
            return false;
        }
    }
    return true;
}

/* What the JSON leaves out, ours: DGM_ID fresh, SOURCE_IP and SOURCE_PORT
 * as the client sends. Every length, count and offset computed. */
static void complete(sj_run *r, const json_doc *d, json_ref root)
{
    const ms_client_info *in = ms_client_get_info(r->c);
    ms_dgram *g = &r->m->dgram;
    if (json_path(d, root, "nbdgm.id") < 0 &&
        getrandom(&g->id, sizeof g->id, GRND_NONBLOCK) != sizeof g->id)
        g->id = (uint16_t)(ms_realtime_ns() >> 10);
    if (json_path(d, root, "nbdgm.src_ip") < 0)
        g->src_ip = in->src_ip;
    if (json_path(d, root, "nbdgm.src_port") < 0)
        g->src_port = in->sport;
    g->auto_fields |= MS_DGRAM_AUTO_LENGTH;
    r->m->trans.auto_fields |= MS_TRANS_AUTO_WORD_COUNT | MS_TRANS_AUTO_TOTAL_DATA |
                               MS_TRANS_AUTO_DATA_COUNT | MS_TRANS_AUTO_DATA_OFFSET |
                               MS_TRANS_AUTO_SETUP_COUNT | MS_TRANS_AUTO_BYTE_COUNT;
    r->m->trans.auto_fields &= ~MS_TRANS_AUTO_PAD_TO_OFFSET;
}

/* The frame of one object into r->frame; false with r->err. */
static bool build(sj_run *r, const json_doc *d, json_ref root, size_t *len)
{
    if (json_get(d, root, "payload") >= 0) {
        snprintf(r->err, sizeof r->err, "a \"payload\" key is refused: send --json builds a frame "
                 "from its fields (delete the key; encode -w writes payloads as they are)");
        return false;
    }
    jf_ctx jc = { d, &r->ar, "" };
    r->ar.used = 0;
    if (!jf_build_message(&jc, root, r->m)) {
        snprintf(r->err, sizeof r->err, "%s", jc.err);
        return false;
    }
    complete(r, d, root);
    ms_status st = ms_message_encode(r->m, r->frame, sizeof r->frame, len);
    if (st != MS_OK) {
        snprintf(r->err, sizeof r->err, "cannot encode: %s", ms_strerror(st));
        return false;
    }
    ms_message_decode(r->frame, *len, r->back);
    if (!given_matches(r, d, root))
        return false;
    const ms_message *b = r->back;
    if (!r->o->force_size && ms_dgram_has_data(b->dgram.type) && b->has_smb &&
        ms_write_limits(b->dgram.type, b->trans.data_offset, b->trans.data_count, 0, r->err,
                        sizeof r->err)) {
        strncat(r->err, "; --force-size sends it anyway", sizeof r->err - strlen(r->err) - 1);
        return false;
    }
    return true;
}

static void say(sj_run *r, size_t len)
{
    const ms_client_info *in = ms_client_get_info(r->c);
    const ms_message *b = r->back;
    bool daemon = !r->o->po && in->sport_mode == MS_SPORT_MODE_DAEMON;
    char sn[300] = "-", dn[300] = "-", slot[260] = "", dst[16], replies[300] = "";
    if (ms_dgram_has_data(b->dgram.type)) {
        /* Through mailslotd the datagram goes with the host's name. */
        ms_nb_name_format(daemon ? &in->src : &b->dgram.src, sn, sizeof sn);
        ms_nb_name_format(&b->dgram.dst, dn, sizeof dn);
    }
    if (b->has_smb)
        snprintf(slot, sizeof slot, " %.*s, %u data octets", (int)b->trans.name.len,
                 (const char *)b->trans.name.p, b->trans.data_count);
    if (daemon && in->reply_slot[0])
        snprintf(replies, sizeof replies, ", replies to %.256s", in->reply_slot);
    ms_ip_format(in->dst_ip, dst, sizeof dst);
    const char *tn = ms_dgram_type_name(b->dgram.type);
    fprintf(stderr, "mailslot send: %s %s -> %s%s%s (%s line %lu), DGM_ID 0x%04x, %zu octets %s "
            "%s:%u from port %u\n", tn ? tn : "type?", sn, dn, slot, replies, r->o->in_name,
            r->line, b->dgram.id, len,
            r->o->po ? "written for" : daemon ? "sent through mailslotd to" : "sent to", dst,
            in->dport, in->sport);
}

/* One line: sent, skipped (a reassembled datagram: its fragments are the
 * frames), or an exit status after saying why. */
static int one_line(sj_run *r, const char *text, size_t n)
{
    char perr[256];
    json_doc *d = json_parse(text, n, perr, sizeof perr);
    if (!d) {
        cli_error("send", "%s line %lu: %s", r->o->in_name, r->line, perr);
        return EXIT_INPUT;
    }
    json_ref root = json_root(d);
    bool skip = false, ok = json_type(d, root) == JSON_OBJECT;
    json_bool(d, json_get(d, root, "reassembled"), &skip);
    size_t len = 0;
    int status = EXIT_OK;
    if (!ok)
        snprintf(r->err, sizeof r->err, "not a JSON object");
    else if (!skip && (ok = build(r, d, root, &len))) {
        const ms_client_info *in = ms_client_get_info(r->c);
        uint64_t now = ms_realtime_ns();
        if (r->o->po ? pcap_out_write(r->o->po, (int64_t)(now / 1000000000u),
                                      (uint32_t)(now % 1000000000u), in->src_ip, in->dst_ip,
                                      in->sport, in->dport, r->frame, len) != 0
                     : ms_client_send_payload(r->c, r->frame, len, r->err, sizeof r->err) != MS_OK) {
            if (r->o->po && pcap_out_error(r->o->po, r->err, sizeof r->err))
                cli_error("send", "%s", r->err);
            else
                cli_error("send", "%s line %lu: %s", r->o->in_name, r->line,
                          r->o->po ? "frame too large for UDP" : r->err);
            status = EXIT_SYSTEM;
        } else {
            r->sent++;
            if (!r->o->quiet)
                say(r, len);
        }
    }
    if (!ok) {
        cli_error("send", "%s line %lu: %s", r->o->in_name, r->line, r->err);
        status = strstr(r->err, "--force-size") ? EXIT_NEGATIVE : EXIT_INPUT;
    }
    json_free(d);
    return status;
}

int send_json_frames(ms_client *c, const send_json_opts *o)
{
    sj_run *r = calloc(1, sizeof *r);
    if (r) {
        r->m = malloc(sizeof *r->m);
        r->back = malloc(sizeof *r->back);
    }
    if (!r || !r->m || !r->back) {
        cli_error("send", "out of memory");
        if (r) {
            free(r->m);
            free(r->back);
        }
        free(r);
        return EXIT_SYSTEM;
    }
    r->c = c;
    r->o = o;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int status = EXIT_OK;
    while (status == EXIT_OK && !cli_stop_signal && (n = getline(&line, &cap, o->in)) >= 0) {
        r->line++;
        size_t l = (size_t)n;
        while (l && (line[l - 1] == '\n' || line[l - 1] == '\r' || line[l - 1] == ' '))
            l--;
        if (l == 0)
            continue;
        if (r->ar.cap < l) {
            uint8_t *more = realloc(r->ar.buf, l);
            if (!more) {
                cli_error("send", "out of memory");
                status = EXIT_SYSTEM;
                break;
            }
            r->ar.buf = more;
            r->ar.cap = l;
        }
        status = one_line(r, line, l);
    }
    if (status == EXIT_OK && r->sent == 0 && !cli_stop_signal) {
        cli_error("send", "%s: no frame to send", o->in_name);
        status = EXIT_INPUT;
    }
    free(line);
    free(r->ar.buf);
    free(r->m);
    free(r->back);
    free(r);
    return status;
}
