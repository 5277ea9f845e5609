"""gekko sweep's HTTP/1.1 client reads every way a server may size an answer, and keeps its connection."""

from __future__ import annotations

import socket
import threading

import pytest

from gekko_common.cli.httpwire import AnswerError, Connection


class Server:
    """A loopback server answering each request with the next canned answer; records what it got."""

    def __init__(self, answers: list[bytes], close_after: tuple[int, ...] = ()) -> None:
        self.close_after = close_after
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.connections = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while self.answers:
            conn, _ = self.sock.accept()
            self.connections += 1
            with conn, conn.makefile("rb") as reader:
                while self.answers:
                    head = b""
                    while not head.endswith(b"\r\n\r\n"):
                        line = reader.readline()
                        if not line:
                            break
                        head += line
                    if not head:
                        break
                    length = [
                        int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")
                    ]
                    self.requests.append(head + reader.read(length[0] if length else 0))
                    answer = self.answers.pop(0)
                    conn.sendall(answer)
                    if len(self.requests) - 1 in self.close_after or answer.startswith(b"HTTP/1.0"):
                        break


def connected(*answers: bytes, close_after: tuple[int, ...] = (), timeout: float = 5) -> tuple[Server, Connection]:
    """A loopback server with these canned answers, and a client connection to it."""
    server = Server(list(answers), close_after)
    return server, Connection("http", "127.0.0.1", server.port, timeout=timeout)


def test_a_sized_answer_and_a_chunked_one_come_over_one_connection() -> None:
    server, conn = connected(
        b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-type: application/json\r\n\r\nhello",
        b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n4\r\ndefg\r\n0\r\nTrailer: 1\r\n\r\n",
    )
    assert conn.request("POST", "/api/sweep", b'{"a": 1}', {"Content-Type": "application/json"}) == (200, b"hello")
    assert conn.request("GET", "/api/sweeps/x?wait=1") == (404, b"abcdefg")
    assert server.connections == 1
    assert server.requests[0].startswith(b"POST /api/sweep HTTP/1.1\r\nHost: 127.0.0.1:")
    assert server.requests[0].endswith(b'Content-Length: 8\r\n\r\n{"a": 1}')
    assert server.requests[1].startswith(b"GET /api/sweeps/x?wait=1 HTTP/1.1\r\n")


def test_an_answer_ended_by_the_close_then_a_new_connection() -> None:
    server, conn = connected(
        b"HTTP/1.0 200 OK\r\n\r\nall of it", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
    )
    assert conn.request("GET", "/a") == (200, b"all of it")
    assert conn.request("GET", "/b") == (204, b"")
    assert server.connections == 2


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        b"SSH-2.0-OpenSSH\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Le",
    ],
)
def test_a_cut_or_malformed_answer_is_refused_and_the_next_request_reconnects(answer) -> None:
    server, conn = connected(answer, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", close_after=(0,))
    with pytest.raises(AnswerError):
        conn.request("GET", "/")
    assert conn.request("GET", "/") == (200, b"ok")
    assert server.connections == 2


def test_no_server_is_a_refused_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionRefusedError):
        Connection("http", "127.0.0.1", port, timeout=2).request("GET", "/")
