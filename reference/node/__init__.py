"""The node around the consensus: networks (:mod:`~reference.node.network`) and the
:class:`~reference.node.node.Node` that RPC and miners call (:mod:`~reference.node.node`)."""
