"""Append-only models: rows are inserted once and never changed or deleted.

The refusal is made twice: in code (this module: ``save`` of a stored row, ``delete``, queryset ``update``
and ``delete`` raise :class:`AppendOnlyError`) and in the database (triggers installed by the
migrations through :func:`append_only_trigger_sql`), so that neither a bug nor a hand-written SQL
statement can rewrite history. A correction is a new row (for the ledger: a reversing transaction).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete an append-only row."""

    code = "append_only"

    def __init__(self, model_label: str, operation: str) -> None:
        self.model_label = model_label
        self.operation = operation
        super().__init__(
            f"{model_label}: Einträge sind unveränderlich ({operation} abgelehnt). "
            "Korrekturen werden als neue Einträge (z. B. Stornobuchung) erfasst."
        )


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(self.model._meta.label, "update")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(self.model._meta.label, "delete")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyError(self.model._meta.label, "bulk_update")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("update_conflicts"):
            raise AppendOnlyError(self.model._meta.label, "bulk_create(update_conflicts)")
        return super().bulk_create(objs, *args, **kwargs)

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(self.model._meta.label, "update_or_create")


class AppendOnlyModel(models.Model):
    """Base class: instances may be created, never saved again or deleted."""

    objects: ClassVar[Any] = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or (
            self.pk is not None and type(self)._base_manager.filter(pk=self.pk).exists()
        ):
            raise AppendOnlyError(self._meta.label, "update")
        # Never let Django turn the save of an instance carrying an existing id into an UPDATE.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(self._meta.label, "delete")


def append_only_trigger_sql(table: str, vendor: str) -> tuple[list[str], list[str]]:
    """SQL (forward, backward) that makes ``table`` refuse UPDATE and DELETE in the database itself."""
    if vendor == "postgresql":
        function = f"kofo_refuse_change_{table}"
        forward = [
            f"""
            CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'kofo: % auf {table} abgelehnt: Einträge sind unveränderlich', TG_OP
                    USING ERRCODE = 'restrict_violation';
            END
            $$ LANGUAGE plpgsql;
            """,
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}();",
        ]
        backward = [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
            f"DROP FUNCTION IF EXISTS {function}();",
        ]
        return forward, backward
    if vendor == "sqlite":
        forward = [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN "
            f"SELECT RAISE(ABORT, 'kofo: UPDATE auf {table} abgelehnt: Einträge sind unveränderlich'); END;",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN "
            f"SELECT RAISE(ABORT, 'kofo: DELETE auf {table} abgelehnt: Einträge sind unveränderlich'); END;",
        ]
        backward = [
            f"DROP TRIGGER IF EXISTS {table}_no_update;",
            f"DROP TRIGGER IF EXISTS {table}_no_delete;",
        ]
        return forward, backward
    return [], []


def install_append_only_triggers(*tables: str) -> Any:
    """A migration operation installing the append-only triggers for ``tables`` on the current database."""
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        for table in tables:
            for statement in append_only_trigger_sql(table, schema_editor.connection.vendor)[0]:
                schema_editor.execute(statement, params=None)

    def backward(apps: Any, schema_editor: Any) -> None:
        for table in tables:
            for statement in append_only_trigger_sql(table, schema_editor.connection.vendor)[1]:
                schema_editor.execute(statement, params=None)

    return migrations.RunPython(forward, backward, elidable=False)


def reinstall_append_only_triggers(*tables: str) -> Any:
    """Install the triggers again after a migration changed ``tables``.

    SQLite alters a table by copying it into a new one, which drops its triggers; PostgreSQL keeps them.
    Dropping (if present) and creating again gives the same end state on both.
    """
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        for table in tables:
            backward_sql, forward_sql = append_only_trigger_sql(table, schema_editor.connection.vendor)[::-1]
            for statement in [*backward_sql, *forward_sql]:
                schema_editor.execute(statement, params=None)

    return migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)
