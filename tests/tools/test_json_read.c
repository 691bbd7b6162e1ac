/* SPDX-License-Identifier: MIT */
/* Unit tests for the CLI's JSON reader (tools/in/json_read.c). The test
 * executables link only the library, so the reader's source is included. */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "json_read.c"

/* ---- helpers ----------------------------------------------------------- */

static json_doc *parse_ok_n(const char *text, size_t len)
{
    char err[256] = "unset";
    json_doc *d = json_parse(text, len, err, sizeof err);
    ck_assert_msg(d != NULL, "parse of \"%.*s\" failed: %s", (int)(len > 80 ? 80 : len), text,
                  err);
    ck_assert_str_eq(err, "");
    return d;
}

static json_doc *parse_ok(const char *text)
{
    return parse_ok_n(text, strlen(text));
}

/* Column reported in err, or 0 if the message has none. */
static size_t err_column(const char *err)
{
    size_t col = 0;
    if (sscanf(err, "column %zu:", &col) != 1)
        return 0;
    return col;
}

static void expect_fail_n(const char *text, size_t len, size_t col, const char *needle)
{
    char err[256] = "";
    json_doc *d = json_parse(text, len, err, sizeof err);
    ck_assert_msg(d == NULL, "\"%.*s\" parsed but must fail", (int)len, text);
    ck_assert_msg(strstr(err, needle) != NULL, "\"%.*s\": message \"%s\" lacks \"%s\"", (int)len,
                  text, err, needle);
    ck_assert_msg(err_column(err) == col, "\"%.*s\": message \"%s\", expected column %zu",
                  (int)len, text, err, col);
}

