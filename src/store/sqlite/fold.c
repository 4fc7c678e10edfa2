/* fold — the SQL functions of q (docs/DESIGN.md R9):
 *   clv_fold(text): lower-cases every character, not only ASCII as SQLite's lower() does,
 *     so that q is case-insensitive for "Ölkanne" too. Simple (one-to-one) case mapping
 *     from the C library's C.UTF-8 locale.
 *   clv_grams(text): the words clients_grams (migration 4) indexes for q of 1 and 2
 *     characters: every character and every pair of neighbours of the folded text, each
 *     as one ASCII word of hex code points ("g61" for a, "g61x62" for ab), so that FTS5's
 *     ascii tokenizer takes them as they are, whatever the characters.
 *   clv_q_tags(service_id, tenant_id, status, words): the tags both indexes of q hold
 *     beside a name, so that a list with q and those filters is one query of the index:
 *     each a 36-bit hash of "kind:value", as three private-use characters (one trigram)
 *     for clients_fts, or as the word "t<hex>" (words = 1) for clients_grams. A hash that
 *     collides costs time only: the list statement checks every filter itself. */
#include <locale.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "store/sqlite/impl.h"

static locale_t utf8_locale;
static pthread_once_t locale_once = PTHREAD_ONCE_INIT;

static void locale_init(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Decodes one UTF-8 character at p (n bytes left) into *cp; returns its length, or 0 for
 * a malformed one (then the byte is copied as it is). */
static size_t decode(const unsigned char *p, size_t n, unsigned *cp)
{
    size_t len = p[0] < 0x80             ? 1
                 : (p[0] & 0xE0) == 0xC0 ? 2
                 : (p[0] & 0xF0) == 0xE0 ? 3
                 : (p[0] & 0xF8) == 0xF0 ? 4
                                         : 0;
    unsigned v = len == 1   ? p[0]
                 : len == 2 ? (p[0] & 0x1Fu)
                 : len == 3 ? (p[0] & 0x0Fu)
                            : (p[0] & 0x07u);

    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3Fu);
    }
    *cp = v;
    return len;
}

static size_t encode(unsigned cp, unsigned char *out)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

unsigned clv_sqlite_fold_char(const unsigned char *in, size_t n, size_t i, size_t *len)
{
    unsigned cp;

    if ((*len = decode(in + i, n - i, &cp)) == 0) {
        *len = 1;
        return in[i];
    }
    if (utf8_locale != (locale_t)0)
        cp = (unsigned)towlower_l((wint_t)cp, utf8_locale);
    return cp;
}

static void fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const unsigned char *in = sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]), o = 0;
    unsigned char *out;

    (void)argc;
    if (in == NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    if ((out = malloc(n * 2 + 4)) == NULL) { /* a folded character is at most 4 bytes */
        sqlite3_result_error_nomem(ctx);
        return;
    }
    for (size_t i = 0, len; i < n; i += len) {
        unsigned cp = clv_sqlite_fold_char(in, n, i, &len);
        if (len == 1 && cp == in[i] && cp >= 0x80) /* a malformed byte, copied as it is */
            out[o++] = in[i];
        else
            o += encode(cp, out + o);
    }
    sqlite3_result_text(ctx, (const char *)out, (int)o, free);
}

/* Longest word: "g" + 6 hex digits + "x" + 6 hex digits, a space and the NUL. */
enum { GRAM_MAX = 16 };

static size_t gram_word(char *out, unsigned a, const unsigned *b)
{
    int n =
        b == NULL ? snprintf(out, GRAM_MAX, "g%x ", a) : snprintf(out, GRAM_MAX, "g%xx%x ", a, *b);

    return n > 0 && n < GRAM_MAX ? (size_t)n : 0; /* a code point has at most 6 hex digits */
}

size_t clv_sqlite_grams(const char *text, char *out, size_t cap)
{
    const unsigned char *in = (const unsigned char *)text;
    size_t n = strlen(text), o = 0, len;
    unsigned prev = 0;

    for (size_t i = 0; i < n && o + 2 * GRAM_MAX < cap; i += len) {
        unsigned cp = clv_sqlite_fold_char(in, n, i, &len);
        o += gram_word(out + o, cp, NULL);
        if (i > 0)
            o += gram_word(out + o, prev, &cp);
        prev = cp;
    }
    o -= o > 0; /* the last space */
    out[o] = '\0';
    return o;
}

bool clv_sqlite_gram_query(const char *q, char out[32])
{
    const unsigned char *in = (const unsigned char *)q;
    size_t n = strlen(q), len, len2;
    unsigned a, b;

    if (n == 0)
        return false;
    a = clv_sqlite_fold_char(in, n, 0, &len);
    if (len == n) {
        gram_word(out, a, NULL);
    } else {
        b = clv_sqlite_fold_char(in, n, len, &len2);
        if (len + len2 != n)
            return false;
        gram_word(out, a, &b);
    }
    out[strlen(out) - 1] = '\0'; /* the space */
    return true;
}

uint64_t clv_sqlite_q_tag_hash(char kind, const char *value)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */

    h = (h ^ (unsigned char)kind) * 1099511628211u;
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++)
        h = (h ^ *p) * 1099511628211u;
    return h & 0xFFFFFFFFFu;
}

size_t clv_sqlite_q_tag(char kind, const char *value, bool words, char *out)
{
    uint64_t h = clv_sqlite_q_tag_hash(kind, value);
    size_t o = 0;

    if (words)
        return (size_t)snprintf(out, CLV_SQLITE_Q_TAG_MAX, "t%09llx", (unsigned long long)h);
    for (int i = 2; i >= 0; i--) /* U+E000 … U+EFFF, three bytes each in UTF-8 */
        o += encode(0xE000u + (unsigned)((h >> (12 * i)) & 0xFFF), (unsigned char *)out + o);
    out[o] = '\0';
    return o;
}

size_t clv_sqlite_q_tags(const char *service_id, const char *tenant_id, int status, bool words,
                         char *out)
{
    char st[16];
    size_t o = 0;

    snprintf(st, sizeof st, "%d", status);
    o += clv_sqlite_q_tag('s', service_id, words, out + o);
    out[o++] = ' ';
    o += clv_sqlite_q_tag('t', tenant_id, words, out + o);
    out[o++] = ' ';
    o += clv_sqlite_q_tag('a', st, words, out + o);
    return o;
}

static void tags(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *service = (const char *)sqlite3_value_text(argv[0]);
    const char *tenant = (const char *)sqlite3_value_text(argv[1]);
    char out[3 * CLV_SQLITE_Q_TAG_MAX];

    (void)argc;
    if (service == NULL || tenant == NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_text(ctx, out,
                        (int)clv_sqlite_q_tags(service, tenant, sqlite3_value_int(argv[2]),
                                               sqlite3_value_int(argv[3]) != 0, out),
                        SQLITE_TRANSIENT);
}

static void grams(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *in = (const char *)sqlite3_value_text(argv[0]);
    size_t cap;
    char *out;

    (void)argc;
    if (in == NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    cap = (size_t)sqlite3_value_bytes(argv[0]) * 2 * GRAM_MAX + 1;
    if ((out = malloc(cap)) == NULL) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    sqlite3_result_text(ctx, out, (int)clv_sqlite_grams(in, out, cap), free);
}

int clv_sqlite_register_fold(sqlite3 *db)
{
    pthread_once(&locale_once, locale_init);
    int rc = sqlite3_create_function(db, "clv_fold", 1,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                     fold, NULL, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "clv_grams", 1,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                     grams, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "clv_q_tags", 4,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                     tags, NULL, NULL);
    return rc;
}
