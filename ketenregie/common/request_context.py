"""The origin of the current request, for the audit log, without passing the request around."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    origin_ip: str = ""
    channel: str = "system"  # web, api, cli, system


current: ContextVar[RequestContext] = ContextVar("ketenregie_request_context", default=RequestContext())
