#!/usr/bin/env python3
"""Latency of GET /admin/v1/clients?limit=100&q=TERM, one term a line on stdin: each term
is asked once, then 60 times in a row on one keep-alive connection; prints items, p50, p99.

    bench/q_latency.py URL ADMIN_TOKEN [EXTRA_QUERY] < terms
    printf '%s\\n' 'client 00001' 'S' | bench/q_latency.py http://127.0.0.1:8080 "$AT" '&status=active'

Used for the q rows of docs/PERFORMANCE.md (server on CPU 0 with --threads 1 and this
script on CPU 1, against a database filled by bench/seed.sh)."""
import http.client
import json
import sys
import time
import urllib.parse

url, token = sys.argv[1], sys.argv[2]
extra = sys.argv[3] if len(sys.argv) > 3 else ""
u = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(u.hostname, u.port)


def ask(path):
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"Authorization": "Bearer " + token})
    r = conn.getresponse()
    body = r.read()
    return time.perf_counter() - t0, r.status, body


for term in (line.rstrip("\n") for line in sys.stdin):
    if not term:
        continue
    path = "/admin/v1/clients?limit=100&q=" + urllib.parse.quote(term, safe="") + extra
    _, status, body = ask(path)
    items = len(json.loads(body).get("items", [])) if status == 200 else -1
    times = sorted(ask(path)[0] for _ in range(60))
    print(f"{term!r:24} status {status} items {items:3d}  p50 {times[30] * 1000:7.2f} ms"
          f"  p99 {times[59] * 1000:7.2f} ms")
