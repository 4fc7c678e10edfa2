/* signing_keys — rotation, loading and the lock-free swap of the server's signing keys
 * (see signing_keys.h; docs/DESIGN.md "Signing keys and the KEK"). */
#include "core/signing_keys.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "core/audit.h"
#include "core/client_write.h"
#include "core/kek.h"
#include "crypto/hash.h"
#include "crypto/seal.h"

enum {
    KEYS_GRACE = 10, /* seconds an old keyset outlives its swap (signing.h) */
    GRAVES = 32      /* old keysets waiting for their grace to pass */
};

struct clv_keys_state {
    pthread_mutex_t mu;  /* reloads (the serve loop, a rotation on a worker) */
    int64_t version;     /* clv_store_signing_key_version of the live keyset */
    int64_t next_expiry; /* the earliest retire_at among its retired keys; INT64_MAX: none */
    int64_t active_created[CLV_ALG_COUNT]; /* created_at of each alg's active key */
    int64_t next_created[CLV_ALG_COUNT];   /* created_at of each alg's next key; 0: none */
    struct {
        clv_keyset *ks;
        int64_t at;
    } graves[GRAVES];
    size_t ngraves;
};

static const char *const slugs[CLV_ALG_COUNT] = {"rs256", "es256", "eddsa"};

/* The associated data a key is sealed with: its kid, so a sealed key cannot be passed off
 * as another row's. */
static void key_label(const char *kid, char label[96])
{
    snprintf(label, 96, "clavis signing key %s", kid);
}

int64_t clv_keys_retire_after(const clv_config *cfg)
{
    return cfg->at_lifetime_max + cfg->key_retire_margin;
}

static void key_clear(clv_signing_key *k)
{
    free(k->kid);
    free(k->sealed);
    memset(k, 0, sizeof *k);
}

/* A next key (not active: published, not signing, retire_at CLV_KEY_NEXT) that has not
 * passed to active or retired. */
static bool is_next(const clv_signing_key *k)
{
    return !k->active && k->retire_at == CLV_KEY_NEXT;
}

/* A new key of alg, active or next, created at now, from pem (NULL: a new key is
 * generated). */
