/* SPDX-License-Identifier: MIT */
/* A client's output queue: a list of packets, each charged to an account. */
#include "outq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* 1 sent, 0 the socket is full, -1 the client is gone. */
static int try_send(int fd, const uint8_t *pkt, size_t len)
{
    for (;;) {
        ssize_t n = send(fd, pkt, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0)
            return 1; /* a packet socket takes all or nothing */
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ? 0 : -1;
    }
}

static void unlink_item(md_outq *q, md_qitem *it, md_qitem *prev, md_qbound *b)
{
    if (prev)
        prev->next = it->next;
    else
        q->head = it->next;
    if (q->tail == it)
        q->tail = prev;
    q->n--;
    q->bytes -= it->len;
    b->total -= it->len;
    if (it->acct)
        it->acct->queued--;
    else
        q->replies--;
    free(it);
}

ms_status md_outq_put(md_outq *q, int fd, md_qacct *acct, const uint8_t *pkt, size_t len,
                      size_t dropped_at, md_qbound *b)
{
    if (!q->head) {
        int r = try_send(fd, pkt, len);
        if (r < 0)
            return MS_ERR_END;
        if (r > 0) {
            if (acct)
                acct->delivered++;
            return MS_OK;
        }
    }
    if (acct && acct->queued >= acct->max) {
        acct->dropped++;
        return MS_ERR_TOO_MANY;
    }
    md_qitem *it = b->total + len > b->max ? NULL : malloc(sizeof *it + len);
    if (!it) {
        b->over++;
        if (acct)
            acct->dropped++;
        return MS_ERR_NO_MEMORY;
    }
    it->next = NULL;
    it->acct = acct;
    it->dropped_at = acct && dropped_at + 8 <= len ? dropped_at : 0;
    it->len = len;
    memcpy(it->data, pkt, len);
    if (q->tail)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
    q->n++;
    q->bytes += len;
    b->total += len;
    if (acct)
        acct->queued++;
    else
        q->replies++;
    return MS_OK;
}

ms_status md_outq_flush(md_outq *q, int fd, md_qbound *b)
{
    while (q->head) {
        md_qitem *it = q->head;
        for (size_t i = 0; it->dropped_at && i < 8; i++)
            it->data[it->dropped_at + i] = (uint8_t)(it->acct->dropped >> (56 - 8 * i));
        int r = try_send(fd, it->data, it->len);
        if (r < 0)
            return MS_ERR_END;
        if (r == 0)
            return MS_ERR_AGAIN;
        if (it->acct)
            it->acct->delivered++;
        unlink_item(q, it, NULL, b);
    }
    return MS_OK;
}

void md_outq_purge(md_outq *q, const md_qacct *acct, md_qbound *b)
{
    md_qitem *prev = NULL;
    for (md_qitem *it = q->head, *next; it; it = next) {
        next = it->next;
        if (it->acct == acct)
            unlink_item(q, it, prev, b);
        else
            prev = it;
    }
}

void md_outq_clear(md_outq *q, md_qbound *b)
{
    while (q->head)
        unlink_item(q, q->head, NULL, b);
}
