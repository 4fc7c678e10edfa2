/* jwt — compact JWS (RFC 7515 §7.1) signing and verification of the tokens Clavis issues:
 * RFC 9068 access tokens and OIDC ID tokens, under RS256, ES256 (RFC 7518 §3.3, §3.4) or
 * EdDSA with Ed25519 (RFC 8037 §3.1). Keys and their pre-encoded headers come from
 * keys.c.
 *
 * Thread safety: each thread keeps its own contexts (ready_ctx); the keyset's EVP_PKEYs
 * are only read, which OpenSSL 3 allows from many threads at once. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "base/b64.h"
#include "base/perthread.h"
#include "crypto/jwt.h"
#include "crypto/jwt_int.h"

enum {
    TOKEN_MAX = 16 * 1024, /* longer than anything Clavis signs; refused before parsing */
    ES256_COORD = 32,      /* RFC 7518 §3.4: R and S as 32-byte big-endian each */
    ES256_SIG = 2 * ES256_COORD,
    ED25519_SIG = 64 /* RFC 8032 §5.1.6 */
};

/* RFC 7518 §3.4: JWS carries an ECDSA signature as R || S, fixed length, where OpenSSL
 * speaks the DER SEQUENCE of RFC 3279 §2.2.3. */
static bool ecdsa_der_to_raw(const unsigned char *der, size_t len, unsigned char raw[ES256_SIG])
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
    const BIGNUM *r = NULL, *s = NULL;
    bool ok = false;

    if (sig == NULL)
        return false;
    ECDSA_SIG_get0(sig, &r, &s);
    ok = BN_bn2binpad(r, raw, ES256_COORD) == ES256_COORD &&
         BN_bn2binpad(s, raw + ES256_COORD, ES256_COORD) == ES256_COORD;
    ECDSA_SIG_free(sig);
    return ok;
}

/* The reverse, for verification; der holds CLV__SIG_MAX bytes. */
static bool ecdsa_raw_to_der(const unsigned char raw[ES256_SIG], unsigned char *der, size_t *len)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, ES256_COORD, NULL);
    BIGNUM *s = BN_bin2bn(raw + ES256_COORD, ES256_COORD, NULL);
    unsigned char *p = der;
    int n = 0;

    if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(sig);
        return false;
    }
    /* sig owns r and s now */
    n = i2d_ECDSA_SIG(sig, NULL);
    if (n > 0 && n <= CLV__SIG_MAX)
        n = i2d_ECDSA_SIG(sig, &p);
    else
        n = 0;
    ECDSA_SIG_free(sig);
    if (n <= 0)
        return false;
    *len = (size_t)n;
    return true;
}

/* Sets up ctx to sign (or verify) under key for alg: SHA-256 with PKCS#1 v1.5 padding for
 * RS256 (RFC 7518 §3.3, set explicitly rather than trusting the default), SHA-256 for
 * ES256, and no digest for Ed25519, which signs the message itself (PureEdDSA,
 * RFC 8037 §3.1). */
static bool init_ctx(EVP_MD_CTX *ctx, EVP_PKEY *pkey, clv_alg alg, bool sign)
{
    const EVP_MD *md = alg == CLV_ALG_EDDSA ? NULL : EVP_sha256();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = sign ? EVP_DigestSignInit(ctx, &pctx, md, NULL, pkey)
                  : EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pkey);

    if (ok == 1 && alg == CLV_ALG_RS256)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
    return ok == 1;
}

/* Setting a context up for a key costs more than an ES256 signature's hashing (the
 * provider's algorithm is fetched anew each time), so each thread keeps, per mode and alg,
 * contexts set up once for a key (templates) and copies one into a working context for
 * each use. One template per key (kid), up to KEY_TEMPLATES of them: during a rotation
 * (docs/DESIGN.md "Signing keys and the KEK") tokens of the active and of a retired key
 * arrive interleaved at /introspect and userinfo, and with one template they would set it
 * up anew at each change of kid. Ed25519 contexts cannot be copied in OpenSSL 3.0: they
 * are set up each time. */
