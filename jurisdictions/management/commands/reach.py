"""`python manage.py reach FILE`: the engine's contract (shared/RULES.md §8).

Reads scenarios, one JSON object a line, from FILE or `-` (stdin) and prints one
result a line in the same order. A bad line prints an error object in its place on
stdout (so results stay aligned with their lines) and a message naming the scenario
and the field on stderr; the command goes on and exits 1 if any line failed.
"""

import json
import sys
from typing import cast

from django.core.management.base import BaseCommand, CommandError

from jurisdictions import reach
from jurisdictions.loader import CatalogueNotLoaded, current_catalogue


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
            stream = sys.stdin if file == "-" else open(file, encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        failed = 0
        with stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                output = self._one(catalogue, number, line)
                if "error" in output:
                    failed += 1
                    error = output["error"]
                    self.stderr.write(
                        f"line {number}: scenario {output['id'] or '?'}: {error['field']}: {error['message']}"
                    )
                self.stdout.write(json.dumps(output, ensure_ascii=False))
        if failed:
            raise CommandError(f"{failed} scenario(s) failed; see the messages above", returncode=1)

    @staticmethod
    def _one(catalogue: reach.Catalogue, number: int, line: str) -> dict:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            return {
                "id": None,
                "error": {"field": "(line)", "message": f"not valid JSON: {exc.msg} at column {exc.colno}"},
            }
        scenario_id = obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None
        try:
            facts = reach.facts_from_scenario(obj, catalogue)
            result = reach.evaluate(catalogue, facts)
        except reach.ScenarioError as exc:
            return {"id": exc.scenario_id or scenario_id, "error": {"field": exc.field, "message": exc.message}}
        except reach.UnknownInstrumentError as exc:
            return {"id": scenario_id, "error": {"field": "demand.instrument", "message": str(exc)}}
        # facts_from_scenario raised ScenarioError unless the scenario has a text id
        return reach.result_to_contract(cast(str, scenario_id), result)
