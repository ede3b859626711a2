"""`hitl-nb serve`: safe defaults checked before Voila starts."""

from __future__ import annotations

import sys

import pytest

import hitl_nb
from hitl_nb.ui.cli import _parser, main, serve_command


@pytest.fixture
def log_file(seed, start, db):
    start(seed, {"task": "x"})
    return db


def _command(*argv):
    return serve_command(_parser().parse_args(["serve", *argv]))


def test_serve_listens_on_loopback_with_a_random_token(log_file):
    argv, env, url = _command(log_file, "--port", "9999")
    assert argv[:3] == [sys.executable, "-m", "voila"]
    assert argv[3].endswith("reviewer.ipynb")
    assert "--Voila.ip=127.0.0.1" in argv
    assert "--port=9999" in argv
    token = next(a.split("=", 1)[1] for a in argv if a.startswith("--Voila.token="))
    assert len(token) >= 24
    assert url == f"http://127.0.0.1:9999/?token={token}"
    assert env["HITL_NB_LOG"] == log_file
    assert env["HITL_NB_CHECKPOINTS"] == log_file


def test_two_runs_get_different_tokens(log_file):
    assert _command(log_file)[2] != _command(log_file)[2]


@pytest.mark.parametrize("ip", ["0.0.0.0", "192.168.1.20", "example.org"])
def test_serve_refuses_a_remote_address_without_allow_remote(log_file, ip, capsys):
    assert main(["serve", log_file, "--ip", ip]) == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_allow_remote_still_needs_a_token(log_file):
    with pytest.raises(hitl_nb.HitlError, match="empty --token"):
        _command(log_file, "--ip", "0.0.0.0", "--allow-remote", "--token", "")
    argv, _env, url = _command(log_file, "--ip", "0.0.0.0", "--allow-remote", "--token", "s3")
    assert "--Voila.ip=0.0.0.0" in argv
    assert url.endswith("?token=s3")


def test_serve_refuses_a_missing_log_file(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "typo.db")]) == 2
    assert "no decision log" in capsys.readouterr().err


def test_serve_checks_the_graph_before_starting(log_file, capsys):
    assert main(["serve", log_file, "--graph", "no_such_module_xyz:graph"]) == 2
    assert "cannot import" in capsys.readouterr().err
    _argv, env, _ = _command(log_file, "--graph", "hitl_nb.examples:seed_graph",
                            "--reviewer", "ana")
    assert env["HITL_NB_GRAPH"] == "hitl_nb.examples:seed_graph"
    assert env["HITL_NB_REVIEWER"] == "ana"


def test_port_zero_picks_a_free_port(log_file):
    argv, _env, _url = _command(log_file, "--port", "0")
    port = int(next(a.split("=", 1)[1] for a in argv if a.startswith("--port=")))
    assert port > 0
