"""Reports tied to their runs, against a real MLflow tracking server.

A session fixture starts `mlflow server` (sqlite backend) on 127.0.0.1; runs
are logged with MLflow's own client. `new --from-mlflow` writes reports from
them, `check --verify-runs` compares reports with them, `export model-index`
is read back by `huggingface_hub`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from report_archive.cli import main
from report_archive.discovery import read_files
from report_archive.settings import Settings, Tracking
from report_archive.tracking import MlflowRest, RunNotFound, TrackerUnreachable

mlflow = pytest.importorskip("mlflow")
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
COMMIT = "3f2a9c1d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real MLflow tracking server on a free port, stopped at the end of the session."""
    folder = tmp_path_factory.mktemp("mlflow")
    port = _free_port()
    log = (folder / "server.log").open("w")
    # The server's background job runner (a dozen worker processes) is not needed here;
    # its own process group lets teardown stop uvicorn and every child with it.
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--backend-store-uri",
         f"sqlite:///{folder / 'mlflow.db'}", "--default-artifact-root", str(folder / "art"),
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        stdout=log, stderr=subprocess.STDOUT, cwd=folder, env=env, start_new_session=True)
    uri = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{uri}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("mlflow server did not start: "
                            + (folder / "server.log").read_text()[-2000:])
            time.sleep(0.25)
        yield uri
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server's whole process group: SIGTERM, then SIGKILL after a grace period."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue


def log_run(uri: str, *, params: dict[str, str] | None = None,
            metrics: dict[str, list[float]] | None = None,
            tags: dict[str, str] | None = None) -> str:
    """A finished run logged with MLflow's client; each metric's values in step order."""
    client = mlflow.MlflowClient(tracking_uri=uri)
    name = f"exp-{time.time_ns()}"
    experiment = client.create_experiment(name)
    run = client.create_run(experiment, run_name="bert-base-sst2", tags=tags or {})
    run_id: str = run.info.run_id
    for key, value in (params or {}).items():
        client.log_param(run_id, key, value)
    for key, values in (metrics or {}).items():
        for step, value in enumerate(values):
            client.log_metric(run_id, key, value, step=step)
    client.set_terminated(run_id)
    return run_id


@pytest.fixture(scope="session")
def typical_run(server: str) -> str:
    return log_run(
        server,
        params={"learning_rate": "2e-05", "batch_size": "32", "epochs": "3",
                "optimizer": "AdamW", "warmup": "linear | 10%"},
        # Several steps: the report takes the last value of each.
        metrics={"accuracy": [0.901, 0.93481], "f1": [0.88, 0.9312], "val_acc": [0.92]},
        tags={"mlflow.source.git.commit": COMMIT,
              "mlflow.source.git.repoURL": "git@github.com:team/sst2.git",
              "hardware": "8x NVIDIA V100 16GB"})


def run_cli(args: list[str], env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def new_from(run_id: str, uri: str, folder: Path, title: str = "BERT on SST-2") -> Path:
    result = run_cli(["new", title, "--author", "Priya Raman", "--tag", "nlp",
                      "--tag", "sentiment-analysis", "--date", "2024-05-01", "--dir",
                      str(folder), "--from-mlflow", run_id, "--tracking-uri", uri])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip().splitlines()[-1])
    return path if path.is_absolute() else Path.cwd() / path


def test_new_from_mlflow_fills_what_the_run_knows(server: str, typical_run: str,
                                                   tmp_path: Path) -> None:
    result = run_cli(["new", "BERT on SST-2", "--author", "Priya Raman", "--date", "2024-05-01",
                      "--dir", str(tmp_path), "--from-mlflow", typical_run],
                     env={"MLFLOW_TRACKING_URI": server})
    assert result.exit_code == 0, result.output
    path = tmp_path / "2024-05-01-bert-on-sst-2.md"
    text = path.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["runs"] == [f"mlflow:{typical_run}"]
    assert front["code"] == {"repository": "git@github.com:team/sst2.git", "commit": COMMIT}
    [report] = read_files([(path, path.name)], Settings())
    assert [d for d in report.errors] == []
    params = {h.name: h.value for h in report.tables.hyperparameters or ()}
    assert params == {"batch_size": "32", "epochs": "3", "learning_rate": "2e-05",
                      "optimizer": "AdamW", "warmup": "linear | 10%"}
    own = report.own_row
    assert own is not None and own.model == "Ours"
    assert {key: m.raw for key, m in own.metrics.items()} == {
        "accuracy": "**0.9348**", "f1": "**0.9312**", "val_acc": "**0.92**"}
    assert report.tables.compute is not None
    assert report.tables.compute.hardware == "8x NVIDIA V100 16GB"
    # The rest is the template's, for the author.
    assert "{{ABSTRACT}}" in text and "| **Cost** | Estimated compute cost |" in text
    # What could not be carried over as it is, the author is told.
    assert "not numbers, written as text in table 4.1: optimizer, warmup" in result.stderr
    assert "no alias maps them to a report metric: val_acc" in result.stderr