enum { KEY_TEMPLATES = 4 };

typedef struct {
    EVP_PKEY *pkey; /* the key tmpl was set up for (tmpl holds a reference to it) */
    EVP_MD_CTX *tmpl;
} key_template;

typedef struct {
    key_template keys[KEY_TEMPLATES];
    unsigned next; /* the template replaced when every one is taken (round robin) */
    EVP_MD_CTX *work;
} ctx_slot;

typedef struct {
    ctx_slot slots[2][CLV_ALG_COUNT]; /* [sign][alg] */
    /* Signing RS256 and ES256: the SHA-256 of the input is taken on dgst (the digest
     * fetched once), and signed on a context set up once for the key and kept: an
     * EVP_PKEY_sign operation may be repeated on its context, with no copy per token. */
    EVP_MD_CTX *dgst;
    EVP_PKEY_CTX *signer[CLV_ALG_COUNT];
    EVP_PKEY *signer_key[CLV_ALG_COUNT]; /* the key signer[alg] was set up for */
    unsigned long setups; /* contexts set up for a key (clv_jwt_thread_setups) */
} thread_ctxs;

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}


static void ctxs_free(void *p)
{
    thread_ctxs *t = p;

    for (int m = 0; t != NULL && m < 2; m++)
        for (int a = 0; a < CLV_ALG_COUNT; a++) {
            for (int k = 0; k < KEY_TEMPLATES; k++)
                EVP_MD_CTX_free(t->slots[m][a].keys[k].tmpl);
            EVP_MD_CTX_free(t->slots[m][a].work);
        }
    for (int a = 0; t != NULL && a < CLV_ALG_COUNT; a++)
        EVP_PKEY_CTX_free(t->signer[a]);
    if (t != NULL)
        EVP_MD_CTX_free(t->dgst);
    free(t);
}

static clv_perthread contexts = CLV_PERTHREAD_INIT(ctxs_free, sizeof(thread_ctxs));

void clv_jwt_thread_cleanup(void)
{
    clv_perthread_clear(&contexts);
}

unsigned long clv_jwt_thread_setups(void)
{
    thread_ctxs *t = clv_perthread_get(&contexts);

    return t != NULL ? t->setups : 0;
}

/* The template of s set up for pkey: the one it has, else a new one in a free place or in
 * place of the next in turn. NULL on failure. */
static EVP_MD_CTX *template_for(thread_ctxs *t, ctx_slot *s, EVP_PKEY *pkey, clv_alg alg,
                                bool sign)
{
    key_template *k = NULL;

    for (int i = 0; i < KEY_TEMPLATES; i++) {
        if (s->keys[i].pkey == pkey && s->keys[i].tmpl != NULL)
            return s->keys[i].tmpl;
        if (k == NULL && s->keys[i].tmpl == NULL)
            k = &s->keys[i];
    }
    if (k == NULL)
        k = &s->keys[s->next++ % KEY_TEMPLATES];
    EVP_MD_CTX_free(k->tmpl);
    k->pkey = NULL;
    t->setups++;
    if ((k->tmpl = EVP_MD_CTX_new()) == NULL || !init_ctx(k->tmpl, pkey, alg, sign)) {
        EVP_MD_CTX_free(k->tmpl);
        k->tmpl = NULL;
        return NULL;
    }
    k->pkey = pkey;
    return k->tmpl;
}

/* A context ready to sign (or verify) with pkey under alg, owned by the calling thread:
 * do not free it; it is valid until the thread's next call. NULL on failure. */
