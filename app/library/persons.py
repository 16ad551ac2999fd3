"""PersonService: persons made of face assets (the v1 dialect's Persons), over a LibraryService."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.library.errors import InvalidInput, NotFound
from app.library.models import Asset, utcnow
from app.library.person_models import Person, PersonImage
from app.library.repository import as_utc
from app.library.service import LibraryService
from app.library.storage import UnsafePath, new_id, validate_uuid

MAX_IMAGES = 100


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: str
    user_id: int | None
    name: str
    image_ids: list[str]
    created_at: datetime
    updated_at: datetime


class PersonService:
    """Thread-safe like the library it uses; every method is scoped to one user."""

    def __init__(self, library: LibraryService) -> None:
        self.library = library

    def create(self, user_id: int, name: str, image_ids: Sequence[str]) -> PersonRecord:
        cleaned = " ".join(name.split())
        if not cleaned or len(cleaned) > 200:
            raise InvalidInput("A person's name is 1-200 characters")
        if any(unicodedata.category(c) in ("Cc", "Cs") for c in cleaned):
            # PostgreSQL cannot store NUL or lone surrogates; SQLite could, but no one types them.
            raise InvalidInput("A person's name cannot contain control characters")
        ids = self._valid_ids(image_ids)
        now = utcnow()
        with self.library.writing() as s:
            self._check_faces(s, user_id, ids)
            person = Person(
                id=new_id(), user_id=user_id, name=cleaned, created_at=now, updated_at=now
            )
            s.add(person)
            s.flush()
            for position, asset_id in enumerate(ids):
                s.add(PersonImage(person_id=person.id, asset_id=asset_id, position=position))
            s.flush()
            return self._record(s, person)

    def list_persons(self, user_id: int, *, limit: int = 20, offset: int = 0) -> list[PersonRecord]:
        with self.library.reading() as s:
            rows = s.scalars(
                select(Person)
                .where(Person.user_id == user_id)
                .order_by(Person.created_at.desc(), Person.id.desc())
                .limit(limit)
                .offset(offset)
            ).all()
            return [self._record(s, p) for p in rows]

    def get(self, user_id: int, person_id: str) -> PersonRecord:
        with self.library.reading() as s:
            return self._record(s, self._owned(s, user_id, person_id))

    def delete(self, user_id: int, person_id: str) -> None:
        """Delete the person; its face assets stay in the library."""
        with self.library.writing() as s:
            s.delete(self._owned(s, user_id, person_id))

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    def _valid_ids(image_ids: Sequence[str]) -> list[str]:
        if len(image_ids) > MAX_IMAGES:
            raise InvalidInput(f"A person has at most {MAX_IMAGES} images")
        out: dict[str, None] = {}
        for raw in image_ids:
            try:
                out.setdefault(validate_uuid(raw), None)
            except UnsafePath:
                raise InvalidInput(f"Image {raw!r} is not one of your face assets") from None
        return list(out)

    @staticmethod
    def _check_faces(s: Session, user_id: int, ids: list[str]) -> None:
        if not ids:
            return
        faces = set(
            s.scalars(
                select(Asset.id).where(
                    Asset.id.in_(ids), Asset.user_id == user_id, Asset.purpose == "face"
                )
            )
        )
        for asset_id in ids:
            if asset_id not in faces:
                raise InvalidInput(f"Image {asset_id!r} is not one of your face assets")

    @staticmethod
    def _owned(s: Session, user_id: int, person_id: str) -> Person:
        try:
            person_id = validate_uuid(person_id)
        except UnsafePath:
            raise NotFound("Person not found") from None
        person = s.get(Person, person_id)
        if person is None or person.user_id != user_id:
            raise NotFound("Person not found")
        return person

    @staticmethod
    def _record(s: Session, p: Person) -> PersonRecord:
        image_ids = list(
            s.scalars(
                select(PersonImage.asset_id)
                .where(PersonImage.person_id == p.id)
                .order_by(PersonImage.position)
            )
        )
        return PersonRecord(
            id=p.id,
            user_id=p.user_id,
            name=p.name,
            image_ids=image_ids,
            created_at=as_utc(p.created_at),
            updated_at=as_utc(p.updated_at),
        )
