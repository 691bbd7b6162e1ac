/* SPDX-License-Identifier: MIT */
/* Strict JSON reader, see json_read.h for the contract.
 *
 * Layout: one recursive-descent pass appends nodes in pre-order (so the root
 * is node 0) and decodes every string and number lexeme into one pool of
 * NUL-terminated runs. When a container closes, its children's indices are
 * copied into one shared `kids` array, so each container's children end up
 * contiguous and json_at() is O(1) without a second pass. */
#include "json_read.h"
#include "mailslot/types.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_KEY UINT32_MAX

typedef struct json_node {
    uint8_t type;
    int32_t parent;   /* -1 for the root */
    uint32_t key_off; /* pool offset of the member key, NO_KEY if none */
    uint32_t key_len;
    uint32_t off;     /* string/number: pool offset; container: kids index */
    uint32_t len;     /* string/number: octets; container: child count */
} json_node;

struct json_doc {
    json_node *nodes;
    size_t n_nodes;
    json_ref *kids;
    char *pool;
};

typedef struct parser {
    const unsigned char *s;
    size_t len;
    size_t pos;
    json_doc *doc;
    size_t node_cap;
    size_t kids_n, kids_cap;
    size_t pool_n, pool_cap;
    json_ref *stack; /* children of the containers still open */
    size_t stack_n, stack_cap;
    char *err;
    size_t errlen;
    bool failed;
} parser;

/* ---- errors ------------------------------------------------------------ */