def test_metric_aliases_name_the_run_metrics_as_reports_do(server: str, typical_run: str,
                                                           tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: T\ndocs_dir: docs\ntheme: {name: material}\nplugins:\n  - report-archive:\n"
        "      metric_aliases: {val_acc: Validation Accuracy}\n"
        f"      tracking: {{mlflow_tracking_uri: '{server}'}}\n", encoding="utf-8")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = run_cli(["new", "Aliased", "--author", "A", "--from-mlflow", typical_run],
                         env={"MLFLOW_TRACKING_URI": ""})
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    [path] = (tmp_path / "docs").glob("*.md")
    assert "| Model | Accuracy | F1 | Validation Accuracy |" in path.read_text()
    assert "no alias maps" not in result.stderr


def test_verify_runs_accepts_the_report_and_catches_a_changed_number(
        server: str, typical_run: str, tmp_path: Path) -> None:
    path = new_from(typical_run, server, tmp_path)
    args = ["check", "--verify-runs", "--tracking-uri", server, "--format", "json", str(path)]
    first = json.loads(run_cli(args).stdout)
    assert [d for d in first["diagnostics"] if d["rule"].startswith(("run-", "tracker-"))] == []
    # The author rewrites the numbers as percentages, to the digits they want: still agrees.
    text = path.read_text(encoding="utf-8")
    text = text.replace("| **0.9348** | **0.9312** |", "| **93.5%** | **93.1%** |")
    path.write_text(text, encoding="utf-8")
    assert [d["rule"] for d in json.loads(run_cli(args).stdout)["diagnostics"]
            if d["rule"].startswith("run-")] == []
    # A number changed by hand is caught at its cell, with both values.
    path.write_text(text.replace("**93.5%**", "**94.1%**"), encoding="utf-8")
    result = run_cli(args)
    assert result.exit_code == 1
    [found] = [d for d in json.loads(result.stdout)["diagnostics"]
               if d["rule"] == "run-metric-mismatch"]
    line = text.splitlines()[found["line"] - 1]
    assert line.startswith("| **Ours** |") and line[found["column"] - 1:].startswith("**93.5%**")
    assert found["severity"] == "error"
    assert "94.1%" in found["message"] and "0.93481 (93.481%)" in found["message"]


def test_a_column_the_run_did_not_log_is_named_with_what_it_did_log(
        server: str, typical_run: str, tmp_path: Path) -> None:
    path = new_from(typical_run, server, tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        "| Model | Accuracy | F1 | val_acc |", "| Model | Accuracy | F1 | AUC |")
    path.write_text(text, encoding="utf-8")
    result = run_cli(["check", "--verify-runs", "--tracking-uri", server, "--format", "json",
                      str(path)])
    [found] = [d for d in json.loads(result.stdout)["diagnostics"]
               if d["rule"] == "run-metric-missing"]
    assert "'AUC'" in found["message"] and "accuracy, f1, val_acc" in found["message"]
    assert "metric_aliases" in found["hint"]


