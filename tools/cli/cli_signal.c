/* SPDX-License-Identifier: MIT */
#include "cli_signal.h"

#include <string.h>
#include <sys/time.h>
#include <unistd.h>

volatile sig_atomic_t cli_stop_signal;
static ms_capture *volatile wake_capture;

static void on_stop(int sig)
{
    cli_stop_signal = sig;
    if (wake_capture)
        ms_capture_break(wake_capture);
}

void cli_signals_install(ms_capture *wake)
{
    wake_capture = wake;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void on_alarm(int sig)
{
    (void)sig;
    if (wake_capture)
        ms_capture_break(wake_capture);
}

void cli_alarm_after(double seconds)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it;
    memset(&it, 0, sizeof it);
    it.it_value.tv_sec = (time_t)seconds;
    it.it_value.tv_usec = (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6);
    setitimer(ITIMER_REAL, &it, NULL);
}

int cli_signal_status(void)
{
    return 128 + cli_stop_signal;
}
