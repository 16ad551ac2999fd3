"""The v1 /api/persons routes: a person made of face assets (create, list, get, delete)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from app.api.v1 import (
    V1_DEFAULT_LIMIT,
    V1_MAX_LIMIT,
    V1Message,
    V1Ok,
    V1Pagination,
    V1Person,
    V1PersonCreate,
    V1PersonPage,
)
from app.library.persons import PersonService
from app.server.v1.auth import ApiKeyUser
from app.server.v1.errors import V1Route
from app.server.v1.present import person_v1
from app.server.v1.responses import v1_errors

router = APIRouter(prefix="/api/persons", tags=["v1: persons"], route_class=V1Route)


async def get_persons(request: Request) -> PersonService:
    return request.app.state.v1_persons  # type: ignore[no-any-return]


Persons = Annotated[PersonService, Depends(get_persons)]
PersonIdParam = Annotated[str, Path(description="Person ID (UUID)")]


@router.post(
    "",
    status_code=201,
    response_model=V1Ok[V1Person],
    responses=v1_errors(400, 401, 413, 422),
    summary="Create a person from face assets",
)
def create_person(body: V1PersonCreate, user: ApiKeyUser, persons: Persons) -> JSONResponse:
    person = persons.create(user.id, body.name, body.imageIds)
    return JSONResponse(
        V1Ok[V1Person](data=person_v1(person)).model_dump(mode="json"), status_code=201
    )


@router.get(
    "",
    response_model=V1Ok[V1PersonPage],
    responses=v1_errors(401, 422),
    summary="List persons",
)
def list_persons(
    user: ApiKeyUser,
    persons: Persons,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=V1_MAX_LIMIT)] = V1_DEFAULT_LIMIT,
) -> V1Ok[V1PersonPage]:
    rows = persons.list_persons(user.id, limit=limit, offset=(page - 1) * limit)
    return V1Ok(
        data=V1PersonPage(
            persons=[person_v1(p) for p in rows], pagination=V1Pagination(page=page, limit=limit)
        )
    )


@router.get(
    "/{person_id}",
    response_model=V1Ok[V1Person],
    responses=v1_errors(401, 404, 422),
    summary="Get a person",
)
def get_person(person_id: PersonIdParam, user: ApiKeyUser, persons: Persons) -> V1Ok[V1Person]:
    return V1Ok(data=person_v1(persons.get(user.id, person_id)))


@router.delete(
    "/{person_id}",
    response_model=V1Ok[V1Message],
    responses=v1_errors(401, 404, 422),
    summary="Delete a person (its face assets stay)",
)
def delete_person(person_id: PersonIdParam, user: ApiKeyUser, persons: Persons) -> V1Ok[V1Message]:
    persons.delete(user.id, person_id)
    return V1Ok(data=V1Message(message="Person deleted"))
