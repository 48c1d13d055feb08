"""Test stand-in for the API Gateway private-custom-domain calls that moto 5.2.1 does not implement.

THIS IS NOT AWS AND NOT MOTO. It exists only so privgw's integration tests can exercise the
"native" design (API Gateway private custom domains) against a local server. moto 5.2.1:
  - accepts CreateDomainName with a PRIVATE endpoint but drops `policy` and returns no
    `domainNameId` / `domainNameArn`, and ignores `?domainNameId=` everywhere;
  - does not implement CreateDomainNameAccessAssociation, GetDomainNameAccessAssociations,
    DeleteDomainNameAccessAssociation (they answer an HTML 404).

What the stand-in serves (shapes, JSON names, paths and status codes follow botocore's
`apigateway` service-2 model; check with `Loader().load_service_model('apigateway','service-2')`):
  POST   /domainnames                      (endpointConfiguration.types contains PRIVATE) -> 201 DomainName
  GET    /domainnames/{name}?domainNameId=ID                                             -> 200 DomainName
  PATCH  /domainnames/{name}?domainNameId=ID  (replace /policy, /certificateArn, /securityPolicy)
  DELETE /domainnames/{name}?domainNameId=ID                                             -> 202
  POST   /domainnames/{name}/basepathmappings?domainNameId=ID                            -> 201 BasePathMapping
  GET    /domainnames/{name}/basepathmappings?domainNameId=ID                            -> 200 BasePathMappings
  GET    /domainnames/{name}/basepathmappings/{basePath}?domainNameId=ID                 -> 200 BasePathMapping
  DELETE /domainnames/{name}/basepathmappings/{basePath}?domainNameId=ID                 -> 202
  GET    /domainnames/{name}/basepathmappings (public domain, none mapped yet)           -> 200 {"item": []}
         (moto 5.2.1 answers 500 there; every other public-domain call is moto's own)
  DELETE /domainnames/{name} (public domain): moto's answer, and its base path mappings go with the domain
         (moto 5.2.1 keeps them for the next domain of that name)
  POST   /domainnameaccessassociations                                                   -> 201 DomainNameAccessAssociation
  GET    /domainnameaccessassociations?resourceOwner=SELF|OTHER_ACCOUNTS&limit=&position= -> 200 DomainNameAccessAssociations
  DELETE /domainnameaccessassociations/{domainNameAccessAssociationArn}                  -> 202
  GET    /domainnames  -> moto's public domains plus the private ones (moto answers, the stand-in appends)

Private domains live in their own namespace keyed by (name, domainNameId), as on AWS, so a public
(moto) domain and a private domain may share a name. State is kept on moto's API Gateway backend
object for the account and region, so `POST /moto-api/reset` wipes it with everything else.

Choices where AWS's exact behaviour is not documented (kept strict so ordering bugs show up):
  - a second private domain with the same name in the same account -> 409 ConflictException;
  - DeleteDomainName while access associations still reference the domain -> 409 ConflictException;
  - base path mappings must target an existing PRIVATE REST API and stage, single-level base paths only;
  - an access association needs an existing, available VPC endpoint (moto's EC2 backend).
The certificate ARN is not checked against ACM (moto's own CreateDomainName does not check it either).

Authentication: every stand-in request goes through moto's own check (moto.iam.access_control.IAMRequest,
honouring INITIAL_NO_AUTH_ACTION_COUNT exactly as moto does), except that the stand-in gives it the path
and query exactly as sent on the wire and the real body; moto itself canonicalises the decoded path,
which makes percent-escaped paths such as DELETE /domainnameaccessassociations/arn%3A... unverifiable.
"""

from __future__ import annotations

import io
import json
import random
import re
import string
import time
import uuid
from types import SimpleNamespace
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, unquote

# Routes the stand-in owns outright (the path decides) or when `domainNameId` is in the query.
_ASSOC_COLLECTION = re.compile(r"^/domainnameaccessassociations/?$")
# Matched against the path as sent: the ARN label arrives percent-encoded ('/' as %2F).
_ASSOC_ITEM = re.compile(r"^/domainnameaccessassociations/(?P<arn>[^/?]+)(\?.*)?$")
_DOMAINS = re.compile(r"^/domainnames/?$")
_DOMAIN = re.compile(r"^/domainnames/(?P<name>[^/]+)/?$")
_MAPPINGS = re.compile(r"^/domainnames/(?P<name>[^/]+)/basepathmappings/?$")
_MAPPING = re.compile(r"^/domainnames/(?P<name>[^/]+)/basepathmappings/(?P<base>[^/]+)$")


