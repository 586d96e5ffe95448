"""``inpaint serve``: a local web page with a brush, and the HTTP API it uses.

The server only parses requests and calls the fill pipeline shared with the CLI and the Python
API (:mod:`inpaint.fill.pipeline`); every rule about masks, photos and outputs lives there.
Layout: :mod:`~inpaint.serve.config` (settings and limits, torch-free), :mod:`~.limits`
(request-size guard), :mod:`~.jobs` (bounded fill queue), :mod:`~.methods` (the fillers, loaded
once), :mod:`~.app` (routes), ``static/`` (the page: HTML, CSS, JS; no CDN, works offline).
Needs the ``serve`` extra (Starlette, uvicorn, python-multipart); importing this package does
not import them.
"""
