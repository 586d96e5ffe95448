"""`inpaint serve`: the web page with a brush, and its HTTP API, on this machine.

Only parses options and calls :mod:`inpaint.serve`; torch, Starlette and uvicorn are imported
inside the command, so `inpaint serve --help` stays light.
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.errors import friendly_errors
from inpaint.serve.config import ServeConfig  # torch- and Starlette-free

DEFAULTS = ServeConfig()


@click.command()
@click.option("--host", default=DEFAULTS.host, show_default=True,
              help="Address to listen on. The default is reachable from this machine only; "
                   "0.0.0.0 opens it to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULTS.port, show_default=True,
              help="Port (0: any free port; the address is printed).")
@click.option("--checkpoint", type=click.Path(path_type=Path), default=None,
              help="Checkpoint written by `inpaint train` (default: the model shipped with inpaint).")
@click.option("--colorize-model", type=click.Path(path_type=Path), default=None,
              help="Checkpoint written by `inpaint train --task colorize` for the page's Colourise button "
                   "(default: the colouriser shipped with inpaint).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=DEFAULTS.workers, show_default=True,
              help="Fills that run at once.")
@click.option("--queue", "queue_size", type=click.IntRange(0, 10_000), default=DEFAULTS.queue, show_default=True,
              help="Requests that may wait for a worker; more are refused with 503.")
@click.option("--max-upload-mb", type=click.FloatRange(0.001, 100_000), default=DEFAULTS.max_upload_mb,
              show_default=True, help="Largest request (photo + mask), in MB; larger ones get 413.")
@click.option("--max-megapixels", type=click.FloatRange(0.001, 10_000), default=DEFAULTS.max_megapixels,
              show_default=True, help="Largest photo or mask, in millions of pixels; larger ones get 413.")
@friendly_errors
def serve(host, port, checkpoint, colorize_model, device, workers, queue_size, max_upload_mb, max_megapixels):
    """Serve a local web page to fill photos with a brush (and colourise them), and the HTTP API
    it uses (POST /api/fill with the multipart fields image, mask and an optional method;
    POST /api/colorize with the field image)."""
    from inpaint.serve.run import bind, require_server_packages, serve_forever, url_of

    config = ServeConfig(host, port, max_upload_mb, max_megapixels, workers, queue_size)
    require_server_packages()
    sock = bind(config)  # before the slow model load: a port in use is an error at once
    from inpaint.serve.app import create_app
    from inpaint.serve.methods import load_methods

    try:
        methods = load_methods(checkpoint, device, colorize_model=colorize_model)
    except BaseException:
        sock.close()
        raise
    for name, why in methods.unavailable.items():
        click.echo(f"note: {name} is not offered: {why}", err=True)
    if not config.local_only:
        click.echo(f"note: listening on {host}: anyone who can reach this machine can use the server", err=True)
    click.echo(f"inpaint serve: {url_of(sock)}  (methods: {', '.join(methods.painters)}"
               f"{'; colourise' if methods.colorizer is not None else ''}; Ctrl-C to stop)")
    serve_forever(create_app(config, methods), sock)
