/* SPDX-License-Identifier: MIT */
/* Umbrella header for libmailslot. */
#ifndef MAILSLOT_MAILSLOT_H
#define MAILSLOT_MAILSLOT_H

#include "mailslot/status.h"
#include "mailslot/types.h"
#include "mailslot/netbios.h"
#include "mailslot/smb.h"
#include "mailslot/browser.h"
#include "mailslot/netlogon.h"
#include "mailslot/message.h"
#include "mailslot/layout.h"
#include "mailslot/capture.h"
#include "mailslot/nbds_reasm.h"
#include "mailslot/validate.h"
#include "mailslot/nbns.h"
#include "mailslot/control.h"
#include "mailslot/nbns_resolve.h"
#include "mailslot/name_service.h"
#include "mailslot/net.h"
#include "mailslot/raw_udp.h"
#include "mailslot/dedup.h"
#include "mailslot/daemon_link.h"
#include "mailslot/server.h"
#include "mailslot/client.h"
#include "mailslot/local.h"
#include "mailslot/auth.h"

#endif
