/* SPDX-License-Identifier: MIT */
#include "cli_keys.h"

#include "cli.h"

int cli_key_file_arg(const char *sub, const char *arg, const char **path)
{
    if (!ms_auth_available()) {
        cli_error(sub, "--key-file: this build has no authentication support "
                       "(built with MAILSLOT_AUTH=OFF; it needs OpenSSL libcrypto)");
        return EXIT_USAGE;
    }
    if (!*arg) {
        cli_error(sub, "--key-file: empty file name");
        return EXIT_USAGE;
    }
    *path = arg;
    return 0;
}

int cli_load_keys(const char *sub, const char *path, ms_auth_keyring *out)
{
    char err[512] = "";
    ms_status st = ms_auth_keys_load(path, out, err, sizeof err);
    if (st == MS_OK)
        return 0;
    cli_error(sub, "--key-file: %s", err);
    return st == MS_ERR_INVALID_ARG ? EXIT_USAGE : EXIT_SYSTEM;
}
