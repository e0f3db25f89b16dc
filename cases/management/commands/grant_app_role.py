"""Give the app's database role exactly its privileges (cases/database_role.py).

Run as the owning role after every `migrate`: with MIGRATION_DATABASE_URL set, this
command connects as it (config/settings.py). Idempotent: everything the role had is
revoked, then granted again from the models.

    manage.py grant_app_role                 # the role of DATABASE_URL, which must exist
    manage.py grant_app_role --create        # ... created (LOGIN, DATABASE_URL's password) if missing
    manage.py grant_app_role --role NAME --create --nologin
"""

import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

from cases.database_role import grants, protected_tables, statements

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Command(BaseCommand):
    help = "As the owner, grant the app's database role what it may do, and no more (after migrate)."

    def add_arguments(self, parser):
        parser.add_argument("--role", help="The app's role (default: the user of DATABASE_URL).")
        parser.add_argument("--create", action="store_true", help="Create the role if it does not exist.")
        parser.add_argument(
            "--nologin", action="store_true", help="With --create: a role that cannot log in (to be granted to one)."
        )

    def handle(self, *args, role=None, create=False, nologin=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role needs PostgreSQL: SQLite has no roles.")
        app = settings.APP_DATABASE
        role = role or app.get("USER") or ""
        if not ROLE_NAME.match(role):
            raise CommandError(
                f"Name the app's role with --role or in DATABASE_URL (lower case, a-z0-9_); got {role!r}."
            )
        password = app.get("PASSWORD") if app.get("USER") == role else None
        if app.get("USER") == role and app.get("NAME") != connection.settings_dict["NAME"]:
            raise CommandError(
                f"DATABASE_URL names database {app.get('NAME')!r} but this connection is to "
                f"{connection.settings_dict['NAME']!r}: MIGRATION_DATABASE_URL must name the same database."
            )
        connection.ensure_connection()
        raw = connection.connection  # psycopg's own, for sql.Literal and sql.Identifier

        def quote(name: str) -> str:
            return sql.Identifier(name).as_string(raw)

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_schema(), current_database()")
            owner, schema, database = cursor.fetchone()
            if role == owner:
                raise CommandError(
                    f"This connection is the role {role!r} itself. Run grant_app_role as the owning role "
                    "(MIGRATION_DATABASE_URL) for an app role (DATABASE_URL) that is another one."
                )
            self._ensure_role(cursor, raw, role, create=create, login=not nologin, password=password)
            self._refuse_powerful(cursor, role, owner)
            missing = {g.table for g in grants()} - set(connection.introspection.table_names(cursor))
            if missing:
                raise CommandError(f"Tables missing: {sorted(missing)}. Run `manage.py migrate` first.")
            cursor.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {quote(database)} TO {quote(role)}")
            for statement in statements(role, schema, quote=quote):
                cursor.execute(statement)
        protected = sorted(protected_tables())
        full = [g.table for g in grants() if "DELETE" in g.privileges]
        self.stdout.write(
            f"Role {role}: read and write on {len(full)} tables; read and append only on {len(protected)} "
            f"({', '.join(protected)}); read only on django_migrations. Owner {owner} keeps the rest."
        )

    def _ensure_role(self, cursor, raw, role: str, *, create: bool, login: bool, password: str | None) -> None:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        exists = cursor.fetchone() is not None
        if not exists and not create:
            raise CommandError(f"Role {role!r} does not exist: create it, or pass --create.")
        if not create:
            return
        statement = (sql.SQL("ALTER ROLE {} ") if exists else sql.SQL("CREATE ROLE {} ")).format(sql.Identifier(role))
        statement += sql.SQL("LOGIN") if login else sql.SQL("NOLOGIN")
        if login and password:
            statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
        # On psycopg's cursor, not Django's: a debug log of Django's would show the password.
        raw.cursor().execute(statement)

    def _refuse_powerful(self, cursor, role: str, owner: str) -> None:
        """The app's role must own nothing and be no more than granted here."""
        cursor.execute(
            "SELECT rolsuper OR rolbypassrls, pg_has_role(%s, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s",
            [role, owner, role],
        )
        superuser, member = cursor.fetchone()
        if superuser:
            raise CommandError(f"Role {role!r} is a superuser or bypasses row security: privileges do not bind it.")
        if member:
            raise CommandError(f"Role {role!r} is a member of the owner {owner!r}: it would have the owner's rights.")
        cursor.execute(
            """
            SELECT relname FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)
                AND relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname LIKE 'pg\\_%%'
                                         OR nspname = 'information_schema')
            UNION ALL
            SELECT proname FROM pg_proc WHERE proowner = (SELECT oid FROM pg_roles WHERE rolname = %s)
                AND pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
            """,
            [role, role],
        )
        owned = sorted(row[0] for row in cursor.fetchall())
        if owned:
            raise CommandError(
                f"Role {role!r} owns {', '.join(owned[:10])}{' ...' if len(owned) > 10 else ''} in this database: "
                "the app's role must own nothing (REASSIGN OWNED BY it TO the owner)."
            )