class ApiError(Exception):
    """An API Gateway error, rendered as moto and AWS render them (x-amzn-ErrorType + JSON body)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _bad(message: str) -> ApiError:
    return ApiError(400, "BadRequestException", message)


def _not_found(message: str) -> ApiError:
    return ApiError(404, "NotFoundException", message)


def _conflict(message: str) -> ApiError:
    return ApiError(409, "ConflictException", message)


def credential_scope(environ: dict[str, Any]) -> tuple[str, str, str] | None:
    """(access key id, region, service) from a SigV4 Authorization header, or None."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = re.search(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request", auth)
    return (m.group(1), m.group(2), m.group(3)) if m else None


class PrivateDomainStandIn:
    """WSGI middleware: answers the routes listed in the module docstring, passes everything else on."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    # ---------------------------------------------------------------- routing

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        scope = credential_scope(environ)
        if scope is None or scope[2] != "apigateway":
            return self.app(environ, start_response)
        method = environ["REQUEST_METHOD"].upper()
        path = environ.get("PATH_INFO", "")
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        body = _read_body(environ)
        has_id = "domainNameId" in query

        if _DOMAINS.match(path) and method == "GET":
            return self._merged_domain_list(environ, start_response, query)
        if _MAPPINGS.match(path) and method == "GET" and not has_id:
            return self._public_mappings(environ, start_response)
        if (m := _DOMAIN.match(path)) and method == "DELETE" and not has_id:
            return self._delete_public_domain(environ, start_response, unquote(m.group("name")))
        target = _wire_target(environ)
        route = self._route(method, path, target, has_id, body)
        if route is None:
            return self.app(environ, start_response)
        operation, handler, params = route
        return self._serve(environ, start_response, scope, target, operation, handler, params, query, body)

    def _route(self, method: str, path: str, target: str, has_id: bool, body: bytes):
        if _ASSOC_COLLECTION.match(path):
            if method == "POST":
                return "CreateDomainNameAccessAssociation", self.create_association, {}
            if method == "GET":
                return "GetDomainNameAccessAssociations", self.get_associations, {}
        if (m := _ASSOC_ITEM.match(target)) and method == "DELETE":
            return "DeleteDomainNameAccessAssociation", self.delete_association, {"arn": unquote(m.group("arn"))}
        if _DOMAINS.match(path) and method == "POST" and _is_private(body):
            return "CreateDomainName", self.create_domain, {}
        if not has_id:
            return None
        if m := _DOMAIN.match(path):
            return {
                "GET": ("GetDomainName", self.get_domain, m.groupdict()),
                "PATCH": ("UpdateDomainName", self.update_domain, m.groupdict()),
                "DELETE": ("DeleteDomainName", self.delete_domain, m.groupdict()),
            }.get(method, ("Unsupported", self.unsupported, {}))
        if m := _MAPPINGS.match(path):
            return {
                "POST": ("CreateBasePathMapping", self.create_mapping, m.groupdict()),
                "GET": ("GetBasePathMappings", self.get_mappings, m.groupdict()),
            }.get(method, ("Unsupported", self.unsupported, {}))
        if m := _MAPPING.match(path):
            return {
                "GET": ("GetBasePathMapping", self.get_mapping, m.groupdict()),
                "DELETE": ("DeleteBasePathMapping", self.delete_mapping, m.groupdict()),
            }.get(method, ("Unsupported", self.unsupported, {}))
        return None

    def _serve(self, environ, start_response, scope, target, operation, handler, params, query, body):
        from moto.iam.models import get_account_id_from
        from moto.moto_api import recorder
        from werkzeug.wrappers import Request

        request = Request(environ)
        # Recorded with the path as sent (moto records the decoded one), so an ARN label stays one segment.
        recorder._record_request(
            SimpleNamespace(headers=request.headers, method=request.method, url=request.host_url.rstrip("/") + target),
            body,
        )
        access_key, region, _ = scope
        host_region = re.search(r"\.([a-z0-9-]+)\.amazonaws\.com", environ.get("HTTP_HOST", ""))
        region = host_region.group(1) if host_region else region
        account = get_account_id_from(access_key)
        auth_failure = _authenticate(target, request, body, account, operation)
        if auth_failure is not None:
            return auth_failure(environ, start_response)
        ctx = _Context(account, region, query)
        try:
            payload = json.loads(body) if body.strip() else {}
            if not isinstance(payload, dict):
                raise _bad("Invalid request body")
            status, result = handler(ctx, payload, **params)
        except json.JSONDecodeError:
            status, result = 400, _bad("Invalid request body: not JSON")
        except ApiError as e:
            status, result = e.status, e
        return _respond(start_response, status, result)

    # ---------------------------------------------------------------- domains

    def create_domain(self, ctx: "_Context", body: dict[str, Any]):
        name = body.get("domainName")
        if not name:
            raise _bad("Domain name must be specified")
        if name.startswith("*"):
            raise _bad("Wildcard domain names are not supported for private custom domain names")
        if body.get("regionalCertificateArn") or body.get("regionalCertificateName"):
            raise _bad("Private custom domain names take certificateArn, not regionalCertificateArn")
        if not body.get("certificateArn"):
            raise _bad("A certificate ARN is required for a private custom domain name")
        policy = body.get("policy")
        if policy is not None:
            try:
                json.loads(policy)
            except (TypeError, ValueError):
                raise _bad("Invalid policy document: not a JSON string")
        store = ctx.store()
        if any(d["domainName"] == name for d in store.domains.values()):
            raise _conflict("The domain name you provided already exists.")
        domain_id = "".join(random.choices(string.ascii_lowercase + string.digits, k=10))
        endpoint = dict(body.get("endpointConfiguration") or {})
        endpoint.setdefault("ipAddressType", "dualstack")
        domain = {
            "domainName": name,
            "domainNameId": domain_id,
            "domainNameArn": f"arn:{ctx.partition}:apigateway:{ctx.region}:{ctx.account}:/domainnames/{name}+{domain_id}",
            "certificateArn": body["certificateArn"],
            "certificateUploadDate": int(time.time()),
            "endpointConfiguration": endpoint,
            "domainNameStatus": "AVAILABLE",
            "securityPolicy": body.get("securityPolicy") or "TLS_1_2",
            "routingMode": body.get("routingMode") or "BASE_PATH_MAPPING_ONLY",
        }
        for optional in ("certificateName", "policy"):
            if body.get(optional) is not None:
                domain[optional] = body[optional]
        if body.get("tags"):
            domain["tags"] = dict(body["tags"])
        store.domains[(name, domain_id)] = domain
        store.mappings[(name, domain_id)] = {}
        return 201, domain

    def get_domain(self, ctx, body, name):
        return 200, ctx.domain(name)

    def update_domain(self, ctx, body, name):
        domain = ctx.domain(name)
        for op in body.get("patchOperations") or []:
            target = {"/policy": "policy", "/certificateArn": "certificateArn", "/securityPolicy": "securityPolicy"}.get(
                op.get("path", "")
            )
            if op.get("op") != "replace" or target is None:
                raise _bad(f"Patch operation {op.get('op')} on {op.get('path')} is not supported by the test stand-in")
            domain[target] = op.get("value")
        return 200, domain

    def delete_domain(self, ctx, body, name):
        domain = ctx.domain(name)
        store = ctx.store()
        if any(a["domainNameArn"] == domain["domainNameArn"] for a in store.associations.values()):
            raise _conflict("Delete the domain name access associations of this domain name first.")
        key = (name, domain["domainNameId"])
        del store.domains[key]
        store.mappings.pop(key, None)
        return 202, None

    def _merged_domain_list(self, environ, start_response, query):
        """GetDomainNames: moto lists (and authenticates) the public domains; the private ones are appended."""
        captured: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        chunks = b"".join(self.app(environ, capture))
        if not captured.get("status", "").startswith("200"):
            start_response(captured["status"], captured["headers"])
            return [chunks]
        listing = json.loads(chunks or b"{}")
        owner = (query.get("resourceOwner") or ["SELF"])[0]
        scope = credential_scope(environ)
        if owner == "SELF" and scope is not None:
            from moto.iam.models import get_account_id_from

            ctx = _Context(get_account_id_from(scope[0]), scope[1], {})
            listing.setdefault("item", []).extend(ctx.store().domains.values())
        elif owner not in ("SELF", "OTHER_ACCOUNTS"):
            error = _bad(f"Invalid resourceOwner: {owner}")
            return _respond(start_response, error.status, error)
        else:
            listing["item"] = []  # one account only: nothing is shared with it by other accounts
        data = json.dumps(listing).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(data))))
        start_response(captured["status"], headers)
        return [data]

    def _public_mappings(self, environ, start_response):
        """GetBasePathMappings on a public domain: moto 5.2.1 answers HTTP 500 (a KeyError) for a domain that has
        no mapping yet, where API Gateway answers 200 with an empty list. Only that case is corrected; moto still
        authenticates the request and answers everything else itself."""
        captured: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        name = unquote(_MAPPINGS.match(environ.get("PATH_INFO", "")).group("name"))
        try:
            chunks = b"".join(self.app(environ, capture))
        except KeyError:
            # moto raised out of its handler (the server would answer 500) after authenticating the request.
            scope = credential_scope(environ)
            from moto.iam.models import get_account_id_from

            backend = _Context(get_account_id_from(scope[0]), scope[1], {}).apigateway()
            if name in backend.domain_names and not backend.base_path_mappings.get(name):
                return _respond(start_response, 200, {"item": []})
            raise
        start_response(captured["status"], captured["headers"])
        return [chunks]

    def _delete_public_domain(self, environ, start_response, name):
        """DeleteDomainName on a public domain: API Gateway deletes the domain's base path mappings with it; moto
        5.2.1 keeps them, so a new domain of the same name would inherit mappings to APIs that may be gone. moto
        answers (and authenticates) the call; on success its orphaned mappings are dropped."""
        captured: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        chunks = b"".join(self.app(environ, capture))
        if captured.get("status", "").startswith("2"):
            scope = credential_scope(environ)
            from moto.iam.models import get_account_id_from

            backend = _Context(get_account_id_from(scope[0]), scope[1], {}).apigateway()
            backend.base_path_mappings.pop(name, None)
        start_response(captured["status"], captured["headers"])
        return [chunks]

    # ---------------------------------------------------------------- base path mappings

    def create_mapping(self, ctx, body, name):
        domain = ctx.domain(name)
        base = body.get("basePath") or "(none)"
        if "/" in base:
            raise _bad("Multi-level base paths are not supported for private custom domain names")
        api_id = body.get("restApiId")
        if not api_id:
            raise _bad("Invalid REST API identifier specified")
        api = ctx.apigateway().apis.get(api_id)
        if api is None:
            raise _bad("Invalid REST API identifier specified")
        if "PRIVATE" not in ((api.endpoint_configuration or {}).get("types") or []):
            raise _bad("Only private REST APIs can be mapped to a private custom domain name")
        stage = body.get("stage")
        if stage and stage != "(none)" and stage not in api.stages:
            raise _bad("Invalid stage identifier specified")
        mappings = ctx.store().mappings[(name, domain["domainNameId"])]
        if base in mappings:
            raise _conflict("Base path already exists for this domain name")
        mapping = {"basePath": base, "restApiId": api_id}
        if stage:
            mapping["stage"] = stage
        mappings[base] = mapping
        return 201, mapping

    def get_mappings(self, ctx, body, name):
        domain = ctx.domain(name)
        items = list(ctx.store().mappings[(name, domain["domainNameId"])].values())
        return 200, ctx.page(items)

    def get_mapping(self, ctx, body, name, base):
        domain = ctx.domain(name)
        mapping = ctx.store().mappings[(name, domain["domainNameId"])].get(base)
        if mapping is None:
            raise _not_found("Invalid base path mapping identifier specified")
        return 200, mapping

    def delete_mapping(self, ctx, body, name, base):
        domain = ctx.domain(name)
        if ctx.store().mappings[(name, domain["domainNameId"])].pop(base, None) is None:
            raise _not_found("Invalid base path mapping identifier specified")
        return 202, None

    # ---------------------------------------------------------------- access associations

    def create_association(self, ctx, body):
        for required in ("domainNameArn", "accessAssociationSourceType", "accessAssociationSource"):
            if not body.get(required):
                raise _bad(f"{required} must be specified")
        if body["accessAssociationSourceType"] != "VPCE":
            raise _bad("Invalid accessAssociationSourceType: only VPCE is supported")
        store = ctx.store()
        domain = next((d for d in store.domains.values() if d["domainNameArn"] == body["domainNameArn"]), None)
        if domain is None:
            raise _bad("Invalid domain name ARN specified")
        vpce_id = body["accessAssociationSource"]
        vpce = ctx.ec2().vpc_end_points.get(vpce_id)
        if vpce is None or vpce.state != "available":
            raise _bad(f"Invalid VPC endpoint identifier specified: {vpce_id}")
        if not vpce.service_name.endswith(".execute-api"):
            raise _bad(f"VPC endpoint {vpce_id} is not an execute-api endpoint")
        arn = (
            f"arn:{ctx.partition}:apigateway:{ctx.region}:{ctx.account}:/domainnameaccessassociations"
            f"/domainname/{domain['domainName']}+{domain['domainNameId']}/vpcesource/{vpce_id}"
        )
        if arn in store.associations:
            raise _conflict("A domain name access association already exists for this domain name and source.")
        association = {
            "domainNameAccessAssociationArn": arn,
            "domainNameArn": domain["domainNameArn"],
            "accessAssociationSourceType": "VPCE",
            "accessAssociationSource": vpce_id,
        }
        if body.get("tags"):
            association["tags"] = dict(body["tags"])
        store.associations[arn] = association
        return 201, association

    def get_associations(self, ctx, body):
        owner = ctx.query_value("resourceOwner") or "SELF"
        if owner not in ("SELF", "OTHER_ACCOUNTS"):
            raise _bad(f"Invalid resourceOwner: {owner}")
        items = list(ctx.store().associations.values()) if owner == "SELF" else []
        return 200, ctx.page(items)

    def delete_association(self, ctx, body, arn):
        if ctx.store().associations.pop(arn, None) is None:
            raise _not_found("Invalid domain name access association identifier specified")
        return 202, None

    def unsupported(self, ctx, body, **_):
        raise _bad("This call with domainNameId is not supported by the privgw test stand-in")


class _Store:
    """The stand-in's state for one account and region."""

    def __init__(self) -> None:
        self.domains: dict[tuple[str, str], dict[str, Any]] = {}
        self.mappings: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        self.associations: dict[str, dict[str, Any]] = {}


