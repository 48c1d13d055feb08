#!/usr/bin/env python3
"""Reference SigV4 signatures from botocore, for privgw's differential test and signer benchmark.

Reads one JSON document on stdin: {"requests": [REQUEST, ...]}, REQUEST being
  {"method", "scheme", "host" (with :port when not default), "path" (wire form), "query": [[name, value], ...]
   (decoded), "headers": [[name, value], ...], "body_b64", "access_key", "secret_key", "token" (or null),
   "region", "service", "epoch" (seconds, UTC), "content_sha256" (bool: add X-Amz-Content-SHA256 = sha256(body)
   when the request has none, as privgw's signer does with signContentSHA256)}

  botocore_sign.py sign          -> stdout {"results": [{"authorization", "canonical_request", "string_to_sign",
                                                          "headers": [[name, value], ...]}, ...]}
  botocore_sign.py bench SECONDS -> signs the batch over and over for about SECONDS, stdout
                                    {"signatures": N, "seconds": S, "per_second": R, "botocore": VERSION}

Signing goes through botocore.auth.SigV4Auth.add_auth on a botocore.awsrequest.AWSRequest, with botocore's clock
(botocore.auth.get_current_datetime) pinned to each request's timestamp.
"""
import base64
import datetime
import hashlib
import json
import sys
import time

import botocore
import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class RecordingSigV4Auth(SigV4Auth):
    """SigV4Auth that keeps the canonical request and string to sign it computed (for diagnostics)."""

    def canonical_request(self, request):
        self.last_canonical_request = super().canonical_request(request)
        return self.last_canonical_request

    def string_to_sign(self, request, canonical_request):
        self.last_string_to_sign = super().string_to_sign(request, canonical_request)
        return self.last_string_to_sign


_pinned = [None]
_original_now = botocore.auth.get_current_datetime


def _now(*args, **kwargs):
    return _pinned[0] if _pinned[0] is not None else _original_now(*args, **kwargs)


botocore.auth.get_current_datetime = _now


def prepare(spec):
    """Everything that does not change between signatures of the same request."""
    body = base64.b64decode(spec.get("body_b64") or "")
    headers = [(n, v) for n, v in spec.get("headers", [])]
    if spec.get("content_sha256") and not any(n.lower() == "x-amz-content-sha256" for n, _ in headers):
        headers.append(("X-Amz-Content-SHA256", hashlib.sha256(body).hexdigest()))
    when = datetime.datetime.fromtimestamp(spec["epoch"], tz=datetime.timezone.utc).replace(tzinfo=None)
    creds = Credentials(spec["access_key"], spec["secret_key"], spec.get("token"))
    url = "%s://%s%s" % (spec.get("scheme", "https"), spec["host"], spec["path"])
    params = [(n, v) for n, v in spec.get("query", [])]
    return {"method": spec["method"], "url": url, "params": params, "headers": headers, "body": body,
            "when": when, "creds": creds, "region": spec["region"], "service": spec["service"]}


def sign(p):
    request = AWSRequest(method=p["method"], url=p["url"], data=p["body"], params=list(p["params"]))
    for name, value in p["headers"]:
        request.headers[name] = value  # HTTPHeaders appends: repeated names are kept, in order
    auth = RecordingSigV4Auth(p["creds"], p["service"], p["region"])
    _pinned[0] = p["when"]
    try:
        auth.add_auth(request)
    finally:
        _pinned[0] = None
    return auth, request


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "sign"
    batch = json.load(sys.stdin)
    prepared = [prepare(spec) for spec in batch["requests"]]
    if mode == "sign":
        results = []
        for p in prepared:
            auth, request = sign(p)
            results.append({
                "authorization": request.headers["Authorization"],
                "canonical_request": auth.last_canonical_request,
                "string_to_sign": auth.last_string_to_sign,
                "headers": [[n, v] for n, v in request.headers.items()],
            })
        json.dump({"results": results}, sys.stdout)
    elif mode == "bench":
        budget = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
        for p in prepared[: min(len(prepared), 50)]:  # warm-up
            sign(p)
        count = 0
        start = time.perf_counter()
        while True:
            for p in prepared:
                sign(p)
            count += len(prepared)
            elapsed = time.perf_counter() - start
            if elapsed >= budget:
                break
        json.dump({"signatures": count, "seconds": elapsed, "per_second": count / elapsed,
                   "botocore": botocore.__version__}, sys.stdout)
    else:
        sys.exit("usage: botocore_sign.py sign|bench [SECONDS] < batch.json")
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
