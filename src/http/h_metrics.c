/* h_metrics — GET /metrics: the counters of core/metrics.h in the Prometheus text
 * exposition format 0.0.4, with the names of docs/DESIGN.md R29 (docs/OPERATIONS.md
 * "Metrics"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "core/metrics.h"
#include "http/handlers.h"
#include "http/router.h"

#ifndef CLAVIS_VERSION
#define CLAVIS_VERSION "unknown"
#endif

static void family(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: \, " and newline escaped (the format's three). */
static void label(FILE *f, const char *v)
{
    for (; *v != '\0'; v++) {
        if (*v == '\\' || *v == '"')
            fprintf(f, "\\%c", *v);
        else if (*v == '\n')
            fputs("\\n", f);
        else
            fputc(*v, f);
    }
}

static void status_label(FILE *f, size_t slot)
{
    if (clv_metrics_statuses[slot] != 0)
        fprintf(f, "%d", clv_metrics_statuses[slot]);
    else
        fputs("other", f);
}

static void requests(FILE *f, const clv_metrics_snap *s)
{
    size_t n = clv_router_endpoint_count();

    family(f, "clavis_http_requests_total", "counter",
           "HTTP requests answered, by endpoint (route pattern) and status.");
    for (size_t e = 0; e < n; e++) {
        for (size_t k = 0; k < clv_metrics_status_count; k++) {
            if (s->requests[e][k] == 0)
                continue;
            fprintf(f, "clavis_http_requests_total{endpoint=\"%s\",status=\"",
                    clv_router_endpoint_name(e));
            status_label(f, k);
            fprintf(f, "\"} %llu\n", (unsigned long long)s->requests[e][k]);
        }
    }
}

static void latency(FILE *f, const clv_metrics_snap *s)
{
    size_t n = clv_router_endpoint_count();
    const char *name = "clavis_http_request_duration_seconds";

    family(f, name, "histogram", "Time from a request's arrival to its answer, by endpoint.");
    for (size_t e = 0; e < n; e++) {
        const char *ep = clv_router_endpoint_name(e);
        unsigned long long total = 0;
        for (size_t k = 0; k <= CLV_METRICS_BUCKETS; k++)
            total += s->latency[e][k];
        if (total == 0)
            continue;
        total = 0;
        for (size_t k = 0; k < CLV_METRICS_BUCKETS; k++) {
            total += s->latency[e][k];
            fprintf(f, "%s_bucket{endpoint=\"%s\",le=\"%g\"} %llu\n", name, ep,
                    (double)clv_metrics_bounds_us[k] / 1e6, total);
        }
        total += s->latency[e][CLV_METRICS_BUCKETS];
        fprintf(f, "%s_bucket{endpoint=\"%s\",le=\"+Inf\"} %llu\n", name, ep, total);
        fprintf(f, "%s_sum{endpoint=\"%s\"} %.6f\n", name, ep, (double)s->latency_sum_us[e] / 1e6);
        fprintf(f, "%s_count{endpoint=\"%s\"} %llu\n", name, ep, total);
    }
}

/* clavis_client_auth_failures_total: by cause alone (every failure), then by client and
 * cause (the busiest clients and "other"; a failure for an unknown client_id never is, and
 * a throttled try is named only for a client that exists, else it is "other"). */
static void failures(FILE *f, const clv_metrics_snap *s)
{
    family(f, "clavis_client_auth_failures_total", "counter",
           "Failed client authentications by cause; with client_id: the busiest clients, "
           "the rest as other.");
    for (int c = 0; c < CLV_FAIL_CAUSES; c++)
        fprintf(f, "clavis_client_auth_failures_total{cause=\"%s\"} %llu\n",
                clv_fail_cause_name((clv_fail_cause)c), (unsigned long long)s->failures[c]);
    for (size_t i = 0; i < s->n_clients; i++) {
        for (int c = 0; c < CLV_FAIL_CAUSES; c++) {
            if (s->clients[i].failures[c] == 0)
                continue;
            fputs("clavis_client_auth_failures_total{client_id=\"", f);
            label(f, s->clients[i].client_id);
            fprintf(f, "\",cause=\"%s\"} %llu\n", clv_fail_cause_name((clv_fail_cause)c),
                    (unsigned long long)s->clients[i].failures[c]);
        }
    }
}