class _Context:
    def __init__(self, account: str, region: str, query: dict[str, list[str]]):
        from moto.utilities.utils import get_partition

        self.account, self.region, self.query = account, region, query
        self.partition = get_partition(region)

    def apigateway(self):
        from moto.apigateway.models import apigateway_backends

        return apigateway_backends[self.account][self.region]

    def ec2(self):
        from moto.ec2.models import ec2_backends

        return ec2_backends[self.account][self.region]

    def store(self) -> _Store:
        # Kept on moto's backend object: moto's reset replaces that object, and this state with it.
        backend = self.apigateway()
        store = getattr(backend, "privgw_private_domains", None)
        if store is None:
            store = _Store()
            backend.privgw_private_domains = store
        return store

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def domain(self, name: str) -> dict[str, Any]:
        domain = self.store().domains.get((name, self.query_value("domainNameId") or ""))
        if domain is None:
            raise _not_found("Invalid domain name identifier specified")
        return domain

    def page(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        """One page as AWS pages: `limit` (default 25, at most 500) and an opaque `position` token."""
        try:
            limit = int(self.query_value("limit") or 25)
            start = int(self.query_value("position") or 0)
        except ValueError:
            raise _bad("Invalid limit or position")
        if not 1 <= limit <= 500 or start < 0:
            raise _bad("Invalid limit or position")
        result: dict[str, Any] = {"item": items[start : start + limit]}
        if start + limit < len(items):
            result["position"] = str(start + limit)
        return result


def _read_body(environ: dict[str, Any]) -> bytes:
    """Reads the body and puts it back, so the wrapped app can still read it."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _is_private(body: bytes) -> bool:
    try:
        types = (json.loads(body).get("endpointConfiguration") or {}).get("types") or []
    except (ValueError, AttributeError):
        return False
    return "PRIVATE" in types


def _wire_target(environ: dict[str, Any]) -> str:
    """The request target (path and query) exactly as the client sent it, percent-escapes intact."""
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not target:
        query = environ.get("QUERY_STRING", "")
        target = environ.get("PATH_INFO", "/") + (f"?{query}" if query else "")
    return target


def _authenticate(target: str, request, body: bytes, account: str, operation: str):
    """moto's signature and policy check, fed the on-the-wire path; returns a WSGI error app or None."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.iam.access_control import IAMRequest
    from werkzeug.exceptions import HTTPException

    if ActionAuthenticatorMixin.request_count < settings.INITIAL_NO_AUTH_ACTION_COUNT:
        ActionAuthenticatorMixin.request_count += 1
        return None
    try:
        check = IAMRequest(
            account_id=account,
            method=request.method,
            path=target,
            data={},
            body=body,
            headers=request.headers,
            action=operation,
        )
        check.check_signature()
        check.check_action_permitted("*")
    except HTTPException as error:
        return error
    return None


def _respond(start_response, status: int, result) -> list[bytes]:
    headers = [("x-amzn-RequestId", str(uuid.uuid4()))]
    if isinstance(result, ApiError):
        data = json.dumps({"__type": result.code, "message": result.message}).encode()
        headers += [("x-amzn-ErrorType", result.code), ("Content-Type", "application/json")]
    elif result is None:
        data = b""
    else:
        data = json.dumps(result).encode()
        headers.append(("Content-Type", "application/json"))
    headers.append(("Content-Length", str(len(data))))
    reason = {200: "OK", 201: "Created", 202: "Accepted", 400: "Bad Request", 404: "Not Found", 409: "Conflict"}
    start_response(f"{status} {reason.get(status, 'Status')}", headers)
    return [data]
