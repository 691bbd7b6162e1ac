/* SPDX-License-Identifier: MIT */
#include "dg_cli.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_term.h"

int dg_cli_options(dg_cli *a, const cli_cmd *cmd, int argc, char **argv, dg_cli_opt_fn own,
                   void *ctx)
{
    memset(a, 0, sizeof *a);
    a->o.sub = cmd->name;
    a->o.ports[0] = 138;
    a->o.nports = 1;
    a->o.validate_as = -1;
    a->color = "auto";
    int ch;
    while ((ch = cli_next(cmd, argc, argv)) > 0) {
        if (own(a, ch, optarg, ctx))
            continue;
        switch (ch) {
        case 'q': a->quiet = true; break;
        case 'w': a->o.write_path = optarg; break;
        case DG_KEY_COLOR: a->color = optarg; break;
        default:
            if (dg_option(&a->o, ch, optarg) < 0)
                return EXIT_USAGE;
            break;
        }
    }
    if (ch != CLI_END)
        return ch == CLI_EXIT_OK ? EXIT_OK : EXIT_USAGE;
    return DG_CLI_GO;
}

int dg_cli_input(dg_cli *a, int argc, char **argv, bool *color)
{
    if (dg_take_input(&a->o, argc, argv, optind) != 0)
        return -1;
    int col = cli_color_choice(a->color, stdout);
    if (col < 0) {
        cli_error(a->o.sub, "--color: '%s' is not auto, always or never", a->color);
        return -1;
    }
    *color = col == 1;
    a->o.progress = !a->quiet && cli_progress_wanted();
    return 0;
}

void dg_cli_buffer_stdout(void)
{
    static char buf[1 << 18];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
}

int dg_cli_flush_stdout(const char *sub)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error(sub, "writing the output failed");
        return EXIT_SYSTEM;
    }
    return EXIT_OK;
}
