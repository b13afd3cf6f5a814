#!/usr/bin/python3
"""A scripted HTTP/2 server for the transport's HTTP/2 tests: over TLS (ALPN h2) with --tls DIR,
where scripts/test-ca makes a throwaway CA (DIR/ca.pem) and the server's certificate, else in
clear text with prior knowledge.

Answers POST /v1/videos with a receipt (task ids task_1, task_2, ...) and GET /v1/videos/{id}
with the task: IN_PROGRESS until it was polled --polls-to-succeed times, then SUCCESS. On
command-line options it misbehaves the way an HTTP/2 server or proxy may:

  --reset N --reset-code CODE [--reset-method M]
      the Nth request (counting only method M, if given) gets RST_STREAM with CODE instead of
      an answer (INTERNAL_ERROR: after the request arrived; REFUSED_STREAM: not processed);
  --goaway N --goaway-mode MODE
      on the Nth request, GOAWAY and close the connection: "refuse" names the stream before it
      as the last one processed (this one was not), "drop" names this one (it may have been
      processed) and never answers it;
  --goaway-every N
      each connection answers N requests, then sends GOAWAY naming the last one and closes.

Prints "ready PORT" once listening, then one line a request, before acting on it:
  request <n> <connection> <stream> <method> <path> <answered|reset CODE|refused|dropped>
except for GET /sync..., answered and reported as "sync <path>" only, uncounted: once a test sees
its sync line, every line before it has arrived.
Runs until killed. Needs Debian's python3-h2.
"""

import argparse
import json
import os
import socket
import ssl
import subprocess
import sys
import threading

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions

lock = threading.Lock()
state = {"requests": 0, "method_requests": 0, "tasks": 0, "polls": {}, "connections": 0}


def log(line):
    with lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def task_body(task_id, polls_to_succeed):
    with lock:
        polls = state["polls"].get(task_id, 0) + 1
        state["polls"][task_id] = polls
    done = polls >= polls_to_succeed
    body = {"id": task_id, "task_id": task_id, "object": "video", "model": "seedance-2.0",
            "status": "SUCCESS" if done else "IN_PROGRESS",
            "progress": "100%" if done else "50%", "created_at": 1767225600}
    if done:
        body["result_url"] = "/v1/videos/" + task_id + "/content"
    return body


def receipt_body():
    with lock:
        state["tasks"] += 1
        task_id = "task_%d" % state["tasks"]
    return {"id": task_id, "task_id": task_id, "object": "video", "model": "seedance-2.0",
            "status": "QUEUED", "progress": 0, "created_at": 1767225600}


