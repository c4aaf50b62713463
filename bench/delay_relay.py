#!/usr/bin/env python3
"""A slow link for scripts/bench --latency: ssh's ProxyCommand that carries
one connection to HOST:PORT and holds every chunk for half the round-trip
time in each direction, so a request and its reply cost one RTT, as across a
WAN. Bandwidth is not limited: the figure it gives is round trips.

    ProxyCommand python3 bench/delay_relay.py %h %p RTT_MS
"""

import heapq
import os
import socket
import sys
import threading
import time


def carry(read, write, one_way):
    """Copy chunks from read() to write(), each one_way seconds late, in order."""
    pending = []
    lock = threading.Condition()
    done = []

    def reader():
        sequence = 0
        while True:
            chunk = read()
            with lock:
                heapq.heappush(pending, (time.monotonic() + one_way, sequence, chunk))
                sequence += 1
                lock.notify()
            if not chunk:
                return

    threading.Thread(target=reader, daemon=True).start()
    while True:
        with lock:
            while not pending:
                lock.wait()
            due, _, chunk = pending[0]
            wait = due - time.monotonic()
            if wait > 0:
                lock.wait(wait)
                continue
            heapq.heappop(pending)
        if not chunk:
            done.append(True)
            return
        write(chunk)


def main():
    host, port, rtt_ms = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    one_way = rtt_ms / 2000.0
    remote = socket.create_connection((host, port))
    remote.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()

    def to_stdout(chunk):
        view = memoryview(chunk)
        while view:
            view = view[os.write(stdout, view):]

    def to_remote_end():
        try:
            remote.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    up = threading.Thread(
        target=lambda: (
            carry(lambda: os.read(stdin, 65536), remote.sendall, one_way),
            to_remote_end(),
        ),
        daemon=True,
    )
    up.start()
    carry(lambda: remote.recv(65536), to_stdout, one_way)


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        pass
