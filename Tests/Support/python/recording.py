#!/usr/bin/env python3
"""Names every call in a moto request recording (MOTO_ENABLE_RECORDING JSONL) by service and operation.

Usage: recording.py FILE   -> prints a JSON array, one object per AWS call, in order:
  {"service": "ec2", "operation": "CreateVpc", "method": "POST", "path": "/", "query": "", "mutating": true}

- service: the signing name in the Authorization credential scope (what moto routes by).
- operation: the query `Action`, else the `X-Amz-Target` suffix, else the REST operation whose
  method and requestUri (botocore's service model) match the request; null when nothing matches.
- path: percent-decoded; query: the query string as sent (e.g. `domainNameId=abc&limit=500`), "" when none.
- mutating: false for Describe*/List*/Get*/Head* operations, else true; for an unnamed call,
  true unless the method is GET or HEAD.
Requests to /moto-api/* (reset, recorder control) are left out.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import sys
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

READ_ONLY_PREFIXES = ("Describe", "List", "Get", "Head")


@functools.lru_cache(maxsize=None)
def _rest_operations(service: str) -> list[tuple[str, re.Pattern[str], list[str], str]]:
    """(method, path pattern, required query keys, operation) for a service's REST operations."""
    from botocore.loaders import Loader

    try:
        model = Loader().load_service_model(service, "service-2")
    except Exception:
        return []
    result = []
    for name, op in model["operations"].items():
        uri = op["http"]["requestUri"]
        path, _, query = uri.partition("?")
        pattern = re.sub(r"\\\{[^}]+\\\+\\\}", ".+", re.escape(path))
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        keys = [q.split("=")[0] for q in query.split("&") if q]
        result.append((op["http"]["method"], re.compile(f"^{pattern}/?$"), keys, name))
    # Most literal text first, so /domainnames/{name}/basepathmappings beats /domainnames/{name}.
    result.sort(key=lambda r: -len(re.sub(r"\[\^/\]\+|\.\+", "", r[1].pattern)))
    return result


def name_call(entry: dict[str, Any]) -> dict[str, Any] | None:
    url = urlsplit(entry.get("url", ""))
    if url.path.startswith("/moto-api"):
        return None
    headers = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}
    scope = re.search(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request", headers.get("authorization", ""))
    service = scope.group(1) if scope else None
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    method = entry.get("method", "").upper()

    operation = None
    if "x-www-form-urlencoded" in headers.get("content-type", ""):
        operation = (parse_qs(body).get("Action") or [None])[0]
    if operation is None and headers.get("x-amz-target"):
        operation = headers["x-amz-target"].split(".")[-1]
    if operation is None and service:
        query = parse_qs(url.query, keep_blank_values=True)
        path = url.path
        for op_method, pattern, keys, name in _rest_operations(service):
            if op_method == method and pattern.match(path) and all(k in query for k in keys):
                operation = name
                break
    mutating = operation.startswith(READ_ONLY_PREFIXES) is False if operation else method not in ("GET", "HEAD")
    return {"service": service, "operation": operation, "method": method, "path": unquote(url.path), "query": url.query,
            "mutating": mutating}


def main() -> int:
    calls = []
    with open(sys.argv[1]) as f:
        for line in f:
            if line.strip():
                call = name_call(json.loads(line))
                if call is not None:
                    calls.append(call)
    print(json.dumps(calls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