static EVP_MD_CTX *ready_ctx(EVP_PKEY *pkey, clv_alg alg, bool sign)
{
    thread_ctxs *t = clv_perthread_get(&contexts);
    EVP_MD_CTX *tmpl;
    ctx_slot *s;

    if (t == NULL)
        return NULL;
    s = &t->slots[sign][alg];
    if (s->work == NULL && (s->work = EVP_MD_CTX_new()) == NULL)
        return NULL;
    if (alg == CLV_ALG_EDDSA)
        return EVP_MD_CTX_reset(s->work) == 1 && init_ctx(s->work, pkey, alg, sign) ? s->work
                                                                                     : NULL;
    if ((tmpl = template_for(t, s, pkey, alg, sign)) == NULL)
        return NULL;
    return EVP_MD_CTX_copy_ex(s->work, tmpl) == 1 ? s->work : NULL;
}

/* The SHA-256 of in[0..n) on the thread's digest context. */
static bool sha256_of(thread_ctxs *t, const char *in, size_t n, unsigned char dgst[32])
{
    unsigned dlen = 0;

    if (t->dgst == NULL && (t->dgst = EVP_MD_CTX_new()) == NULL)
        return false;
    return EVP_DigestInit_ex2(t->dgst, sha256_md, NULL) == 1 &&
           EVP_DigestUpdate(t->dgst, in, n) == 1 && EVP_DigestFinal_ex(t->dgst, dgst, &dlen) == 1 &&
           dlen == 32;
}

/* The thread's signing context for pkey (RS256 with PKCS #1 v1.5 padding, or ES256), set up
 * once and kept while the key is the same. */
static EVP_PKEY_CTX *signer_for(thread_ctxs *t, EVP_PKEY *pkey, clv_alg alg)
{
    EVP_PKEY_CTX *p;
    bool ok;

    if (t->signer[alg] != NULL && t->signer_key[alg] == pkey)
        return t->signer[alg];
    t->setups++;
    p = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    ok = p != NULL && EVP_PKEY_sign_init(p) == 1 &&
         EVP_PKEY_CTX_set_signature_md(p, sha256_md) == 1 &&
         (alg != CLV_ALG_RS256 || EVP_PKEY_CTX_set_rsa_padding(p, RSA_PKCS1_PADDING) == 1);
    EVP_PKEY_CTX_free(t->signer[alg]);
    t->signer[alg] = ok ? p : NULL;
    t->signer_key[alg] = ok ? pkey : NULL;
    if (!ok)
        EVP_PKEY_CTX_free(p);
    return t->signer[alg];
}

/* RS256 or ES256: the SHA-256 of in[0..n) signed with pkey on the thread's kept context
 * (thread_ctxs), into dst (*len bytes of room; then the signature's length). */
static bool sign_digest(EVP_PKEY *pkey, clv_alg alg, const char *in, size_t n, unsigned char *dst,
                        size_t *len)
{
    thread_ctxs *t = clv_perthread_get(&contexts);
    unsigned char dgst[32];
    EVP_PKEY_CTX *signer;

    pthread_once(&sha256_once, sha256_fetch);
    if (t == NULL || sha256_md == NULL || !sha256_of(t, in, n, dgst) ||
        (signer = signer_for(t, pkey, alg)) == NULL)
        return false;
    return EVP_PKEY_sign(signer, dst, len, dgst, sizeof dgst) == 1;
}

/* Signs in[0..n) into sig (CLV__SIG_MAX bytes) in its JWS form; *siglen its length. */
static clv_code sign_input(EVP_PKEY *pkey, clv_alg alg, const char *in, size_t n,
                           unsigned char *sig, size_t *siglen, clv_err *err)
{
    unsigned char der[CLV__SIG_MAX];
    unsigned char *dst = alg == CLV_ALG_ES256 ? der : sig;
    size_t len = CLV__SIG_MAX;
    EVP_MD_CTX *ctx;
    bool ok;

    if (alg == CLV_ALG_EDDSA) /* PureEdDSA signs the message itself, in one call */
        ok = (ctx = ready_ctx(pkey, alg, true)) != NULL &&
             EVP_DigestSign(ctx, dst, &len, (const unsigned char *)in, n) == 1;
    else
        ok = sign_digest(pkey, alg, in, n, dst, &len);
    if (!ok)
        return clv__ossl_fail(err, CLV_CRYPTO, "jwt_sign %s", clv__alg_names[alg]);
    if (alg == CLV_ALG_ES256) {
        if (!ecdsa_der_to_raw(der, len, sig))
            return clv__ossl_fail(err, CLV_CRYPTO, "jwt_sign ES256: DER signature");
        len = ES256_SIG;
    }
    *siglen = len;
    return CLV_OK;
}

