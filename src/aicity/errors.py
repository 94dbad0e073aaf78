"""Error types shared by every layer.

Library code raises these; only ``aicity.cli`` and ``aicity.web`` turn them into messages and exit codes.
Each error says what was expected, what was received, and where.
"""

from __future__ import annotations


class AicityError(Exception):
    """Base class for every error aicity raises on purpose."""

    exit_code = 2


class InputError(AicityError):
    """A file or table cannot be used at all (unreadable, wrong format, missing column, empty).

    ``where`` names the place (file, sheet, row, column) so the message can be one line.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.file, self.row, self.column, self.fix = file, row, column, fix
        self.reason = message
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        text = ": ".join([", ".join(where), self.reason]) if where else self.reason
        if self.fix:
            text += f" ({self.fix})"
        return text


class ConfigError(AicityError):
    """A framework, recipe, taxonomy or spec is invalid. ``path`` locates the bad setting."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}" if path else message)


class RowProblems(AicityError):
    """Some rows were rejected; accepted rows were written (or nothing, with --strict)."""

    exit_code = 3


class StoreError(AicityError):
    """The store is missing, locked, or of an unknown schema version."""


class DuplicateKey(StoreError):
    """A write would give the store a second row with a key it holds (or the same key twice).

    ``table``, ``key`` (a column, or ``firm`` for the enterprises firm key: credit code, else name and
    city), ``value``, ``reason`` and ``fix`` let a caller that knows the file name the row as well.
    """

    def __init__(self, reason: str, *, table: str, key: str, value: str, fix: str) -> None:
        self.table, self.key, self.value, self.reason, self.fix = table, key, value, reason, fix
        super().__init__(f"{table}: {reason}; nothing written ({fix})")
