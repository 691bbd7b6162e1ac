/* SPDX-License-Identifier: MIT */
/* A small strict JSON (RFC 8259) reader for the CLI: `mailslot encode` reads
 * the NDJSON that `mailslot decode --json` writes, one document per line.
 *
 * json_parse() turns one JSON text into an immutable tree owned by a json_doc.
 * Nodes are addressed by json_ref indices (-1 = none); every accessor accepts
 * a NULL doc or a -1/out-of-range ref and then simply fails, so lookups can be
 * chained without checking each step (json_u64(d, json_get(d, o, "k"), &v)).
 *
 * Strictness: the text must be UTF-8 (overlong forms, surrogates and code
 * points above U+10FFFF are rejected), whitespace is only space, tab, CR and
 * LF, no BOM, no comments, no trailing commas, no leading zeros, no trailing
 * garbage. Unpaired \uD800-\uDFFF escapes are rejected.
 *
 * Duplicate object keys are accepted; lookups by key find the LAST member
 * with that key (as JavaScript and Python do). Positional access (json_at)
 * still sees every member in document order.
 *
 * Limits keep a hostile line from costing more than a bounded amount of
 * memory and stack; exceeding one is a parse error. */
#ifndef MS_TOOLS_JSON_READ_H
#define MS_TOOLS_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_TEXT  (16u << 20) /* octets in one document */
#define JSON_MAX_DEPTH 64          /* nested arrays/objects; the root counts */
#define JSON_MAX_NODES (1u << 21)  /* values (not keys) in one document */

typedef struct json_doc json_doc;
typedef int json_ref; /* node index; -1 = none */

typedef enum json_type_t {
    JSON_NONE = 0, /* returned for an invalid ref */
    JSON_OBJECT,
    JSON_ARRAY,
    JSON_STRING,
    JSON_NUMBER,
    JSON_TRUE,
    JSON_FALSE,
    JSON_NULL
} json_type_t;

/* Parse exactly one JSON text of len octets (no NUL terminator needed; text
 * may be NULL when len is 0). Leading/trailing whitespace is allowed, so a
 * line with its "\n" can be passed as is. Returns NULL on failure with a
 * message in err (if errlen > 0) of the form
 *     "column 17: expected ',' or '}', found 'x'"
 * where the column is the 1-based byte offset into text. The document does
 * not point into text; text may be freed after parsing. */
json_doc *json_parse(const char *text, size_t len, char *err, size_t errlen);
void json_free(json_doc *doc);

json_ref json_root(const json_doc *doc);
json_type_t json_type(const json_doc *doc, json_ref r);
const char *json_type_name(json_type_t t); /* "object", "array", ... */

/* Number of elements (array) or members (object); 0 for anything else. */
size_t json_len(const json_doc *doc, json_ref r);
/* i-th element of an array or i-th member value of an object (document
 * order, duplicates included); -1 if out of range or not a container. O(1). */
json_ref json_at(const json_doc *doc, json_ref r, size_t i);
/* Key of the object member whose value is r (as returned by json_at or
 * json_get); NULL if r is not an object member. len may be NULL. */
const char *json_key(const json_doc *doc, json_ref r, size_t *len);

/* Member value by key; -1 if absent or obj is not an object. Last duplicate
 * wins. json_getn takes a counted key (keys may contain "\u0000"). */
json_ref json_get(const json_doc *doc, json_ref obj, const char *key);
json_ref json_getn(const json_doc *doc, json_ref obj, const char *key, size_t keylen);
/* Follow a dotted path such as "trans.data_offset" from r. A segment made
 * of decimal digits indexes an array ("items.0.name"). An empty path returns
 * r itself; an empty segment ("a..b") or a missing step yields -1. Keys that
 * contain '.' cannot be reached this way; use json_get. */
json_ref json_path(const json_doc *doc, json_ref r, const char *dotted);

/* Exact non-negative integer: the lexeme must be plain digits (no sign,
 * fraction or exponent, so "-0", "1.0" and "1e3" fail) and fit in 64 bits. */
bool json_u64(const json_doc *doc, json_ref r, uint64_t *out);
/* Any number as a double (locale-independent). Fails if not a number or if
 * the magnitude overflows to infinity; underflow rounds towards zero. */
bool json_double(const json_doc *doc, json_ref r, double *out);
bool json_bool(const json_doc *doc, json_ref r, bool *out);
/* The number's lexeme exactly as written, NUL-terminated; NULL if r is not a
 * number. len may be NULL. */
const char *json_num_text(const json_doc *doc, json_ref r, size_t *len);

/* Decoded string value as UTF-8, NUL-terminated; may contain embedded NULs
 * from "\u0000", so use len (may be NULL) when that matters. NULL if r is not
 * a string. The pointer lives as long as doc. */
const char *json_str(const json_doc *doc, json_ref r, size_t *len);

/* Byte-string views of a string value. Both write at most cap octets to out
 * (out may be NULL when cap is 0) and set *len (required, non-NULL):
 *  - on success: the number of octets written;
 *  - on failure because only cap is too small: the number of octets needed
 *    (always > cap), so callers can report "too long";
 *  - on any other failure (not a string, bad character): 0.
 * On failure the contents of out are unspecified.
 * json_str_latin1: every code point must be <= U+00FF and becomes one octet.
 * json_hex: an even number of hex digits, either case, nothing else ("" is
 * zero octets); "0a1B" -> 0x0a 0x1b. */
bool json_str_latin1(const json_doc *doc, json_ref r, uint8_t *out, size_t cap, size_t *len);
bool json_hex(const json_doc *doc, json_ref r, uint8_t *out, size_t cap, size_t *len);

#endif
