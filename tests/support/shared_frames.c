/* SPDX-License-Identifier: MIT */
#include "shared_frames.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "guard.h"
#include "mailslot/capture.h"
#include "mailslot/message.h"

static shared_frame_status fail(shared_frame_status st, char *err, size_t errlen,
                                const char *fmt, ...)
{
    if (errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return st;
}

shared_frame_status shared_frame_data(const char *file, uint64_t frame, uint8_t *buf,
                                      size_t cap, size_t *len, char *err, size_t errlen)
{
    *len = 0;
    if (errlen)
        err[0] = '\0';
    const char *dir = shared_captures_dir();
    if (!dir)
        return fail(SHARED_FRAME_NO_FOLDER, err, errlen,
                    "%s #%llu: shared captures directory not found (set MAILSLOT_SHARED)",
                    file, (unsigned long long)frame);

    char path[4096], why[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    ms_capture *c;
    if (ms_capture_open(path, &c, why, sizeof why) != MS_OK)
        return fail(SHARED_FRAME_NO_FILE, err, errlen, "%s #%llu: %s", file,
                    (unsigned long long)frame, why);

    /* Frames are handed up in order, so stop at the first one past it. */
    ms_udp_datagram d;
    ms_status rc;
    while ((rc = ms_capture_next(c, &d)) == MS_OK && d.frame < frame)
        ;
    shared_frame_status st = SHARED_FRAME_OK;
    if (rc != MS_OK && rc != MS_ERR_END) {
        st = fail(SHARED_FRAME_READ_ERROR, err, errlen, "%s #%llu: %s", file,
                  (unsigned long long)frame, ms_capture_error(c));
    } else if (rc == MS_ERR_END || d.frame != frame) {
        st = fail(SHARED_FRAME_NO_FRAME, err, errlen,
                  "%s #%llu: no UDP/138 datagram with that frame number", file,
                  (unsigned long long)frame);
    } else if (d.len < d.orig_len) {
        st = fail(SHARED_FRAME_NO_DATA, err, errlen, "%s #%llu: datagram cut (%zu of %zu octets)",
                  file, (unsigned long long)frame, d.len, d.orig_len);
    } else {
        ms_message m;
        ms_message_decode(d.payload, d.len, &m);
        if (!m.has_smb || !m.trans.data_located) {
            st = fail(SHARED_FRAME_NO_DATA, err, errlen,
                      "%s #%llu: no mailslot data located (%s at %zu)", file,
                      (unsigned long long)frame, ms_strerror(m.status), m.err_off);
        } else if (m.trans.data.len > cap) {
            st = fail(SHARED_FRAME_TOO_BIG, err, errlen,
                      "%s #%llu: %zu octets of mailslot data, buffer holds %zu", file,
                      (unsigned long long)frame, m.trans.data.len, cap);
        } else {
            /* The payload is only valid until the next read: copy it out. */
            if (m.trans.data.len)
                memcpy(buf, m.trans.data.p, m.trans.data.len);
            *len = m.trans.data.len;
        }
    }
    ms_capture_close(c);
    return st;
}