/* The header to use for typ: one encoded at load time, else a new one in *own. */
static clv_code pick_header(const clv__key *key, clv_alg alg, const char *typ, const char **hdr,
                            size_t *len, char **own, clv_err *err)
{
    for (size_t i = 0; typ != NULL && i < CLV__TYP_COUNT; i++) {
        if (strcmp(typ, clv__typ_names[i]) == 0) {
            *hdr = key->hdr[i];
            *len = key->hdr_len[i];
            return CLV_OK;
        }
    }
    /* Other typ values (OIDC back-channel "logout+jwt", say) cost one more encoding. */
    *own = clv__jws_header(alg, key->kid, typ, len);
    if (*own == NULL)
        return clv_fail(err, CLV_NOMEM, "jwt_sign: out of memory");
    *hdr = *own;
    return CLV_OK;
}

clv_code clv_jwt_sign(const clv_keyset *ks, clv_alg alg, const char *typ, const char *payload,
                      size_t plen, char **out, clv_err *err)
{
    const clv__key *key = NULL;
    const char *hdr = NULL;
    char *own_hdr = NULL, *token = NULL;
    unsigned char sig[CLV__SIG_MAX];
    size_t hlen = 0, pos, siglen = 0;
    clv_code rc;

    if (!clv_keyset_has(ks, alg))
        return clv_fail(err, CLV_INVALID, "jwt_sign: no key for alg %d", (int)alg);
    if (payload == NULL || plen < 2 || payload[0] != '{')
        return clv_fail(err, CLV_INVALID, "jwt_sign: the claims are not a JSON object");
    key = &ks->keys[ks->active[alg]];
    rc = pick_header(key, alg, typ, &hdr, &hlen, &own_hdr, err);
    if (rc != CLV_OK)
        goto cleanup;
    rc = CLV_NOMEM;
    /* One buffer for the whole token: header "." payload "." signature (RFC 7515 §7.1).
     * The signing input is its own prefix, so nothing is copied to sign it. */
    token = malloc(hlen + 1 + clv_b64url_encoded_size(plen) + 1 +
                   clv_b64url_encoded_size(CLV__SIG_MAX));
    if (token == NULL)
        goto cleanup;
    memcpy(token, hdr, hlen);
    token[hlen] = '.';
    pos = hlen + 1 + clv_b64url_encode(payload, plen, token + hlen + 1);
    rc = sign_input(key->pkey, alg, token, pos, sig, &siglen, err);
    if (rc != CLV_OK)
        goto cleanup;
    token[pos] = '.';
    clv_b64url_encode(sig, siglen, token + pos + 1);
    *out = token;
    token = NULL;
cleanup:
    if (rc == CLV_NOMEM)
        clv_fail(err, rc, "jwt_sign: out of memory");
    free(token);
    free(own_hdr);
    return rc;
}

/* The clv_alg whose JOSE name is exactly name, or CLV_ALG_COUNT. */
static size_t alg_index(const char *name)
{
    size_t i = 0;

    while (i < CLV_ALG_COUNT && strcmp(name, clv__alg_names[i]) != 0)
        i++;
    return i;
}

/* Decodes the protected header and finds the key it names. Only the members Clavis
 * writes are accepted (alg, kid, typ): this verifies Clavis's own tokens, so anything
 * else, "crit" included (RFC 7515 §4.1.11), means the token is not one of them. alg must
 * name a loaded key by its exact JOSE name; "none" (RFC 7518 §3.6) and every other value
 * match none and are refused. */
