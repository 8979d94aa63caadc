"""The analyst's workbench in a browser: an HTTP API and a web UI on one port (served by one or
more worker processes, see :mod:`.workers`).

>>> from narrascope.web import Settings, create_app
>>> app = create_app(Settings(db="corpus.db"))      # run with uvicorn, or `narrascope serve`
"""

from narrascope.web.app import create_app
from narrascope.web.services import Services, Settings

__all__ = ["Services", "Settings", "create_app"]
