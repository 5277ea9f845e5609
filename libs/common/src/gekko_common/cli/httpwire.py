"""A small HTTP/1.1 client over one kept-alive socket: what ``gekko sweep`` says to the gateway.

Hand-written on purpose: the command's time counts from the process start, and http.client's import
(its email parser and ssl) costs about 20 ms of the 0.33 s a 1,000-point sweep may take end to end.
It reads what an HTTP/1.1 server answers: a status line, headers, and a body sized by Content-Length,
chunked, or ended by the close; ``https`` wraps the same socket in TLS.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

LINE_LIMIT = 65536
"""Longest status, header or chunk-size line read."""


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
        self._file: Any = None

    def close(self) -> None:
        """Close the connection (the next request opens another)."""
        for closable in (self._file, self._sock):
            if closable is not None:
                with contextlib.suppress(OSError):
                    closable.close()
        self._sock = self._file = None

    def request(
        self, method: str, target: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """Send one request; its answer's status and body. OSError (the connection is closed then) when
        the server cannot be reached or its answer is cut or malformed."""
        try:
            if self._sock is None:
                self._open()
            lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
            lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
            if body is not None:
                lines.append(f"Content-Length: {len(body)}")
            self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
            return self._answer()
        except OSError:
            self.close()
            raise

    def _open(self) -> None:
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        if self.scheme == "https":
            import ssl  # only a TLS gateway pays its import

            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        self._sock, self._file = sock, sock.makefile("rb")

    def _line(self) -> bytes:
        line: bytes = self._file.readline(LINE_LIMIT + 1)
        if not line.endswith(b"\n"):
            raise AnswerError("the answer ended early" if len(line) <= LINE_LIMIT else "an answer line is too long")
        return line

    def _answer(self) -> tuple[int, bytes]:
        version, _, rest = self._line().partition(b" ")
        code = rest[:3]
        if not version.startswith(b"HTTP/") or not code.isdigit():
            raise AnswerError(f"not an HTTP answer: {version[:40]!r}")
        status = int(code)
        headers = self._headers()
        if 100 <= status < 200:  # an interim answer (100 Continue): the real one follows
            return self._answer()
        body = b"" if status in (204, 304) else self._body(headers)
        keep = headers.get("connection", "").lower()
        if keep == "close" or (version == b"HTTP/1.0" and keep != "keep-alive"):
            self.close()
        return status, body

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        while (line := self._line()) not in (b"\r\n", b"\n"):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return headers

    def _body(self, headers: dict[str, str]) -> bytes:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return self._chunked()
        if "content-length" not in headers:  # the body ends with the connection
            body: bytes = self._file.read()
            self.close()
            return body
        return self._exactly(_number(headers["content-length"], 10))

    def _chunked(self) -> bytes:
        parts = []
        while size := _number(self._line().split(b";")[0], 16):
            parts.append(self._exactly(size + 2)[:size])  # the data and its CRLF
        self._headers()  # trailers, up to the empty line
        return b"".join(parts)

    def _exactly(self, size: int) -> bytes:
        data: bytes = self._file.read(size)
        if len(data) < size:
            raise AnswerError("the answer ended early")
        return data


def _number(text: bytes | str, base: int) -> int:
    try:
        value = int(text.strip(), base)
    except ValueError:
        raise AnswerError(f"not a size: {text[:40]!r}") from None
    if value < 0:
        raise AnswerError(f"not a size: {text[:40]!r}")
    return value