static clv_code new_key(clv_app *app, clv_alg alg, const char *pem, bool active, int64_t now,
                        clv_signing_key *k, clv_err *err)
{
    char *made = NULL, kid[CLV_KID_MAX], label[96];
    clv_code rc = CLV_OK;

    if (pem == NULL && (rc = clv_key_generate_pem(alg, &made, err)) == CLV_OK)
        pem = made;
    if (rc == CLV_OK)
        rc = clv_key_kid(alg, pem, kid, err);
    if (rc == CLV_OK) {
        key_label(kid, label);
        rc = clv_seal_key(app->kek, label, pem, &k->sealed, err);
    }
    if (rc == CLV_OK && (k->kid = strdup(kid)) == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    clv_free_secret(made);
    if (rc != CLV_OK) {
        key_clear(k);
        return rc;
    }
    k->alg = alg;
    k->active = active;
    k->created_at = now;
    k->retire_at = active ? 0 : CLV_KEY_NEXT;
    return CLV_OK;
}

/* Gives alg its first active key: the legacy one (when legacy is set), else a new one. */
static clv_code bootstrap_alg(clv_app *app, clv_alg alg, bool legacy, clv_err *err)
{
    char *pem = NULL, meta[32];
    bool in_meta = false;
    clv_signing_key k = {0};
    clv_code rc = legacy ? clv_kek_legacy(app, slugs[alg], &pem, &in_meta, err) : CLV_NOT_FOUND;

    if (rc == CLV_NOT_FOUND)
        rc = CLV_OK;
    if (rc == CLV_OK)
        rc = new_key(app, alg, pem, true, clv_now(), &k, err);
    if (rc == CLV_OK)
        rc = clv_store_signing_key_insert(app->store, &k, err);
    if (rc == CLV_OK && in_meta) {
        snprintf(meta, sizeof meta, "key:%s", slugs[alg]);
        rc = clv_store_meta_delete(app->store, meta, err);
    }
    if (rc == CLV_OK && pem != NULL && !in_meta)
        clv_log("info", "%s/%s.key is now in the database, sealed: delete the file",
                app->cfg->key_dir, slugs[alg]);
    clv_free_secret(pem);
    key_clear(&k);
    return rc;
}

clv_code clv_keys_bootstrap(clv_app *app, clv_err *err)
{
    clv_list l = {0};
    bool active[CLV_ALG_COUNT] = {false}, any[CLV_ALG_COUNT] = {false};
    clv_code rc = clv_store_signing_key_list(app->store, &l, err);

    for (size_t i = 0; rc == CLV_OK && i < l.count; i++) {
        const clv_signing_key *k = l.items[i];
        if ((unsigned)k->alg < CLV_ALG_COUNT) {
            any[k->alg] = true;
            active[k->alg] = active[k->alg] || k->active;
        }
    }
    clv_list_cleanup(&l);
    for (int a = 0; rc == CLV_OK && a < CLV_ALG_COUNT; a++)
        if (!active[a])
            rc = bootstrap_alg(app, (clv_alg)a, !any[a], err);
    return rc;
}

/* Adds one stored key to ks (opened with the KEK). */
static clv_code add_stored(clv_app *app, clv_keyset *ks, const clv_signing_key *k, clv_err *err)
{
    char label[96], *pem = NULL;
    clv_code rc;

    key_label(k->kid, label);
    rc = clv_unseal_key(app->kek, label, k->sealed, &pem, err);
    if (rc == CLV_UNAUTHENTICATED)
        return clv_fail(err, CLV_INVALID,
                        "the key-encryption key in %s does not open signing key %s",
                        clv_kek_where(app), k->kid);
    if (rc == CLV_OK)
        rc = k->active ? clv_keyset_add(ks, k->alg, pem, err)
                       : clv_keyset_add_retired(ks, k->alg, pem, err);
    clv_free_secret(pem);
    return rc;
}

/* What a build learns besides the keyset. */
typedef struct {
    int64_t next_expiry;                   /* the earliest retire_at; INT64_MAX: none */
    int64_t active_created[CLV_ALG_COUNT]; /* created_at of each alg's active key */
    int64_t next_created[CLV_ALG_COUNT];   /* created_at of each alg's next key; 0: none */
} built;

/* A keyset of the stored keys: the active ones first, then the next ones and the retired
 * ones still published at now (both published and verifying, neither signing; a next key
 * has signed nothing, so verifying with it admits nothing). */
static clv_code build(clv_app *app, int64_t now, clv_keyset **out, built *st, clv_err *err)
{
    clv_list l = {0};
    clv_keyset *ks = NULL;
    clv_code rc = clv_store_signing_key_list(app->store, &l, err);

    if (rc == CLV_OK)
        rc = clv_keyset_new(&ks, err);
    st->next_expiry = INT64_MAX;
    for (int pass = 0; rc == CLV_OK && pass < 2; pass++)
        for (size_t i = 0; rc == CLV_OK && i < l.count; i++) {
            const clv_signing_key *k = l.items[i];
            if ((unsigned)k->alg >= CLV_ALG_COUNT || k->active != (pass == 0) ||
                (!k->active && !is_next(k) && k->retire_at <= now))
                continue;
            if (k->active)
                st->active_created[k->alg] = k->created_at;
            else if (is_next(k))
                st->next_created[k->alg] = k->created_at;
            else if (k->retire_at < st->next_expiry)
                st->next_expiry = k->retire_at;
            rc = add_stored(app, ks, k, err);
        }
    clv_list_cleanup(&l);
    if (rc != CLV_OK) {
        clv_keyset_free(ks);
        return rc;
    }
    *out = ks;
    return CLV_OK;
}

/* Frees the old keysets whose grace has passed (st->mu held). */
static void sweep(struct clv_keys_state *st, int64_t now)
{
    size_t kept = 0;

    for (size_t i = 0; i < st->ngraves; i++) {
        if (st->graves[i].at + KEYS_GRACE <= now)
            clv_keyset_free(st->graves[i].ks);
        else
            st->graves[kept++] = st->graves[i];
    }
    st->ngraves = kept;
}

/* Builds and swaps in a new keyset (st->mu held). */
static clv_code swap_in(clv_app *app, struct clv_keys_state *st, int64_t version, int64_t now,
                        clv_err *err)
{
    built next = {0};
    clv_keyset *fresh = NULL, *old;
    clv_code rc;

    sweep(st, now);
    if (st->ngraves == GRAVES) /* a storm of changes: try again at the next tick */
        return CLV_OK;
    if ((rc = build(app, now, &fresh, &next, err)) != CLV_OK)
        return rc;
    old = atomic_exchange_explicit(&app->keys, fresh, memory_order_acq_rel);
    if (old != NULL) {
        st->graves[st->ngraves].ks = old;
        st->graves[st->ngraves++].at = now;
    }
    st->version = version;
    st->next_expiry = next.next_expiry;
    memcpy(st->active_created, next.active_created, sizeof st->active_created);
    memcpy(st->next_created, next.next_created, sizeof st->next_created);
    return CLV_OK;
}

static clv_code state_new(clv_app *app, clv_err *err)
{
    struct clv_keys_state *st = calloc(1, sizeof *st);

    if (st == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    pthread_mutex_init(&st->mu, NULL);
    st->version = -1;
    app->keys_state = st;
    return CLV_OK;
}

/* Under st->mu: purge what passed its retire_at, poll the version, swap when needed. */
static clv_code reload_locked(clv_app *app, struct clv_keys_state *st, bool force, clv_err *err)
{
    int64_t version = 0, now = clv_now();
    clv_code rc = CLV_OK;

    /* A retired key whose tokens have all expired leaves the table (and so every node's
     * JWKS) once its retire_at passes. */
    if (now >= st->next_expiry && st->next_expiry != INT64_MAX)
        rc = clv_store_signing_key_purge(app->store, now, err);
    if (rc == CLV_OK)
        rc = clv_store_signing_key_version(app->store, &version, err);
    if (rc == CLV_OK && (force || version != st->version || now >= st->next_expiry))
        rc = swap_in(app, st, version, now, err);
    return rc;
}

clv_code clv_keys_reload(clv_app *app, bool force, clv_err *err)
{
    struct clv_keys_state *st;
    clv_code rc = CLV_OK;

    if (app->keys_state == NULL && (rc = state_new(app, err)) != CLV_OK)
        return rc;
    st = app->keys_state;
    pthread_mutex_lock(&st->mu);
    rc = reload_locked(app, st, force, err);
    pthread_mutex_unlock(&st->mu);
    return rc;
}

static json_t *key_json(const clv_signing_key *k)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:o}", "kid", k->kid, "alg", clv_alg_name(k->alg),
                     "state", k->active ? "active" : is_next(k) ? "next" : "retired", "created_at",
                     clv_json_time(k->created_at), "retire_at",
                     clv_json_time(is_next(k) ? 0 : k->retire_at));
}

