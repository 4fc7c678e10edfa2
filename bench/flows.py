#!/usr/bin/env python3
"""The end-user state the write-path cases of bench/compare.sh start from, made through the
real endpoints (no store access): a service, a user, a first-party confidential client
(ES256 access tokens, authorization code + refresh tokens), one sign-in (the SSO session
cookie) and N refresh tokens, each from its own authorization-code round trip.

    bench/flows.py URL ADMIN_TOKEN N OUT_DIR

Writes into OUT_DIR: refresh.txt (one refresh token a line, for bench/refresh.lua) and
flow.env (BENCH_AUTH, BENCH_COOKIE, BENCH_AUTHZ_QUERY, BENCH_REDIRECT, BENCH_VERIFIER,
BENCH_SERVICE for bench/authcode.lua and bench/create.lua). Prints the client_id."""
import base64
import hashlib
import html
import http.client
import json
import os
import re
import sys
import urllib.parse

URL, ADMIN, N, OUT = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
u = urllib.parse.urlsplit(URL)
conn = http.client.HTTPConnection(u.hostname, u.port)
REDIRECT = "https://rp.example/cb"
USER = "bench-" + os.urandom(4).hex()
VERIFIER = "bench-verifier-" + "v" * 40
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


def call(method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    hd = dict((k.lower(), v) for k, v in r.getheaders())
    hd["cookies"] = "; ".join(v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie")
    return r.status, hd, r.read().decode()


def api(path, obj):
    st, _, body = call("POST", path, json.dumps(obj),
                       {"Authorization": "Bearer " + ADMIN, "Content-Type": "application/json"})
    if st // 100 != 2:
        sys.exit(f"flows: POST {path}: {st} {body}")
    return json.loads(body)


svc = api("/admin/v1/services", {"name": "bench-flows"})
api("/admin/v1/users", {"username": USER, "password": "bench-password-1"})
cl = api("/admin/v1/clients", {
    "service_id": svc["id"], "name": "bench-rp", "type": "confidential", "first_party": True,
    "redirect_uris": [REDIRECT], "scopes": ["openid", "profile"], "allow_refresh_token": True,
    "access_token_signing_alg": "ES256"})
auth = base64.b64encode(f'{cl["client_id"]}:{cl["client_secret"]}'.encode()).decode()
query = urllib.parse.urlencode({
    "response_type": "code", "client_id": cl["client_id"], "redirect_uri": REDIRECT,
    "scope": "openid profile", "state": "s", "code_challenge": CHALLENGE,
    "code_challenge_method": "S256"})

# Sign in once: the form of /authorize, posted back with the user's password.
st, hd, page = call("GET", "/authorize?" + query)
form = {m.group(1): html.unescape(m.group(2))
        for m in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)}
form.update(username=USER, password="bench-password-1")
cookies = hd["cookies"]
st, hd, page = call("POST", "/authorize", urllib.parse.urlencode(form),
                    {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies})
session = hd["cookies"]
if st != 302 or not session:
    sys.exit(f"flows: sign-in: {st} {page[:300]}")


def code():
    st, hd, body = call("GET", "/authorize?" + query, headers={"Cookie": session})
    m = re.search(r"[?&]code=([^&]+)", hd.get("location", ""))
    if st != 302 or not m:
        sys.exit(f"flows: authorize with the session: {st} {hd.get('location')} {body[:300]}")
    return urllib.parse.unquote(m.group(1))


with open(f"{OUT}/refresh.txt", "w") as f:
    for _ in range(N):
        st, _, body = call("POST", "/token", urllib.parse.urlencode({
            "grant_type": "authorization_code", "code": code(), "redirect_uri": REDIRECT,
            "code_verifier": VERIFIER}),
            {"Authorization": "Basic " + auth, "Content-Type": "application/x-www-form-urlencoded"})
        t = json.loads(body)
        if st != 200 or "refresh_token" not in t:
            sys.exit(f"flows: code grant: {st} {body}")
        f.write(t["refresh_token"] + "\n")
with open(f"{OUT}/flow.env", "w") as f:
    for k, v in (("BENCH_AUTH", auth), ("BENCH_COOKIE", session), ("BENCH_AUTHZ_QUERY", query),
                 ("BENCH_REDIRECT", REDIRECT), ("BENCH_VERIFIER", VERIFIER),
                 ("BENCH_SERVICE", svc["id"])):
        f.write(f"export {k}='{v}'\n")
print(cl["client_id"])
