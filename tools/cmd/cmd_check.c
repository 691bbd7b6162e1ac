/* SPDX-License-Identifier: MIT */
/* `mailslot check`: a verdict per datagram, naming the rule, the field and
 * the byte offset of every problem (rules: PROTOCOL.md §8 plus our own). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_opts.h"
#include "cli_signal.h"
#include "cli_term.h"
#include "dg_cli.h"
#include "json_out.h"
#include "mailslot/layout.h"
#include "mailslot/validate.h"
#include "sender_print.h"
#include "stats.h"

enum { K_JSON = 400, K_STRICT, K_STATS, K_LIST, K_MARKDOWN, K_AS };

static const cli_opt check_opts[] = {
    DG_CLI_INPUT_OPTS,
    { "json", K_JSON, 0, NULL, "one JSON object per finding (NDJSON); summary to\nstderr", NULL },
    { "strict", K_STRICT, 0, NULL, "'common' findings count as failures too", NULL },
    { "as", K_AS, 0, "SENDER", "also report (X-04, common) every field where a\nwrite departs from the shape SENDER would have\nused: windows (the browser service's for BROWSE,\nLANMAN, NET\\..., the redirector's otherwise),\nwindows-browser, windows-redirector, win9x,\nsamba-nmbd, samba-ad (docs/LAYOUTS.md)", "windows windows-browser windows-redirector win9x samba-nmbd samba-ad" },
    { "stats", K_STATS, 0, NULL, "add counts per message type, mailslot, sender,\nopcode", NULL },
    DG_CLI_FILTER_OPTS,
    DG_CLI_REASM_OPTS,
    CLI_COLOR_OPT(DG_KEY_COLOR),
    { "quiet", 'q', 'q', NULL, "no per-finding lines, no progress line; only the\nsummary", NULL },
    { "list-rules", K_LIST, 0, NULL, "print the rule catalogue (--markdown: as\ndocs/RULES.md; --json: NDJSON, one object per\nrule: id, level, field, text, source)", NULL },
    { "markdown", K_MARKDOWN, 0, NULL, "with --list-rules: a Markdown table", NULL },
    { NULL, 0, 0, NULL, NULL, NULL },
};

const cli_cmd cli_cmd_check = {
    "check",
    "check every datagram against the protocol's rules",
    "mailslot check [OPTIONS] FILE|- [BPF EXPRESSION]\n"
    "mailslot check [OPTIONS] -r FILE|-i IFACE [BPF EXPRESSION]\n"
    "mailslot check --list-rules [--markdown|--json]\n",
    "Check every NetBIOS datagram (UDP port 138) of a pcap or pcapng capture\n"
    "against the rules of the protocol: each finding names the rule, its level\n"
    "(must: breaks a MUST; common: well-formed, but departs from a rule of\n"
    "the specifications that some real senders break), the field (as in\n"
    "decode --json) and the byte offset in the UDP payload. A summary follows:\n"
    "malformed datagrams have a 'must' finding; unusual ones a 'common'\n"
    "finding that no known sender produces; clean ones none, or only\n"
    "'common' findings on the fields a known sender's layout fixes, when the\n"
    "datagram has that layout (D-07: Windows' browser and Samba never pad;\n"
    "docs/LAYOUTS.md). Then the hits per rule.\n",
    check_opts,
    DG_FILTER_NOTES
    "\n"
    "Exit status: 0 no 'must' finding (with --strict: no finding at all),\n"
    "1 some, 2 bad usage, 3 unreadable input, 4 system error (-i);\n"
    "128+N when signal N stopped the reading of a file (summary printed).\n",
    "file",
};

static bool use_color;

typedef struct check_ctx {
    bool json, quiet, with_stats;
    json_out j;
    uint64_t datagrams, clean, unusual, malformed, dropped;
    uint64_t as_senders;    /* clean, with findings a known sender's layout has */
    uint64_t *hits; /* per rule, in catalogue order */
    const ms_rule *rules;
    size_t nrules;
    stats st;
} check_ctx;

static const char *level_name(ms_level l)
{
    return l == MS_LEVEL_MUST ? "must" : "common";
}

/* m: the datagram the finding is about (NULL for a fragment set that never
 * completed), whose sender list goes with it. */
