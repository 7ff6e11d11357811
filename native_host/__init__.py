"""The native messaging host: a stdlib-only relay between the browser and the companion.

The browser starts it on every native connection, so it must start fast and import nothing heavy: no
third-party package and not the ``companion`` package either (pydantic would cost ~400 ms per start).
``framing`` reads and writes the browser's frames, ``link`` talks HTTP/1.1 to the companion (starting it
when needed), ``host`` checks the caller and relays.
"""
