#!/usr/bin/env python3
"""Splits the samples of a `perf script -F ip,sym,dso` dump of Clavis under /token load
into the stages of a request (bench/profile.sh), by the frames on each sample's stack:
the first rule below that a stack matches takes the sample. Prints each stage's share of
the samples and, given the request rate under perf, its cost in microseconds per request.

  profile_stages.py SCRIPT.txt [REQUESTS_PER_SECOND]
"""
import re
import sys
from collections import Counter

FRAME = re.compile(r"^\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$")

ALLOC = {"malloc", "_int_malloc", "_int_free", "cfree@GLIBC_2.2.5", "free", "realloc",
         "_int_realloc", "calloc", "malloc_consolidate", "__libc_malloc", "__libc_free",
         "__GI___libc_malloc (inlined)", "__GI___libc_free (inlined)", "tcache_get (inlined)",
         "tcache_put (inlined)", "unlink_chunk.isra.0", "__memcpy_avx_unaligned_erms"}

# (stage, test on (set of symbols, leaf symbol, leaf dso)), first match wins
RULES = [
    ("the signature itself (sign_input: SHA-256 and EVP_PKEY_sign, or EVP_DigestSign)",
     lambda s, leaf, dso: any(x.startswith("EVP_DigestSign") for x in s) or "sign_input" in s),
    ("SQLite: client lookup (clv_sqlite_client_get)", lambda s, leaf, dso: "clv_sqlite_client_get" in s),
    ("SQLite: secret lookup (clv_sqlite_secret_list)", lambda s, leaf, dso: "clv_sqlite_secret_list" in s),
    ("SQLite: other", lambda s, leaf, dso: any(x.startswith("clv_sqlite_") or x.startswith("sqlite3") for x in s)),
    ("HMAC-SHA-256 of the presented secret", lambda s, leaf, dso: "clv_hmac_sha256" in s or "clv_secret_hash" in s),
    ("randomness (jti and ids)", lambda s, leaf, dso: any(x in s for x in (
        "clv_rand_bytes", "clv_id_new", "RAND_bytes_ex", "RAND_priv_bytes_ex", "EVP_RAND_generate"))),
    ("JSON text (clv_json_text / clv_json_obj, json_dumps: claims and response body)", lambda s, leaf, dso: any(x.startswith(("json_dump", "clv_json_")) for x in s)),
    ("JSON objects (json_pack, json_object_set, json_delete…)", lambda s, leaf, dso: any(x.startswith("json_") for x in s)),
    ("base64url", lambda s, leaf, dso: any(x.startswith("clv_b64") for x in s)),
    ("kernel: sending the answer (TCP, incl. loopback delivery to wrk)",
     lambda s, leaf, dso: any(x in s for x in ("__libc_sendmsg", "__sys_sendmsg", "__libc_send", "__sys_sendto", "__libc_writev"))),
    ("kernel: reading the request", lambda s, leaf, dso: any(x in s for x in ("__libc_recv", "__sys_recvfrom", "__libc_read"))),
    ("kernel: epoll, accept and other system calls", lambda s, leaf, dso: "do_syscall_64" in s or "entry_SYSCALL_64_after_hwframe" in s),
    ("malloc/free (outside the stages above)", lambda s, leaf, dso: leaf in ALLOC),
    ("other Clavis request code (routing, form, scope, claims)", lambda s, leaf, dso: "on_request" in s),
    ("libmicrohttpd (HTTP parsing, connection handling)", lambda s, leaf, dso: "libmicrohttpd" in dso),
    ("other", lambda s, leaf, dso: True),
]


def samples(path):
    stack = []
    with open(path, errors="replace") as f:
        for line in f:
            m = FRAME.match(line)
            if m:
                stack.append((m.group(1), m.group(2)))
            elif stack:
                yield stack
                stack = []
    if stack:
        yield stack


def main():
    path = sys.argv[1]
    rps = float(sys.argv[2]) if len(sys.argv) > 2 else None
    stages = Counter()
    fcntl = alloc_anywhere = total = 0
    for st in samples(path):
        total += 1
        syms = {sym for sym, _ in st}
        leaf, dso = st[0]
        if any("fcntl" in x for x in syms):
            fcntl += 1
        if leaf in ALLOC:
            alloc_anywhere += 1
        for name, test in RULES:
            if test(syms, leaf, dso):
                stages[name] += 1
                break
    print(f"{total} samples" + (f", {rps:,.0f} req/s under perf: {1e6 / rps:.1f} µs per request" if rps else ""))
    for name, _ in RULES:
        n = stages[name]
        us = f"{n / total * 1e6 / rps:7.1f} µs" if rps else ""
        print(f"{n / total * 100:6.1f} %  {us}  {name}")
    print(f"(across the stages: fcntl file locks {fcntl / total * 100:.1f} %, "
          f"malloc/free as the leaf {alloc_anywhere / total * 100:.1f} %)")


if __name__ == "__main__":
    main()