static void print_finding(check_ctx *c, uint64_t frame, const ms_finding *f, const ms_message *m)
{
    c->hits[f->rule - c->rules]++;
    if (c->json) {
        jo_begin(&c->j, NULL);
        jo_uint(&c->j, "frame", frame);
        jo_cstr(&c->j, "rule", f->rule->id);
        jo_cstr(&c->j, "level", level_name(f->rule->level));
        jo_cstr(&c->j, "field", f->field);
        jo_uint(&c->j, "offset", f->offset);
        jo_cstr(&c->j, "text", f->text);
        if (m)
            sender_json(&c->j, m);
        jo_end_line(&c->j);
    } else if (!c->quiet) {
        if (use_color) /* must in red, common in yellow */
            printf("frame %llu: \033[%sm%s %s\033[0m %s @%zu: %s\n", (unsigned long long)frame,
                   f->rule->level == MS_LEVEL_MUST ? "1;31" : "33", f->rule->id,
                   level_name(f->rule->level), f->field, f->offset, f->text);
        else
            printf("frame %llu: %s %s %s @%zu: %s\n", (unsigned long long)frame, f->rule->id,
                   level_name(f->rule->level), f->field, f->offset, f->text);
    }
}

/* The rules on the fields a sender's layout fixes (docs/LAYOUTS.md: node
 * type, SMB header, transaction words, padding, priority, class). */
static bool layout_rule(const ms_rule *r)
{
    static const char *const ids[] = { "N-12", "S-03", "S-04", "T-04", "T-06", "T-10",
                                       "T-12", "T-13", "D-07", "X-03" };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (!strcmp(r->id, ids[i]))
            return true;
    return false;
}

/* Whether every finding of a datagram without a 'must' one is what a
 * known sender produces: the datagram has that sender's layout exactly,
 * and each finding is about a field the layout fixes (D-07 on Windows'
 * browser frames and Samba's, which never pad). X-04 (--as) is asked
 * for, so it stays unusual. */
static bool sender_explains(const ms_report *r, const ms_message *m)
{
    if (!m || !m->has_smb || !ms_sender_match(m))
        return false;
    for (size_t i = 0; i < r->count; i++)
        if (!layout_rule(r->items[i].rule))
            return false;
    return r->dropped == 0;
}

static void on_datagram(void *vctx, const dg_item *it)
{
    check_ctx *c = vctx;
    /* The pipeline validated it: F- findings first, then the rules. */
    const ms_report *r = it->findings;
    if (it->kind == MS_RX_INCOMPLETE) {
        /* Fragment sets never completed: findings without a datagram. */
        print_finding(c, it->d->frame, &r->items[0], NULL);
        return;
    }
    c->datagrams++;
    c->dropped += r->dropped;
    if (c->with_stats)
        stats_add(&c->st, it->m);
    if (r->must)
        c->malformed++;
    else if (r->count && !sender_explains(r, it->m))
        c->unusual++;
    else {
        c->clean++;
        c->as_senders += r->count > 0;
    }
    for (size_t i = 0; i < r->count; i++)
        print_finding(c, it->d->frame, &r->items[i], it->m);
}

static void print_summary(const check_ctx *c, FILE *f)
{
    fprintf(f, "datagrams %llu: clean %llu, unusual %llu, malformed %llu\n",
            (unsigned long long)c->datagrams, (unsigned long long)c->clean,
            (unsigned long long)c->unusual, (unsigned long long)c->malformed);
    if (c->as_senders)
        fprintf(f, "(%llu of the clean with 'common' findings their sender's layout has: "
                "docs/LAYOUTS.md)\n", (unsigned long long)c->as_senders);
    if (c->dropped)
        fprintf(f, "(%llu findings beyond %d per datagram were counted but not listed)\n",
                (unsigned long long)c->dropped, MS_REPORT_MAX);
    bool any = false;
    for (size_t i = 0; i < c->nrules; i++) {
        if (!c->hits[i])
            continue;
        if (!any)
            fprintf(f, "%-5s %-6s %8s  %s\n", "rule", "level", "hits", "requirement");
        any = true;
        fprintf(f, "%-5s %-6s %8llu  %s\n", c->rules[i].id, level_name(c->rules[i].level),
                (unsigned long long)c->hits[i], c->rules[i].text);
    }
}

