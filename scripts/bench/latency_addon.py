"""A mitmproxy addon that puts real-AWS timing in front of moto, for scripts/bench (reverse mode, 127.0.0.1 only).

    .venv-mitm/bin/mitmdump --mode reverse:http://127.0.0.1:MOTO_PORT --listen-host 127.0.0.1 --listen-port 0 \
        -s scripts/bench/latency_addon.py --set bench_scale=20 --set bench_ready_file=/tmp/ready.json \
        --set bench_log=/tmp/calls.jsonl

moto answers at once and its resources are ready at once. This addon, on every signed request:
1. waits `bench_latency` seconds (real AWS: ~0.1 s per call) divided by `bench_scale` before forwarding it;
2. makes resources take time to become ready, by rewriting moto's answers. T0 is the moment the create call's
   answer for that resource id passed through (a resource it never saw created is left alone):
   - EC2 VPC endpoint (CreateVpcEndpoint):   state `available` -> `pending`             until T0 + 60 s
   - ELBv2 load balancer (CreateLoadBalancer): State/Code `active` -> `provisioning`   until T0 + 180 s
   - ACM certificate (RequestCertificate):    Status `ISSUED` -> `PENDING_VALIDATION`  until T0 + 120 s
     (DescribeCertificate and ListCertificates; the validation options say PENDING_VALIDATION too)
   - Route 53 change (each answer carrying a ChangeInfo): `INSYNC` -> `PENDING`        until T0 + 40 s
     (moto gives all changes one id: the addon gives each a new one and answers GetChange for it itself)
   every time divided by `bench_scale` (`bench_ready` overrides the profile: `endpoint=60,alb=180,certificate=120,change=40`).
   Start moto with MOTO_ACM_VALIDATION_WAIT=0 so that moto itself says ISSUED at once.
3. appends one JSON line per call to `bench_log`, in moto's recording format (method, url, headers, body,
   body_encoded: Tests/Support/python/recording.py names them) plus `t` (seconds since the proxy started), `d`
   (seconds until the answer: added latency + moto's time), `status` and `notReady` (true when the answer was
   rewritten: the caller read a resource that is not ready);
4. appends to `bench_log` + `.resources` one line per resource when it is created (kind, id, t0, readyAt) and one
   when an answer first shows it ready (kind, id, seenReady), all in proxy seconds: seenReady - readyAt is how
   long the caller's polling overshot the readiness time.

moto's own `/moto-api/...` calls and unsigned requests pass untouched and unlogged. `bench_ready_file` gets
`{"port": N, "pid": P}` once listening (use `--listen-port 0`); `bench_parent_pid` stops mitmdump when that
process is gone. Every option may also come from the environment (BENCH_SCALE, BENCH_LATENCY, ...).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import threading
import time

from mitmproxy import ctx, http

DEFAULT_READY = {"endpoint": 60.0, "alb": 180.0, "certificate": 120.0, "change": 40.0}
SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def parse_ready(text: str) -> dict[str, float]:
    ready = dict(DEFAULT_READY)
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, seconds = part.partition("=")
        if kind not in ready:
            raise ValueError(f"unknown resource kind {kind!r} in bench_ready; known: {', '.join(ready)}")
        ready[kind] = float(seconds)
    return ready


class LatencyProfile:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.start = time.monotonic()
        # (kind, id) -> T0 in proxy seconds
        self.created: dict[tuple[str, str], float] = {}
        # resources an answer has shown as ready
        self.seen: set[tuple[str, str]] = set()
        self.changes = 0
        self.parent_watch: asyncio.Task | None = None

    # ---- options ----
    def load(self, loader) -> None:
        env = os.environ.get
        loader.add_option("bench_scale", str, env("BENCH_SCALE", "20"), "Divide every time of the profile by this.")
        loader.add_option("bench_latency", str, env("BENCH_LATENCY", "0.1"), "Per-call latency on real AWS, seconds.")
        loader.add_option("bench_ready", str, env("BENCH_READY", ""), "kind=seconds,... (endpoint, alb, certificate, change).")
        loader.add_option("bench_log", str, env("BENCH_LOG", ""), "JSONL file: one line per call (moto recording format).")
        loader.add_option("bench_ready_file", str, env("BENCH_READY_FILE", ""), "File to write {port, pid} to when listening.")
        loader.add_option("bench_parent_pid", int, int(env("BENCH_PARENT_PID", "0")), "Exit when this pid is gone.")

    def configure(self, updated) -> None:
        self.scale = float(ctx.options.bench_scale)
        if self.scale <= 0:
            raise ValueError("bench_scale must be > 0")
        self.latency = float(ctx.options.bench_latency) / self.scale
        self.ready = {k: v / self.scale for k, v in parse_ready(ctx.options.bench_ready).items()}

    async def running(self) -> None:
        # privgw signs for the Host it sends (this proxy); moto checks against the Host it receives.
        if not ctx.options.keep_host_header:
            ctx.options.keep_host_header = True
        if ctx.options.bench_ready_file:
            addrs = ctx.master.addons.get("proxyserver").listen_addrs()
            tmp = ctx.options.bench_ready_file + ".tmp"
            with open(tmp, "w") as f:
                json.dump({"port": addrs[0][1] if addrs else 0, "pid": os.getpid()}, f)
            os.replace(tmp, ctx.options.bench_ready_file)
        if ctx.options.bench_parent_pid > 0:
            self.parent_watch = asyncio.ensure_future(self.watch_parent(ctx.options.bench_parent_pid))

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

    # ---- helpers ----
    def now(self) -> float:
        return time.monotonic() - self.start

    @staticmethod
    def service(flow: http.HTTPFlow) -> str | None:
        m = SCOPE.search(flow.request.headers.get("authorization", ""))
        return m.group(1) if m else None

    @staticmethod
    def operation(flow: http.HTTPFlow) -> str | None:
        target = flow.request.headers.get("x-amz-target")
        if target:
            return target.split(".")[-1]
        if "x-www-form-urlencoded" in flow.request.headers.get("content-type", ""):
            m = re.search(r"(?:^|&)Action=([^&]*)", flow.request.get_text(strict=False) or "")
            return m.group(1) if m else None
        return None

    def born(self, kind: str, rid: str) -> None:
        with self.lock:
            if (kind, rid) in self.created:
                return
            t0 = self.now()
            self.created[(kind, rid)] = t0
        if ctx.options.bench_log:
            line = {"kind": kind, "id": rid, "t0": round(t0, 4), "readyAt": round(t0 + self.ready[kind], 4)}
            with open(ctx.options.bench_log + ".resources", "a") as f:
                f.write(json.dumps(line) + "\n")

    def not_ready(self, kind: str, rid: str) -> bool:
        """True while the resource is becoming ready; the first answer that shows it ready is logged (`seenReady`)."""
        with self.lock:
            t0 = self.created.get((kind, rid))
            if t0 is None:
                return False
            now = self.now()
            if now < t0 + self.ready[kind]:
                return True
            first = (kind, rid) not in self.seen
            self.seen.add((kind, rid))
        if first and ctx.options.bench_log:
            with open(ctx.options.bench_log + ".resources", "a") as f:
                f.write(json.dumps({"kind": kind, "id": rid, "seenReady": round(now, 4)}) + "\n")
        return False

    # ---- hooks ----
    async def request(self, flow: http.HTTPFlow) -> None:
        if flow.request.path.startswith("/moto-api") or self.service(flow) is None:
            return
        flow.metadata["bench_t"] = self.now()
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if self.service(flow) == "route53":
            self.answer_get_change(flow)

    def response(self, flow: http.HTTPFlow) -> None:
        if "bench_t" not in flow.metadata or flow.response is None:
            return
        # moto closes every connection; AWS keeps them open (privgw reuses them where it may).
        if flow.response.headers.get("connection", "").lower() == "close":
            del flow.response.headers["connection"]
        service, op = self.service(flow), self.operation(flow)
        rewritten = False
        if 200 <= flow.response.status_code < 300:
            text = flow.response.get_text(strict=False) or ""
            new = text
            if service == "ec2":
                new = self.rewrite_segments(new, "endpoint", r"<vpcEndpointId>([^<]+)</vpcEndpointId>",
                                            "<state>available</state>", "<state>pending</state>",
                                            create=(op == "CreateVpcEndpoint"))
            elif service == "elasticloadbalancing":
                new = self.rewrite_segments(new, "alb", r"<LoadBalancerArn>([^<]+)</LoadBalancerArn>",
                                            "<Code>active</Code>", "<Code>provisioning</Code>",
                                            create=(op == "CreateLoadBalancer"))
            elif service == "acm":
                new = self.rewrite_acm(new, op)
            elif service == "route53" and "bench_answered" not in flow.metadata:
                new = self.rewrite_changes(new)
            if new != text:
                flow.response.text = new
                rewritten = True
        self.log(flow, rewritten or flow.metadata.get("bench_answered", False))

    def rewrite_segments(self, text: str, kind: str, id_pattern: str, ready: str, waiting: str, create: bool) -> str:
        """Splits the document at each resource id; within a resource's part, `ready` becomes `waiting` while the
        resource is not ready. The create call's answer starts the resource's clock."""
        matches = list(re.finditer(id_pattern, text))
        if not matches:
            return text
        out, last = [], 0
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            rid = m.group(1)
            if create:
                self.born(kind, rid)
            part = text[m.start():end]
            if self.not_ready(kind, rid):
                part = part.replace(ready, waiting, 1)
            out.append(text[last:m.start()])
            out.append(part)
            last = end
        out.append(text[last:])
        return "".join(out)

    def rewrite_acm(self, text: str, op: str | None) -> str:
        try:
            doc = json.loads(text) if text else None
        except ValueError:
            return text
        if not isinstance(doc, dict):
            return text
        if op == "RequestCertificate" and doc.get("CertificateArn"):
            self.born("certificate", doc["CertificateArn"])
            return text
        certs = []
        if isinstance(doc.get("Certificate"), dict):
            certs.append(doc["Certificate"])
        certs.extend(c for c in doc.get("CertificateSummaryList") or [] if isinstance(c, dict))
        changed = False
        for c in certs:
            if c.get("Status") == "ISSUED" and self.not_ready("certificate", c.get("CertificateArn", "")):
                c["Status"] = "PENDING_VALIDATION"
                c.pop("IssuedAt", None)
                for o in c.get("DomainValidationOptions") or []:
                    if o.get("ValidationStatus") == "SUCCESS":
                        o["ValidationStatus"] = "PENDING_VALIDATION"
                changed = True
        return json.dumps(doc) if changed else text

    def rewrite_changes(self, text: str) -> str:
        """moto gives every change the same id and says INSYNC: each answer carrying a ChangeInfo (other than
        GetChange, which this addon answers itself) gets a new id whose clock starts now."""
        def one(m: re.Match) -> str:
            with self.lock:
                self.changes += 1
                rid = f"/change/CBENCH{self.changes:08d}"
            self.born("change", rid)
            block = m.group(0).replace(m.group(1), rid, 1)
            if self.not_ready("change", rid):
                block = block.replace("<Status>INSYNC</Status>", "<Status>PENDING</Status>", 1)
            return block
        return re.sub(r"<ChangeInfo>\s*<Id>([^<]+)</Id>.*?</ChangeInfo>", one, text, flags=re.S)

    def answer_get_change(self, flow: http.HTTPFlow) -> None:
        m = re.fullmatch(r"/2013-04-01/change/(CBENCH\d+)", flow.request.path.split("?")[0])
        if flow.request.method != "GET" or not m:
            return
        rid = "/change/" + m.group(1)
        with self.lock:
            known = ("change", rid) in self.created
        if not known:
            return
        status = "PENDING" if self.not_ready("change", rid) else "INSYNC"
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
                f"<ChangeInfo><Id>{rid}</Id><Status>{status}</Status><SubmittedAt>2025-01-01T00:00:00.000Z</SubmittedAt>"
                "</ChangeInfo></GetChangeResponse>")
        flow.response = http.Response.make(200, body.encode(), {"Content-Type": "text/xml"})
        flow.metadata["bench_answered"] = status == "PENDING"

    def log(self, flow: http.HTTPFlow, rewritten: bool) -> None:
        if not ctx.options.bench_log:
            return
        body = flow.request.raw_content or b""
        try:
            text, encoded = body.decode("utf-8"), False
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(body).decode(), True
        line = {
            "t": round(flow.metadata["bench_t"], 4),
            "wall": round(time.time(), 4),  # when the answer went back (epoch seconds)
            "method": flow.request.method,
            "url": flow.request.url,
            "headers": {k: v for k, v in flow.request.headers.items() if k.lower() in ("authorization", "x-amz-target", "content-type")},
            "body": text,
            "body_encoded": encoded,
            "status": flow.response.status_code,
            "notReady": rewritten,
            # seconds from the request's arrival to its answer: the added latency plus moto's (and this proxy's) time
            "d": round(self.now() - flow.metadata["bench_t"], 4),
        }
        with self.lock, open(ctx.options.bench_log, "a") as f:
            f.write(json.dumps(line) + "\n")


addons = [LatencyProfile()]