/* Only the first error is kept: later ones are consequences of it. */
static void fail_at(parser *p, size_t at, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    if (!p->err || p->errlen == 0)
        return;
    int n = snprintf(p->err, p->errlen, "column %zu: ", at + 1);
    if (n < 0 || (size_t)n >= p->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* What sits at `at`, for "found ..." in messages. */
static const char *describe(const parser *p, size_t at, char buf[16])
{
    if (at >= p->len)
        return "end of input";
    unsigned c = p->s[at];
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", (char)c);
    else
        snprintf(buf, 16, "byte 0x%02x", c);
    return buf;
}

static void fail_expected(parser *p, const char *what)
{
    char b[16];
    fail_at(p, p->pos, "expected %s, found %s", what, describe(p, p->pos, b));
}

/* ---- storage ----------------------------------------------------------- */

/* Make room for `need` elements of `size` octets, doubling; false on
 * overflow or allocation failure (the old block stays valid). */
static bool grow(void **ptr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 64;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return false;
        n *= 2;
    }
    if (n > SIZE_MAX / size)
        return false;
    void *q = realloc(*ptr, n * size);
    if (!q)
        return false;
    *ptr = q;
    *cap = n;
    return true;
}

static json_ref new_node(parser *p, json_type_t type, json_ref parent, uint32_t key_off,
                         uint32_t key_len)
{
    json_doc *d = p->doc;
    if (d->n_nodes >= JSON_MAX_NODES) {
        fail_at(p, p->pos, "too many values (limit %u)", JSON_MAX_NODES);
        return -1;
    }
    if (!grow((void **)&d->nodes, &p->node_cap, d->n_nodes + 1, sizeof *d->nodes)) {
        fail_at(p, p->pos, "out of memory");
        return -1;
    }
    json_node *n = &d->nodes[d->n_nodes];
    n->type = (uint8_t)type;
    n->parent = parent;
    n->key_off = key_off;
    n->key_len = key_len;
    n->off = 0;
    n->len = 0;
    return (json_ref)d->n_nodes++;
}

static bool pool_put(parser *p, const void *src, size_t n)
{
    if (!grow((void **)&p->doc->pool, &p->pool_cap, p->pool_n + n, 1)) {
        fail_at(p, p->pos, "out of memory");
        return false;
    }
    memcpy(p->doc->pool + p->pool_n, src, n);
    p->pool_n += n;
    return true;
}

static bool push_child(parser *p, json_ref r)
{
    if (!grow((void **)&p->stack, &p->stack_cap, p->stack_n + 1, sizeof *p->stack)) {
        fail_at(p, p->pos, "out of memory");
        return false;
    }
    p->stack[p->stack_n++] = r;
    return true;
}

/* Move the children pushed since `base` into the kids array. */
static bool close_container(parser *p, json_ref self, size_t base)
{
    size_t count = p->stack_n - base;
    if (!grow((void **)&p->doc->kids, &p->kids_cap, p->kids_n + count + 1,
              sizeof *p->doc->kids)) {
        fail_at(p, p->pos, "out of memory");
        return false;
    }
    if (count)
        memcpy(p->doc->kids + p->kids_n, p->stack + base, count * sizeof *p->stack);
    p->doc->nodes[self].off = (uint32_t)p->kids_n;
    p->doc->nodes[self].len = (uint32_t)count;
    p->kids_n += count;
    p->stack_n = base;
    return true;
}

/* ---- lexing ------------------------------------------------------------ */

static int peek(const parser *p)
{
    return p->pos < p->len ? p->s[p->pos] : -1;
}

static void skip_ws(parser *p)
{
    while (p->pos < p->len) {
        unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

/* Four hex digits at `at`; -1 if they are not all there. */
static long hex4(const parser *p, size_t at)
{
    if (at > p->len || p->len - at < 4)
        return -1;
    uint8_t two[2];
    size_t n;
    if (ms_hex_decode((const char *)p->s + at, 4, NULL, two, sizeof two, &n) != MS_OK)
        return -1;
    return (long)two[0] << 8 | two[1];
}

/* Length of the well-formed UTF-8 sequence at `at` (RFC 3629 table: no
 * overlongs, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_seq(const parser *p, size_t at)
{
    const unsigned char *s = p->s + at;
    size_t left = p->len - at;
    unsigned c = s[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second octet */
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        if (c == 0xED)
            hi = 0x9F; /* UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (left < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

static size_t utf8_put(unsigned long cp, unsigned char out[4])
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | cp >> 6);
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | cp >> 12);
        out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The backslash escape at p->pos, in the string that opened at start:
 * its UTF-8 octets into out (*n of them), p->pos past it. */
static bool parse_escape(parser *p, size_t start, unsigned char out[4], size_t *n)
{
    size_t esc = p->pos;
    if (p->len - esc < 2) {
        fail_at(p, start, "unterminated string");
        return false;
    }
    unsigned char e = p->s[esc + 1];
    *n = 1;
    switch (e) {
    case '"': case '\\': case '/': out[0] = e; break;
    case 'b': out[0] = '\b'; break;
    case 'f': out[0] = '\f'; break;
    case 'n': out[0] = '\n'; break;
    case 'r': out[0] = '\r'; break;
    case 't': out[0] = '\t'; break;
    case 'u': {
        long u = hex4(p, esc + 2);
        if (u < 0) {
            fail_at(p, esc, "bad \\u escape: expected 4 hex digits");
            return false;
        }
        unsigned long cp = (unsigned long)u;
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail_at(p, esc, "unpaired low surrogate \\u%04lX", cp);
            return false;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            /* A high surrogate must be followed at once by a low one. */
            long lo = -1;
            if (p->len - esc >= 12 && p->s[esc + 6] == '\\' && p->s[esc + 7] == 'u')
                lo = hex4(p, esc + 8);
            if (lo < 0xDC00 || lo > 0xDFFF) {
                fail_at(p, esc, "unpaired high surrogate \\u%04lX", cp);
                return false;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
            p->pos += 6;
        }
        *n = utf8_put(cp, out);
        p->pos += 4;
        break;
    }
    default: {
        char b[16];
        fail_at(p, esc, "invalid escape '\\' followed by %s", describe(p, esc + 1, b));
        return false;
    }
    }
    p->pos += 2;
    return true;
}

/* String at p->pos (on the opening quote): decoded into the pool with a
 * terminating NUL; *off and *len locate it there (len excludes the NUL). */
static bool parse_string(parser *p, uint32_t *off, uint32_t *len)
{
    size_t start = p->pos++;
    size_t pool_start = p->pool_n;
    for (;;) {
        if (p->pos >= p->len) {
            fail_at(p, start, "unterminated string");
            return false;
        }
        /* Copy the run of plain octets in one go. */
        size_t run = p->pos;
        while (run < p->len && p->s[run] >= 0x20 && p->s[run] < 0x80 && p->s[run] != '"' &&
               p->s[run] != '\\')
            run++;
        if (run > p->pos && !pool_put(p, p->s + p->pos, run - p->pos))
            return false;
        p->pos = run;
        if (p->pos >= p->len)
            continue; /* reports the unterminated string */

        unsigned c = p->s[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        }
        if (c < 0x20) {
            fail_at(p, p->pos, "control character 0x%02x in string (must be escaped)", c);
            return false;
        }
        if (c >= 0x80) {
            size_t n = utf8_seq(p, p->pos);
            if (!n) {
                fail_at(p, p->pos, "invalid UTF-8 in string (byte 0x%02x)", c);
                return false;
            }
            if (!pool_put(p, p->s + p->pos, n))
                return false;
            p->pos += n;
            continue;
        }

        /* Backslash escape. */
        unsigned char out[4];
        size_t n;
        if (!parse_escape(p, start, out, &n))
            return false;
        if (!pool_put(p, out, n))
            return false;
    }
    if (!pool_put(p, "", 1))
        return false;
    *off = (uint32_t)pool_start;
    *len = (uint32_t)(p->pool_n - pool_start - 1);
    return true;
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* number = [ minus ] int [ frac ] [ exp ]  (RFC 8259 §6) */
static bool parse_number(parser *p, json_ref self)
{
    size_t start = p->pos;
    if (peek(p) == '-')
        p->pos++;
    if (peek(p) == '0') {
        p->pos++;
        if (is_digit(peek(p))) {
            fail_at(p, p->pos - 1, "leading zero in number");
            return false;
        }
    } else if (is_digit(peek(p))) {
        while (is_digit(peek(p)))
            p->pos++;
    } else {
        fail_expected(p, "a digit after '-'");
        return false;
    }
    if (peek(p) == '.') {
        p->pos++;
        if (!is_digit(peek(p))) {
            fail_expected(p, "a digit after '.'");
            return false;
        }
        while (is_digit(peek(p)))
            p->pos++;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-')
            p->pos++;
        if (!is_digit(peek(p))) {
            fail_expected(p, "a digit in the exponent");
            return false;
        }
        while (is_digit(peek(p)))
            p->pos++;
    }
    size_t off = p->pool_n;
    if (!pool_put(p, p->s + start, p->pos - start) || !pool_put(p, "", 1))
        return false;
    p->doc->nodes[self].off = (uint32_t)off;
    p->doc->nodes[self].len = (uint32_t)(p->pos - start);
    return true;
}

static json_ref parse_value(parser *p, int depth, json_ref parent, uint32_t key_off,
                            uint32_t key_len);

/* Past the opening '[' or '{' and white space: true when the container
 * is empty (then past its closing character too). */
static bool open_container(parser *p, char close)
{
    p->pos++;
    skip_ws(p);
    if (peek(p) != close)
        return false;
    p->pos++;
    return true;
}

/* After a member of a container that close ends: 1 when it ends there
 * (past close), 0 when a ',' and another member follow (past the ','
 * and white space), -1 after reporting what is wrong. */
static int after_member(parser *p, char close)
{
    skip_ws(p);
    int c = peek(p);
    if (c == close) {
        p->pos++;
        return 1;
    }
    if (c != ',') {
        fail_expected(p, close == ']' ? "',' or ']'" : "',' or '}'");
        return -1;
    }
    p->pos++;
    skip_ws(p);
    if (peek(p) == close) {
        fail_at(p, p->pos, "trailing comma before '%c'", close);
        return -1;
    }
    return 0;
}

static bool parse_array(parser *p, json_ref self, int depth)
{
    size_t base = p->stack_n;
    if (open_container(p, ']'))
        return close_container(p, self, base);
    for (;;) {
        json_ref v = parse_value(p, depth, self, NO_KEY, 0);
        if (v < 0 || !push_child(p, v))
            return false;
        int next = after_member(p, ']');
        if (next != 0)
            return next > 0 && close_container(p, self, base);
    }
}

static bool parse_object(parser *p, json_ref self, int depth)
{
    size_t base = p->stack_n;
    if (open_container(p, '}'))
        return close_container(p, self, base);
    for (;;) {
        if (peek(p) != '"') {
            fail_expected(p, "a string key");
            return false;
        }
        uint32_t koff, klen;
        if (!parse_string(p, &koff, &klen))
            return false;
        skip_ws(p);
        if (peek(p) != ':') {
            fail_expected(p, "':' after the key");
            return false;
        }
        p->pos++;
        json_ref v = parse_value(p, depth, self, koff, klen);
        if (v < 0 || !push_child(p, v))
            return false;
        int next = after_member(p, '}');
        if (next != 0)
            return next > 0 && close_container(p, self, base);
    }
}

static bool match_literal(parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return false;
    p->pos += n;
    return true;
}

/* `depth` counts the containers enclosing this value. */
static json_ref parse_value(parser *p, int depth, json_ref parent, uint32_t key_off,
                            uint32_t key_len)
{
    skip_ws(p);
    int c = peek(p);
    json_type_t t;
    switch (c) {
    case '{': t = JSON_OBJECT; break;
    case '[': t = JSON_ARRAY; break;
    case '"': t = JSON_STRING; break;
    case 't': t = JSON_TRUE; break;
    case 'f': t = JSON_FALSE; break;
    case 'n': t = JSON_NULL; break;
    default:
        if (c == '-' || is_digit(c)) {
            t = JSON_NUMBER;
            break;
        }
        fail_expected(p, "a value");
        return -1;
    }
    if ((t == JSON_OBJECT || t == JSON_ARRAY) && depth >= JSON_MAX_DEPTH) {
        fail_at(p, p->pos, "nesting deeper than %d levels", JSON_MAX_DEPTH);
        return -1;
    }
    json_ref self = new_node(p, t, parent, key_off, key_len);
    if (self < 0)
        return -1;
    bool ok;
    switch (t) {
    case JSON_OBJECT: ok = parse_object(p, self, depth + 1); break;
    case JSON_ARRAY: ok = parse_array(p, self, depth + 1); break;
    case JSON_NUMBER: ok = parse_number(p, self); break;
    case JSON_STRING: {
        uint32_t off, len;
        ok = parse_string(p, &off, &len);
        if (ok) {
            p->doc->nodes[self].off = off;
            p->doc->nodes[self].len = len;
        }
        break;
    }
    default: {
        const char *word = t == JSON_TRUE ? "true" : t == JSON_FALSE ? "false" : "null";
        ok = match_literal(p, word);
        if (!ok)
            fail_at(p, p->pos, "invalid literal (expected '%s')", word);
        break;
    }
    }
    return ok ? self : -1;
}

json_doc *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (len > JSON_MAX_TEXT) {
        if (err && errlen)
            snprintf(err, errlen, "document is %zu octets, over the %u-octet limit", len,
                     JSON_MAX_TEXT);
        return NULL;
    }
    if (!text && len) {
        if (err && errlen)
            snprintf(err, errlen, "no input");
        return NULL;
    }
    parser p = { 0 };
    p.s = (const unsigned char *)(text ? text : "");
    p.len = len;
    p.err = err;
    p.errlen = errlen;
    p.doc = calloc(1, sizeof *p.doc);
    if (!p.doc) {
        fail_at(&p, 0, "out of memory");
        return NULL;
    }
    /* Decoded text never outgrows its source plus a NUL per lexeme, so
     * one allocation usually suffices; pool_put still grows if needed. */
    if (!grow((void **)&p.doc->pool, &p.pool_cap, len + 2, 1)) {
        fail_at(&p, 0, "out of memory");
        json_free(p.doc);
        return NULL;
    }

    json_ref root = parse_value(&p, 0, -1, NO_KEY, 0);
    if (root >= 0) {
        skip_ws(&p);
        if (p.pos < p.len) {
            char b[16];
            fail_at(&p, p.pos, "unexpected %s after the JSON value", describe(&p, p.pos, b));
        }
    }
    free(p.stack);
    if (p.failed) {
        json_free(p.doc);
        return NULL;
    }
    return p.doc;
}

void json_free(json_doc *doc)
{
    if (!doc)
        return;
    free(doc->nodes);
    free(doc->kids);
    free(doc->pool);
    free(doc);
}

/* ---- access ------------------------------------------------------------ */

static const json_node *node(const json_doc *d, json_ref r)
{
    if (!d || r < 0 || (size_t)r >= d->n_nodes)
        return NULL;
    return &d->nodes[r];
}

json_ref json_root(const json_doc *doc)
{
    return doc && doc->n_nodes ? 0 : -1;
}

json_type_t json_type(const json_doc *doc, json_ref r)
{
    const json_node *n = node(doc, r);
    return n ? (json_type_t)n->type : JSON_NONE;
}

const char *json_type_name(json_type_t t)
{
    switch (t) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_NUMBER: return "number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
    default: return "none";
    }
}

static bool is_container(const json_node *n)
{
    return n && (n->type == JSON_OBJECT || n->type == JSON_ARRAY);
}

size_t json_len(const json_doc *doc, json_ref r)
{
    const json_node *n = node(doc, r);
    return is_container(n) ? n->len : 0;
}

json_ref json_at(const json_doc *doc, json_ref r, size_t i)
{
    const json_node *n = node(doc, r);
    if (!is_container(n) || i >= n->len)
        return -1;
    return doc->kids[n->off + i];
}

const char *json_key(const json_doc *doc, json_ref r, size_t *len)
{
    const json_node *n = node(doc, r);
    if (!n || n->key_off == NO_KEY) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = n->key_len;
    return doc->pool + n->key_off;
}

json_ref json_getn(const json_doc *doc, json_ref obj, const char *key, size_t keylen)
{
    const json_node *n = node(doc, obj);
    if (!n || n->type != JSON_OBJECT || !key)
        return -1;
    /* Backwards, so that the last duplicate wins. */
    for (size_t i = n->len; i-- > 0;) {
        json_ref v = doc->kids[n->off + i];
        const json_node *m = &doc->nodes[v];
        if (m->key_len == keylen && memcmp(doc->pool + m->key_off, key, keylen) == 0)
            return v;
    }
    return -1;
}

json_ref json_get(const json_doc *doc, json_ref obj, const char *key)
{
    return key ? json_getn(doc, obj, key, strlen(key)) : -1;
}

json_ref json_path(const json_doc *doc, json_ref r, const char *dotted)
{
    if (!node(doc, r) || !dotted)
        return -1;
    const char *s = dotted;
    if (!*s)
        return r;
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        if (n == 0)
            return -1;
        json_type_t t = json_type(doc, r);
        if (t == JSON_OBJECT) {
            r = json_getn(doc, r, s, n);
        } else if (t == JSON_ARRAY) {
            size_t idx = 0;
            for (size_t i = 0; i < n; i++) {
                if (!is_digit((unsigned char)s[i]) || idx > (SIZE_MAX - 9) / 10)
                    return -1;
                idx = idx * 10 + (size_t)(s[i] - '0');
            }
            r = json_at(doc, r, idx);
        } else {
            return -1;
        }
        if (r < 0 || !dot)
            return r;
        s = dot + 1;
    }
}

/* The text of a number or string node (r of type t), or NULL. */
static const char *node_text(const json_doc *doc, json_ref r, json_type_t t, size_t *len)
{
    const json_node *n = node(doc, r);
    if (!n || n->type != t) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = n->len;
    return doc->pool + n->off;
}

const char *json_num_text(const json_doc *doc, json_ref r, size_t *len)
{
    return node_text(doc, r, JSON_NUMBER, len);
}

bool json_u64(const json_doc *doc, json_ref r, uint64_t *out)
{
    size_t len;
    const char *s = json_num_text(doc, r, &len);
    if (!s || len == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        /* Sign, '.', 'e' all land here: only plain digits are exact. */
        if (!is_digit((unsigned char)s[i]))
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (out)
        *out = v;
    return true;
}

bool json_double(const json_doc *doc, json_ref r, double *out)
{
    size_t len;
    const char *s = json_num_text(doc, r, &len);
    if (!s)
        return false;
    /* strtod honours LC_NUMERIC; JSON always uses '.', so swap it in. */
    const char *dp = localeconv()->decimal_point;
    double v;
    if (!dp || strcmp(dp, ".") == 0 || !memchr(s, '.', len)) {
        char *end;
        v = strtod(s, &end);
        if (end != s + len)
            return false;
    } else {
        size_t dpl = strlen(dp);
        char *tmp = malloc(len + dpl + 1);
        if (!tmp)
            return false;
        size_t k = 0;
        for (size_t i = 0; i < len; i++) {
            if (s[i] == '.') {
                memcpy(tmp + k, dp, dpl);
                k += dpl;
            } else {
                tmp[k++] = s[i];
            }
        }
        tmp[k] = '\0';
        char *end;
        v = strtod(tmp, &end);
        bool whole = end == tmp + k;
        free(tmp);
        if (!whole)
            return false;
    }
    if (isinf(v))
        return false;
    if (out)
        *out = v;
    return true;
}

bool json_bool(const json_doc *doc, json_ref r, bool *out)
{
    json_type_t t = json_type(doc, r);
    if (t != JSON_TRUE && t != JSON_FALSE)
        return false;
    if (out)
        *out = t == JSON_TRUE;
    return true;
}

const char *json_str(const json_doc *doc, json_ref r, size_t *len)
{
    return node_text(doc, r, JSON_STRING, len);
}

bool json_str_latin1(const json_doc *doc, json_ref r, uint8_t *out, size_t cap, size_t *len)
{
    size_t sl;
    const unsigned char *s = (const unsigned char *)json_str(doc, r, &sl);
    *len = 0;
    if (!s)
        return false;
    size_t n = 0;
    /* The pool holds validated UTF-8, so only U+0000..U+00FF need decoding:
     * one octet below 0x80, or C2/C3 plus one continuation octet. Any other
     * lead octet starts a code point above U+00FF. */
    for (size_t i = 0; i < sl; n++) {
        unsigned c = s[i];
        unsigned v;
        if (c < 0x80) {
            v = c;
            i++;
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < sl) {
            v = (c & 0x1F) << 6 | (s[i + 1] & 0x3F);
            i += 2;
        } else {
            return false;
        }
        if (n < cap)
            out[n] = (uint8_t)v;
    }
    *len = n;
    return n <= cap;
}

bool json_hex(const json_doc *doc, json_ref r, uint8_t *out, size_t cap, size_t *len)
{
    size_t sl;
    const char *s = json_str(doc, r, &sl);
    *len = 0;
    if (!s)
        return false;
    ms_status st = ms_hex_decode(s, sl, NULL, out, cap, len);
    if (st == MS_ERR_INVALID_ARG)
        *len = 0;
    return st == MS_OK;
}