static void tokens(FILE *f, const clv_metrics_snap *s)
{
    family(f, "clavis_tokens_issued_total", "counter", "Tokens issued at /token, by grant.");
    for (int g = 0; g < CLV_GRANT_COUNT; g++)
        fprintf(f, "clavis_tokens_issued_total{grant=\"%s\"} %llu\n", clv_grant_name((clv_grant)g),
                (unsigned long long)s->tokens[g]);
    family(f, "clavis_client_tokens_issued_total", "counter",
           "Tokens issued to the busiest clients, the rest as other.");
    for (size_t i = 0; i < s->n_clients; i++) {
        if (s->clients[i].tokens == 0)
            continue;
        fputs("clavis_client_tokens_issued_total{client_id=\"", f);
        label(f, s->clients[i].client_id);
        fprintf(f, "\"} %llu\n", (unsigned long long)s->clients[i].tokens);
    }
}

static void registrations(FILE *f, const clv_metrics_snap *s)
{
    family(f, "clavis_registrations_total", "counter",
           "Dynamic registrations at /register, by result.");
    for (int r = 0; r < CLV_REG_RESULTS; r++)
        fprintf(f, "clavis_registrations_total{result=\"%s\"} %llu\n",
                clv_reg_result_name((clv_reg_result)r), (unsigned long long)s->registrations[r]);
    family(f, "clavis_metadata_documents_total", "counter",
           "Requests naming a client ID metadata document: client created, refused, or "
           "throttled per address (first fetch, or creation).");
    for (int r = 0; r < CLV_DOC_RESULTS; r++)
        fprintf(f, "clavis_metadata_documents_total{result=\"%s\"} %llu\n",
                clv_doc_result_name((clv_doc_result)r), (unsigned long long)s->documents[r]);
}

static void clients(FILE *f, clv_app *app)
{
    static const char *const names[3] = {"active", "inactive", "deleted"};
    int64_t counts[3];
    clv_err err;

    clv_err_init(&err);
    if (clv_metrics_client_counts(app, counts, &err) != CLV_OK) {
        clv_log("error", "metrics: counting clients failed: %s", err.detail);
        return; /* the rest of the scrape still helps */
    }
    family(f, "clavis_clients", "gauge", "Clients by their own status.");
    for (int i = 0; i < 3; i++)
        fprintf(f, "clavis_clients{status=\"%s\"} %lld\n", names[i], (long long)counts[i]);
}

void clv_h_metrics_serve(clv_req *r, clv_resp *resp)
{
    clv_metrics_snap *s = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    clv_err err;

    clv_err_init(&err);
    if (clv_metrics_snapshot(&s, &err) != CLV_OK || (f = open_memstream(&buf, &len)) == NULL) {
        clv_metrics_snap_free(s);
        clv_resp_empty(resp, 500);
        return;
    }
    requests(f, s);
    latency(f, s);
    tokens(f, s);
    registrations(f, s);
    failures(f, s);
    clients(f, clv_req_app(r));
    family(f, "clavis_build_info", "gauge", "The running version of Clavis.");
    fprintf(f, "clavis_build_info{version=\"%s\"} 1\n", CLAVIS_VERSION);
    fclose(f);
    clv_metrics_snap_free(s);
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp->body = buf;
    resp->body_len = len;
    clv_resp_header(resp, "Cache-Control", "no-store");
}

void clv_h_metrics(clv_req *r, clv_resp *resp)
{
    clv_err err;

    if (clv_req_app(r)->cfg->metrics_listen != NULL) { /* served on its own address only */
        clv_err_init(&err);
        clv_fail(&err, CLV_NOT_FOUND, "no such endpoint");
        clv_resp_oauth_error(resp, &err);
        return;
    }
    clv_h_metrics_serve(r, resp);
}