static void expect_str(const json_doc *d, json_ref r, const char *want, size_t want_len)
{
    size_t len = 12345;
    const char *s = json_str(d, r, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(len, want_len);
    ck_assert_mem_eq(s, want, want_len);
    ck_assert_int_eq(s[len], '\0');
}

/* ---- valid documents --------------------------------------------------- */

START_TEST(test_scalars)
{
    static const struct {
        const char *text;
        json_type_t type;
    } cases[] = {
        { "null", JSON_NULL },       { "true", JSON_TRUE },     { "false", JSON_FALSE },
        { "0", JSON_NUMBER },        { "-12.5e+3", JSON_NUMBER }, { "\"\"", JSON_STRING },
        { "{}", JSON_OBJECT },       { "[]", JSON_ARRAY },      { " \t\r\n 7 \r\n", JSON_NUMBER },
        { "\"x\"\n", JSON_STRING },  { "[ ]", JSON_ARRAY },     { "{ \n }", JSON_OBJECT },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_doc *d = parse_ok(cases[i].text);
        json_ref r = json_root(d);
        ck_assert_int_eq(r, 0);
        ck_assert_int_eq(json_type(d, r), cases[i].type);
        ck_assert_uint_eq(json_len(d, r), 0);
        ck_assert_int_eq(json_at(d, r, 0), -1);
        ck_assert_ptr_null(json_key(d, r, NULL));
        json_free(d);
    }
}
END_TEST

START_TEST(test_bool_and_type_names)
{
    json_doc *d = parse_ok("[true,false,null,1]");
    bool b = false;
    ck_assert(json_bool(d, json_at(d, 0, 0), &b));
    ck_assert(b);
    ck_assert(json_bool(d, json_at(d, 0, 1), &b));
    ck_assert(!b);
    ck_assert(!json_bool(d, json_at(d, 0, 2), &b));
    ck_assert(!json_bool(d, json_at(d, 0, 3), &b));
    ck_assert_str_eq(json_type_name(json_type(d, json_at(d, 0, 2))), "null");
    ck_assert_str_eq(json_type_name(json_type(d, 0)), "array");
    ck_assert_str_eq(json_type_name(JSON_OBJECT), "object");
    ck_assert_str_eq(json_type_name(JSON_NONE), "none");
    json_free(d);
}
END_TEST

START_TEST(test_object_access)
{
    json_doc *d = parse_ok(" { \"a\" : 1 , \"bb\":\"two\", \"c\":[3], \"\":null } ");
    json_ref o = json_root(d);
    ck_assert_int_eq(json_type(d, o), JSON_OBJECT);
    ck_assert_uint_eq(json_len(d, o), 4);

    static const char *keys[] = { "a", "bb", "c", "" };
    static const json_type_t types[] = { JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_NULL };
    for (size_t i = 0; i < 4; i++) {
        json_ref v = json_at(d, o, i);
        size_t kl = 99;
        const char *k = json_key(d, v, &kl);
        ck_assert_ptr_nonnull(k);
        ck_assert_str_eq(k, keys[i]);
        ck_assert_uint_eq(kl, strlen(keys[i]));
        ck_assert_int_eq(json_type(d, v), types[i]);
        ck_assert_int_eq(json_get(d, o, keys[i]), v);
    }
    ck_assert_int_eq(json_at(d, o, 4), -1);
    ck_assert_int_eq(json_get(d, o, "missing"), -1);
    ck_assert_int_eq(json_get(d, o, "b"), -1);  /* prefix of "bb" */
    ck_assert_int_eq(json_get(d, o, "bbb"), -1);
    expect_str(d, json_get(d, o, "bb"), "two", 3);
    uint64_t u = 0;
    ck_assert(json_u64(d, json_get(d, o, "a"), &u));
    ck_assert_uint_eq(u, 1);
    /* The array element has no key, and get on a non-object fails. */
    json_ref c = json_get(d, o, "c");
    ck_assert_ptr_null(json_key(d, json_at(d, c, 0), NULL));
    ck_assert_int_eq(json_get(d, c, "0"), -1);
    ck_assert(json_u64(d, json_at(d, c, 0), &u));
    ck_assert_uint_eq(u, 3);
    json_free(d);
}
END_TEST

START_TEST(test_duplicate_keys_last_wins)
{
    json_doc *d = parse_ok("{\"k\":1,\"x\":0,\"k\":2}");
    uint64_t u = 0;
    ck_assert(json_u64(d, json_get(d, 0, "k"), &u));
    ck_assert_uint_eq(u, 2);
    /* Both members stay visible by position. */
    ck_assert_uint_eq(json_len(d, 0), 3);
    ck_assert(json_u64(d, json_at(d, 0, 0), &u));
    ck_assert_uint_eq(u, 1);
    json_free(d);
}
END_TEST

START_TEST(test_embedded_nul_key)
{
    json_doc *d = parse_ok("{\"a\\u0000b\":1,\"a\":2}");
    json_ref v = json_getn(d, 0, "a\0b", 3);
    uint64_t u = 0;
    ck_assert(json_u64(d, v, &u));
    ck_assert_uint_eq(u, 1);
    ck_assert(json_u64(d, json_get(d, 0, "a"), &u));
    ck_assert_uint_eq(u, 2);
    size_t kl = 0;
    const char *k = json_key(d, v, &kl);
    ck_assert_uint_eq(kl, 3);
    ck_assert_mem_eq(k, "a\0b", 4);
    json_free(d);
}
END_TEST

START_TEST(test_nesting)
{
    json_doc *d = parse_ok("[[1,[2,[3]]],{\"a\":[true,false,null],\"b\":{}},[],4]");
    json_ref r = json_root(d);
    ck_assert_uint_eq(json_len(d, r), 4);
    json_ref a0 = json_at(d, r, 0);
    ck_assert_uint_eq(json_len(d, a0), 2);
    json_ref a01 = json_at(d, a0, 1);
    ck_assert_uint_eq(json_len(d, a01), 2);
    json_ref a011 = json_at(d, a01, 1);
    ck_assert_uint_eq(json_len(d, a011), 1);
    uint64_t u = 0;
    ck_assert(json_u64(d, json_at(d, a011, 0), &u));
    ck_assert_uint_eq(u, 3);
    ck_assert(json_u64(d, json_at(d, a01, 0), &u));
    ck_assert_uint_eq(u, 2);

    json_ref o = json_at(d, r, 1);
    json_ref arr = json_get(d, o, "a");
    ck_assert_uint_eq(json_len(d, arr), 3);
    ck_assert_int_eq(json_type(d, json_at(d, arr, 0)), JSON_TRUE);
    ck_assert_int_eq(json_type(d, json_at(d, arr, 1)), JSON_FALSE);
    ck_assert_int_eq(json_type(d, json_at(d, arr, 2)), JSON_NULL);
    ck_assert_int_eq(json_type(d, json_get(d, o, "b")), JSON_OBJECT);
    ck_assert_uint_eq(json_len(d, json_get(d, o, "b")), 0);
    ck_assert_uint_eq(json_len(d, json_at(d, r, 2)), 0);
    ck_assert(json_u64(d, json_at(d, r, 3), &u));
    ck_assert_uint_eq(u, 4);
    json_free(d);
}
END_TEST

START_TEST(test_depth_limit)
{
    char buf[2 * 200 + 1];
    /* Exactly JSON_MAX_DEPTH levels parse. */
    for (int i = 0; i < 64; i++)
        buf[i] = '[', buf[64 + i] = ']';
    json_doc *d = parse_ok_n(buf, 128);
    json_ref r = json_root(d);
    for (int i = 1; i < 64; i++) {
        r = json_at(d, r, 0);
        ck_assert_int_eq(json_type(d, r), JSON_ARRAY);
    }
    ck_assert_uint_eq(json_len(d, r), 0);
    json_free(d);

    /* One more fails at the 65th opener. */
    for (int i = 0; i < 65; i++)
        buf[i] = '[', buf[65 + i] = ']';
    expect_fail_n(buf, 130, 65, "nesting deeper than 64");

    /* Objects count too, and a very deep input fails without recursing. */
    memset(buf, 0, sizeof buf);
    size_t n = 0;
    for (int i = 0; i < 64; i++) {
        memcpy(buf + n, "{\"k\":", 5);
        n += 5;
    }
    buf[n++] = '[';
    expect_fail_n(buf, n, n, "nesting");

    size_t big = 1000000;
    char *deep = malloc(big);
    ck_assert_ptr_nonnull(deep);
    memset(deep, '[', big);
    expect_fail_n(deep, big, 65, "nesting");
    free(deep);
}
END_TEST

/* ---- strings ----------------------------------------------------------- */

START_TEST(test_string_escapes)
{
    json_doc *d = parse_ok("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\","
                           "\"\\u0041\\u00e9\\u20AC\","
                           "\"\\uD83D\\uDE00\\ud83d\\ude00\","
                           "\"a\\u0000b\","
                           "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\","
                           "\"\\uDBFF\\uDFFF\\u0080\\u07FF\\u0800\\uFFFF\","
                           "\"plain text with spaces\"]");
    json_ref r = json_root(d);
    expect_str(d, json_at(d, r, 0), "\"\\/\b\f\n\r\t", 8);
    expect_str(d, json_at(d, r, 1), "A\xC3\xA9\xE2\x82\xAC", 6);
    expect_str(d, json_at(d, r, 2), "\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 8);
    expect_str(d, json_at(d, r, 3), "a\0b", 3);
    expect_str(d, json_at(d, r, 4), "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9);
    expect_str(d, json_at(d, r, 5), "\xF4\x8F\xBF\xBF\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF",
               14);
    expect_str(d, json_at(d, r, 6), "plain text with spaces", 22);
    /* json_str refuses non-strings. */
    size_t len = 7;
    ck_assert_ptr_null(json_str(d, r, &len));
    ck_assert_uint_eq(len, 0);
    json_free(d);
}
END_TEST

START_TEST(test_long_string)
{
    size_t n = 200000;
    char *t = malloc(n + 3);
    ck_assert_ptr_nonnull(t);
    t[0] = '"';
    for (size_t i = 0; i < n; i++)
        t[1 + i] = (char)('a' + i % 26);
    t[n + 1] = '"';
    json_doc *d = parse_ok_n(t, n + 2);
    size_t len = 0;
    const char *s = json_str(d, 0, &len);
    ck_assert_uint_eq(len, n);
    ck_assert_mem_eq(s, t + 1, n);
    json_free(d);
    free(t);
}
END_TEST

/* ---- numbers ----------------------------------------------------------- */

START_TEST(test_u64)
{
    json_doc *d = parse_ok("[0,1,18446744073709551615,18446744073709551616,-0,-1,1.0,1e3,"
                           "1E3,0.5,99999999999999999999999,\"5\",null,4294967296]");
    json_ref r = json_root(d);
    uint64_t u = 77;
    ck_assert(json_u64(d, json_at(d, r, 0), &u));
    ck_assert_uint_eq(u, 0);
    ck_assert(json_u64(d, json_at(d, r, 1), &u));
    ck_assert_uint_eq(u, 1);
    ck_assert(json_u64(d, json_at(d, r, 2), &u));
    ck_assert(u == UINT64_MAX);
    ck_assert(json_u64(d, json_at(d, r, 13), &u));
    ck_assert(u == 4294967296ull);
    for (size_t i = 3; i <= 12; i++) {
        u = 77;
        ck_assert_msg(!json_u64(d, json_at(d, r, i), &u), "element %zu accepted", i);
        ck_assert_uint_eq(u, 77); /* untouched on failure */
    }
    ck_assert(!json_u64(d, -1, &u));
    ck_assert(!json_u64(NULL, 0, &u));
    json_free(d);
}
END_TEST

START_TEST(test_number_text_and_double)
{
    json_doc *d = parse_ok("[1.50E+3,-2.5e-3,0,-0,1e400,1e-400,123456789012345678901234567890,"
                           "0.1,-0.0,\"1\"]");
    json_ref r = json_root(d);
    size_t len = 0;
    ck_assert_str_eq(json_num_text(d, json_at(d, r, 0), &len), "1.50E+3");
    ck_assert_uint_eq(len, 7);
    ck_assert_str_eq(json_num_text(d, json_at(d, r, 3), NULL), "-0");
    ck_assert_ptr_null(json_num_text(d, json_at(d, r, 9), &len));

    double v = 0;
    ck_assert(json_double(d, json_at(d, r, 0), &v));
    ck_assert(v == 1500.0);
    ck_assert(json_double(d, json_at(d, r, 1), &v));
    ck_assert(v == -0.0025);
    ck_assert(json_double(d, json_at(d, r, 2), &v));
    ck_assert(v == 0.0);
    v = 5;
    ck_assert(!json_double(d, json_at(d, r, 4), &v)); /* overflow to inf */
    ck_assert(v == 5);
    ck_assert(json_double(d, json_at(d, r, 5), &v)); /* underflow rounds */
    ck_assert(v == 0.0);
    ck_assert(json_double(d, json_at(d, r, 6), &v));
    ck_assert(v > 1.2345678e29 && v < 1.2345679e29);
    ck_assert(json_double(d, json_at(d, r, 7), &v));
    ck_assert(v == 0.1);
    ck_assert(json_double(d, json_at(d, r, 8), &v));
    ck_assert(v == 0.0 && signbit(v));
    ck_assert(!json_double(d, json_at(d, r, 9), &v));
    json_free(d);
}
END_TEST

/* A locale with a decimal comma must not change how "1.5" reads. Only
 * meaningful where such a locale is installed; otherwise it checks "C". */
START_TEST(test_double_locale)
{
    static const char *names[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8",
                                   "nl_NL.UTF-8", "ru_RU.UTF-8" };
    const char *old = setlocale(LC_NUMERIC, NULL);
    char saved[64];
    snprintf(saved, sizeof saved, "%s", old ? old : "C");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (setlocale(LC_NUMERIC, names[i]))
            break;
    json_doc *d = parse_ok("[1.5,-0.25e1]");
    double v = 0;
    ck_assert(json_double(d, json_at(d, 0, 0), &v));
    ck_assert(v == 1.5);
    ck_assert(json_double(d, json_at(d, 0, 1), &v));
    ck_assert(v == -2.5);
    json_free(d);
    setlocale(LC_NUMERIC, saved);
}
END_TEST

/* ---- invalid documents ------------------------------------------------- */

static const struct bad_case {
    const char *text;
    size_t column;
    const char *needle;
} bad_cases[] = {
    { "", 1, "expected a value, found end of input" },
    { "   ", 4, "expected a value" },
    { "\"abc", 1, "unterminated string" },
    { "[\"ab\\", 2, "unterminated string" },
    { "{\"a\":\"x}", 6, "unterminated string" },
    { "\"a\\qb\"", 3, "invalid escape" },
    { "\"a\\'\"", 3, "invalid escape" },
    { "\"\\u12G4\"", 2, "bad \\u escape" },
    { "\"\\u00\"", 2, "bad \\u escape" },
    { "\"\\U0041\"", 2, "invalid escape" },
    { "\"\\uD800\"", 2, "unpaired high surrogate \\uD800" },
    { "\"ab\\uD83D\\u0041\"", 4, "unpaired high surrogate" },
    { "\"\\uD83Dx\"", 2, "unpaired high surrogate" },
    { "\"\\uD83D\\uD83D\"", 2, "unpaired high surrogate" },
    { "\"\\uD83D\\uE000\"", 2, "unpaired high surrogate" },
    { "\"\\uDC00\"", 2, "unpaired low surrogate \\uDC00" },
    { "\"\\uDE00\\uD83D\"", 2, "unpaired low surrogate" },
    { "[1,2,]", 6, "trailing comma before ']'" },
    { "{\"a\":1,}", 8, "trailing comma before '}'" },
    { "{\"a\":1, }", 9, "trailing comma" },
    { "01", 1, "leading zero" },
    { "[-01]", 3, "leading zero" },
    { "00", 1, "leading zero" },
    { "\"a\tb\"", 3, "control character 0x09" },
    { "\"a\nb\"", 3, "control character 0x0a" },
    { "\"\x1f\"", 2, "control character 0x1f" },
    { "{\"a\":1} x", 9, "unexpected 'x' after the JSON value" },
    { "{\"a\":1}}", 8, "unexpected '}'" },
    { "1 2", 3, "unexpected '2'" },
    { "[1 2]", 4, "expected ',' or ']', found '2'" },
    { "[1", 3, "expected ',' or ']', found end of input" },
    { "{\"a\" 1}", 6, "expected ':' after the key" },
    { "{\"a\":1 \"b\":2}", 8, "expected ',' or '}', found '\"'" },
    { "{\"a\":1", 7, "expected ',' or '}'" },
    { "{a:1}", 2, "expected a string key, found 'a'" },
    { "{\"a\":1,\"b\"}", 11, "expected ':'" },
    { "{\"a\":}", 6, "expected a value, found '}'" },
    { "[1,,2]", 4, "expected a value, found ','" },
    { "[,1]", 2, "expected a value" },
    { "tru", 1, "invalid literal (expected 'true')" },
    { "nul", 1, "invalid literal" },
    { "[falsy]", 2, "invalid literal" },
    { "truex", 5, "unexpected 'x'" },
    { "True", 1, "expected a value, found 'T'" },
    { "-", 2, "expected a digit after '-'" },
    { "-a", 2, "expected a digit after '-'" },
    { "1.", 3, "expected a digit after '.'" },
    { "1.e5", 3, "expected a digit after '.'" },
    { "1e", 3, "expected a digit in the exponent" },
    { "1e+", 4, "expected a digit in the exponent" },
    { ".5", 1, "expected a value, found '.'" },
    { "+1", 1, "expected a value, found '+'" },
    { "0x10", 2, "unexpected 'x'" },
    { "NaN", 1, "expected a value" },
    { "Infinity", 1, "expected a value" },
    { "-Infinity", 2, "expected a digit" },
    { "'a'", 1, "expected a value, found '''" },
    { "// c\n1", 1, "expected a value, found '/'" },
    { "\xEF\xBB\xBF{}", 1, "expected a value, found byte 0xef" },
    { "\x0c" "1", 1, "found byte 0x0c" },
    { "[1]\x0b", 4, "unexpected byte 0x0b" },
    { "\"\xC0\xAF\"", 2, "invalid UTF-8" },
    { "\"ab\xED\xA0\x80\"", 4, "invalid UTF-8" },
    { "\"\xF4\x90\x80\x80\"", 2, "invalid UTF-8" },
    { "\"\xE2\x82\"", 2, "invalid UTF-8" },
    { "\"\xE2\x82", 2, "invalid UTF-8" },
    { "\"\x80\"", 2, "invalid UTF-8" },
    { "\"\xFF\"", 2, "invalid UTF-8" },
    { "\"\xF0\x8F\xBF\xBF\"", 2, "invalid UTF-8" },
    { "\"\xE0\x9F\xBF\"", 2, "invalid UTF-8" },
    { "\"\xF5\x80\x80\x80\"", 2, "invalid UTF-8" },
    { "\"\xC1\xBF\"", 2, "invalid UTF-8" },
    { "\"a\xE2\x28\xA1\"", 3, "invalid UTF-8" },
    { "[\xC3\xA9]", 2, "found byte 0xc3" },
};

START_TEST(test_invalid)
{
    const struct bad_case *c = &bad_cases[_i];
    expect_fail_n(c->text, strlen(c->text), c->column, c->needle);
}
END_TEST

START_TEST(test_invalid_embedded_nul)
{
    expect_fail_n("[1]\0", 4, 4, "unexpected byte 0x00");
    expect_fail_n("\"a\0b\"", 5, 3, "control character 0x00");
    expect_fail_n("\0", 1, 1, "expected a value, found byte 0x00");
    /* The length is honoured: the NUL-free prefix alone is fine. */
    json_doc *d = parse_ok_n("[1]\0garbage", 3);
    ck_assert_uint_eq(json_len(d, 0), 1);
    json_free(d);
}
END_TEST

/* Input that ends right before a PROT_NONE page: a read past len faults. */
START_TEST(test_no_overread)
{
    static const char *cases[] = {
        "[1,2",    "\"ab",      "tru",       "fals",    "\"\\u12", "\"\\uD83D\\uDE",
        "\"\\uD83D\\", "1e",    "-",         "1.",      "\"\xE2\x82", "\"\xF0\x9F\x98",
        "\"\\",    "{\"a\"",    "{\"a\":",   "[",       "{",       "0",
        "123",     "true",      "\"x\"",     "[1,2]",   "{\"a\":[]}", "\"\\uD83D\\uDE00\"",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = strlen(cases[i]);
        const char *g = (const char *)guarded_copy(cases[i], n);
        char err[128];
        json_doc *d = json_parse(g, n, err, sizeof err);
        bool valid = i >= 17;
        ck_assert_msg((d != NULL) == valid, "\"%s\": %s", cases[i], d ? "parsed" : err);
        if (!d)
            ck_assert_uint_gt(err_column(err), 0);
        json_free(d);
    }
}
END_TEST

START_TEST(test_error_buffer)
{
    char small[12];
    memset(small, 'Z', sizeof small);
    ck_assert_ptr_null(json_parse("[1,]", 4, small, sizeof small));
    ck_assert_uint_eq(strlen(small), sizeof small - 1); /* truncated, terminated */
    ck_assert_mem_eq(small, "column 4: t", 11);
    ck_assert_ptr_null(json_parse("[1,]", 4, NULL, 0));
    char one[1] = { 'Z' };
    ck_assert_ptr_null(json_parse("[1,]", 4, one, 1));
    ck_assert_int_eq(one[0], '\0');
    /* NULL text is only fine with length 0 (and then is empty input). */
    char err[128];
    ck_assert_ptr_null(json_parse(NULL, 0, err, sizeof err));
    ck_assert_str_eq(err, "column 1: expected a value, found end of input");
    ck_assert_ptr_null(json_parse(NULL, 5, err, sizeof err));
    ck_assert_str_eq(err, "no input");
    /* Success clears a stale message. */
    json_doc *d = json_parse("1", 1, err, sizeof err);
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(err, "");
    json_free(d);
}
END_TEST

START_TEST(test_size_limits)
{
    char err[128];
    size_t n = JSON_MAX_TEXT + 1;
    char *t = malloc(n);
    ck_assert_ptr_nonnull(t);
    memset(t, ' ', n);
    t[0] = '0';
    ck_assert_ptr_null(json_parse(t, n, err, sizeof err));
    ck_assert_msg(strstr(err, "over the 16777216-octet limit") != NULL, "%s", err);
    /* Exactly at the limit is accepted. */
    json_doc *d = json_parse(t, n - 1, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    json_free(d);

    /* One value more than JSON_MAX_NODES: the array plus N zeros. */
    size_t zeros = JSON_MAX_NODES;
    size_t len = 0;
    t[len++] = '[';
    for (size_t i = 0; i < zeros; i++) {
        t[len++] = '0';
        t[len++] = ',';
    }
    t[len - 1] = ']';
    ck_assert_ptr_null(json_parse(t, len, err, sizeof err));
    ck_assert_msg(strstr(err, "too many values") != NULL, "%s", err);
    ck_assert_uint_eq(err_column(err), len - 1);
    /* One zero fewer fits exactly. */
    t[len - 3] = ']';
    d = json_parse(t, len - 2, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    ck_assert_uint_eq(json_len(d, 0), zeros - 1);
    free(t);
    json_free(d);
}
END_TEST

/* ---- paths and accessors ----------------------------------------------- */

START_TEST(test_path)
{
    json_doc *d = parse_ok("{\"trans\":{\"data_offset\":86,\"setup\":[1,{\"name\":\"x\"}]},"
                           "\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}],"
                           "\"obj\":{\"0\":\"zero\"},\"n\":5,"
                           "\"big\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19],"
                           "\"\":{\"x\":1,\"\":{\"y\":2}}}");
    json_ref r = json_root(d);
    uint64_t u = 0;
    ck_assert(json_u64(d, json_path(d, r, "trans.data_offset"), &u));
    ck_assert_uint_eq(u, 86);
    expect_str(d, json_path(d, r, "items.1.name"), "b", 1);
    expect_str(d, json_path(d, r, "trans.setup.1.name"), "x", 1);
    expect_str(d, json_path(d, r, "obj.0"), "zero", 4);
    ck_assert_int_eq(json_path(d, r, ""), r);
    /* An empty key is reachable with json_get only. */
    ck_assert(json_u64(d, json_get(d, json_get(d, r, ""), "x"), &u));
    ck_assert_uint_eq(u, 1);
    ck_assert_int_eq(json_path(d, r, "trans"), json_get(d, r, "trans"));
    ck_assert(json_u64(d, json_path(d, r, "big.19"), &u));
    ck_assert_uint_eq(u, 19);
    ck_assert(json_u64(d, json_path(d, r, "big.007"), &u)); /* decimal, not octal */
    ck_assert_uint_eq(u, 7);
    /* Relative to an inner node. */
    ck_assert(json_u64(d, json_path(d, json_get(d, r, "trans"), "data_offset"), &u));

    static const char *bad[] = { "missing", "trans.missing", "trans..data_offset", ".trans",
                                 "trans.", "items.2.name", "items.x", "items.-1", "items.1x",
                                 "n.x", "items.99999999999999999999999999", "trans.data_offset.x",
                                 "big.:", "big.;", ".x", "..y", "trans..", "x.", "big.1:", "big. 1", "big.+1", "big.20" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(json_path(d, r, bad[i]) == -1, "path \"%s\" resolved", bad[i]);
    ck_assert_int_eq(json_path(d, -1, "trans"), -1);
    ck_assert_int_eq(json_path(d, r, NULL), -1);
    ck_assert_int_eq(json_path(NULL, 0, "trans"), -1);
    json_free(d);
}
END_TEST

START_TEST(test_invalid_refs)
{
    json_doc *d = parse_ok("[\"s\"]");
    json_ref bad[] = { -1, -7, 2, 1000000 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_ref r = bad[i];
        size_t len = 9;
        uint8_t o[4];
        ck_assert_int_eq(json_type(d, r), JSON_NONE);
        ck_assert_uint_eq(json_len(d, r), 0);
        ck_assert_int_eq(json_at(d, r, 0), -1);
        ck_assert_int_eq(json_get(d, r, "a"), -1);
        ck_assert_ptr_null(json_str(d, r, &len));
        ck_assert_ptr_null(json_key(d, r, &len));
        ck_assert_ptr_null(json_num_text(d, r, &len));
        ck_assert(!json_hex(d, r, o, sizeof o, &len));
        ck_assert(!json_str_latin1(d, r, o, sizeof o, &len));
        ck_assert_uint_eq(len, 0);
    }
    ck_assert_int_eq(json_root(NULL), -1);
    ck_assert_int_eq(json_type(NULL, 0), JSON_NONE);
    ck_assert_int_eq(json_get(d, 0, NULL), -1);
    json_free(NULL);
    json_free(d);
}
END_TEST

/* ---- byte-string views ------------------------------------------------- */

START_TEST(test_hex)
{
    json_doc *d = parse_ok("[\"\",\"0a1B\",\"ABCDEFabcdef0123456789\",\"abc\",\"zz\",\" 0a\","
                           "\"0x0a\",\"0a\\u0000\",5,\"00ff\",\"\\u0030\\u0041\"]");
    json_ref r = json_root(d);
    uint8_t o[16];
    size_t len = 99;

    ck_assert(json_hex(d, json_at(d, r, 0), NULL, 0, &len));
    ck_assert_uint_eq(len, 0);
    ck_assert(json_hex(d, json_at(d, r, 1), o, sizeof o, &len));
    ck_assert_uint_eq(len, 2);
    ck_assert_mem_eq(o, "\x0a\x1b", 2);
    ck_assert(json_hex(d, json_at(d, r, 2), o, sizeof o, &len));
    ck_assert_uint_eq(len, 11);
    ck_assert_mem_eq(o, "\xab\xcd\xef\xab\xcd\xef\x01\x23\x45\x67\x89", 11);
    ck_assert(json_hex(d, json_at(d, r, 10), o, sizeof o, &len)); /* escaped digits */
    ck_assert_uint_eq(len, 1);
    ck_assert_uint_eq(o[0], 0x0a);

    /* Malformed: odd, non-hex, whitespace, prefix, NUL, not a string. */
    for (size_t i = 3; i <= 8; i++) {
        len = 99;
        ck_assert_msg(!json_hex(d, json_at(d, r, i), o, sizeof o, &len), "element %zu", i);
        ck_assert_uint_eq(len, 0);
    }

    /* Capacity: exact fits, one short reports the need. */
    ck_assert(json_hex(d, json_at(d, r, 9), o, 2, &len));
    ck_assert_uint_eq(len, 2);
    ck_assert_mem_eq(o, "\x00\xff", 2);
    memset(o, 0xEE, sizeof o);
    ck_assert(!json_hex(d, json_at(d, r, 9), o, 1, &len));
    ck_assert_uint_eq(len, 2);
    ck_assert(!json_hex(d, json_at(d, r, 2), NULL, 0, &len));
    ck_assert_uint_eq(len, 11);
    json_free(d);
}
END_TEST

START_TEST(test_latin1)
{
    json_doc *d = parse_ok("[\"abc\",\"\\u00ff\\u0000\\u0080\",\"\xC3\xA9\xC2\xA0\",\"\\u0100\","
                           "\"\xE2\x82\xAC\",\"\\uD83D\\uDE00\",\"\",true,\"x\\u0101\","
                           "\"\\u00C0\\u00c1\\u007F\"]");
    json_ref r = json_root(d);
    uint8_t o[8];
    size_t len = 99;

    ck_assert(json_str_latin1(d, json_at(d, r, 0), o, sizeof o, &len));
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(o, "abc", 3);
    ck_assert(json_str_latin1(d, json_at(d, r, 1), o, sizeof o, &len));
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(o, "\xff\x00\x80", 3);
    ck_assert(json_str_latin1(d, json_at(d, r, 2), o, sizeof o, &len)); /* raw UTF-8 */
    ck_assert_uint_eq(len, 2);
    ck_assert_mem_eq(o, "\xe9\xa0", 2);
    ck_assert(json_str_latin1(d, json_at(d, r, 6), NULL, 0, &len));
    ck_assert_uint_eq(len, 0);
    ck_assert(json_str_latin1(d, json_at(d, r, 9), o, 3, &len));
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(o, "\xc0\xc1\x7f", 3);

    /* Above U+00FF (2-, 3- and 4-octet UTF-8), or not a string. */
    for (size_t i = 3; i <= 8; i++) {
        if (i == 6)
            continue;
        len = 99;
        ck_assert_msg(!json_str_latin1(d, json_at(d, r, i), o, sizeof o, &len), "element %zu", i);
        ck_assert_uint_eq(len, 0);
    }

    /* Capacity: the need is reported in code points, not UTF-8 octets. */
    ck_assert(!json_str_latin1(d, json_at(d, r, 1), o, 2, &len));
    ck_assert_uint_eq(len, 3);
    ck_assert(!json_str_latin1(d, json_at(d, r, 0), NULL, 0, &len));
    ck_assert_uint_eq(len, 3);
    /* A bad code point after the capacity runs out still fails with 0. */
    ck_assert(!json_str_latin1(d, json_at(d, r, 8), NULL, 0, &len));
    ck_assert_uint_eq(len, 0);
    json_free(d);
}
END_TEST

/* ---- a large document -------------------------------------------------- */

START_TEST(test_one_megabyte)
{
    /* Shaped like decode --json output: many records plus a long hex blob. */
    size_t cap = 2u << 20, n = 0;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    n += (size_t)snprintf(t + n, cap - n, "{\"frames\":[");
    const size_t records = 12000;
    for (size_t i = 0; i < records; i++)
        n += (size_t)snprintf(t + n, cap - n,
                              "%s{\"index\":%zu,\"name\":\"WORKGROUP\\u00e9%zu\",\"ok\":%s,"
                              "\"trans\":{\"data_offset\":%zu}}",
                              i ? "," : "", i, i, i % 2 ? "true" : "false", 86 + i);
    n += (size_t)snprintf(t + n, cap - n, "],\"data\":\"");
    const size_t blob = 300000;
    for (size_t i = 0; i < blob; i++)
        n += (size_t)snprintf(t + n, cap - n, "%02x", (unsigned)(i * 7 & 0xFF));
    n += (size_t)snprintf(t + n, cap - n, "\"}\n");
    ck_assert_uint_gt(n, 1u << 20);
    ck_assert_uint_lt(n, cap);

    json_doc *d = parse_ok_n(t, n);
    free(t); /* the document must not point into the text */
    json_ref frames = json_path(d, json_root(d), "frames");
    ck_assert_uint_eq(json_len(d, frames), records);
    for (size_t i = 0; i < records; i += 997) {
        json_ref f = json_at(d, frames, i);
        uint64_t u = 0;
        ck_assert(json_u64(d, json_get(d, f, "index"), &u));
        ck_assert_uint_eq(u, i);
        ck_assert(json_u64(d, json_path(d, f, "trans.data_offset"), &u));
        ck_assert_uint_eq(u, 86 + i);
        bool b;
        ck_assert(json_bool(d, json_get(d, f, "ok"), &b));
        ck_assert(b == (i % 2 == 1));
        uint8_t name[32];
        size_t len = 0;
        char want[32];
        int wl = snprintf(want, sizeof want, "WORKGROUP\xe9%zu", i);
        ck_assert(json_str_latin1(d, json_get(d, f, "name"), name, sizeof name, &len));
        ck_assert_uint_eq(len, (size_t)wl);
        ck_assert_mem_eq(name, want, len);
    }
    uint8_t *data = malloc(blob);
    ck_assert_ptr_nonnull(data);
    size_t len = 0;
    ck_assert(json_hex(d, json_path(d, 0, "data"), data, blob, &len));
    ck_assert_uint_eq(len, blob);
    for (size_t i = 0; i < blob; i++)
        if (data[i] != (uint8_t)(i * 7))
            ck_abort_msg("data[%zu] = %u", i, data[i]);
    free(data);
    json_free(d);
}
END_TEST

static Suite *json_suite(void)
{
    Suite *s = suite_create("json_read");
    TCase *tc = tcase_create("valid");
    tcase_add_test(tc, test_scalars);
    tcase_add_test(tc, test_bool_and_type_names);
    tcase_add_test(tc, test_object_access);
    tcase_add_test(tc, test_duplicate_keys_last_wins);
    tcase_add_test(tc, test_embedded_nul_key);
    tcase_add_test(tc, test_nesting);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_string_escapes);
    tcase_add_test(tc, test_long_string);
    suite_add_tcase(s, tc);

    tc = tcase_create("numbers");
    tcase_add_test(tc, test_u64);
    tcase_add_test(tc, test_number_text_and_double);
    tcase_add_test(tc, test_double_locale);
    suite_add_tcase(s, tc);

    tc = tcase_create("invalid");
    tcase_add_loop_test(tc, test_invalid, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tc, test_invalid_embedded_nul);
    tcase_add_test(tc, test_no_overread);
    tcase_add_test(tc, test_error_buffer);
    tcase_add_test(tc, test_size_limits);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("access");
    tcase_add_test(tc, test_path);
    tcase_add_test(tc, test_invalid_refs);
    tcase_add_test(tc, test_hex);
    tcase_add_test(tc, test_latin1);
    tcase_add_test(tc, test_one_megabyte);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(json_suite(), NULL);
}
