"""JSON records kept as Prefect variables: they live where the runs live.

The embedded server keeps them in its SQLite file, a scaled-out server in PostgreSQL, so every
bot replica and worker sees the same records, and a restart loses none. A record is one
variable named `<kind>_<key>` (Prefect allows letters, digits, `-` and `_`; at most 5,000
characters of JSON per value). `claim` is atomic: creating a name that exists fails, so of
several replicas exactly one wins.
"""

from __future__ import annotations

import re
from typing import Any

from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.actions import VariableCreate, VariableUpdate
from prefect.exceptions import ObjectAlreadyExists

Json = dict[str, Any]
_NAME = re.compile(r"^[a-z0-9_-]{1,255}$")
PAGE = 200


def record_name(kind: str, key: str) -> str:
    """`schedule` + `Daily Digest!` -> `schedule_daily-digest-`: a valid variable name."""
    clean = re.sub(r"[^a-z0-9_-]", "-", key.lower())
    name = f"{kind}_{clean}"
    if not _NAME.match(name):
        raise ValueError(f"{name!r} cannot name a record (letters, digits, - and _; 255 at most)")
    return name


class Records:
    """Records of one kind (`schedule`, `alert`, ...), read and written through the Prefect API."""

    def __init__(self, kind: str, client: PrefectClient | None = None) -> None:
        self.kind = kind
        self._client = client

    async def get(self, key: str) -> Json | None:
        """The record, or None."""
        async with self._session() as client:
            found = await client.read_variable_by_name(record_name(self.kind, key))
        value = found.value if found is not None else None
        return value if isinstance(value, dict) else None

    async def put(self, key: str, value: Json) -> None:
        """Create or replace the record."""
        name = record_name(self.kind, key)
        async with self._session() as client:
            try:
                await client.create_variable(VariableCreate(name=name, value=value))
            except ObjectAlreadyExists:
                await client.update_variable(VariableUpdate(name=name, value=value))

    async def claim(self, key: str, value: Json) -> bool:
        """Create the record only if it does not exist; True for the one caller that did."""
        async with self._session() as client:
            try:
                await client.create_variable(
                    VariableCreate(name=record_name(self.kind, key), value=value)
                )
            except ObjectAlreadyExists:
                return False
        return True

    async def delete(self, key: str) -> bool:
        """Remove the record; False when there was none."""
        name = record_name(self.kind, key)
        async with self._session() as client:
            if await client.read_variable_by_name(name) is None:
                return False
            await client.delete_variable_by_name(name)
        return True

    async def all(self) -> dict[str, Json]:
        """Every record of this kind, by key (the part of the name after `<kind>_`)."""
        prefix = f"{self.kind}_"
        found: dict[str, Json] = {}
        async with self._session() as client:
            offset = 0
            while True:
                response = await client._client.post(
                    "/variables/filter",
                    json={
                        "variables": {"name": {"like_": prefix}},
                        "sort": "NAME_ASC",
                        "offset": offset,
                        "limit": PAGE,
                    },
                )
                response.raise_for_status()
                page = response.json()
                for item in page:
                    name, value = item["name"], item.get("value")
                    if name.startswith(prefix) and isinstance(value, dict):
                        found[name[len(prefix) :]] = value
                if len(page) < PAGE:
                    return found
                offset += PAGE

    def _session(self) -> _Session:
        return _Session(self._client)


class _Session:
    """The given client as it is, or a fresh `get_client()` opened and closed around one use."""

    def __init__(self, client: PrefectClient | None) -> None:
        self._given = client
        self._owned: Any = None

    async def __aenter__(self) -> PrefectClient:
        if self._given is not None:
            return self._given
        self._owned = get_client()
        return await self._owned.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        if self._owned is not None:
            await self._owned.__aexit__(*exc)
