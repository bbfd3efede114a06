"""Experiment trackers: run references in front matter, and reading a run from its tracker.

A report names its runs as `<tracker>:<run id>` (`mlflow:3f2a...`). Each kind of
tracker is one `TrackerKind` in `TRACKERS`: how its run ids look, the web page
of a run, and how to connect to it. Connecting gives a `Tracker`, whose one
method reads a run into the tracker-neutral `Run`. MLflow is the first kind;
Weights & Biases (`wandb:<entity>/<project>/<id>`) or DVC experiments add an
entry here and a `Tracker` of their own, and everything else (the header card,
`reports.json`, `new --from-...`, `check --verify-runs`) works unchanged.

MLflow is read through its REST API with `urllib` when the tracking URI is
http(s): `check --verify-runs` then imports nothing heavy (importing the
`mlflow` package takes seconds), has one exact timeout per request and no
retries, and works without the `mlflow` extra. Other tracking URIs (a local
`./mlruns` folder, `sqlite:///...`, `databricks`) can only be read by MLflow's
own client, which the `mlflow` extra installs.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import urllib.error

DEFAULT_TIMEOUT = 5.0


@dataclass(frozen=True)
class RunRef:
    """A run named in a report's front matter."""

    tracker: str
    run_id: str

    @property
    def text(self) -> str:
        return f"{self.tracker}:{self.run_id}"


@dataclass(frozen=True)
class Run:
    """A run as every tracker reports it: latest metric values, parameters and tags."""

    ref: RunRef
    name: str = ""
    experiment_id: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    start_ms: int | None = None  # milliseconds since the epoch
    end_ms: int | None = None
    datasets: tuple[str, ...] = ()  # names of the datasets logged as the run's inputs


class TrackerError(Exception):
    """A run could not be read; the message is one line for the user."""


class RunNotFound(TrackerError):
    """The tracker answered, and has no such run."""


class TrackerUnreachable(TrackerError):
    """The tracker did not answer in time, refused, or answered with no run data."""


class Tracker(Protocol):
    """A connected tracker."""

    @property
    def where(self) -> str:
        """Which server, for messages: `MLflow at http://127.0.0.1:5000`."""

    def fetch(self, run_id: str) -> Run:
        """The run; raise RunNotFound or TrackerUnreachable."""


@dataclass(frozen=True)
class TrackerKind:
    """One kind of tracker: its reference prefix, its run ids, its web pages, its client."""

    prefix: str
    label: str
    id_pattern: re.Pattern[str]
    id_form: str  # for messages
    web_url: Callable[[str, str], str]  # (web UI base URL, run id) -> the run's page
    connect: Callable[[str, float], Tracker]  # (tracking URI, timeout) -> a tracker
    uri_env: str  # the environment variable the tracker's own tools read


def _mlflow_web_url(base: str, run_id: str) -> str:
    # The MLflow UI's `#/runs/<id>` route opens the run within its experiment.
    return f"{base.rstrip('/')}/#/runs/{urllib.parse.quote(run_id, safe='')}"


def _connect_mlflow(uri: str, timeout: float) -> Tracker:
    if uri.startswith(("http://", "https://")):
        return MlflowRest(uri, timeout)
    return MlflowClientTracker(uri)


TRACKERS: dict[str, TrackerKind] = {
    "mlflow": TrackerKind(
        prefix="mlflow", label="MLflow",
        # MLflow's own rule for run ids (mlflow/utils/validation.py).
        id_pattern=re.compile(r"[A-Za-z0-9][\w\-]{0,255}"),
        id_form="letters, digits, '_' and '-', such as a 32-character hexadecimal id",
        web_url=_mlflow_web_url, connect=_connect_mlflow, uri_env="MLFLOW_TRACKING_URI"),
}


def parse_ref(text: str) -> RunRef | str:
    """A run reference, or why `text` is not one (a message for the user)."""
    prefix, colon, run_id = text.strip().partition(":")
    if not colon:
        return (f"run '{text}' names no tracker: write it as "
                f"{' or '.join(f'{k}:<run id>' for k in TRACKERS)}")
    kind = TRACKERS.get(prefix.strip().casefold())
    if kind is None:
        return (f"run '{text}' names the tracker '{prefix}', which is not supported "
                f"(supported: {', '.join(TRACKERS)})")
    run_id = run_id.strip()
    if not kind.id_pattern.fullmatch(run_id):
        return f"run '{text}' has no valid {kind.label} run id ({kind.id_form})"
    return RunRef(kind.prefix, run_id)


def web_url(ref: RunRef, ui_bases: Mapping[str, str]) -> str | None:
    """The page of a run in its tracker's web UI, when the UI's address is known."""
    base = ui_bases.get(ref.tracker)
    kind = TRACKERS.get(ref.tracker)
    if not base or kind is None:
        return None
    return kind.web_url(base, ref.run_id)


def is_web_address(uri: str | None) -> bool:
    return bool(uri) and str(uri).startswith(("http://", "https://"))


# MLflow through its REST API -------------------------------------------------------------

_NOT_FOUND_CODES = {"RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"}


