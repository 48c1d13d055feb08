"""A mitmproxy addon that injects AWS faults between privgw and moto (reverse mode), for the fault tests.

Run (Tests/Support/FaultProxy.swift does this; scripts/ensure-mitmproxy installs mitmdump):

    .venv-mitm/bin/mitmdump --mode reverse:http://127.0.0.1:MOTO_PORT --listen-host 127.0.0.1 --listen-port 0 \
        -s Tests/Support/python/fault_addon.py --set fault_rate=0.1 --set fault_seed=7 \
        --set fault_summary=/tmp/faults.json --set fault_ready=/tmp/ready.json

What it does to each request (never to moto's own `/moto-api/...` control calls, nor to unsigned requests):

1. `fault_deny=SERVICE:Operation[,...]`: always answers that operation with the service's authorization error,
   in the service's own format: EC2 `UnauthorizedOperation` (403, EC2's classic message, which does not name
   the action), query services and Route 53 `AccessDenied` (403), API Gateway and ACM `AccessDeniedException`
   (403, `x-amzn-ErrorType` / `__type`), whose messages name the IAM action as AWS does
   ("... is not authorized to perform: acm:RequestCertificate ...").
2. `fault_garbage=SERVICE:Operation[:KIND][,...]`: answers that operation with something no AWS parser can
   read: KIND `xml` (a 200 with broken XML), `json` (a 200 with broken JSON), `truncated` (moto's real
   answer cut in half: the call took effect), `html` (a proxy's 502 HTML page), `empty` (a 200 without a
   body). Default: `xml` for XML protocols, `json` for JSON ones.
3. At `fault_rate` (0..1; draws from `random.Random(fault_seed)`, in arrival order), one of `fault_kinds`:
   - `throttle`: the service's real throttling error, not forwarded: EC2 `RequestLimitExceeded` 503
     (`<Response><Errors>`), ELBv2/STS/IAM `Throttling` 400 (`<ErrorResponse>`), API Gateway
     `TooManyRequestsException` 429 (`x-amzn-ErrorType`), ACM `ThrottlingException` 400 (JSON `__type`),
     Route 53 `Throttling` 400 (`<ErrorResponse>`).
   - `500`, `503`: the service's InternalError/ServiceUnavailable, not forwarded.
   - `ambiguous500`: forwarded to moto FIRST (the call takes effect), then the answer is replaced by a 500:
     the case idempotency tokens and find-before-create must survive.
   - `reset`: the connection is dropped before forwarding; `reset-after`: forwarded, then dropped.
   - `slow`: forwarded after `fault_slow_seconds` (an answer, just late).
4. Idempotency as AWS has it and moto lacks it (`fault_idempotency`, on by default): a repeat of
   EC2 `ClientToken` creates, Route 53 `CreateHostedZone` with the same `CallerReference`, and ELBv2
   `CreateLoadBalancer`/`CreateTargetGroup` with the same name (AWS returns the existing one) is answered
   with moto's first answer instead of creating a second resource (moto ignores these tokens; see
   ../shared/README.md). An ELBv2 name is forgotten once its resource is deleted.

The service is read from the Authorization credential scope (`Credential=AK/DATE/REGION/SERVICE/aws4_request`),
as moto routes. Counts go to the JSON file `fault_summary` after every request and at exit:
`{"requests": N, "forwarded": N, "faults": {"throttle": N, ...}, "faulted": N, "denied": N, "garbage": N,
  "replayed": N, "operations": {"ec2:CreateVpcEndpoint": {"requests": N, "faults": {...}}, ...}}`.
Every option may also come from the environment: FAULT_RATE, FAULT_SEED, FAULT_KINDS, FAULT_SLOW_SECONDS,
FAULT_DENY, FAULT_GARBAGE, FAULT_SUMMARY, FAULT_READY, FAULT_IDEMPOTENCY, FAULT_PARENT_PID (`--set` wins).
`fault_ready`: a file the addon writes `{"port": N, "pid": P}` to once listening (use `--listen-port 0`).
`fault_parent_pid`: the addon shuts mitmdump down once that process is gone (a crashed test leaves nothing).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import threading
import uuid
from collections import defaultdict
from urllib.parse import parse_qs, unquote, urlsplit

from mitmproxy import ctx, http

ALL_KINDS = ("throttle", "500", "503", "ambiguous500", "reset", "reset-after", "slow")

# Service signing name -> wire protocol.
PROTOCOLS = {
    "ec2": "ec2",
    "elasticloadbalancing": "query", "sts": "query", "iam": "query",
    "apigateway": "rest-json", "acm": "json", "route53": "rest-xml",
}

XML_NAMESPACES = {
    "elasticloadbalancing": "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "route53": "https://route53.amazonaws.com/doc/2013-04-01/",
}

# REST operations privgw calls: (method, path regex, operation). Paths are percent-decoded first.
_R53 = "/2013-04-01"
REST_ROUTES = {
    "apigateway": [
        ("GET", r"/restapis", "GetRestApis"), ("POST", r"/restapis", "CreateRestApi"),
        ("GET", r"/restapis/[^/]+", "GetRestApi"), ("PATCH", r"/restapis/[^/]+", "UpdateRestApi"),
        ("DELETE", r"/restapis/[^/]+", "DeleteRestApi"),
        ("GET", r"/restapis/[^/]+/resources", "GetResources"),
        ("POST", r"/restapis/[^/]+/resources/[^/]+", "CreateResource"),
        ("PUT", r"/restapis/[^/]+/resources/[^/]+/methods/[^/]+", "PutMethod"),
        ("PUT", r"/restapis/[^/]+/resources/[^/]+/methods/[^/]+/responses/[^/]+", "PutMethodResponse"),
        ("PUT", r"/restapis/[^/]+/resources/[^/]+/methods/[^/]+/integration", "PutIntegration"),
        ("PUT", r"/restapis/[^/]+/resources/[^/]+/methods/[^/]+/integration/responses/[^/]+", "PutIntegrationResponse"),
        ("GET", r"/restapis/[^/]+/resources/[^/]+/methods/[^/]+", "GetMethod"),
        ("GET", r"/restapis/[^/]+/resources/[^/]+/methods/[^/]+/integration", "GetIntegration"),
        ("GET", r"/restapis/[^/]+/stages", "GetStages"), ("GET", r"/restapis/[^/]+/stages/[^/]+", "GetStage"),
        ("POST", r"/restapis/[^/]+/deployments", "CreateDeployment"),
        ("GET", r"/domainnames", "GetDomainNames"), ("POST", r"/domainnames", "CreateDomainName"),
        ("GET", r"/domainnames/[^/]+", "GetDomainName"), ("PATCH", r"/domainnames/[^/]+", "UpdateDomainName"),
        ("DELETE", r"/domainnames/[^/]+", "DeleteDomainName"),
        ("GET", r"/domainnames/[^/]+/basepathmappings", "GetBasePathMappings"),
        ("POST", r"/domainnames/[^/]+/basepathmappings", "CreateBasePathMapping"),
        ("GET", r"/domainnames/[^/]+/basepathmappings/.+", "GetBasePathMapping"),
        ("DELETE", r"/domainnames/[^/]+/basepathmappings/.+", "DeleteBasePathMapping"),
        ("GET", r"/domainnameaccessassociations", "GetDomainNameAccessAssociations"),
        ("POST", r"/domainnameaccessassociations", "CreateDomainNameAccessAssociation"),
        ("DELETE", r"/domainnameaccessassociations/.+", "DeleteDomainNameAccessAssociation"),
        ("GET", r"/tags/.+", "GetTags"), ("PUT", r"/tags/.+", "TagResource"),
    ],
    "route53": [
        ("POST", _R53 + r"/hostedzone", "CreateHostedZone"), ("GET", _R53 + r"/hostedzone", "ListHostedZones"),
        ("GET", _R53 + r"/hostedzone/[^/]+", "GetHostedZone"), ("DELETE", _R53 + r"/hostedzone/[^/]+", "DeleteHostedZone"),
        ("GET", _R53 + r"/hostedzonesbyname", "ListHostedZonesByName"),
        ("POST", _R53 + r"/hostedzone/[^/]+/rrset/?", "ChangeResourceRecordSets"),
        ("GET", _R53 + r"/hostedzone/[^/]+/rrset/?", "ListResourceRecordSets"),
        ("POST", _R53 + r"/hostedzone/[^/]+/associatevpc", "AssociateVPCWithHostedZone"),
        ("POST", _R53 + r"/hostedzone/[^/]+/disassociatevpc", "DisassociateVPCFromHostedZone"),
        ("GET", _R53 + r"/change/[^/]+", "GetChange"),
        ("GET", _R53 + r"/tags/hostedzone/[^/]+", "ListTagsForResource"),
        ("POST", _R53 + r"/tags/hostedzone/[^/]+", "ChangeTagsForResource"),
    ],
}

# What AWS calls the IAM action prefix of each signing name.
IAM_PREFIX = {"elasticloadbalancing": "elasticloadbalancing", "acm": "acm", "route53": "route53",
              "apigateway": "apigateway", "ec2": "ec2", "sts": "sts", "iam": "iam"}


def _service(flow: http.HTTPFlow) -> str | None:
    auth = flow.request.headers.get("authorization", "")
    m = re.search(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/aws4_request", auth)
    return m.group(1) if m else None


def _params(flow: http.HTTPFlow) -> dict[str, str]:
    """Query-protocol parameters: the form body, else the query string."""
    req = flow.request
    out = {k: v[0] for k, v in parse_qs(urlsplit(req.url).query, keep_blank_values=True).items()}
    ctype = req.headers.get("content-type", "")
    if req.content and ("x-www-form-urlencoded" in ctype or b"Action=" in req.content[:4096]):
        try:
            out.update({k: v[0] for k, v in parse_qs(req.content.decode("utf-8"), keep_blank_values=True).items()})
        except UnicodeDecodeError:
            pass
    return out


def _operation(flow: http.HTTPFlow, service: str) -> str:
    protocol = PROTOCOLS.get(service, "query")
    req = flow.request
    if protocol in ("ec2", "query"):
        return _params(flow).get("Action", "?")
    if protocol == "json":
        target = req.headers.get("x-amz-target", "")
        return target.rsplit(".", 1)[-1] if target else "?"
    path = unquote(urlsplit(req.url).path)
    for method, pattern, name in REST_ROUTES.get(service, []):
        if method == req.method and re.fullmatch(pattern, path):
            return name
    return f"{req.method} {path}"


def _request_id() -> str:
    return str(uuid.uuid4())


def _xml_error(service: str, status: int, code: str, message: str) -> http.Response:
    rid = _request_id()
    if PROTOCOLS.get(service) == "ec2":
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error></Errors><RequestID>{rid}</RequestID></Response>")
        headers = {"Content-Type": "text/xml;charset=UTF-8"}
    else:
        ns = XML_NAMESPACES.get(service, "")
        sender = "Sender" if status < 500 else "Receiver"
        body = (f'<?xml version="1.0"?>\n<ErrorResponse xmlns="{ns}"><Error><Type>{sender}</Type><Code>{code}</Code>'
                f"<Message>{message}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>")
        headers = {"Content-Type": "text/xml", "x-amzn-RequestId": rid}
    return http.Response.make(status, body.encode(), headers)


def _json_error(service: str, status: int, code: str, message: str) -> http.Response:
    rid = _request_id()
    if PROTOCOLS.get(service) == "rest-json":
        body = json.dumps({"message": message})
        headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code, "x-amzn-RequestId": rid}
    else:
        body = json.dumps({"__type": code, "message": message})
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": rid}
    return http.Response.make(status, body.encode(), headers)


def aws_error(service: str, status: int, code: str, message: str) -> http.Response:
    if PROTOCOLS.get(service) in ("rest-json", "json"):
        return _json_error(service, status, code, message)
    return _xml_error(service, status, code, message)


def throttling(service: str) -> http.Response:
    protocol = PROTOCOLS.get(service, "query")
    if protocol == "ec2":
        return aws_error(service, 503, "RequestLimitExceeded", "Request limit exceeded.")
    if protocol == "rest-json":
        return aws_error(service, 429, "TooManyRequestsException", "Too Many Requests")
    if protocol == "json":
        return aws_error(service, 400, "ThrottlingException", "Rate exceeded")
    return aws_error(service, 400, "Throttling", "Rate exceeded")


def server_error(service: str, status: int) -> http.Response:
    protocol = PROTOCOLS.get(service, "query")
    if status == 503:
        code = {"ec2": "Unavailable", "rest-json": "ServiceUnavailableException"}.get(protocol, "ServiceUnavailable")
        return aws_error(service, 503, code, "The service is unavailable. Please try again shortly.")
    code = {"ec2": "InternalError", "rest-xml": "InternalError"}.get(protocol, "InternalFailure")
    return aws_error(service, 500, code, "An internal error has occurred.")


def access_denied(service: str, operation: str, method: str) -> http.Response:
    # API Gateway's management actions are the HTTP verbs: CreateRestApi needs apigateway:POST.
    action = f"apigateway:{method}" if service == "apigateway" else f"{IAM_PREFIX.get(service, service)}:{operation}"
    who = "arn:aws:iam::123456789012:user/privgw-test"
    if PROTOCOLS.get(service) == "ec2":
        # EC2's classic message, which does not name the action: privgw must name it itself.
        return aws_error(service, 403, "UnauthorizedOperation",
                         "You are not authorized to perform this operation. "
                         "Encoded authorization failure message: AbCdEf0123")
    code = "AccessDeniedException" if PROTOCOLS.get(service) in ("rest-json", "json") else "AccessDenied"
    return aws_error(service, 403, code, f"User: {who} is not authorized to perform: {action} "
                                         f"because no identity-based policy allows the {action} action")


def garbage(service: str, kind: str, real: http.Response | None) -> http.Response:
    if kind == "html":
        return http.Response.make(502, b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad "
                                       b"Gateway</h1></center><hr><center>corporate-proxy/1.2</center></body></html>",
                                  {"Content-Type": "text/html"})
    if kind == "empty":
        return http.Response.make(200, b"", {"Content-Type": "text/xml"})
    if kind == "truncated" and real is not None:
        body = real.content or b""
        return http.Response.make(200, body[: max(1, len(body) // 2)], {"Content-Type": real.headers.get("content-type", "text/xml")})
    if kind == "json":
        return http.Response.make(200, b'{"CertificateArn": "arn:aws:acm:us-east-1:1:certificate/x", "items": [{"id": ',
                                  {"Content-Type": "application/json"})
    return http.Response.make(200, b'<?xml version="1.0"?>\n<DescribeResponse><requestId>1</requestId><items><item>'
                                   b"<id>x</id></itm></items>", {"Content-Type": "text/xml"})


def _operation_list(text: str) -> dict[str, str]:
    """`svc:Op[:arg],svc:Op2` -> {"svc:Op": "arg"}."""
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        bits = part.split(":")
        if len(bits) >= 2:
            out[f"{bits[0]}:{bits[1]}"] = bits[2] if len(bits) > 2 else ""
    return out


class FaultInjector:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rng = random.Random(0)
        self.seeded = None
        self.rate = 0.0
        self.slow = 1.5
        self.counts: dict = {"requests": 0, "forwarded": 0, "faulted": 0, "faults": defaultdict(int), "denied": 0,
                             "garbage": 0, "replayed": 0, "operations": {}}
        self.idempotent: dict[str, tuple[int, bytes, dict]] = {}
        self.parent_watch: asyncio.Task | None = None

    # ---- options ----
    def load(self, loader) -> None:
        env = os.environ.get
        loader.add_option("fault_rate", str, env("FAULT_RATE", "0"), "Share of requests to fault (0..1).")
        loader.add_option("fault_seed", int, int(env("FAULT_SEED", "1")), "Seed of the fault draws.")
        loader.add_option("fault_kinds", str, env("FAULT_KINDS", ",".join(ALL_KINDS)), "Comma list of fault kinds.")
        loader.add_option("fault_slow_seconds", str, env("FAULT_SLOW_SECONDS", "1.5"), "Delay of `slow`, seconds.")
        loader.add_option("fault_deny", str, env("FAULT_DENY", ""), "svc:Operation,... answered AccessDenied.")
        loader.add_option("fault_garbage", str, env("FAULT_GARBAGE", ""), "svc:Operation[:kind],... answered garbage.")
        loader.add_option("fault_summary", str, env("FAULT_SUMMARY", ""), "JSON file for the counts.")
        loader.add_option("fault_ready", str, env("FAULT_READY", ""), "File to write {port, pid} to when listening.")
        loader.add_option("fault_idempotency", bool, env("FAULT_IDEMPOTENCY", "true").lower() != "false",
                          "Emulate AWS idempotency tokens moto ignores.")
        loader.add_option("fault_parent_pid", int, int(env("FAULT_PARENT_PID", "0")), "Exit when this pid is gone.")
        loader.add_option("fault_log", str, env("FAULT_LOG", ""), "JSONL file: one line per request and what was done.")

    def configure(self, updated) -> None:
        if "fault_seed" in updated or self.seeded is None:
            self.rng = random.Random(ctx.options.fault_seed)
            self.seeded = ctx.options.fault_seed
        self.rate = float(ctx.options.fault_rate)
        self.slow = float(ctx.options.fault_slow_seconds)
        if not 0 <= self.rate <= 1:
            raise ValueError(f"fault_rate {self.rate} is not within 0..1")
        unknown = set(self.kinds()) - set(ALL_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {', '.join(ALL_KINDS)}")

    def kinds(self) -> list[str]:
        return [k for k in (p.strip() for p in ctx.options.fault_kinds.split(",")) if k]

    async def running(self) -> None:
        # The request is signed for the Host privgw sent (this proxy's address); moto checks the signature
        # against the Host it receives, so the proxy must not rewrite it to moto's.
        if not ctx.options.keep_host_header:
            ctx.options.keep_host_header = True
        if ctx.options.fault_ready:
            addrs = ctx.master.addons.get("proxyserver").listen_addrs()
            port = addrs[0][1] if addrs else 0
            tmp = ctx.options.fault_ready + ".tmp"
            with open(tmp, "w") as f:
                json.dump({"port": port, "pid": os.getpid()}, f)
            os.replace(tmp, ctx.options.fault_ready)
        self.write_summary()
        if ctx.options.fault_parent_pid > 0:
            self.parent_watch = asyncio.ensure_future(self.watch_parent(ctx.options.fault_parent_pid))

    async def watch_parent(self, pid: int) -> None:
        while True:
            await asyncio.sleep(0.5)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                ctx.master.shutdown()
                return
            except PermissionError:
                pass

    def done(self) -> None:
        self.write_summary()

    # ---- counting ----
    def log(self, flow: http.HTTPFlow, event: str) -> None:
        if not ctx.options.fault_log:
            return
        line = json.dumps({"op": flow.metadata.get("fault_name"), "event": event, "id": flow.id[:8]})
        with self.lock, open(ctx.options.fault_log, "a") as f:
            f.write(line + "\n")

    def count(self, name: str, what: str, kind: str | None = None) -> None:
        with self.lock:
            op = self.counts["operations"].setdefault(name, {"requests": 0, "faults": {}})
            if what == "request":
                self.counts["requests"] += 1
                op["requests"] += 1
            elif what == "fault":
                self.counts["faulted"] += 1
                self.counts["faults"][kind] += 1
                op["faults"][kind] = op["faults"].get(kind, 0) + 1
            else:
                self.counts[what] += 1
                op[what] = op.get(what, 0) + 1

    def write_summary(self) -> None:
        path = ctx.options.fault_summary
        if not path:
            return
        with self.lock:
            doc = json.dumps(self.counts, sort_keys=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            f.write(doc)
        os.replace(tmp, path)

    # ---- idempotency (what AWS does and moto does not) ----
    def idempotency_key(self, flow: http.HTTPFlow, service: str, operation: str) -> str | None:
        if not ctx.options.fault_idempotency:
            return None
        if service == "ec2":
            token = _params(flow).get("ClientToken")
            return f"ec2:{operation}:{token}" if token else None
        if service == "elasticloadbalancing" and operation in ("CreateLoadBalancer", "CreateTargetGroup"):
            name = _params(flow).get("Name")
            return f"elbv2:{operation}:{name}" if name else None
        if service == "route53" and operation == "CreateHostedZone":
            m = re.search(rb"<CallerReference>([^<]+)</CallerReference>", flow.request.content or b"")
            return f"route53:CreateHostedZone:{m.group(1).decode()}" if m else None
        return None

    def forget_deleted(self, flow: http.HTTPFlow, service: str, operation: str) -> None:
        """An ELBv2 name is free again once its load balancer or target group is deleted."""
        if service != "elasticloadbalancing" or operation not in ("DeleteLoadBalancer", "DeleteTargetGroup"):
            return
        params = _params(flow)
        arn = params.get("LoadBalancerArn") or params.get("TargetGroupArn")
        if not arn:
            return
        with self.lock:
            for key in [k for k, v in self.idempotent.items() if arn.encode() in v[1]]:
                del self.idempotent[key]

    # ---- hooks ----
    async def request(self, flow: http.HTTPFlow) -> None:
        if flow.request.path.startswith("/moto-api"):
            return
        service = _service(flow)
        if service is None:
            return
        operation = _operation(flow, service)
        name = f"{service}:{operation}"
        flow.metadata["fault_name"] = name
        flow.metadata["fault_service"] = service
        self.count(name, "request")
        try:
            if name in _operation_list(ctx.options.fault_deny):
                self.count(name, "denied")
                flow.response = access_denied(service, operation, flow.request.method)
                return
            garbage_ops = _operation_list(ctx.options.fault_garbage)
            if name in garbage_ops:
                kind = garbage_ops[name] or ("json" if PROTOCOLS.get(service) in ("json", "rest-json") else "xml")
                self.count(name, "garbage")
                if kind == "truncated":
                    flow.metadata["fault_after"] = "truncated"
                else:
                    flow.response = garbage(service, kind, None)
                return
            kinds = self.kinds()
            with self.lock:
                hit = bool(kinds) and self.rate > 0 and self.rng.random() < self.rate
                kind = self.rng.choice(kinds) if hit else None
            if kind:
                self.count(name, "fault", kind)
                if kind == "throttle":
                    flow.response = throttling(service)
                    return
                if kind in ("500", "503"):
                    flow.response = server_error(service, int(kind))
                    return
                if kind == "reset":
                    flow.kill()
                    return
                if kind == "slow":
                    await asyncio.sleep(self.slow)
                else:  # ambiguous500, reset-after: decided once moto has answered
                    flow.metadata["fault_after"] = kind
            key = self.idempotency_key(flow, service, operation)
            if key:
                flow.metadata["fault_key"] = key
                with self.lock:
                    cached = self.idempotent.get(key)
                if cached:
                    status, body, headers = cached
                    self.count(name, "replayed")
                    flow.response = http.Response.make(status, body, headers)
                    after = flow.metadata.pop("fault_after", None)
                    if after:
                        self.apply_after(flow, after, service)
                    return
            self.count(name, "forwarded")
        finally:
            if flow.response is not None:
                flow.metadata["fault_answered"] = True
            fault = flow.metadata.get("fault_after")
            self.log(flow, "answered %s" % flow.response.status_code if flow.response is not None
                     else "killed" if flow.error is not None else "forwarded" + (f" ({fault} after)" if fault else ""))
            if flow.response is not None or flow.error is not None:
                self.write_summary()

    def response(self, flow: http.HTTPFlow) -> None:
        name = flow.metadata.get("fault_name")
        if name is None or flow.metadata.get("fault_answered"):
            return  # not an AWS call, or answered by this addon in `request` (counted there)
        service = flow.metadata["fault_service"]
        key = flow.metadata.get("fault_key")
        if flow.response is not None and 200 <= flow.response.status_code < 300:
            operation = name.split(":", 1)[1]
            if key:
                with self.lock:
                    self.idempotent.setdefault(key, (flow.response.status_code, flow.response.content or b"",
                                                     {"Content-Type": flow.response.headers.get("content-type", "text/xml")}))
            self.forget_deleted(flow, service, operation)
        after = flow.metadata.pop("fault_after", None)
        status = flow.response.status_code if flow.response is not None else 0
        if after:
            self.apply_after(flow, after, service)
        self.log(flow, f"moto {status}" + (f", then {after}" if after else ""))
        self.write_summary()

    @staticmethod
    def apply_after(flow: http.HTTPFlow, after: str, service: str) -> None:
        if after == "ambiguous500":
            flow.response = server_error(service, 500)
        elif after == "reset-after":
            flow.kill()
        elif after == "truncated":
            flow.response = garbage(service, "truncated", flow.response)


addons = [FaultInjector()]
