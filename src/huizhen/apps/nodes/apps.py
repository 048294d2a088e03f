from django.apps import AppConfig


class NodesConfig(AppConfig):
    name = "huizhen.apps.nodes"
    label = "nodes"

    def ready(self) -> None:
        # Create (or check) the key file at start-up rather than on the first peer call,
        # so that a broken key stops the node at once with a clear message.
        from huizhen.apps.nodes.identity import node_private_key

        node_private_key()