clv_code clv_keys_list(clv_app *app, json_t **out, clv_err *err)
{
    clv_list l = {0};
    json_t *items = json_array();
    clv_code rc = items != NULL ? clv_store_signing_key_list(app->store, &l, err)
                                : clv_fail(err, CLV_NOMEM, "out of memory");

    for (size_t i = 0; rc == CLV_OK && i < l.count; i++)
        if (json_array_append_new(items, key_json(l.items[i])) != 0)
            rc = clv_fail(err, CLV_NOMEM, "out of memory");
    clv_list_cleanup(&l);
    if (rc == CLV_OK && (*out = json_pack("{s:o}", "items", items)) != NULL)
        return CLV_OK;
    if (rc == CLV_OK)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    json_decref(items);
    return rc;
}

/* The active (next false) or next (next true) key of alg in l, or NULL. */
static const clv_signing_key *key_of(const clv_list *l, int alg, bool next)
{
    for (size_t i = 0; i < l->count; i++) {
        const clv_signing_key *k = l->items[i];
        if ((int)k->alg == alg && (next ? is_next(k) : k->active))
            return k;
    }
    return NULL;
}

/* One change of the keys: a rotation or a publication of next keys. */
typedef struct {
    const clv_principal *p;
    bool publish;                        /* else rotate */
    bool automatic;                      /* the serve loop's, not an administrator's */
    bool want[CLV_ALG_COUNT];            /* cleared for an alg left as it is */
    clv_signing_key fresh[CLV_ALG_COUNT]; /* a new key per alg (kid NULL: none made) */
    char to[CLV_ALG_COUNT][CLV_KID_MAX]; /* the kid made active or next */
    int64_t now, min_age;
} change;

