"""(f) Two machines: two gunicorn instances on different ports, one PostgreSQL database,
one Redis, one S3-compatible store (SeaweedFS). A document uploaded through one is
downloaded through the other byte for byte (neither has it on its own disk), and one
API token's rate limit counts its requests on both."""

import datetime as dt
import re
import time

import pytest
import requests

from tests.fault import harness
from tests.seaweedfs import seaweed_s3
from tests.security.pdfs import clean_pdf

pytestmark = [pytest.mark.fault, pytest.mark.time_limit(180)]

RATE = 10
PASSWORD = "two-machines-" + harness.SECRET[:16]
SET_PASSWORD = f"""
from django.contrib.auth import get_user_model
user = get_user_model().objects.get(username="counsel")
user.set_password({PASSWORD!r})
user.save()
"""


def start_web(app: harness.App) -> harness.Proc:
    """gunicorn as on a machine; with the project's config file when there is one."""
    config = harness.ROOT / "config" / "gunicorn.conf.py"
    args = [harness.PY, "-m", "gunicorn", "config.wsgi:application"]
    if config.exists():
        args += ["-c", str(config)]
    args += ["--bind", f"127.0.0.1:{app.port}", "--workers", "2", "--threads", "2", "--timeout", "30",
             "--graceful-timeout", "5", "--log-level", "warning"]  # fmt: skip
    proc = harness.spawn(f"gunicorn-{app.port}", args, app.env, app.logdir)
    app.procs["web"] = proc
    harness.wait_for(lambda: requests.get(f"{app.url}/healthz", timeout=2).status_code == 200, 30, "gunicorn /healthz")
    return proc


class Browser:
    """A logged-in browser that talks to either machine. DEBUG is off, so cookies are
    Secure: the TLS proxy is stood in for by X-Forwarded-Proto, and the cookies are
    sent by hand (a cookie jar keeps Secure cookies off plain http)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def _headers(self, base: str, path: str) -> dict[str, str]:
        return {"X-Forwarded-Proto": "https", "Referer": base.replace("http://", "https://") + path}

    def get(self, base: str, path: str) -> requests.Response:
        response = requests.get(
            base + path, headers=self._headers(base, path), cookies=self.cookies, timeout=10, allow_redirects=False
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def post(self, base: str, path: str, data: dict, files: dict | None = None) -> requests.Response:
        data = {**data, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        response = requests.post(
            base + path,
            data=data,
            files=files,
            headers=self._headers(base, path),
            cookies=self.cookies,
            timeout=20,
            allow_redirects=False,
        )
        self.cookies.update(response.cookies.get_dict())
        return response


def test_two_machines_share_documents_and_the_rate_limit(fault_db, logdir, tmp_path):
    started = time.monotonic()
    url = fault_db["url"]
    redis_port = harness.free_port()
    redis = harness.start_redis(redis_port, logdir)
    with seaweed_s3() as store:
        env = harness.base_env(
            url,
            f"redis://127.0.0.1:{redis_port}/0",
            STORAGE_URL=store.storage_url(),
            API_RATE=f"{RATE}/minute",
        )
        harness.manage({**env, "DEBUG": "1"}, "shell", "-v0", "-c", SET_PASSWORD)
        # Each machine has its own (empty) disk: a document can only come from the store.
        one = harness.App({**env, "MEDIA_ROOT": str(tmp_path / "one")}, logdir)
        two = harness.App({**env, "MEDIA_ROOT": str(tmp_path / "two")}, logdir)
        try:
            with harness.processes(one), harness.processes(two):
                start_web(one)
                start_web(two)

                # --- a document uploaded through one, downloaded through two ---------------
                browser = Browser()
                browser.get(one.url, "/login/")
                login = browser.post(one.url, "/login/", {"username": "counsel", "password": PASSWORD})
                assert login.status_code == 302, login.text[:2000]
                case_id, version = harness.query(
                    url, "SELECT id, version FROM cases_case WHERE status <> 'closed' ORDER BY id LIMIT 1"
                )[0]
                body = clean_pdf()
                recorded = browser.post(
                    one.url,
                    f"/cases/{case_id}/events/",
                    {
                        "event-version": version,
                        "event-kind": "order_issued",
                        "event-occurred_on": str(dt.datetime.now(dt.UTC).date()),
                    },
                    files={"event-document": ("order.pdf", body, "application/pdf")},
                )
                assert recorded.status_code == 302, re.findall(
                    r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', recorded.text, re.S
                )
                event_id, key = harness.query(
                    url,
                    "SELECT id, document FROM cases_caseevent WHERE case_id = %s AND kind = 'order_issued' "
                    "ORDER BY id DESC LIMIT 1",
                    (case_id,),
                )[0]
                stored = store.client().head_object(Bucket="lexloci-documents", Key=key)
                assert stored["ContentType"] == "application/pdf"
                assert not (tmp_path / "one").exists() or not any((tmp_path / "one").rglob("*.pdf"))
                download = browser.get(two.url, f"/cases/{case_id}/events/{event_id}/document/")
                assert download.status_code == 200, download.text[:2000]
                assert download.content == body
                assert download.headers["Content-Disposition"].startswith("attachment;")

                # --- one token, one count, on both machines ----------------------------------
                token = fault_db["tokens"]["read"]
                machines = [harness.Api(one.url, token), harness.Api(two.url, token)]
                statuses = [machines[i % 2].get("/api/v1/cases/?page_size=1").status_code for i in range(RATE + 4)]
        finally:
            redis.stop()
    print(
        f"\n[fault f] two machines: document {len(body)} bytes up through :{one.port}, down through :{two.port} "
        f"identical; API statuses alternating between them: {statuses}; took {time.monotonic() - started:.1f}s"
    )
    assert statuses[:RATE] == [200] * RATE
    assert statuses[RATE:] == [429] * 4
