"""The node's remote interfaces: TOS-style JSON-RPC 2.0 (:mod:`~reference.rpc.json_rpc`) and
Kaspa's wRPC JSON (:mod:`~reference.rpc.wrpc_json`), over one bridge to the node
(:mod:`~reference.rpc.bridge`) and one set of JSON forms (:mod:`~reference.rpc.codec`).

Nothing here is consensus: these modules only translate between the wire and
:class:`reference.node.node.Node`, whose answers and rejections they report unchanged
(``spec/rpc``).
"""
