"""`python manage.py reach FILE`: the engine's contract (shared/RULES.md §9).

Reads scenarios, one JSON object a line, from FILE or `-` (stdin) and prints one
result a line in the same order. The file is read as bytes: lines end at LF, one CR
just before the LF is dropped, a last line without LF counts, and a line of nothing but
spaces, tabs and CRs is blank and prints nothing. A bad line prints an error line in
its place on stdout, `{"id": ..., "error": {"field": ..., "message": ...}}` (§9.4), and
a message naming the line, the scenario and the field on stderr; the command goes on
with the next line and exits 1 if any line was an error.
"""

import codecs
import contextlib
import io
import json
import sys
import traceback
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError

from jurisdictions import reach
from jurisdictions.loader import CatalogueNotLoaded, current_catalogue

BLANK = b" \t\r"
NOT_JSON_CONSTANTS = ("NaN", "Infinity", "-Infinity")
# Python refuses to turn integers of more digits than this into an int (a ValueError,
# not a JSONDecodeError); such a number is valid JSON, so it is read as a float.
_INT_DIGITS = 4000


class _NotJSONConstant(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NotJSONConstant(f"{name} is not JSON (RFC 8259)")


def _parse_int(text: str) -> int | float:
    return int(text) if len(text) <= _INT_DIGITS else float(text)


def parse_line(line: bytes) -> Any:
    """One line's JSON value, per RFC 8259; raises ValueError saying why it is not JSON.

    `line` has its LF and the CR before it removed. Duplicate keys: the last one counts.
    """
    if line.startswith(codecs.BOM_UTF8):
        raise ValueError("the line starts with a byte-order mark")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start + 1})") from None
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} at column {exc.colno}") from None
    except _NotJSONConstant as exc:
        raise ValueError(str(exc)) from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


def lines_of(stream: IO[bytes]):
    """(line number, line) for every line that is not blank; the line without its end."""
    for number, raw in enumerate(stream, start=1):
        line = raw[:-1] if raw.endswith(b"\n") else raw
        if line.endswith(b"\r") and raw.endswith(b"\n"):
            line = line[:-1]
        if line.strip(BLANK):
            yield number, line


def error_line(scenario_id: str | None, field: str, message: str) -> dict:
    return {"id": scenario_id, "error": {"field": field, "message": message}}


def to_json(output: dict) -> str:
    """One output line; non-ASCII kept readable unless it cannot be encoded (a lone
    surrogate read from a `\\ud800` escape), then escaped."""
    text = json.dumps(output, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(output, ensure_ascii=True)
    return text


class Command(BaseCommand):
    help = "Run the reach engine on a scenario file (JSON lines) and print one result a line."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Scenario file, one JSON object a line, or - for standard input.")

    def handle(self, *args, file: str, **options):
        try:
            _, catalogue = current_catalogue()
        except CatalogueNotLoaded as exc:
            raise CommandError(str(exc)) from None
        try:
            stream = self._open(file)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        failed = 0
        with stream as lines:
            for number, line in lines_of(lines):
                output = self.one(catalogue, line)
                try:
                    text = to_json(output)
                except (TypeError, ValueError) as exc:  # a result that is not JSON: an engine bug
                    output = error_line(output.get("id"), "", f"internal error: the result is not JSON ({exc})")
                    text = to_json(output)
                if "error" in output:
                    failed += 1
                    error = output["error"]
                    self.stderr.write(
                        f"line {number}: scenario {output['id'] or '?'}: "
                        f"{error['field'] or '(line)'}: {error['message']}"
                    )
                self.stdout.write(text)
        if failed:
            raise CommandError(f"{failed} line(s) failed; see the messages above", returncode=1)

    @staticmethod
    def _open(file: str):
        if file != "-":
            return open(file, "rb")  # noqa: SIM115 - closed by the `with` in handle
        binary = getattr(sys.stdin, "buffer", None)
        if binary is None:  # a text stream put in place of stdin (tests)
            return io.BytesIO(sys.stdin.read().encode("utf-8", "surrogatepass"))
        return contextlib.nullcontext(binary)  # stdin is not ours to close

    def one(self, catalogue: reach.Catalogue, line: bytes) -> dict:
        """The output object for one non-blank line: a result or an error line."""
        try:
            obj = parse_line(line)
        except ValueError as exc:
            return error_line(None, "", f"not valid JSON: {exc}")
        raw_id = obj.get("id") if isinstance(obj, dict) else None
        scenario_id = raw_id if isinstance(raw_id, str) and raw_id else None
        try:
            facts = reach.facts_from_scenario(obj, catalogue)
        except reach.ScenarioError as exc:
            return error_line(scenario_id, exc.field, exc.message)
        checked_id = cast(str, scenario_id)  # facts_from_scenario checked it is a non-empty string
        try:
            return reach.result_to_contract(checked_id, reach.evaluate(catalogue, facts))
        except reach.UnknownInstrumentError as exc:
            return error_line(checked_id, "demand.instrument", str(exc))
        except Exception as exc:  # one scenario's failure must not lose the lines after it
            self.stderr.write(traceback.format_exc())
            return error_line(checked_id, "", f"internal error of the reach engine: {exc!r}")