static clv_code raced(clv_err *err, int alg)
{
    return clv_fail(err, CLV_CONFLICT, "the %s key was rotated at the same moment",
                    clv_alg_name((clv_alg)alg));
}

/* Inside the transaction, one alg: retire its active key and make its next key active when
 * one is published, else the fresh one; audited as "key.rotate" from the old kid to the new. */
static clv_code rotate_alg(clv_app *app, change *c, const clv_list *l, int a, clv_err *err)
{
    const clv_signing_key *old = key_of(l, a, false), *next = key_of(l, a, true);
    const char *to = next != NULL ? next->kid : c->fresh[a].kid;
    clv_code rc = CLV_OK;

    if (to == NULL) /* the next key seen before the transaction is gone: another node */
        return raced(err, a);
    if (old != NULL)
        rc = clv_store_signing_key_retire(app->store, old->kid,
                                          c->now + clv_keys_retire_after(app->cfg), err);
    if (rc == CLV_OK)
        rc = next != NULL ? clv_store_signing_key_activate(app->store, to, c->now, err)
                          : clv_store_signing_key_insert(app->store, &c->fresh[a], err);
    if (rc == CLV_NOT_FOUND) /* another node retired or promoted it first */
        return raced(err, a);
    if (rc == CLV_OK) {
        snprintf(c->to[a], CLV_KID_MAX, "%s", to);
        rc = clv_audit_write(app, c->p, NULL, "key.rotate", "key", to,
                             json_pack("{s:{s:s?, s:s}}", "kid", "from",
                                       old != NULL ? old->kid : NULL, "to", to),
                             err);
    }
    return rc;
}

/* Inside the transaction, one alg: publish the fresh key as its next key unless it has one
 * (then want[a] is cleared); audited as "key.publish". */
static clv_code publish_alg(clv_app *app, change *c, const clv_list *l, int a, clv_err *err)
{
    clv_code rc;

    if (key_of(l, a, true) != NULL) {
        c->want[a] = false;
        return CLV_OK;
    }
    rc = clv_store_signing_key_insert(app->store, &c->fresh[a], err);
    if (rc == CLV_OK) {
        snprintf(c->to[a], CLV_KID_MAX, "%s", c->fresh[a].kid);
        rc = clv_audit_write(app, c->p, NULL, "key.publish", "key", c->to[a],
                             json_pack("{s:{s:n, s:s}}", "kid", "from", "to", c->to[a]), err);
    }
    return rc;
}

/* Inside the transaction: the change for each wanted alg (want[alg] is cleared for an alg
 * whose active key is younger than min_age, or that has a next key to publish already). An
 * automatic change is made by one node at a time (the purge's lock), the others skip it. */
