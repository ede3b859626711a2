"""Serve a Bolt app over HTTP from a background thread (notebooks, tests, small setups).

Uses slack_bolt's WSGI adapter on the standard library's threading WSGI server. For a
public deployment prefer a production server (gunicorn + the same adapter).

Example::

    with hitl_nb.slack.serve(bolt, port=3000) as server:
        print(server.url)     # the Interactivity Request URL (behind your HTTPS proxy)
"""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Server:
    """A running server: ``url`` to post to, ``close()`` (or ``with``) to stop it.

    ``bolt``: the ``slack_bolt.App`` (`app`). ``host`` and ``port`` to listen on
    (``port=0``: a free port). ``path``: the URL path Slack posts to. Raises `OSError`
    when the address is taken, `ImportError` without the ``slack`` extra.

    Example::

        with slack.Server(bolt, port=3000) as server:
            print(server.url)       # http://127.0.0.1:3000/slack/events
    """

    def __init__(self, bolt: Any, host: str = "127.0.0.1", port: int = 0,
                 path: str = "/slack/events") -> None:
        from slack_bolt.adapter.wsgi import SlackRequestHandler

        self._httpd = make_server(host, port, SlackRequestHandler(bolt, path=path),
                                  server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        self.url = f"http://{host}:{self._httpd.server_port}{path}"
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True,
                                        name="hitl_nb-slack")
        self._thread.start()

    def close(self) -> None:
        """Stop serving and wait for the server's thread to end."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(bolt: Any, host: str = "127.0.0.1", port: int = 0,
          path: str = "/slack/events") -> Server:
    """Start serving ``bolt`` (``port=0`` picks a free port; see ``server.url``).

    ``host``, ``port`` and ``path`` are `Server`'s, and so is what it raises.

    Example::

        server = slack.serve(bolt, host="0.0.0.0", port=3000)   # behind an HTTPS proxy
        ...
        server.close()
    """
    return Server(bolt, host, port, path)
