#!/usr/bin/python3
"""The authorization code flow with PKCE driven by a second, independent client library:
Debian's python3-authlib (with python3-requests as the browser). Run by authlib.test.mjs
with the server's issuer and a public client in the environment; prints one JSON line
with what it saw and exits 0, or raises.

Environment: ISSUER, CLIENT_ID, REDIRECT_URI, USERNAME, PASSWORD.
"""
import json
import os
import sys
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken


class FormParser(HTMLParser):
    """Collects the first form's action and its inputs, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}
        self.in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self.in_form = a.get("action"), True
        elif tag == "input" and self.in_form and "name" in a:
            self.fields[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def main():
    issuer, client_id = os.environ["ISSUER"], os.environ["CLIENT_ID"]
    redirect_uri = os.environ["REDIRECT_URI"]
    meta = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
    check(meta["issuer"] == issuer, "issuer")

    oauth = OAuth2Session(client_id, token_endpoint_auth_method="none",
                          scope="openid profile email", redirect_uri=redirect_uri,
                          code_challenge_method="S256")
    verifier, nonce = generate_token(48), generate_token(20)
    url, state = oauth.create_authorization_url(meta["authorization_endpoint"],
                                                code_verifier=verifier, nonce=nonce)

    browser = requests.Session()
    page = browser.get(url, allow_redirects=False, timeout=10)
    check(page.status_code == 200, "sign-in page: %d" % page.status_code)
    form = FormParser()
    form.feed(page.text)
    fields = dict(form.fields, username=os.environ["USERNAME"], password=os.environ["PASSWORD"])
    done = browser.post(form.action, data=fields, allow_redirects=False, timeout=10)
    check(done.status_code == 302, "after sign-in: %d" % done.status_code)
    location = done.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    check(query["state"] == [state], "state carried")
    check(query["iss"] == [issuer], "iss (RFC 9207)")

    token = oauth.fetch_token(meta["token_endpoint"], authorization_response=location,
                              code_verifier=verifier)
    keys = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["id_token"], keys, claims_cls=CodeIDToken,
                        claims_options={"iss": {"essential": True, "value": issuer}},
                        claims_params={"nonce": nonce, "client_id": client_id,
                                       "access_token": token["access_token"]})
    claims.validate()  # iss, aud, exp, iat, nonce, and at_hash against the access token

    info = oauth.get(meta["userinfo_endpoint"], timeout=10).json()
    check(info["sub"] == claims["sub"], "UserInfo sub")

    refreshed = oauth.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    check(refreshed["refresh_token"] != token["refresh_token"], "rotated")
    reuse = requests.post(meta["token_endpoint"], timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"],
        "client_id": client_id})
    check(reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant", "reuse refused")

    print(json.dumps({"sub": claims["sub"], "userinfo": info, "scope": token["scope"],
                      "at_hash": claims["at_hash"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
