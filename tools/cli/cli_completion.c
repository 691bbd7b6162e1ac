/* SPDX-License-Identifier: MIT */
/* `mailslot completion bash`: the completion script, written from the same
 * option tables that getopt and --help use. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_opts.h"

static const cli_opt no_opts[] = {
    { NULL, 0, 0, NULL, NULL, NULL },
};

static const cli_cmd completion_cmd = {
    "completion", "print a shell completion script",
    "mailslot completion bash",
    "Print a bash completion script for mailslot on standard output, made\n"
    "from the same option tables as every --help. Install it as\n"
    "/usr/share/bash-completion/completions/mailslot, or try it with\n"
    "  source <(mailslot completion bash)\n",
    no_opts,
    "Exit status: 0 printed, 2 bad usage.\n",
    NULL,
};

static void words(FILE *f, const cli_opt *t, int with_arg)
{
    for (; t->name; t++) {
        if ((t->arg != NULL) != with_arg)
            continue;
        fprintf(f, " --%s", t->name);
        if (t->letter)
            fprintf(f, " -%c", t->letter);
    }
}

/* The completion of one option's argument, as a bash case branch. */
static void arg_branch(FILE *f, const cli_cmd *c, const cli_opt *t)
{
    fprintf(f, "    %s:--%s", c->name, t->name);
    if (t->letter)
        fprintf(f, "|%s:-%c", c->name, t->letter);
    if (!t->complete)
        fputs(") return 0 ;;\n", f); /* a free value: nothing to offer */
    else if (!strcmp(t->complete, "file"))
        fputs(") COMPREPLY=($(compgen -f -- \"$cur\")); return 0 ;;\n", f);
    else if (!strcmp(t->complete, "dir"))
        fputs(") COMPREPLY=($(compgen -d -- \"$cur\")); return 0 ;;\n", f);
    else if (!strcmp(t->complete, "iface"))
        fputs(") COMPREPLY=($(compgen -W \"$(ls /sys/class/net 2>/dev/null)\" -- \"$cur\"));"
              " return 0 ;;\n", f);
    else
        fprintf(f, ") IFS=' ' COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return 0 ;;\n",
                t->complete);
}

static void script(FILE *f, const cli_cmd *const *cmds)
{
    fputs("# bash completion for mailslot(1); written by `mailslot completion bash`.\n"
          "_mailslot() {\n"
          "    local IFS=$'\\n'\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
          "        IFS=' ' COMPREPLY=($(compgen -W '",
          f);
    for (size_t i = 0; cmds[i]; i++)
        fprintf(f, "%s ", cmds[i]->name);
    fputs("completion --help --version' -- \"$cur\"))\n"
          "        return 0\n"
          "    fi\n"
          "    local sub=${COMP_WORDS[1]}\n"
          "    case \"$sub:$prev\" in\n",
          f);
    for (size_t i = 0; cmds[i]; i++)
        for (const cli_opt *t = cmds[i]->opts; t->name; t++)
            if (t->arg)
                arg_branch(f, cmds[i], t);
    fputs("    esac\n"
          "    local opts operands=\n"
          "    case \"$sub\" in\n",
          f);
    for (size_t i = 0; cmds[i]; i++) {
        const cli_cmd *c = cmds[i];
        fprintf(f, "    %s) opts='", c->name);
        words(f, c->opts, 1);
        words(f, c->opts, 0);
        fprintf(f, " --help -h --version -V'; operands=%s ;;\n", c->operands ? c->operands : "");
    }
    fputs("    completion) opts='--help -h --version -V'; operands=shell ;;\n"
          "    *) return 0 ;;\n"
          "    esac\n"
          "    if [[ $cur == -* ]]; then\n"
          "        IFS=' ' COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "    elif [ \"$operands\" = file ]; then\n"
          "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
          "    elif [ \"$operands\" = shell ]; then\n"
          "        COMPREPLY=($(compgen -W bash -- \"$cur\"))\n"
          "    fi\n"
          "    return 0\n"
          "}\n"
          "complete -o filenames -F _mailslot mailslot\n",
          f);
}

int cmd_completion(const cli_cmd *const *cmds, int argc, char **argv)
{
    int ch;
    while ((ch = cli_next(&completion_cmd, argc, argv)) > 0)
        ;
    if (ch == CLI_EXIT_OK)
        return EXIT_OK;
    if (ch == CLI_BAD)
        return EXIT_USAGE;
    if (optind + 1 != argc || strcmp(argv[optind], "bash") != 0) {
        cli_error("completion", "name the shell: 'mailslot completion bash' (only bash is known)");
        return EXIT_USAGE;
    }
    script(stdout, cmds);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_SYSTEM;
}