def test_unknown_run_and_run_without_metrics(server: str, typical_run: str,
                                             tmp_path: Path) -> None:
    empty = log_run(server, params={"seed": "1"})
    path = new_from(empty, server, tmp_path, "No metrics")
    # The template's sample table stays, and its sample row is residue, not a number to check.
    text = path.read_text(encoding="utf-8")
    assert "| **Ours** | **0.89** |" in text
    result = run_cli(["check", "--verify-runs", "--tracking-uri", server, "--format", "json",
                      str(path)])
    rules = [d["rule"] for d in json.loads(result.stdout)["diagnostics"]]
    assert "run-no-metrics" in rules
    unknown = tmp_path / "unknown.md"
    unknown.write_text(text.replace(empty, "0" * 32), encoding="utf-8")
    result = run_cli(["check", "--verify-runs", "--tracking-uri", server, "--format", "json",
                      str(unknown)])
    [found] = [d for d in json.loads(result.stdout)["diagnostics"]
               if d["rule"] == "run-not-found"]
    runs_line = next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith("runs:"))
    assert found["line"] == runs_line and "has no run '" + "0" * 32 in found["message"]
    assert result.exit_code == 1
    # new refuses to write a report from a run that does not exist.
    result = run_cli(["new", "Ghost", "--author", "A", "--dir", str(tmp_path),
                      "--from-mlflow", "0" * 32, "--tracking-uri", server])
    assert result.exit_code == 1 and "has no run" in result.stderr
    assert not list(tmp_path.glob("*ghost*"))


class _Slow(http.server.BaseHTTPRequestHandler):
    """A server that takes its time, then answers with a web page, not MLflow's API."""

    delay = 5.0

    def do_GET(self) -> None:
        time.sleep(self.delay)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html>a dashboard</html>")

    def log_message(self, *args: object) -> None:
        pass


class _Html(_Slow):
    delay = 0.0


@pytest.fixture
def slow_server() -> Iterator[str]:
    yield from _serve(_Slow)


@pytest.fixture
def html_server() -> Iterator[str]:
    yield from _serve(_Html)


def _serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _many(tmp_path: Path, run_id: str, server: str, count: int) -> list[Path]:
    first = new_from(run_id, server, tmp_path)
    text = first.read_text(encoding="utf-8")
    paths = [first]
    for index in range(1, count):
        paths.append(tmp_path / f"copy-{index}.md")
        paths[-1].write_text(text, encoding="utf-8")
    return paths


def test_a_tracker_that_is_down_or_slow_is_one_warning_not_a_hang(
        server: str, typical_run: str, slow_server: str, tmp_path: Path) -> None:
    paths = _many(tmp_path, typical_run, server, 5)
    closed = f"http://127.0.0.1:{_free_port()}"
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "mkdocs.yml").write_text(
        "site_name: T\ndocs_dir: ..\nsite_dir: /nonexistent-site\nplugins:\n"
        "  - report-archive:\n      tracking: {timeout: 1}\n", encoding="utf-8")
    for uri, why in ((closed, "connection refused"), (slow_server, "did not answer within 1 s")):
        begin = time.perf_counter()
        result = run_cli(["check", "--verify-runs", "--tracking-uri", uri, "--config",
                          str(tmp_path / "site" / "mkdocs.yml"), *map(str, paths)])
        elapsed = time.perf_counter() - begin
        warnings = [line for line in result.stdout.splitlines() if "[tracker-unreachable]" in line]
        assert len(warnings) == 1, result.stdout
        assert why in warnings[0] and "the runs of 5 reports were not verified" in warnings[0]
        assert result.exit_code == 0 and "Traceback" not in result.output
        assert elapsed < 4, f"{uri}: {elapsed:.1f} s"


def test_no_tracking_server_set_is_a_clear_message(typical_run: str, tmp_path: Path) -> None:
    result = run_cli(["new", "X", "--author", "A", "--dir", str(tmp_path),
                      "--from-mlflow", typical_run], env={"MLFLOW_TRACKING_URI": ""})
    assert result.exit_code == 2 and "MLFLOW_TRACKING_URI" in result.output
    result = run_cli(["new", "X", "--author", "A", "--dir", str(tmp_path),
                      "--from-mlflow", "not/a run", "--tracking-uri", "http://127.0.0.1:1"])
    assert result.exit_code == 2 and "no valid MLflow run id" in result.output


def test_rest_client_reads_latest_metrics_and_knows_missing_runs(
        server: str, typical_run: str, html_server: str) -> None:
    tracker = MlflowRest(server, timeout=5)
    run = tracker.fetch(typical_run)
    assert run.metrics["accuracy"] == pytest.approx(0.93481)
    assert run.params["optimizer"] == "AdamW"
    assert run.tags["mlflow.source.git.commit"] == COMMIT
    with pytest.raises(RunNotFound):
        tracker.fetch("f" * 32)
    with pytest.raises(TrackerUnreachable, match="not with MLflow run data"):
        MlflowRest(html_server, timeout=5).fetch(typical_run)
    with pytest.raises(TrackerUnreachable, match="answered 404"):
        MlflowRest(server + "/no-such-prefix", timeout=5).fetch(typical_run)


