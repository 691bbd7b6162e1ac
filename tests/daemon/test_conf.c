/* SPDX-License-Identifier: MIT */
/* mailslotd's configuration file (daemon/conf.c) and the values it shares
 * with the command line (daemon/values.c): every key, comments and blanks,
 * each refusal with its line number, the size bounds, reading a file, and
 * how the options override the file (daemon/opts.c). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "opts.h"
#include "values.h"

static md_conf C;
static char err[400];

static ms_status parse(const char *text)
{
    err[0] = '\0';
    return md_conf_parse(text, strlen(text), &C, err, sizeof err);
}

START_TEST(every_key)
{
    const char *t = "# mailslotd.conf\n"
                    "; also a comment\n"
                    "\n"
                    "   name = alias1   \n"
                    "name=Alias2<20>\r\n"
                    "\tworkgroup\t=\tmslab\n"
                    "interface = veth0\n"
                    "interface = eth1\n"
                    "wins = 192.0.2.10\n"
                    "queue = 128\n"
                    "rcvbuf = 8388608\n"
                    "user = mailslot\n"
                    "nmbd_socket_dir = /srv/samba sock\n"
                    "   # indented comment";
    ck_assert_int_eq(parse(t), MS_OK);
    ck_assert_uint_eq(C.nnames, 2);
    ck_assert_mem_eq(C.names[0], "ALIAS1         \x00", 16);
    ck_assert_mem_eq(C.names[1], "ALIAS2         \x20", 16);
    ck_assert_str_eq(C.workgroup, "MSLAB");
    ck_assert_uint_eq(C.line_workgroup, 6);
    ck_assert_uint_eq(C.nifaces, 2);
    ck_assert_str_eq(C.ifaces[1], "eth1");
    ck_assert_uint_eq(C.wins, 0xC000020Au);
    ck_assert_uint_eq(C.queue, 128);
    ck_assert_uint_eq(C.rcvbuf, 8388608);
    ck_assert_uint_eq(C.line_rcvbuf, 11);
    ck_assert_str_eq(C.user, "mailslot");
    ck_assert_str_eq(C.nmbd_dir, "/srv/samba sock");
    ck_assert_uint_eq(C.line_nmbd_dir, 13);
    /* Nothing at all, and only comments: no keys. */
    ck_assert_int_eq(parse(""), MS_OK);
    ck_assert_int_eq(parse("#\n\n   \n;x\n"), MS_OK);
    ck_assert_uint_eq(C.nnames + C.nifaces + C.line_queue + C.line_wins + C.line_rcvbuf, 0);
}
END_TEST

/* Each refusal: its status and its words, with the line number. */
static void refused(const char *text, const char *want)
{
    ck_assert_int_eq(parse(text), MS_ERR_BAD_INPUT);
    ck_assert_msg(strstr(err, want) != NULL, "'%s': got '%s', want '%s'", text, err, want);
}

