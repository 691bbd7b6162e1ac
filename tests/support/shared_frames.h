/* SPDX-License-Identifier: MIT */
/* Test support: mailslot data octets of one frame of a shared capture, read
 * at run time. Third-party captures stay in ../shared/captures; tests name a
 * file and a frame instead of carrying copies of its octets. */
#ifndef MS_TEST_SHARED_FRAMES_H
#define MS_TEST_SHARED_FRAMES_H

#include <stddef.h>
#include <stdint.h>

typedef enum shared_frame_status {
    SHARED_FRAME_OK,
    SHARED_FRAME_NO_FOLDER,   /* shared_captures_dir() is NULL */
    SHARED_FRAME_NO_FILE,     /* the capture cannot be opened */
    SHARED_FRAME_NO_FRAME,    /* no UDP/138 datagram with that frame number */
    SHARED_FRAME_READ_ERROR,  /* the capture is damaged before that frame */
    SHARED_FRAME_NO_DATA,     /* the frame is cut, or holds no located
                               * SMB transaction data */
    SHARED_FRAME_TOO_BIG      /* the data does not fit the caller's buffer */
} shared_frame_status;

/* Mailslot data (the SMB transaction's data octets) of frame `frame`
 * (1-based, as tshark counts) of `file` in the shared captures folder.
 * On SHARED_FRAME_OK, *len octets are in buf. Otherwise *len is 0 and err
 * (when errlen > 0) holds one line naming the file, the frame and why. */
shared_frame_status shared_frame_data(const char *file, uint64_t frame, uint8_t *buf,
                                      size_t cap, size_t *len, char *err, size_t errlen);

#endif
