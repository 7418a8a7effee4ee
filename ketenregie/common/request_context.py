"""The origin of the current request, for the audit log, without passing the request around."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    origin_ip: str = ""
    channel: str = "system"  # web, api, cli, system


_NO_REQUEST = RequestContext()  # frozen, so sharing it as the default is safe
current: ContextVar[RequestContext] = ContextVar("ketenregie_request_context", default=_NO_REQUEST)  # noqa: B039