/* The key of ks that has alg and kid; NULL if none. A handful of keys: a linear scan. */
static const clv__key *find_key(const clv_keyset *ks, size_t alg, const char *kid)
{
    for (size_t i = 0; alg < CLV_ALG_COUNT && i < ks->n; i++)
        if (ks->algs[i] == (clv_alg)alg && strcmp(kid, ks->keys[i].kid) == 0)
            return &ks->keys[i];
    return NULL;
}

static clv_code read_header(const clv_keyset *ks, const char *b64, size_t n, clv_alg *alg,
                            const clv__key **key, char **typ, clv_err *err)
{
    unsigned char *text = NULL;
    size_t len = 0;
    json_t *hdr = NULL;
    json_error_t jerr;
    const char *a = NULL, *kid = NULL, *t = NULL;
    clv_code rc = CLV_UNAUTHENTICATED;
    size_t i;

    if (!clv_b64url_decode(b64, n, &text, &len)) {
        clv_fail(err, rc, "jwt: header is not base64url");
        goto cleanup;
    }
    hdr = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (hdr == NULL || !json_is_object(hdr) ||
        json_unpack_ex(hdr, &jerr, JSON_STRICT, "{s:s, s:s, s?s}", "alg", &a, "kid", &kid, "typ",
                       &t) != 0) {
        /* jansson's message would quote the attacker's text: keep it out of the logs. */
        clv_fail(err, rc, "jwt: header is not a JSON object of alg, kid and typ");
        goto cleanup;
    }
    i = alg_index(a);
    if ((*key = find_key(ks, i, kid)) == NULL) {
        clv_fail(err, rc, "jwt: no key for this alg and kid");
        goto cleanup;
    }
    if (typ != NULL && t != NULL && (*typ = strdup(t)) == NULL) {
        rc = clv_fail(err, CLV_NOMEM, "jwt: out of memory");
        goto cleanup;
    }
    *alg = (clv_alg)i;
    rc = CLV_OK;
cleanup:
    json_decref(hdr);
    free(text);
    return rc;
}

/* The one length a JWS signature under pkey may have: an RSA signature is as long as the
 * modulus (RFC 8017 §8.2.2 step 1), R || S is 64 bytes (RFC 7518 §3.4), Ed25519 is 64
 * (RFC 8032 §5.1.7). */
static size_t signature_len(EVP_PKEY *pkey, clv_alg alg)
{
    switch (alg) {
    case CLV_ALG_RS256:
        return (size_t)EVP_PKEY_get_size(pkey);
    case CLV_ALG_ES256:
        return ES256_SIG;
    default:
        return ED25519_SIG;
    }
}

/* Checks the base64url signature b64[0..n) over in[0..inlen) under pkey. */
static clv_code check_signature(EVP_PKEY *pkey, clv_alg alg, const char *in, size_t inlen,
                                const char *b64, size_t n, clv_err *err)
{
    unsigned char *sig = NULL;
    unsigned char der[CLV__SIG_MAX];
    const unsigned char *s = NULL;
    size_t siglen = 0, slen = 0;
    EVP_MD_CTX *ctx = NULL;
    clv_code rc = CLV_UNAUTHENTICATED;

    if (!clv_b64url_decode(b64, n, &sig, &siglen)) {
        clv_fail(err, rc, "jwt: signature is not base64url");
        goto cleanup;
    }
    s = sig;
    slen = siglen;
    if (siglen != signature_len(pkey, alg) ||
        (alg == CLV_ALG_ES256 && !ecdsa_raw_to_der(sig, der, &slen))) {
        clv_fail(err, rc, "jwt: malformed %s signature", clv__alg_names[alg]);
        goto cleanup;
    }
    if (alg == CLV_ALG_ES256)
        s = der;
    if ((ctx = ready_ctx(pkey, alg, false)) == NULL) {
        rc = clv__ossl_fail(err, CLV_CRYPTO, "jwt_verify %s", clv__alg_names[alg]);
        goto cleanup;
    }
    if (EVP_DigestVerify(ctx, s, slen, (const unsigned char *)in, inlen) != 1) {
        ERR_clear_error(); /* a wrong signature is not a library fault worth keeping */
        clv_fail(err, rc, "jwt: signature does not verify");
        goto cleanup;
    }
    rc = CLV_OK;
cleanup:
    free(sig);
    return rc;
}

