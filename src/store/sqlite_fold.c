/* sqlite_fold — the SQL function clv_fold(text): lower-cases every character, not only
 * ASCII as SQLite's lower() does, so that q (SPEC §5.9) is case-insensitive for "Ölkanne"
 * too. Simple (one-to-one) case mapping from the C library's C.UTF-8 locale. */
#include <locale.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <wctype.h>

#include "store/sqlite_impl.h"

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
    size_t len = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3
               : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    unsigned v = len == 1 ? p[0] : len == 2 ? (p[0] & 0x1Fu) : len == 3 ? (p[0] & 0x0Fu)
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
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t len = decode(in + i, n - i, &cp);
        if (len == 0) {
            out[o++] = in[i++];
            continue;
        }
        if (utf8_locale != (locale_t)0)
            cp = (unsigned)towlower_l((wint_t)cp, utf8_locale);
        o += encode(cp, out + o);
        i += len;
    }
    sqlite3_result_text(ctx, (const char *)out, (int)o, free);
}

int clv_sqlite_register_fold(sqlite3 *db)
{
    pthread_once(&locale_once, locale_init);
    return sqlite3_create_function(db, "clv_fold", 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                   fold, NULL, NULL);
}
