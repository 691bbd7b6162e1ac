/* SPDX-License-Identifier: MIT */
/* The event loop (src/runtime/loop.c): descriptors, one-shot and periodic
 * timers, removal from inside callbacks, stop from a signal handler, and
 * no nesting. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "mailslot/loop.h"
#include "mailslot/net.h"
#include "guard.h"

typedef struct counter {
    int fired;
    int fd_seen;
    unsigned events;
    ms_loop *loop;
    ms_loop_watch *self;
    bool remove_self;
    bool stop;
} counter;

static void on_timer(void *ctx)
{
    counter *c = ctx;
    c->fired++;
    if (c->remove_self)
        ms_loop_remove(c->self);
    if (c->stop)
        ms_loop_stop(c->loop);
}

static void on_fd(void *ctx, int fd, unsigned ev)
{
    counter *c = ctx;
    char buf[16];
    c->fired++;
    c->fd_seen = fd;
    c->events |= ev;
    if (ev & MS_LOOP_IN)
        ck_assert_int_gt(read(fd, buf, sizeof buf), 0);
    if (c->remove_self)
        ms_loop_remove(c->self);
}

START_TEST(descriptor_and_timers)
{
    ms_loop *l;
    ck_assert_int_eq(ms_loop_new(&l), MS_OK);
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    counter io = { 0 }, once = { 0 }, every = { 0 };
    ms_loop_watch *w;
    ck_assert_int_eq(ms_loop_add_fd(l, p[0], MS_LOOP_IN, on_fd, &io, &w), MS_OK);
    ck_assert_int_eq(ms_loop_add_fd(l, p[0], MS_LOOP_IN, on_fd, &io, NULL), MS_ERR_EXISTS);
    ck_assert_int_eq(ms_loop_add_timer(l, 30, 0, on_timer, &once, NULL), MS_OK);
    ck_assert_int_eq(ms_loop_add_timer(l, 10, 10, on_timer, &every, NULL), MS_OK);
    /* Nothing readable, no timer due: a round that runs nothing. */
    ck_assert_int_eq(ms_loop_run_once(l, 0), MS_OK);
    ck_assert_int_eq(io.fired + once.fired + every.fired, 0);
    ck_assert_int_eq(write(p[1], "x", 1), 1);
    ck_assert_int_eq(ms_loop_run_once(l, 1000), MS_OK);
    ck_assert_int_eq(io.fired, 1);
    ck_assert_int_eq(io.fd_seen, p[0]);
    ck_assert(io.events & MS_LOOP_IN);
    /* 100 ms: the one-shot fires once, the 10 ms one several times. */
    ck_assert_int_eq(ms_loop_run(l, 100), MS_ERR_TIMEOUT);
    ck_assert_int_eq(once.fired, 1);
    ck_assert_int_ge(every.fired, 4);
    ck_assert_int_le(every.fired, 11);
    /* Events 0: the descriptor is not waited on for now. */
    ck_assert_int_eq(ms_loop_set_events(w, 0), MS_OK);
    ck_assert_int_eq(write(p[1], "y", 1), 1);
    ck_assert_int_eq(ms_loop_run_once(l, 20), MS_OK);
    ck_assert_int_eq(io.fired, 1);
    ck_assert_int_eq(ms_loop_set_events(w, MS_LOOP_IN), MS_OK);
    ck_assert_int_eq(ms_loop_run_once(l, 1000), MS_OK);
    ck_assert_int_eq(io.fired, 2);
    ms_loop_free(l);
    close(p[0]);
    close(p[1]);
}
END_TEST

START_TEST(remove_inside_callbacks)
{
    ms_loop *l;
    ck_assert_int_eq(ms_loop_new(&l), MS_OK);
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    counter io = { .remove_self = true }, t = { .remove_self = true };
    ck_assert_int_eq(ms_loop_add_fd(l, p[0], MS_LOOP_IN, on_fd, &io, &io.self), MS_OK);
    ck_assert_int_eq(ms_loop_add_timer(l, 0, 5, on_timer, &t, &t.self), MS_OK);
    ck_assert_int_eq(write(p[1], "ab", 2), 2);
    ck_assert_int_eq(ms_loop_run_once(l, 1000), MS_OK);
    ck_assert_int_eq(io.fired, 1);
    ck_assert_int_eq(t.fired, 1);
    /* Both are gone: more data and time wake nobody. */
    ck_assert_int_eq(write(p[1], "c", 1), 1);
    ck_assert_int_eq(ms_loop_run(l, 50), MS_ERR_TIMEOUT);
    ck_assert_int_eq(io.fired, 1);
    ck_assert_int_eq(t.fired, 1);
    /* The descriptor may be watched again. */
    ck_assert_int_eq(ms_loop_add_fd(l, p[0], MS_LOOP_IN, on_fd, &io, NULL), MS_OK);
    ms_loop_free(l);
    close(p[0]);
    close(p[1]);
}
END_TEST

static ms_loop *sig_loop;

static void on_alarm(int sig)
{
    (void)sig;
    ms_loop_stop(sig_loop);
}

START_TEST(stop_from_callback_and_signal)
{
    ms_loop *l;
    ck_assert_int_eq(ms_loop_new(&l), MS_OK);
    counter c = { .loop = l, .stop = true };
    ck_assert_int_eq(ms_loop_add_timer(l, 5, 0, on_timer, &c, NULL), MS_OK);
    ck_assert_int_eq(ms_loop_run(l, 5000), MS_ERR_STOPPED);
    ck_assert_int_eq(c.fired, 1);
    /* The stop was used up: the next run waits its time out. */
    ck_assert_int_eq(ms_loop_run(l, 20), MS_ERR_TIMEOUT);
    /* A signal handler stops a loop that waits on nothing. */
    sig_loop = l;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 0 }, { 0, 50000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    uint64_t t0 = ms_monotonic_ns();
    ck_assert_int_eq(ms_loop_run(l, 5000), MS_ERR_STOPPED);
    ck_assert_uint_lt(ms_monotonic_ns() - t0, 2000000000u);
    signal(SIGALRM, SIG_DFL);
    ms_loop_free(l);
}
END_TEST

static void nested(void *ctx)
{
    counter *c = ctx;
    c->fired++;
    ck_assert_int_eq(ms_loop_run_once(c->loop, 0), MS_ERR_INVALID_ARG);
}

START_TEST(rounds_do_not_nest)
{
    ms_loop *l;
    ck_assert_int_eq(ms_loop_new(&l), MS_OK);
    counter c = { .loop = l };
    ck_assert_int_eq(ms_loop_add_timer(l, 0, 0, nested, &c, NULL), MS_OK);
    ck_assert_int_eq(ms_loop_run_once(l, 1000), MS_OK);
    ck_assert_int_eq(c.fired, 1);
    ck_assert_int_eq(ms_loop_add_fd(l, -1, MS_LOOP_IN, on_fd, &c, NULL), MS_ERR_INVALID_ARG);
    ms_loop_free(l);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("loop");
    TCase *t = tcase_create("loop");
    tcase_set_timeout(t, 20);
    tcase_add_test(t, descriptor_and_timers);
    tcase_add_test(t, remove_inside_callbacks);
    tcase_add_test(t, stop_from_callback_and_signal);
    tcase_add_test(t, rounds_do_not_nest);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