/* Decodes the payload, which must be a JSON object without duplicate members (RFC 7519
 * §4: a JWT with duplicate claim names must be rejected or handled consistently). */
static clv_code read_payload(const char *b64, size_t n, json_t **out, clv_err *err)
{
    unsigned char *text = NULL;
    size_t len = 0;
    json_t *claims = NULL;
    json_error_t jerr;

    if (!clv_b64url_decode(b64, n, &text, &len))
        return clv_fail(err, CLV_UNAUTHENTICATED, "jwt: payload is not base64url");
    claims = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (!json_is_object(claims)) {
        json_decref(claims);
        return clv_fail(err, CLV_UNAUTHENTICATED, "jwt: payload is not a JSON object");
    }
    *out = claims;
    return CLV_OK;
}

clv_code clv_jwt_verify(const clv_keyset *ks, const char *token, json_t **claims, char **typ,
                        clv_err *err)
{
    const char *dot1 = NULL, *dot2 = NULL, *end = NULL;
    char *typ_copy = NULL;
    json_t *payload = NULL;
    clv_alg alg = CLV_ALG_RS256;
    const clv__key *key = NULL;
    size_t len;
    clv_code rc = CLV_UNAUTHENTICATED;

    if (ks == NULL || token == NULL)
        return clv_fail(err, rc, "jwt: no token");
    len = strnlen(token, TOKEN_MAX + 1);
    if (len > TOKEN_MAX)
        return clv_fail(err, rc, "jwt: longer than %d bytes", TOKEN_MAX);
    /* Exactly three non-empty parts (RFC 7515 §7.1; the JWS payload of a JWT is never
     * empty, and an empty signature is "alg":"none"). */
    end = token + len;
    dot1 = memchr(token, '.', len);
    dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', (size_t)(end - dot1 - 1)) : NULL;
    if (dot2 == NULL || memchr(dot2 + 1, '.', (size_t)(end - dot2 - 1)) != NULL || dot1 == token ||
        dot2 == dot1 + 1 || dot2 + 1 == end) {
        clv_fail(err, rc, "jwt: not three non-empty parts");
        goto cleanup;
    }
    rc = read_header(ks, token, (size_t)(dot1 - token), &alg, &key,
                     typ != NULL ? &typ_copy : NULL, err);
    if (rc == CLV_OK)
        rc = check_signature(key->pkey, alg, token, (size_t)(dot2 - token), dot2 + 1,
                             (size_t)(end - dot2 - 1), err);
    /* The payload is parsed only once the signature says it is ours. */
    if (rc == CLV_OK)
        rc = read_payload(dot1 + 1, (size_t)(dot2 - dot1 - 1), &payload, err);
    if (rc != CLV_OK)
        goto cleanup;
    *claims = payload;
    if (typ != NULL)
        *typ = typ_copy;
    typ_copy = NULL;
cleanup:
    free(typ_copy);
    return rc;
}

bool clv_ed25519_verify(const unsigned char *pub, const unsigned char *msg, size_t len,
                        const unsigned char *sig)
{
    EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, CLV_ED25519_PUB);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = key != NULL && ctx != NULL &&
              EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 && /* no digest: PureEdDSA */
              EVP_DigestVerify(ctx, sig, CLV_ED25519_SIG, msg, len) == 1;

    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    ERR_clear_error();
    return ok;
}
