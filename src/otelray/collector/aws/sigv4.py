"""SigV4 signing of outgoing HTTP requests (contrib ``extension/sigv4authextension``, ``internal/aws/proxy``).

The signature is botocore's ``SigV4Auth``: the payload SHA-256 (the empty-body hash when there is
no body), canonical headers, and the ``Authorization`` / ``X-Amz-Date`` / ``X-Amz-Security-Token``
headers. When service or region is not configured they are inferred from the host as the sigv4auth
extension does: ``aps-workspaces.*`` → ``aps``, ``search-*`` → ``es``, ``logs.*`` → ``logs``,
``xray.*`` → ``xray``, ``monitoring.*`` → ``monitoring``; region = the second DNS label.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from otelray.collector.aws.errors import AwsConfigError

#: Headers that belong to one hop and must not be signed or forwarded (RFC 9110 §7.6.1).
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
     "transfer-encoding", "upgrade", "proxy-connection"}
)
#: Headers replaced by the signature (a client's stale signature must never be forwarded).
_SIGNATURE_HEADERS = frozenset({"authorization", "x-amz-date", "x-amz-security-token",
                                "x-amz-content-sha256", "host", "content-length"})

_SERVICE_PREFIXES = (("aps-workspaces.", "aps"), ("search-", "es"), ("logs.", "logs"),
                     ("xray.", "xray"), ("monitoring.", "monitoring"))


def infer_service_region(host: str) -> tuple[str, str]:
    """Return ``(service, region)`` inferred from an AWS endpoint host; ``""`` for what is unknown."""
    host = host.split(":", 1)[0].lower()
    service = next((name for prefix, name in _SERVICE_PREFIXES if host.startswith(prefix)), "")
    labels = host.split(".")
    region = labels[1] if service and len(labels) > 2 else ""
    return service, region


class SigV4Signer:
    """Signs requests with the credentials of one botocore session.

    Args:
        session: where credentials come from (default chain or AssumeRole, see ``session.py``).
        service: the SigV4 service name; inferred from each request's host when empty.
        region: the SigV4 region; inferred from the host, then the session's region, when empty.
    """

    def __init__(self, session: botocore.session.Session, *, service: str = "", region: str = "") -> None:
        self._session = session
        self.service = service
        self.region = region or ""

    def sign(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        """Return the headers to send: the caller's end-to-end headers plus the SigV4 headers.

        Raises:
            AwsConfigError: no credentials, or service/region cannot be determined.
        """
        credentials = self._session.get_credentials()
        if credentials is None:
            raise AwsConfigError("SigV4: no AWS credentials found in the default credential chain")
        host = urlsplit(url).netloc
        service, region = self._service_region(host)
        clean = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP | _SIGNATURE_HEADERS}
        request = AWSRequest(method=method.upper(), url=url, data=body, headers=clean)
        request.headers["Host"] = host
        SigV4Auth(credentials.get_frozen_credentials(), service, region).add_auth(request)
        return dict(request.headers.items())

    def _service_region(self, host: str) -> tuple[str, str]:
        inferred_service, inferred_region = infer_service_region(host)
        service = self.service or inferred_service
        region = self.region or inferred_region or (self._session.get_config_variable("region") or "")
        if not service:
            raise AwsConfigError(f"SigV4: cannot infer the service name from host {host!r}; set `service`")
        if not region:
            raise AwsConfigError(f"SigV4: cannot infer the region from host {host!r}; set `region`")
        return service, region


def verify_signature(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    credentials: Credentials,
) -> bool:
    """Recompute a received request's SigV4 signature with ``credentials`` and compare.

    Only the headers named in ``SignedHeaders`` are used; service, region and date come from the
    ``Credential`` scope. Used by servers that check signatures and by tests.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    match = _AUTH_RE.match(lowered.get("authorization", ""))
    if match is None or "x-amz-date" not in lowered:
        return False
    access_key, date, region, service, signed, signature = match.groups()
    if access_key != credentials.access_key:
        return False
    names = signed.split(";")
    request = AWSRequest(method=method.upper(), url=url, data=body,
                         headers={name: lowered.get(name, "") for name in names})
    request.context["timestamp"] = lowered["x-amz-date"]
    auth = SigV4Auth(credentials, service, region)
    canonical = _canonical_request(auth, request, names)
    expected = auth.signature(auth.string_to_sign(request, canonical), request)
    return hmac.compare_digest(expected, signature) and lowered["x-amz-date"].startswith(date)


def _canonical_request(auth: SigV4Auth, request: AWSRequest, names: list[str]) -> str:
    parts = [request.method.upper(), auth._normalize_url_path(urlsplit(request.url).path),
             auth.canonical_query_string(request)]
    canonical_headers = "".join(f"{n}:{' '.join(str(request.headers[n]).split())}\n" for n in names)
    parts += [canonical_headers, ";".join(names), auth.payload(request)]
    return "\n".join(parts)


_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
    r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$"
)
