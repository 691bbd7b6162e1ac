/* SPDX-License-Identifier: MIT */
/* --key-file, the same for every subcommand that takes it (send, listen). */
#ifndef MS_TOOLS_CLI_KEYS_H
#define MS_TOOLS_CLI_KEYS_H

#include "mailslot/auth.h"

/* The option's argument: refused (after saying why) in a build without
 * authentication or when empty. 0, or EXIT_USAGE. */
int cli_key_file_arg(const char *sub, const char *arg, const char **path);

/* Read the key file (before dropping privileges: it is its owner's
 * alone). 0, or an exit status after saying why. */
int cli_load_keys(const char *sub, const char *path, ms_auth_keyring *out);

#endif
