/* SPDX-License-Identifier: MIT */
/* ms_strerror and ms_status_name, generated from MS_STATUS_MAP. */
#include "mailslot/status.h"

const char *ms_strerror(ms_status st)
{
    switch (st) {
#define MS_STATUS_TEXT_(name, text) \
    case name:                      \
        return text;
        MS_STATUS_MAP(MS_STATUS_TEXT_)
#undef MS_STATUS_TEXT_
    case MS_ERR__COUNT:
        break;
    }
    return "unknown status";
}

const char *ms_status_name(ms_status st)
{
    switch (st) {
#define MS_STATUS_NAME_(name, text) \
    case name:                      \
        return #name;
        MS_STATUS_MAP(MS_STATUS_NAME_)
#undef MS_STATUS_NAME_
    case MS_ERR__COUNT:
        break;
    }
    return "unknown status";
}