static clv_code change_tx(clv_app *app, change *c, clv_err *err)
{
    clv_list l = {0};
    bool mine = true;
    clv_code rc = c->automatic ? clv_store_purge_lock(app->store, &mine, err) : CLV_OK;

    if (rc == CLV_OK && mine)
        rc = clv_store_signing_key_list(app->store, &l, err);
    for (int a = 0; rc == CLV_OK && a < CLV_ALG_COUNT; a++) {
        const clv_signing_key *old = key_of(&l, a, false);
        if (!mine || (c->min_age > 0 && old != NULL && c->now - old->created_at < c->min_age))
            c->want[a] = false;
        if (c->want[a])
            rc = c->publish ? publish_alg(app, c, &l, a, err) : rotate_alg(app, c, &l, a, err);
    }
    clv_list_cleanup(&l);
    if (rc == CLV_OK && mine)
        rc = clv_store_signing_key_purge(app->store, c->now, err);
    return rc;
}

/* The keys made active or next (want[alg]) as a new array. */
static json_t *made_json(const change *c)
{
    json_t *a = json_array();

    for (int i = 0; a != NULL && i < CLV_ALG_COUNT; i++) {
        clv_signing_key k = {.kid = (char *)c->to[i], .alg = (clv_alg)i, .active = !c->publish,
                             .created_at = c->now, .retire_at = c->publish ? CLV_KEY_NEXT : 0};
        if (c->want[i] && json_array_append_new(a, key_json(&k)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* The created_at of each alg's active and next key (0: none), as this node last loaded
 * them. */
static void loaded_times(clv_app *app, int64_t active[CLV_ALG_COUNT], int64_t next[CLV_ALG_COUNT])
{
    struct clv_keys_state *st = app->keys_state;

    memset(active, 0, CLV_ALG_COUNT * sizeof *active);
    memset(next, 0, CLV_ALG_COUNT * sizeof *next);
    if (st == NULL)
        return;
    pthread_mutex_lock(&st->mu);
    memcpy(active, st->active_created, CLV_ALG_COUNT * sizeof *active);
    memcpy(next, st->next_created, CLV_ALG_COUNT * sizeof *next);
    pthread_mutex_unlock(&st->mu);
}

/* The new keys c needs: one per wanted alg, but none for a rotation to a published next
 * key; dated after they are made (an RSA key takes a while). */
static clv_code make_fresh(clv_app *app, change *c, clv_err *err)
{
    int64_t active[CLV_ALG_COUNT], next[CLV_ALG_COUNT];
    clv_code rc = CLV_OK;

    loaded_times(app, active, next);
    for (int a = 0; rc == CLV_OK && a < CLV_ALG_COUNT; a++)
        if (c->want[a] && (c->publish || next[a] == 0))
            rc = new_key(app, (clv_alg)a, NULL, !c->publish, 0, &c->fresh[a], err);
    c->now = clv_now();
    for (int a = 0; a < CLV_ALG_COUNT; a++)
        c->fresh[a].created_at = c->now;
    return rc;
}

/* Makes the fresh keys c needs (none for a rotation to a published next key), runs the
 * change in one transaction, reloads this node, and gives the keys made. */
static clv_code change_keys(clv_app *app, change *c, json_t **made, clv_err *err)
{
    clv_code rc = make_fresh(app, c, err);

    if (rc == CLV_OK && (rc = clv_store_begin(app->store, err)) == CLV_OK) {
        rc = change_tx(app, c, err);
        if (rc == CLV_OK)
            rc = clv_store_commit(app->store, err);
        if (rc != CLV_OK)
            clv_store_rollback(app->store);
    }
    if (rc == CLV_OK)
        rc = clv_keys_reload(app, true, err);
    if (rc == CLV_OK && made != NULL && (*made = made_json(c)) == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    for (int a = 0; a < CLV_ALG_COUNT; a++)
        key_clear(&c->fresh[a]);
    return rc;
}

static void change_init(change *c, const clv_principal *p, int alg, bool publish)
{
    memset(c, 0, sizeof *c);
    c->p = p;
    c->publish = publish;
    c->now = clv_now();
    for (int a = 0; a < CLV_ALG_COUNT; a++)
        c->want[a] = alg < 0 || alg == a;
}

clv_code clv_keys_rotate(clv_app *app, const clv_principal *p, int alg, int64_t min_age,
                         json_t **made, clv_err *err)
{
    change c;

    change_init(&c, p, alg, false);
    c.min_age = min_age;
    c.automatic = min_age > 0;
    return change_keys(app, &c, made, err);
}

clv_code clv_keys_publish(clv_app *app, const clv_principal *p, int alg, json_t **made,
                          clv_err *err)
{
    change c;

    change_init(&c, p, alg, true);
    return change_keys(app, &c, made, err);
}

int64_t clv_keys_publish_ahead(const clv_config *cfg)
{
    int64_t ahead = CLV_JWKS_MAX_AGE + cfg->key_retire_margin;

    return cfg->key_rotation > 0 && ahead > cfg->key_rotation / 2 ? cfg->key_rotation / 2 : ahead;
}

/* The automatic rotation: an alg whose active key is due (older than --key-rotation-days)
 * gets a next key clv_keys_publish_ahead before, and is rotated to it once it is due and
 * its next key was published that long ago — a key never signs before it was published.
 * One change publishes, one rotates, for every alg due at once (each made by one node at a
 * time); their audit events have actor {"type":"system","id":"key-rotation"}. */
static void auto_rotate(clv_app *app, int64_t now)
{
    static const clv_principal sys = {.actor_type = "system", .actor_id = "key-rotation"};
    int64_t every = app->cfg->key_rotation, ahead = clv_keys_publish_ahead(app->cfg);
    int64_t active[CLV_ALG_COUNT], next[CLV_ALG_COUNT];
    json_t *made = NULL;
    change c[2]; /* publish, rotate */
    size_t due[2] = {0, 0};
    clv_err err;

    loaded_times(app, active, next);
    change_init(&c[0], &sys, CLV_ALG_COUNT, true);
    change_init(&c[1], &sys, CLV_ALG_COUNT, false);
    for (int a = 0; a < CLV_ALG_COUNT; a++) {
        bool publish = next[a] == 0;
        if (publish ? active[a] + every - ahead > now
                    : active[a] + every > now || next[a] + ahead > now)
            continue;
        c[publish ? 0 : 1].want[a] = true;
        due[publish ? 0 : 1]++;
    }
    for (int k = 0; k < 2; k++) {
        if (due[k] == 0)
            continue;
        c[k].automatic = true;
        c[k].min_age = k == 0 ? every - ahead : every;
        clv_err_init(&err);
        if (change_keys(app, &c[k], &made, &err) != CLV_OK)
            clv_log("error", "automatic key %s: %s", k == 0 ? "publication" : "rotation",
                    err.detail);
        else if (json_array_size(made) > 0)
            clv_log("info", "%s %zu signing key(s) (automatic)",
                    k == 0 ? "published the next" : "rotated", json_array_size(made));
        json_decref(made);
        made = NULL;
    }
}

void clv_keys_tick(clv_app *app)
{
    clv_err err;

    clv_err_init(&err);
    if (clv_keys_reload(app, false, &err) != CLV_OK) {
        clv_log("error", "reloading the signing keys: %s", err.detail);
        return;
    }
    if (app->cfg->key_rotation > 0)
        auto_rotate(app, clv_now());
}

void clv_keys_close(clv_app *app)
{
    struct clv_keys_state *st = app->keys_state;

    clv_keyset_free(atomic_exchange(&app->keys, NULL));
    if (st == NULL)
        return;
    for (size_t i = 0; i < st->ngraves; i++)
        clv_keyset_free(st->graves[i].ks);
    pthread_mutex_destroy(&st->mu);
    free(st);
    app->keys_state = NULL;
}
