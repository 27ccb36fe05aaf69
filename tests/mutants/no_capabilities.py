"""Not a mutant: a correct adapter that implements no capability, only the core protocol."""

from conformance.adapter import serve_stdio
from conformance.dispatch import Dispatcher
from conformance.suites import by_name

raise SystemExit(serve_stdio(Dispatcher(served=[by_name()["protocol"]])))
