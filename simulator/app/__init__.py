"""The interactive page, served on this machine: ``plurisim app [SCENARIO]``.

:func:`serve` starts a Solara server for :mod:`plurisim.app.page` (Mesa's
``SolaraViz`` over the negotiation model) and prints its address. It needs the
``app`` extra (``pip install 'plurisim[app]'``): Solara with its front-end files
installed locally (``solara-assets``), so the page works without the internet.
Importing this package imports neither Solara nor Mesa's visualization: only
:func:`serve` and the page do.

Examples
--------
>>> from plurisim.app import address, available
>>> available()
True
>>> address("127.0.0.1", 8765)
'http://127.0.0.1:8765/'
>>> serve("no-such-scenario", port=0)
Traceback (most recent call last):
...
plurisim.errors.ScenarioError: Unknown scenario 'no-such-scenario'. ...
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
import warnings
from collections.abc import Callable

from plurisim.errors import ParameterError

__all__ = ["INSTALL_HINT", "address", "available", "serve"]

INSTALL_HINT = (
    "the app needs the 'app' extra: pip install 'plurisim[app]' "
    "(from a source checkout: pip install -e '.[app]')"
)
"""What to install when the app's dependencies are missing."""

_NEEDED = ("solara", "solara_assets", "altair", "uvicorn")


def available() -> bool:
    """Whether the ``app`` extra is installed (Solara, its local assets, Altair)."""
    return all(importlib.util.find_spec(name) is not None for name in _NEEDED)


def address(host: str, port: int) -> str:
    """The page's URL (an IPv6 host in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def _offline_settings() -> None:
    # Set before Solara is imported: its settings are read from the environment then.
    # No usage statistics leave the machine, and assets come from solara-assets.
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    os.environ.setdefault("SOLARA_MODE", "production")
    os.environ.setdefault("SOLARA_ASSETS_PROXY", "true")
    # Over plain http on 127.0.0.1 Solara warns on every page load that it cannot use
    # cross-site cookies; the page is not embedded elsewhere, so the warning is noise.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    os.environ["SOLARA_APP"] = "plurisim.app.page"


def serve(
    scenario: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve the page until interrupted.

    Parameters
    ----------
    scenario : str, optional
        A built-in scenario's name or a scenario file the page opens with (default:
        the flagship, ``montreal-streets``). It is loaded first, so a bad one is
        refused before the server starts.
    host : str
        The address to listen on: ``127.0.0.1`` (this machine only) by default.
    port : int
        The port; ``0`` picks a free one.
    announce : callable, optional
        Called once with a line giving the URL, when the port is bound (default:
        print it to standard output).

    Raises
    ------
    ScenarioError
        If ``scenario`` cannot be loaded.
    ParameterError
        If the ``app`` extra is missing, the port is out of range or taken, or the
        host cannot be listened on.
    """
    from plurisim import scenarios

    if scenario is not None:
        scenarios.load(scenario)
    if not available():
        raise ParameterError(INSTALL_HINT)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise ParameterError(
            f"The 'port' parameter of serve must be an int in the range [0, 65535]. "
            f"Got {port!r} instead."
        )
    if scenario is not None:
        os.environ["PLURISIM_APP_SCENARIO"] = scenario
    _offline_settings()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ParameterError(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Choose another --port "
            "(0 picks a free one) or --host."
        ) from None
    sock.listen(128)
    bound = sock.getsockname()[1]
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(bound)

    import uvicorn

    config = uvicorn.Config(
        "solara.server.starlette:app", log_level="warning", lifespan="on", ws="auto"
    )
    server = uvicorn.Server(config)
    line = f"plurisim app: {address(host, bound)} (Ctrl-C stops it)"
    (announce or _print)(line)
    server.run(sockets=[sock])


def _print(line: str) -> None:
    print(line, flush=True)
    sys.stdout.flush()
