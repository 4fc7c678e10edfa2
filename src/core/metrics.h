/* metrics — the counters behind GET /metrics (docs/OPERATIONS.md "Metrics"): requests by
 * endpoint and status with their latency, tokens issued by grant, failed client
 * authentications by cause, and the same two per client for the busiest clients.
 *
 * Counting costs no lock: each thread counts into a block of its own (base/perthread.h),
 * written only by that thread with plain (relaxed atomic) loads and stores, and a scrape
 * sums the blocks. Per-client counts live in a fixed-size table per thread (a
 * set-associative "space-saving" sketch: a new client takes the slot of the least active
 * one of its bucket, whose counts move to "other"), so memory and scrape time are bounded
 * whatever the number of clients. Nothing here knows HTTP: an endpoint is a number the
 * caller names at setup, a status a number. */
#ifndef CLV_CORE_METRICS_H
#define CLV_CORE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "core/app.h"
#include "core/grant_types.h"

enum {
    CLV_METRICS_ENDPOINTS = 64, /* endpoints at most (the caller's "other" included) */
    CLV_METRICS_BUCKETS = 14,   /* latency bounds; one more bucket for +Inf */
    CLV_METRICS_ID_MAX = 64,    /* a longer client_id is never counted per client */
    CLV_METRICS_CLIENTS_MAX = 10000
};

/* Why a client authentication failed, as the metrics name it (docs/DESIGN.md R29). */
typedef enum {
    CLV_FAIL_WRONG_SECRET,
    CLV_FAIL_EXPIRED_SECRET,
    CLV_FAIL_UNKNOWN_CLIENT,
    CLV_FAIL_INACTIVE_CLIENT,
    CLV_FAIL_INACTIVE_SERVICE,
    CLV_FAIL_THROTTLED,
    CLV_FAIL_CAUSES
} clv_fail_cause;

/* "wrong_secret", …; NULL outside the enum. */
const char *clv_fail_cause_name(clv_fail_cause c);

/* How a dynamic registration (RFC 7591) ended (docs/DESIGN.md R29): created, refused for
 * bad metadata or credentials, throttled, or over the cap of open registration. */
typedef enum {
    CLV_REG_CREATED,
    CLV_REG_INVALID,
    CLV_REG_THROTTLED,
    CLV_REG_CAPPED,
    CLV_REG_RESULTS
} clv_reg_result;

/* "created", …; NULL outside the enum. */
const char *clv_reg_result_name(clv_reg_result r);

/* A registration at /register that ended with r. */
void clv_metrics_registration(clv_reg_result r);

/* What became of a request naming a client ID metadata document (docs/DESIGN.md D15,
 * docs/OPERATIONS.md "Metrics"): its client created, refused (the URL or the document
 * breaks a rule), or throttled per address — for a first fetch (or no fetch slot of the
 * address free) or for creating the client (the anonymous-registration budget). */
typedef enum {
    CLV_DOC_CREATED,
    CLV_DOC_REFUSED,
    CLV_DOC_THROTTLED_FETCH,
    CLV_DOC_THROTTLED_CREATE,
    CLV_DOC_RESULTS
} clv_doc_result;

/* "created", …; NULL outside the enum. */
const char *clv_doc_result_name(clv_doc_result r);

/* A metadata document request that ended with r. */
void clv_metrics_document(clv_doc_result r);

/* The statuses counted one by one (the last slot, CLV_METRICS_STATUSES - 1, counts every
 * other status) and the latency bounds in microseconds, in ascending order. */
extern const int clv_metrics_statuses[];
extern const size_t clv_metrics_status_count;
extern const int64_t clv_metrics_bounds_us[CLV_METRICS_BUCKETS];

/* Before any thread counts: how many per-client series a scrape shows (0..
 * CLV_METRICS_CLIENTS_MAX; 0: none, and nothing is counted per client). */
void clv_metrics_setup(unsigned top_clients);

/* ---- counting (any thread, no lock) ---- */

/* A request to endpoint (< CLV_METRICS_ENDPOINTS; larger is ignored) answered with status
 * after micros microseconds. */
void clv_metrics_request(unsigned endpoint, int status, int64_t micros);

/* A token issued by grant g to client_id. */
void clv_metrics_token(clv_grant g, const char *client_id);

/* A failed client authentication; client_id NULL: not a known client, counted in the
 * total and, per client, as "other" (an unknown client is never counted per client; a
 * throttled try is named only for a client that exists, docs/OPERATIONS.md "Metrics"). */
void clv_metrics_auth_failure(clv_fail_cause cause, const char *client_id);

/* true when failures and tokens are counted per client (clv_metrics_setup > 0). */
bool clv_metrics_per_client(void);

/* ---- reading (a scrape) ---- */

typedef struct {
    char client_id[CLV_METRICS_ID_MAX + 1]; /* "other" for the sum of the rest */
    uint64_t activity;                      /* tokens + failures (estimated: for ranking) */
    uint64_t tokens;
    uint64_t failures[CLV_FAIL_CAUSES];
} clv_metrics_client;

typedef struct {
    uint64_t requests[CLV_METRICS_ENDPOINTS][32]; /* [endpoint][status slot] */
    uint64_t latency[CLV_METRICS_ENDPOINTS]
                    [CLV_METRICS_BUCKETS + 1]; /* per bucket, not cumulative */
    uint64_t latency_sum_us[CLV_METRICS_ENDPOINTS];
    uint64_t tokens[CLV_GRANT_COUNT];
    uint64_t failures[CLV_FAIL_CAUSES];
    uint64_t registrations[CLV_REG_RESULTS];
    uint64_t documents[CLV_DOC_RESULTS];
    clv_metrics_client *clients; /* the busiest first, at most top_clients, then "other"
                                  * when any count fell outside them */
    size_t n_clients;
} clv_metrics_snap;

/* Sums every thread's counts into *out (malloc'd; clv_metrics_snap_free). CLV_NOMEM. */
clv_code clv_metrics_snapshot(clv_metrics_snap **out, clv_err *err);
void clv_metrics_snap_free(clv_metrics_snap *s);

/* The number of clients by their own status (active, inactive, deleted), from the store at
 * most once every CLV_METRICS_COUNT_TTL seconds (a count query; cached for every thread). */
enum { CLV_METRICS_COUNT_TTL = 5 };
clv_code clv_metrics_client_counts(clv_app *app, int64_t counts[3], clv_err *err);

#endif
