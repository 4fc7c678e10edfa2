#!/usr/bin/env python3
"""Start-up time of `clavis serve` against the number of tenants (docs/DESIGN.md D13: every
start makes sure each tenant's console client exists and follows the issuer).

    bench/console_startup.py [--tenants N] [--runs R] [--bin PATH]

Makes a fresh SQLite database with `clavis init`, adds N tenants through the admin API (each
comes with its console), then times R starts (spawn to the first 200 of /healthz) in three
states: no tenant but the init one; N tenants whose consoles exist (the check: one read a
tenant, nothing written); N tenants without consoles (a database from before consoles per
tenant: each start makes them — the database is copied back before every run). Prints the
median and every run, in milliseconds. Needs sqlite3. CLAVIS_BIN or --bin: the binary
(default build/clavis)."""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, token=None, form=None):
    headers = {}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        data = form.encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req) as r:
        return r.status, json.loads(r.read() or b"null")


def serve(binary, db, port):
    # the log goes to a file: a pipe nobody reads would fill and stop the server
    log = open(db + ".log", "ab")
    # one issuer for every start (the default, http://LISTEN, would change with the port
    # and have each start rewrite every console's redirect URIs)
    return subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", "--db", db,
                             "--issuer", "http://localhost:8080"],
                            stdout=subprocess.DEVNULL, stderr=log)


def up(port, proc, deadline=120):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            sys.exit(f"serve exited ({proc.returncode}); its log: {proc.args[-1]}.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.005)
    sys.exit("serve did not come up")


def stop(proc):
    proc.terminate()
    proc.wait(timeout=30)


def time_start(binary, db):
    port = free_port()
    t0 = time.monotonic()
    proc = serve(binary, db, port)
    up(port, proc)
    ms = (time.monotonic() - t0) * 1000
    stop(proc)
    return ms


def add_tenants(binary, db, init, n):
    port = free_port()
    proc = serve(binary, db, port)
    up(port, proc)
    base = f"http://127.0.0.1:{port}"
    form = (f"grant_type=client_credentials&scope=admin&client_id={init['client_id']}"
            f"&client_secret={urllib.parse.quote(init['client_secret'])}")
    token = http("POST", f"{base}/token", form=form)[1]["access_token"]
    for i in range(n):
        st, _ = http("POST", f"{base}/admin/v1/tenants", {"name": f"t{i}"}, token)
        assert st == 201
    stop(proc)


def runs(binary, db, r, fresh=None):
    out = []
    for _ in range(r):
        if fresh:
            for ext in ("", "-wal", "-shm"):
                if os.path.exists(fresh + ext):
                    shutil.copy(fresh + ext, db + ext)
                elif os.path.exists(db + ext):
                    os.remove(db + ext)
        out.append(time_start(binary, db))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tenants", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin", default=os.environ.get("CLAVIS_BIN", os.path.join(ROOT, "build/clavis")))
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="clavis-startup-")
    try:
        db = os.path.join(d, "c.db")
        init = json.loads(subprocess.run([a.bin, "init", "--db", db, "--json"], check=True,
                                         capture_output=True).stdout)
        rows = [("no tenant but the init one", runs(a.bin, db, a.runs))]
        add_tenants(a.bin, db, init, a.tenants)
        rows.append((f"{a.tenants} tenants, consoles there", runs(a.bin, db, a.runs)))
        subprocess.run(["sqlite3", db, "UPDATE clients SET client_id = 'old-' || client_id "
                        "WHERE client_id LIKE 'clavis-console-%'"], check=True)
        old = os.path.join(d, "old.db")
        subprocess.run(["sqlite3", db, f"VACUUM INTO '{old}'"], check=True)
        rows.append((f"{a.tenants} tenants, consoles made", runs(a.bin, db, a.runs, fresh=old)))
        for name, ms in rows:
            print(f"{name:32} median {statistics.median(ms):8.1f} ms   runs "
                  + " ".join(f"{m:.1f}" for m in ms))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