class MlflowRest:
    """An MLflow tracking server read over HTTP, one request per run, no retries."""

    def __init__(self, uri: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.uri = uri.rstrip("/")
        self.timeout = timeout

    @property
    def where(self) -> str:
        return f"MLflow at {self.uri}"

    def fetch(self, run_id: str) -> Run:
        import urllib.error  # here: `check` without --verify-runs opens no connection
        import urllib.request
        query = urllib.parse.urlencode({"run_id": run_id})
        request = urllib.request.Request(f"{self.uri}/api/2.0/mlflow/runs/get?{query}",
                                         headers=_auth_headers())
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(32 * 1024 * 1024)
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc, run_id) from None
        except TimeoutError:
            raise TrackerUnreachable(f"{self.where} did not answer within "
                                     f"{self.timeout:g} s") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise TrackerUnreachable(f"{self.where} did not answer within "
                                         f"{self.timeout:g} s") from None
            raise TrackerUnreachable(f"{self.where} cannot be reached: "
                                     f"{_reason(reason)}") from None
        try:
            run = json.loads(body)["run"]
        except (ValueError, KeyError, TypeError):
            raise TrackerUnreachable(f"{self.where} answered, but not with MLflow run data "
                                     "(is the URI the tracking server's?)") from None
        return _mlflow_run(run_id, run)

    def _http_error(self, exc: urllib.error.HTTPError, run_id: str) -> TrackerError:
        try:
            error = json.loads(exc.read(65536))
        except (ValueError, OSError):
            error = {}
        code = error.get("error_code") if isinstance(error, dict) else None
        if code in _NOT_FOUND_CODES or (exc.code == 404 and code is not None):
            return RunNotFound(f"{self.where} has no run '{run_id}'")
        if exc.code in (401, 403):
            return TrackerUnreachable(f"{self.where} refused access ({exc.code} {exc.reason}); "
                                      "set MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME "
                                      "and MLFLOW_TRACKING_PASSWORD")
        return TrackerUnreachable(f"{self.where} answered {exc.code} {exc.reason}")


def _auth_headers() -> dict[str, str]:
    """The credentials MLflow's own client would send, from its environment variables."""
    token = os.environ.get("MLFLOW_TRACKING_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}
    user, password = (os.environ.get("MLFLOW_TRACKING_USERNAME"),
                      os.environ.get("MLFLOW_TRACKING_PASSWORD"))
    if user and password:
        pair = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}
    return {}


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    text = getattr(reason, "strerror", None) or str(reason)
    return " ".join(str(text).split()) or type(reason).__name__


def _pairs(items: object) -> dict[str, object]:
    if not isinstance(items, list):
        return {}
    return {str(i["key"]): i.get("value") for i in items
            if isinstance(i, dict) and "key" in i}


def _mlflow_run(run_id: str, run: Any) -> Run:
    info = run.get("info", {}) if isinstance(run, dict) else {}
    data = run.get("data", {}) if isinstance(run, dict) else {}
    metrics = {key: float(value) for key, value in _pairs(data.get("metrics")).items()
               if isinstance(value, (int, float, str)) and _is_float(value)}
    inputs = run.get("inputs", {}) if isinstance(run, dict) else {}
    datasets = [d.get("dataset", {}).get("name") for d in inputs.get("dataset_inputs", [])
                if isinstance(d, dict) and isinstance(d.get("dataset"), dict)] \
        if isinstance(inputs, dict) and isinstance(inputs.get("dataset_inputs"), list) else []
    return Run(RunRef("mlflow", run_id), name=str(info.get("run_name") or ""),
               experiment_id=str(info.get("experiment_id") or ""),
               params={k: str(v) for k, v in _pairs(data.get("params")).items()},
               metrics=metrics,
               tags={k: str(v) for k, v in _pairs(data.get("tags")).items()},
               start_ms=_millis(info.get("start_time")), end_ms=_millis(info.get("end_time")),
               datasets=tuple(str(d) for d in datasets if d))


def _millis(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "") else None  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _is_float(value: object) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


# MLflow through its own client (local stores, databricks) --------------------------------

class MlflowClientTracker:
    """Any other MLflow tracking URI, read with MLflow's client (the `mlflow` extra)."""

    def __init__(self, uri: str) -> None:
        self.uri = uri

    @property
    def where(self) -> str:
        return f"MLflow at {self.uri}"

    def fetch(self, run_id: str) -> Run:
        # MLflow's client retries for minutes by default; a report check must not hang.
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", str(int(DEFAULT_TIMEOUT)))
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        try:
            from mlflow.exceptions import MlflowException
            from mlflow.tracking import MlflowClient
        except ImportError:
            raise TrackerUnreachable(
                f"reading the tracking URI '{self.uri}' needs MLflow's client: "
                "pip install 'mkdocs-report-archive[mlflow]' (or use the server's http(s) "
                "address)") from None
        try:
            got = MlflowClient(tracking_uri=self.uri).get_run(run_id)
        except MlflowException as exc:
            if exc.error_code in _NOT_FOUND_CODES:
                raise RunNotFound(f"{self.where} has no run '{run_id}'") from None
            raise TrackerUnreachable(f"{self.where}: {_first_line(str(exc))}") from None
        except Exception as exc:
            raise TrackerUnreachable(f"{self.where}: {_first_line(str(exc))}") from None
        inputs = getattr(got, "inputs", None)
        datasets = tuple(d.dataset.name for d in getattr(inputs, "dataset_inputs", None) or []
                         if d.dataset.name)
        return Run(RunRef("mlflow", run_id), name=got.info.run_name or "",
                   experiment_id=str(got.info.experiment_id or ""),
                   params=dict(got.data.params), metrics=dict(got.data.metrics),
                   tags=dict(got.data.tags), start_ms=got.info.start_time,
                   end_ms=got.info.end_time, datasets=datasets)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "failed")


def tracking_uri(kind: str, given: str | None, configured: str | None) -> str | None:
    """The tracking URI: given on the command line, else the tracker's own variable, else
    the plugin option."""
    if given:
        return given
    spec = TRACKERS.get(kind)
    from_env = os.environ.get(spec.uri_env) if spec else None
    return from_env or configured or None


def connect(kind: str, uri: str, timeout: float = DEFAULT_TIMEOUT) -> Tracker:
    return TRACKERS[kind].connect(uri, timeout)