class Connection:
    def __init__(self, sock, options, number):
        self.sock = sock
        self.options = options
        self.number = number
        self.answered = 0
        self.h2 = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self.requests = {}  # stream id -> [headers, body]

    def flush(self):
        data = self.h2.data_to_send()
        if data:
            self.sock.sendall(data)

    def run(self):
        if self.options.tls_context is not None:
            try:
                self.sock = self.options.tls_context.wrap_socket(self.sock, server_side=True)
            except (ssl.SSLError, OSError):
                self.sock.close()  # e.g. a client that does not trust the CA
                return
        self.h2.initiate_connection()
        self.flush()
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return
                if not self.receive(data):
                    # Closing with the client's data unread could reset the connection before
                    # the client read the last answer: shut down the sending side and drain.
                    self.sock.shutdown(socket.SHUT_WR)
                    self.sock.settimeout(5)
                    while self.sock.recv(65536):
                        pass
                    return
                self.flush()
        except (ConnectionError, OSError, h2.exceptions.ProtocolError):
            return
        finally:
            self.sock.close()

    def receive(self, data):
        for event in self.h2.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                self.requests[event.stream_id] = [dict(event.headers), b""]
                if event.stream_ended and not self.on_request(event.stream_id):
                    return False
            elif isinstance(event, h2.events.DataReceived):
                self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                if event.stream_id in self.requests:
                    self.requests[event.stream_id][1] += event.data
            elif isinstance(event, h2.events.StreamEnded):
                if event.stream_id in self.requests and not self.on_request(event.stream_id):
                    return False
        return True

    def on_request(self, stream_id):
        """Answers, resets or ends the connection; False when the connection is to end."""
        headers, _ = self.requests.pop(stream_id)
        method, path = headers.get(":method", ""), headers.get(":path", "")
        o = self.options
        if path.startswith("/sync"):
            # Not counted: the test's marker that every line before it was written.
            log("sync " + path)
            self.answer(stream_id, 200, {})
            return True
        with lock:
            state["requests"] += 1
            n = state["requests"]
            if not o.reset_method or o.reset_method == method:
                state["method_requests"] += 1
            counted = state["method_requests"]
        where = "request %d %d %d %s %s" % (n, self.number, stream_id, method, path)
        reset_this = o.reset and counted == o.reset and (not o.reset_method or
                                                          o.reset_method == method)
        if reset_this:
            code = getattr(h2.errors.ErrorCodes, o.reset_code)
            log(where + " reset " + o.reset_code)
            self.h2.reset_stream(stream_id, error_code=code)
            self.flush()
            return True
        if o.goaway and n == o.goaway:
            last = stream_id if o.goaway_mode == "drop" else max(stream_id - 2, 0)
            log(where + (" dropped" if o.goaway_mode == "drop" else " refused"))
            self.h2.close_connection(error_code=h2.errors.ErrorCodes.NO_ERROR,
                                     last_stream_id=last)
            self.flush()
            return False
        log(where + " answered")
        if method == "POST" and path == "/v1/videos":
            self.answer(stream_id, 200, receipt_body())
        elif method == "GET" and path.startswith("/v1/videos/"):
            self.answer(stream_id, 200, task_body(path[len("/v1/videos/"):], o.polls_to_succeed))
        else:
            self.answer(stream_id, 404, {"error": {"code": "not_found", "message": path}})
        self.answered += 1
        if o.goaway_every and self.answered >= o.goaway_every:
            self.h2.close_connection(error_code=h2.errors.ErrorCodes.NO_ERROR,
                                     last_stream_id=stream_id)
            self.flush()
            return False
        return True

    def answer(self, stream_id, status, body):
        data = json.dumps(body).encode()
        self.h2.send_headers(stream_id, [(":status", str(status)),
                                         ("content-type", "application/json"),
                                         ("content-length", str(len(data)))])
        self.h2.send_data(stream_id, data, end_stream=True)
        self.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reset", type=int, default=0)
    parser.add_argument("--reset-code", choices=["INTERNAL_ERROR", "REFUSED_STREAM"],
                        default="INTERNAL_ERROR")
    parser.add_argument("--reset-method", default="")
    parser.add_argument("--goaway", type=int, default=0)
    parser.add_argument("--goaway-mode", choices=["refuse", "drop"], default="refuse")
    parser.add_argument("--goaway-every", type=int, default=0)
    parser.add_argument("--polls-to-succeed", type=int, default=1)
    parser.add_argument("--tls", default="")
    options = parser.parse_args()
    options.tls_context = None
    if options.tls:
        here = os.path.dirname(os.path.abspath(__file__))
        subprocess.run([os.path.join(here, "..", "..", "scripts", "test-ca"), options.tls],
                       check=True)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(options.tls, "server.pem"),
                                os.path.join(options.tls, "server.key"))
        context.set_alpn_protocols(["h2"])
        options.tls_context = context

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    log("ready %d" % listener.getsockname()[1])
    while True:
        sock, _ = listener.accept()
        with lock:
            state["connections"] += 1
            number = state["connections"]
        connection = Connection(sock, options, number)
        threading.Thread(target=connection.run, daemon=True).start()


if __name__ == "__main__":
    main()
