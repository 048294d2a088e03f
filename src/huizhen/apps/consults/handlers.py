"""Imports every module that handles inbound node events, so their @inbound.handles run at start-up.

One import line per module; append only.
"""

from __future__ import annotations

import huizhen.apps.consults.delivery  # noqa: F401, RUF100  (case.status, opinion.signed at a gateway)
import huizhen.apps.consults.intake  # noqa: F401, RUF100  (hub: case.submitted, info.provided)
import huizhen.apps.consults.opinions  # noqa: F401, RUF100  (hub: a SENT opinion.signed delivers the case)
import huizhen.apps.consults.outcomes  # noqa: F401, RUF100  (outcome.recorded at a hub)
import huizhen.apps.consults.threads  # noqa: F401, RUF100  (message.posted on both nodes)
