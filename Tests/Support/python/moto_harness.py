#!/usr/bin/env python3
"""Runs moto's server app on 127.0.0.1 for privgw's tests and demo, with signature verification on.

Usage: moto_harness.py [--port N] [--no-verify] [--exit-with-parent]

- Listens on 127.0.0.1:N (N=0, the default, picks a free port).
- Verification: INITIAL_NO_AUTH_ACTION_COUNT=3 is set before moto is imported; the harness spends the
  three unchecked calls on IAM CreateUser, PutUserPolicy (Allow * on *) and CreateAccessKey through boto3,
  so every later request must carry a valid SigV4 signature from that key. `--no-verify` leaves moto's
  default (nothing checked); the user and key are created either way.
- `POST /moto-api/reset` wipes moto's state as usual, then the harness puts the same user, policy and key
  back, so the credentials it printed stay valid for the whole run.
- API Gateway private custom domains, which moto 5.2.1 lacks, are served by the test stand-in in
  private_domains.py (see its docstring).
- Route 53 CREATE conflicts are checked exactly (see correct_route53_create).
- When ready it prints ONE JSON line on stdout:
  {"port":N,"pid":P,"accessKeyId":"...","secretAccessKey":"...","region":"us-east-1"}
  then stdout is pointed at stderr (moto sometimes prints), and it serves until SIGTERM or SIGINT
  (or, with --exit-with-parent, until the process that started it is gone).
- Environment is passed to moto unchanged: MOTO_ACM_VALIDATION_WAIT, MOTO_ENABLE_RECORDING,
  MOTO_RECORDER_FILEPATH, ...
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

sys.dont_write_bytecode = True  # keep __pycache__ out of the Swift target folder
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

REGION = "us-east-1"
USER_NAME = "privgw-test"
POLICY_NAME = "allow-all"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


class Identity:
    """The IAM user and access key every verified request is checked against."""

    def __init__(self, access_key_id: str, secret_access_key: str):
        self.access_key_id, self.secret_access_key = access_key_id, secret_access_key

    @staticmethod
    def create(endpoint: str) -> "Identity":
        """The documented way: three unchecked calls through boto3 (dummy keys are fine for them)."""
        import boto3

        iam = boto3.client(
            "iam", endpoint_url=endpoint, region_name=REGION,
            aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap",
        )
        iam.create_user(UserName=USER_NAME)
        iam.put_user_policy(UserName=USER_NAME, PolicyName=POLICY_NAME, PolicyDocument=POLICY)
        key = iam.create_access_key(UserName=USER_NAME)["AccessKey"]
        return Identity(key["AccessKeyId"], key["SecretAccessKey"])

    def restore(self) -> None:
        """After a reset: the same user, policy and key again, written straight into moto's IAM backend."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.iam.models import iam_backends

        iam = iam_backends[DEFAULT_ACCOUNT_ID]["aws"]
        iam.create_user(REGION, USER_NAME)
        iam.put_user_policy(USER_NAME, POLICY_NAME, POLICY)
        key = iam.create_access_key(USER_NAME)
        del iam.access_keys[key.access_key_id]
        key.access_key_id, key.secret_access_key = self.access_key_id, self.secret_access_key
        iam.access_keys[key.access_key_id] = key


def correct_route53_create() -> None:
    """Route 53 refuses a CREATE only when a record of that name and type exists. moto 5.2.1 also refuses a CREATE
    identical to an earlier one in the zone's change journal whenever ANY record sorts after the name (it lists from
    the name onward instead of looking the name up): e.g. the second `up` after a `down` in a zone that holds
    other records. The check is made exact here, and the stale journal entry of a record since deleted dropped."""
    from moto.route53.exceptions import ResourceRecordAlreadyExists
    from moto.route53.models import Route53Backend

    original = Route53Backend.change_resource_record_sets

    def change_resource_record_sets(self, zoneid, change_list):
        zone = self.get_hosted_zone(zoneid)
        for value in change_list:
            if value.get("Action") != "CREATE":
                continue
            rs = value["ResourceRecordSet"]
            name, kind, ident = rs["Name"].strip(".").lower(), rs.get("Type"), rs.get("SetIdentifier")
            if any(r.name.strip(".").lower() == name and r.type == kind and r.set_identifier == ident for r in zone.rrsets):
                raise ResourceRecordAlreadyExists(name=name + ".", _type=kind)
            while value in zone.rr_changes:
                zone.rr_changes.remove(value)
        return original(self, zoneid, change_list)

    Route53Backend.change_resource_record_sets = change_resource_record_sets


class ResetKeepsIdentity:
    """WSGI middleware: after moto's own `POST /moto-api/reset`, restores the test identity."""

    def __init__(self, app):
        self.app = app
        self.identity: Identity | None = None  # set once the identity exists (it needs the server running)

    def __call__(self, environ, start_response):
        result = self.app(environ, start_response)
        if environ.get("PATH_INFO") == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
            result = list(result)  # the reset has run once the body is produced
            if self.identity is not None:
                self.identity.restore()
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-verify", action="store_true", help="do not check signatures")
    parser.add_argument("--exit-with-parent", action="store_true", help="stop when the parent process is gone")
    args = parser.parse_args()

    if args.no_verify:
        os.environ.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)
    else:
        os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"  # read by moto.settings at import time
    parent = os.getppid()

    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    from private_domains import PrivateDomainStandIn

    correct_route53_create()

    app = ResetKeepsIdentity(PrivateDomainStandIn(DomainDispatcherApplication(create_backend_app)))
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    port = server.server_port
    os.environ.setdefault("MOTO_PORT", str(port))  # moto calls itself on this port for a few features
    threading.Thread(target=server.serve_forever, name="moto", daemon=True).start()

    app.identity = identity = Identity.create(f"http://127.0.0.1:{port}")

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    print(json.dumps({
        "port": port, "pid": os.getpid(),
        "accessKeyId": identity.access_key_id, "secretAccessKey": identity.secret_access_key,
        "region": REGION,
    }), flush=True)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    while not stop.wait(0.5):
        if args.exit_with_parent and os.getppid() != parent:
            break
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
