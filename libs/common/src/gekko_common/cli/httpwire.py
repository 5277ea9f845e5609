"""``gekko sweep``'s HTTP/1.1 client: h11's protocol state machine over one kept-alive socket.

h11 (the sans-I/O HTTP/1.1 library under httpx and uvicorn) does all of the protocol: framing, sizes,
chunks, interim answers, keep-alive; this module only moves the bytes. Not http.client: its import
(with the email parser) costs about 50 ms of a command whose time counts from the process start,
while a 1,000-point sweep takes about 0.33 s end to end; h11 costs about 10 ms beside the CLI's own.
"""

from __future__ import annotations

import socket
from typing import Any

import h11

RECEIVE = 65536
"""Bytes asked of the socket at a time."""


class AnswerError(OSError):
    """The server's answer is not HTTP, or ended before it was whole."""


class Connection:
    """One server; connects on the first request and again after a failure (the failed request raises)."""

    def __init__(self, scheme: str, host: str, port: int | None, timeout: float = 60.0) -> None:
        self.scheme = scheme
        self.host = host
        self.port = port or (443 if scheme == "https" else 80)
        self.timeout = timeout
        self._sock: Any = None
        self._http = h11.Connection(h11.CLIENT)

    def close(self) -> None:
        """Close the connection (the next request opens another)."""
        if self._sock is not None:
            self._sock.close()
        self._sock = None

    def request(
        self, method: str, target: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """Send one request; its answer's status and body. OSError (the connection is closed then) when
        the server cannot be reached or its answer is cut or malformed."""
        try:
            if self._sock is None:
                self._open()
            fields = [("Host", f"{self.host}:{self.port}"), *(headers or {}).items()]
            if body is not None:
                fields.append(("Content-Length", str(len(body))))
            self._send(h11.Request(method=method, target=target, headers=fields))
            if body:
                self._send(h11.Data(data=body))
            self._send(h11.EndOfMessage())
            answer = self._answer()
        except h11.RemoteProtocolError as exc:
            self.close()
            raise AnswerError(f"not a whole HTTP answer: {exc}") from None
        except OSError:
            self.close()
            raise
        if self._http.our_state is h11.DONE and self._http.their_state is h11.DONE:
            self._http.start_next_cycle()  # kept alive for the next request
        else:
            self.close()  # the server ends the connection (HTTP/1.0, Connection: close, a body ended by it)
        return answer

    def _open(self) -> None:
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        if self.scheme == "https":
            import ssl  # only a TLS gateway pays its import

            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        self._sock = sock
        self._http = h11.Connection(h11.CLIENT)

    def _send(self, event: Any) -> None:
        data = self._http.send(event)
        if data:
            self._sock.sendall(data)

    def _answer(self) -> tuple[int, bytes]:
        status, parts = 0, []
        while True:
            event = self._http.next_event()
            if event is h11.NEED_DATA:
                self._http.receive_data(self._sock.recv(RECEIVE))  # b"": the server closed
            elif isinstance(event, h11.Response):  # an InformationalResponse (100 Continue) is skipped
                status = event.status_code
            elif isinstance(event, h11.Data):
                parts.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                return status, b"".join(parts)
            elif isinstance(event, h11.ConnectionClosed):
                raise AnswerError("the answer ended early")