static void list_rules(bool markdown, bool json)
{
    size_t n;
    const ms_rule *r = ms_rules(&n);
    if (json) { /* NDJSON, one object per rule */
        json_out j;
        jo_init(&j, stdout);
        for (size_t i = 0; i < n; i++) {
            jo_begin(&j, NULL);
            jo_cstr(&j, "id", r[i].id);
            jo_cstr(&j, "level", level_name(r[i].level));
            jo_cstr(&j, "field", r[i].field);
            jo_cstr(&j, "text", r[i].text);
            jo_cstr(&j, "source", r[i].source);
            jo_end_line(&j);
        }
        return;
    }
    if (markdown) {
        fputs("| ID | Level | Field | Rule | Source |\n| --- | --- | --- | --- | --- |\n", stdout);
        for (size_t i = 0; i < n; i++) {
            printf("| %s | %s | `%s` | ", r[i].id, level_name(r[i].level), r[i].field);
            for (const char *p = r[i].text; *p; p++) {
                if (*p == '|')
                    fputs("\\|", stdout);
                else
                    putchar(*p);
            }
            printf(" | %s |\n", r[i].source);
        }
        return;
    }
    for (size_t i = 0; i < n; i++)
        printf("%s  %-6s  %-26s  %s  [%s]\n", r[i].id, level_name(r[i].level), r[i].field, r[i].text,
               r[i].source);
}

/* The options of check alone: --strict, --list-rules and --markdown
 * end here. */
typedef struct check_opts_seen {
    check_ctx *c;
    bool strict, list, markdown;
    int as;                 /* an ms_layout, or -1 */
    bool bad_as;
} check_opts_seen;

static bool check_option(dg_cli *a, int key, const char *arg, void *ctx)
{
    (void)a;
    check_opts_seen *s = ctx;
    switch (key) {
    case K_JSON: s->c->json = true; return true;
    case K_STRICT: s->strict = true; return true;
    case K_STATS: s->c->with_stats = true; return true;
    case K_LIST: s->list = true; return true;
    case K_MARKDOWN: s->markdown = true; return true;
    case K_AS: {
        ms_layout l = MS_LAYOUT_WINDOWS;
        if (ms_layout_parse(arg, &l) != MS_OK) {
            cli_error("check", "--as: '%s' is not windows, windows-browser, windows-redirector, "
                               "win9x, samba-nmbd or samba-ad", arg);
            s->bad_as = true;
        }
        s->as = (int)l;
        return true;
    }
    default: return false;
    }
}

int cmd_check(int argc, char **argv)
{
    static check_ctx c;
    memset(&c, 0, sizeof c);
    static dg_cli a;
    check_opts_seen seen = { &c, false, false, false, -1, false };
    int st = dg_cli_options(&a, &cli_cmd_check, argc, argv, check_option, &seen);
    if (st != DG_CLI_GO)
        return st;
    if (seen.bad_as)
        return EXIT_USAGE;
    if (seen.list && seen.markdown && c.json) {
        cli_error("check", "--list-rules takes --markdown or --json, not both");
        return EXIT_USAGE;
    }
    if (seen.list) {
        list_rules(seen.markdown, c.json);
        return dg_cli_flush_stdout("check");
    }
    if (seen.markdown) {
        cli_error("check", "--markdown goes with --list-rules");
        return EXIT_USAGE;
    }
    c.quiet = a.quiet;
    if (dg_cli_input(&a, argc, argv, &use_color) != 0)
        return EXIT_USAGE;
    c.rules = ms_rules(&c.nrules);
    c.hits = calloc(c.nrules, sizeof *c.hits);
    if (!c.hits || (c.with_stats && stats_init(&c.st) != 0)) {
        cli_error("check", "out of memory");
        return EXIT_SYSTEM;
    }
    dg_cli_buffer_stdout();
    jo_init(&c.j, stdout);
    dg_result res;
    a.o.validate = true;
    a.o.validate_as = seen.as;
    /* Nothing prints finding texts with -q (and no --json): only counts. */
    a.o.report_flags = c.quiet && !c.json ? MS_REPORT_NO_TEXT : 0;
    int status = dg_run(&a.o, on_datagram, &c, &res);
    if (status != EXIT_OK && res.cs.frames == 0) {
        /* Nothing was readable: the one error line says why, no summary. */
        if (c.with_stats)
            stats_free(&c.st);
        free(c.hits);
        return status;
    }
    FILE *sf = c.json ? stderr : stdout;
    fflush(stdout);
    print_summary(&c, sf);
    if (c.with_stats) {
        stats_print(&c.st, sf);
        stats_free(&c.st);
    }
    if (dg_cli_flush_stdout("check") != EXIT_OK)
        status = EXIT_SYSTEM;
    if (res.cs.datagrams == 0 || res.interrupted)
        dg_print_capture_summary(&a.o, &res);
    free(c.hits);
    if (res.interrupted)
        return cli_signal_status();
    if (status != EXIT_OK)
        return status;
    if (c.malformed || (seen.strict && (c.unusual || c.as_senders)))
        return EXIT_NEGATIVE;
    return EXIT_OK;
}
