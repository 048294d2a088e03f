"""The ``huizhen`` command: one entry point for engines and for a node's Django commands.

Engine commands (``huizhen deid ...``, ``huizhen transfer ...``) and the demo supervisor
run without Django. Everything else is a Django management command of this node
(``huizhen migrate``, ``huizhen peer add``, ``huizhen audit verify``, ``huizhen serve``),
run only after :func:`huizhen.config.load` has accepted the environment, so that a
configuration mistake is one clear line and exit status 2, never a traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence

from huizhen.config import ConfigError, load

# Commands that never touch Django or a node's database: module path of a ``main(argv)``.
STANDALONE_COMMANDS: dict[str, str] = {
    "demo": "huizhen.demo:main",
    "deid": "huizhen.deid.cli:main",
    "policy": "huizhen.policy.cli:main",
    "translate": "huizhen.translate.cli:main",
    "transfer": "huizhen.transfer.cli:main",
}


def _standalone(name: str) -> Callable[[Sequence[str]], int]:
    module_name, func_name = STANDALONE_COMMANDS[name].split(":")
    func: Callable[[Sequence[str]], int] = getattr(importlib.import_module(module_name), func_name)
    return func


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] in STANDALONE_COMMANDS:
        return _standalone(args[1])(args[2:])
    return run_node_command(args[1:])


def run_node_command(command: Sequence[str]) -> int:
    """Run one of this node's Django management commands (``command[0]``) with its arguments.

    Engine CLIs call this for the few subcommands that need the node's database
    (e.g. ``huizhen policy explain --case ID``).
    """
    args = ["huizhen", *command]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huizhen.site.settings")
    try:
        load()
    except ConfigError as exc:
        print(f"huizhen: configuration error: {exc}", file=sys.stderr)
        return 2
    from django.core.management import execute_from_command_line

    from huizhen.httpsig.keys import KeyFileError

    try:
        execute_from_command_line(args)
    except KeyFileError as exc:
        # Raised while the nodes app loads the node key: a refusal to start, not a crash.
        print(f"huizhen: node key error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