START_TEST(refusals_name_the_line)
{
    refused("name = A\nnmae = B\n", "line 2: unknown key 'nmae'");
    refused("\n\nworkgroup\n", "line 3: expected 'key = value'");
    refused("= x\n", "line 1: no key before '='");
    refused("Name = x\n", "line 1: a key is lower-case letters");
    refused("queue =   \n", "line 1: queue: no value after '='");
    refused("workgroup = A\nworkgroup = B\n", "line 2: workgroup given twice (first on line 1)");
    refused("name = TOOLONGNAMEFORNETBIOS\n", "line 1: name: 'TOOLONGNAMEFORNETBIOS': longer than 15");
    refused("name = A B\n", "a blank is not allowed");
    refused("name = A\xe9\n", "a control or non-ASCII character is not allowed");
    refused("name = A.B\n", "character '.' is not allowed");
    refused("name = A<0g>\n", "the suffix must be <xx>");
    refused("name = <00>\n", "the name is empty");
    refused("workgroup = W<00>\n", "a workgroup has no <xx> suffix");
    refused("interface = a/b\n", "not an interface name");
    refused("interface = abcdefghijklmnop\n", "1 to 15 characters");
    refused("wins = 192.0.2\n", "wins: '192.0.2': not a unicast IPv4 address");
    refused("wins = 255.255.255.255\n", "not a unicast IPv4 address");
    refused("queue = 0\n", "not a number from 1 to 4096");
    refused("queue = 4097\n", "not a number from 1 to 4096");
    refused("queue = 12x\n", "not a number");
    refused("queue = 99999999999\n", "not a number");
    refused("rcvbuf = 65535\n", "rcvbuf: '65535': not a number from 65536 to 1073741824");
    refused("rcvbuf = 1073741825\n", "not a number from 65536 to 1073741824");
    refused("rcvbuf = 65536\nrcvbuf = 65537\n", "line 2: rcvbuf given twice (first on line 1)");
    refused("user = -x\n", "a user name has");
    refused("nmbd_socket_dir = run/samba\n", "nmbd_socket_dir: 'run/samba': an absolute path");
    refused("nmbd_socket_dir = /a\nnmbd_socket_dir = /b\n", "line 2: nmbd_socket_dir given twice");
    refused("nmbd_socket_dir = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            "aaaaaaaaaaaaaaaaaaaaa\n", "at most 95 octets");
    refused("name = a\x01\n", "line 1: control character 0x01 at column 9");
    /* A NUL in the middle of a line is a control character too. */
    ck_assert_int_eq(md_conf_parse("name = a\0b\n", 11, &C, err, sizeof err), MS_ERR_BAD_INPUT);
    ck_assert_msg(strstr(err, "control character 0x00") != NULL, "%s", err);
}
END_TEST

START_TEST(bounds)
{
    char big[MD_CONF_MAX_BYTES + 2];
    /* The longest line taken, one more refused. */
    memset(big, ' ', sizeof big);
    memcpy(big, "name=A", 6);
    ck_assert_int_eq(md_conf_parse(big, MD_CONF_MAX_LINE, &C, err, sizeof err), MS_OK);
    ck_assert_int_eq(md_conf_parse(big, MD_CONF_MAX_LINE + 1, &C, err, sizeof err),
                     MS_ERR_BAD_INPUT);
    ck_assert_msg(strstr(err, "line 1: longer than 1024 octets") != NULL, "%s", err);
    /* The largest file taken (lines of blanks), one octet more refused. */
    memset(big, ' ', sizeof big);
    for (size_t i = 99; i < sizeof big; i += 100)
        big[i] = '\n';
    ck_assert_int_eq(md_conf_parse(big, MD_CONF_MAX_BYTES, &C, err, sizeof err), MS_OK);
    ck_assert_int_eq(md_conf_parse(big, MD_CONF_MAX_BYTES + 1, &C, err, sizeof err),
                     MS_ERR_TOO_BIG);
    /* Repeatable keys have bounds too. */
    char many[400] = "";
    for (int i = 0; i <= MD_MAX_NAMES; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "name = N%d\n", i);
    refused(many, "line 9: more than 8 names");
    many[0] = '\0';
    for (int i = 0; i <= MD_MAX_IFACES; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "interface = e%d\n", i);
    refused(many, "line 9: more than 8 interfaces");
    /* A tiny error buffer is never overrun. */
    char small[8];
    ck_assert_int_eq(md_conf_parse("x\n", 2, &C, small, sizeof small), MS_ERR_BAD_INPUT);
    ck_assert_uint_eq(strlen(small), 7);
}
END_TEST

START_TEST(load_a_file)
{
    char path[] = "/tmp/md_conf_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    static const char text[] = "name = FROMFILE\nqueue = 9\n";
    ck_assert_int_eq(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    ck_assert_int_eq(md_conf_load(path, &C, err, sizeof err), MS_OK);
    ck_assert_uint_eq(C.queue, 9);
    unlink(path);
    ck_assert_int_eq(md_conf_load(path, &C, err, sizeof err), MS_ERR_NOT_FOUND);
    ck_assert_msg(strstr(err, "No such file") != NULL && strstr(err, path) == err, "%s", err);
    ck_assert_int_eq(md_conf_load("/", &C, err, sizeof err), MS_ERR_SYSTEM);
    ck_assert_msg(strstr(err, "/: Is a directory") != NULL, "%s", err);
    /* A refusal names the file and the line. */
    strcpy(path, "/tmp/md_conf_XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_eq(write(fd, "\nbogus = 1\n", 11), 11);
    close(fd);
    ck_assert_int_eq(md_conf_load(path, &C, err, sizeof err), MS_ERR_BAD_INPUT);
    char want[100];
    snprintf(want, sizeof want, "%s: line 2: unknown key 'bogus'", path);
    ck_assert_msg(strstr(err, want) == err, "%s", err);
    unlink(path);
}
END_TEST

/* The arguments end with (const char *)NULL: a bare NULL may be a plain 0. */
static int cli(md_cli *c, const char *a0, ...)
{
    char *argv[32] = { "mailslotd" };
    int argc = 1;
    va_list ap;
    va_start(ap, a0);
    for (const char *a = a0; a && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    return md_cli_parse(argc, argv, c);
}

START_TEST(options_override_the_file)
{
    ck_assert_int_eq(parse("name = F1\nname = F2\nworkgroup = FILEWG\ninterface = f0\nqueue = 5\n"
                           "nmbd_socket_dir = /file/dir\n"
                           "rcvbuf = 131072\n"),
                     MS_OK);
    md_cli o;
    md_settings s;
    ck_assert_int_eq(cli(&o, "-F", (const char *)NULL), -1);
    md_settings_make(&C, &o, &s);
    ck_assert_uint_eq(s.nnames, 2);
    ck_assert_str_eq(s.workgroup, "FILEWG");
    ck_assert_uint_eq(s.queue, 5);
    ck_assert_str_eq(s.nmbd_dir, "/file/dir");
    ck_assert_uint_eq(s.rcvbuf, 131072);
    ck_assert(o.foreground);
    ck_assert_str_eq(o.conf_path, MD_DEFAULT_CONF);
    ck_assert_uint_eq(o.port, 138);
    /* A list on the command line replaces the file's list. */
    ck_assert_int_eq(cli(&o, "--name", "cli<03>", "-w", "wg2", "-i", "c0", "-i", "c1", "-q", "7",
                         "--rcvbuf", "262144", "--port", "5138", "--name-port", "5137", "-c", "/x.conf",
                         "--nmbd-socket-dir", "/cli/dir", (const char *)NULL),
                     -1);
    md_settings_make(&C, &o, &s);
    ck_assert_uint_eq(s.nnames, 1);
    ck_assert_mem_eq(s.names[0], "CLI            \x03", 16);
    ck_assert_str_eq(s.workgroup, "WG2");
    ck_assert_uint_eq(s.nifaces, 2);
    ck_assert_str_eq(s.ifaces[0], "c0");
    ck_assert_uint_eq(s.queue, 7);
    ck_assert_uint_eq(s.rcvbuf, 262144);
    ck_assert_uint_eq(o.port, 5138);
    ck_assert_uint_eq(o.name_port, 5137);
    ck_assert_str_eq(s.nmbd_dir, "/cli/dir");
    ck_assert(o.conf_given);
    /* No file: the defaults. */
    md_settings_make(NULL, &(md_cli){ 0 }, &s);
    ck_assert_str_eq(s.workgroup, "WORKGROUP");
    ck_assert_uint_eq(s.queue, MD_QUEUE_DEFAULT);
    ck_assert_str_eq(s.nmbd_dir, "/run/samba/nmbd");
    ck_assert_uint_eq(s.rcvbuf, MD_RCVBUF);
    /* Bad options: exit 2. */
    ck_assert_int_eq(cli(&o, "--queue", "0", (const char *)NULL), 2);
    ck_assert_int_eq(cli(&o, "--port", "70000", (const char *)NULL), 2);
    ck_assert_int_eq(cli(&o, "--wins", "x", (const char *)NULL), 2);
    ck_assert_int_eq(cli(&o, "--bogus", (const char *)NULL), 2);
    ck_assert_int_eq(cli(&o, "--nmbd-socket-dir", "relative", (const char *)NULL), 2);
    ck_assert_int_eq(cli(&o, "extra", (const char *)NULL), 2);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("daemon_conf");
    TCase *t = tcase_create("conf");
    tcase_add_test(t, every_key);
    tcase_add_test(t, refusals_name_the_line);
    tcase_add_test(t, bounds);
    tcase_add_test(t, load_a_file);
    tcase_add_test(t, options_override_the_file);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
