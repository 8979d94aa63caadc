"""FastAPI dependencies shared by the routers: the services, filters from the query, the token check.

Routers added later (stories, coordination, fact-checks) take the same ``ServicesDep`` and
``WriteToken`` so they need nothing from the app module.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from narrascope.store import Filters
from narrascope.web.services import Services
from narrascope.web.tokens import verify_token

bearer = HTTPBearer(auto_error=False, description="A token from `narrascope token create`.")


async def get_services(request: Request) -> Services:
    """The app's services (async: FastAPI would run a plain function in its thread pool, one
    more thread hop per request for a lookup)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def require_token(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The id of the caller's live token; 401 without one (writes only)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "this endpoint writes: send 'Authorization: Bearer <token>'", _challenge())
    token_id = verify_token(services.store, credentials.credentials)
    if token_id is None:
        raise HTTPException(401, "unknown or revoked token", _challenge())
    return token_id


def _challenge() -> dict[str, str]:
    return {"WWW-Authenticate": 'Bearer realm="narrascope"'}


WriteToken = Annotated[str, Depends(require_token)]

_DATE = r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"
"""YYYY, YYYY-MM or YYYY-MM-DD; empty (a blank form field) means any date."""


async def filters(
    outlet: Annotated[str | None, Query(max_length=255, description="Only this outlet.")] = None,
    since: Annotated[str | None, Query(pattern=_DATE, description="Published on or after (YYYY[-MM[-DD]]).")] = None,
    until: Annotated[str | None, Query(pattern=_DATE, description="Published on or before (same forms).")] = None,
    language: Annotated[str | None, Query(max_length=16, description="Language code, e.g. en.")] = None,
    speaker: Annotated[
        str | None, Query(max_length=200, description="Quoting a speaker whose name contains this.")
    ] = None,
    technique: Annotated[str | None, Query(max_length=64, description="A persuasion technique or family.")] = None,
    hedged: Annotated[bool, Query(description="Only documents with hedged claims.")] = False,
) -> Filters:
    """The store's filters from query parameters; empty values mean "any" (async, as above)."""
    return Filters(
        outlet or None, since or None, until or None, language or None, speaker or None, technique or None, hedged
    )


FiltersDep = Annotated[Filters, Depends(filters)]
