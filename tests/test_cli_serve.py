"""`inpaint serve` as a user starts it: the real uvicorn server in a subprocess (address
printed, the model loaded once, limits enforced on the wire), and its one-line errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import main
from serve_helpers import decode, png_bytes
from test_fill_helpers import make_checkpoint, photo, rect_mask

ROOT = Path(__file__).resolve().parent.parent


def test_help_loads_neither_torch_nor_the_server():
    code = ("import sys; from click.testing import CliRunner; from cli.main import main; "
            "r = CliRunner().invoke(main, ['serve', '--help']); assert r.exit_code == 0, r.output; "
            "assert '127.0.0.1' in r.output and '8080' in r.output and '100' in r.output; "
            "print(sorted(m for m in ('torch', 'starlette', 'uvicorn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_port_in_use_is_one_error_line():
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        r = CliRunner().invoke(main, ["serve", "--port", str(taken.getsockname()[1]), "--device", "cpu"])
    finally:
        taken.close()
    assert r.exit_code == 1 and "cannot listen on 127.0.0.1" in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


@pytest.mark.parametrize("option", ["--checkpoint", "--colorize-model"])
def test_a_bad_checkpoint_is_one_error_line(tmp_path, option):
    (tmp_path / "bad.pt").write_bytes(b"not a checkpoint")
    r = CliRunner().invoke(main, ["serve", "--port", "0", option, str(tmp_path / "bad.pt")])
    assert r.exit_code == 1 and "Error:" in r.output and "Traceback" not in r.output


def _raw(port: int, head: bytes, body_chunks=()) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(head)
        try:
            for chunk in body_chunks:
                s.sendall(chunk)
        except OSError:  # the server may close the connection once it has answered
            pass
        data = b""
        while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
            part = s.recv(65536)
            if not part:
                break
            data += part
        return data


@pytest.fixture
def served(tmp_path):
    checkpoint = make_checkpoint(tmp_path / "full.pt", "full")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", "0", "--checkpoint", str(checkpoint),
                             "--device", "cpu", "--max-upload-mb", "1"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("inpaint serve: http://127.0.0.1:"), line + proc.stderr.read()
    url = line.split()[2]
    yield url, int(url.rsplit(":", 1)[1].strip("/"))
    proc.send_signal(signal.SIGINT)
    assert proc.wait(20) == 0


def test_serve_prints_its_address_and_serves_the_page_and_the_api(served):
    import httpx

    url, port = served
    with urllib.request.urlopen(url) as r:
        assert b"<title>inpaint</title>" in r.read()
    with urllib.request.urlopen(url + "static/app.js") as r:
        assert r.status == 200
    methods = json.load(urllib.request.urlopen(url + "api/methods"))
    assert methods["default"] == "model" and methods["methods"][0]["label"] == "Model full.pt"
    assert methods["limits"]["max_upload_bytes"] == 1_000_000
    image, mask = photo(48, 64), rect_mask(48, 64, (10, 10, 30, 40))
    r = httpx.post(url + "api/fill", files={"image": ("a.png", png_bytes(image)), "mask": ("m.png", png_bytes(mask))},
                   timeout=60)
    assert r.status_code == 200 and np.array_equal(decode(r.content)[mask == 0], image[mask == 0])
    assert methods["colorize"] is True  # the shipped colouriser, loaded once at start
    grey = image[..., 1]
    r = httpx.post(url + "api/colorize", files={"image": ("g.png", png_bytes(grey))}, timeout=60)
    assert r.status_code == 200 and decode(r.content).shape == grey.shape + (3,)


def test_uploads_over_the_limit_are_refused_on_the_wire_before_they_are_read(served):
    url, port = served
    # a 500 MB Content-Length and no body at all: answered at once from the header
    started = time.time()
    reply = _raw(port, b"POST /api/fill HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
                       b"boundary=x\r\nContent-Length: 500000000\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 413") and b"over the server's limit of 1 MB" in reply
    assert time.time() - started < 10
    # chunked, no length: stopped once the bytes counted pass the limit (2 MB offered)
    part = b'--x\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n'
    chunks = [b"%x\r\n%s\r\n" % (len(part), part)] + [b"%x\r\n%s\r\n" % (65536, b"x" * 65536)] * 32
    reply = _raw(port, b"POST /api/fill HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
                       b"boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n", chunks)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
