"""Imports every module that handles inbound node events, so their @inbound.handles run at start-up.

One import line per module; append only.
"""

from __future__ import annotations