def test_exported_model_index_is_read_by_huggingface_hub(server: str, typical_run: str,
                                                         tmp_path: Path) -> None:
    from huggingface_hub import ModelCard
    from huggingface_hub.repocard_data import model_index_to_eval_results

    path = new_from(typical_run, server, tmp_path)
    path.write_text(path.read_text().replace("| **0.9348** |", "| **93.48%** |"),
                    encoding="utf-8")
    result = run_cli(["export", "model-index", str(path), "--dataset-type", "glue",
                      "--dataset-config", "sst2", "--dataset-split", "validation"])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    name, results = model_index_to_eval_results(data["model-index"])
    assert name == "Ours"
    assert {(r.task_type, r.dataset_type, r.dataset_config, r.dataset_split) for r in results} \
        == {("text-classification", "glue", "sst2", "validation")}
    assert {r.metric_type: r.metric_value for r in results} == {
        "accuracy": 93.48, "f1": 0.9312, "val_acc": 0.92}
    card = ModelCard(f"---\n{result.stdout}---\n\n# BERT on SST-2\n")
    assert card.data.model_name == "Ours"
    assert [r.metric_name for r in card.data.eval_results] == ["Accuracy", "F1", "val_acc"]


def test_site_links_runs_and_verifies_in_the_build_when_asked(server: str, typical_run: str,
                                                              tmp_path: Path) -> None:
    from conftest import build_site

    docs = tmp_path / "docs"
    docs.mkdir()
    path = new_from(typical_run, server, docs)
    path.write_text(path.read_text().replace("**0.9348**", "**0.95**"), encoding="utf-8")
    options = {"tracking": {"mlflow_ui": "https://mlflow.example.org", "verify_runs": True,
                            "mlflow_tracking_uri": server}}
    build = build_site(tmp_path, docs, plugin_options=options,
                       site_url="https://team.github.io/archive/")
    assert build.error is not None
    assert any("run-metric-mismatch" in m for m in build.messages())
    options["tracking"]["verify_runs"] = False
    build = build_site(tmp_path, docs, plugin_options=options,
                       site_url="https://team.github.io/archive/")
    assert build.error is None, build.messages()
    page = build.page("2024-05-01-bert-on-sst-2/")
    assert f'href="https://mlflow.example.org/#/runs/{typical_run}"' in page
    assert f'href="https://github.com/team/sst2/commit/{COMMIT}"' in page
    assert "url = {https://team.github.io/archive/2024-05-01-bert-on-sst-2/}" in page
    data = json.loads((build.site / "reports.json").read_text())
    [entry] = data["reports"]
    assert entry["runs"] == [{"ref": f"mlflow:{typical_run}", "tracker": "mlflow",
                              "run_id": typical_run,
                              "url": f"https://mlflow.example.org/#/runs/{typical_run}"}]
    assert entry["code"]["repository_url"] == "https://github.com/team/sst2"


def test_verification_time_per_report(server: str, typical_run: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Measured, not asserted tightly: the figure for the guide (printed with -s)."""
    paths = _many(tmp_path, typical_run, server, 20)
    args = [*map(str, paths)]
    timings = []
    for verify in ([], ["--verify-runs", "--tracking-uri", server]):
        begin = time.perf_counter()
        result = run_cli(["check", "--jobs", "1", *verify, *args])
        timings.append(time.perf_counter() - begin)
        assert "[run-" not in result.stdout
    added = (timings[1] - timings[0]) / len(paths)
    with capsys.disabled():
        print(f"\n--verify-runs adds {added * 1000:.1f} ms per report "
              f"({len(paths)} reports: {timings[0]:.2f} s without, {timings[1]:.2f} s with)")
    assert added < 1.0


def test_settings_link_runs_only_to_a_known_web_ui() -> None:
    assert Tracking().ui_bases() == {}
    assert Tracking(mlflow_tracking_uri="sqlite:///x.db").ui_bases() == {}
    assert Tracking(mlflow_tracking_uri="http://h:5000").ui_bases() == {"mlflow": "http://h:5000"}
    assert Tracking(mlflow_tracking_uri="http://h:5000", mlflow_ui="https://ui").ui_bases() == {
        "mlflow": "https://ui"}
    assert dt.date(2024, 5, 1).isoformat() == "2024-05-01"
