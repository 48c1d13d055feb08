"""boto3 clients for the test harness's own python helpers (fixtures, recording checks).

Every request signs an `x-amz-content-sha256` header: moto 5.2.1 fails to verify API Gateway and
Route 53 GET/DELETE requests without it (its verifier hashes the wrong body). Signing the header is
valid for every AWS service, so this changes nothing for a real endpoint.
"""

from __future__ import annotations

import hashlib
from typing import Any


def _sign_content_hash(request: Any, **_: Any) -> None:
    body = request.body or b""
    if hasattr(body, "read"):  # a stream: hash it without consuming it
        position = body.tell()
        data = body.read()
        body.seek(position)
        body = data
    if isinstance(body, str):
        body = body.encode("utf-8")
    request.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()


def client(service: str, endpoint: str, key: str, secret: str, region: str) -> Any:
    import boto3

    c = boto3.client(
        service, endpoint_url=endpoint, region_name=region,
        aws_access_key_id=key, aws_secret_access_key=secret,
    )
    c.meta.events.register("before-sign", _sign_content_hash)
    return c
