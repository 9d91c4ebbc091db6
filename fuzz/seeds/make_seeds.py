#!/usr/bin/env python3
"""Writes the seed corpus: fuzz/seeds/<target>/<name>, a few meaningful inputs per target.

Run from anywhere: `python3 fuzz/seeds/make_seeds.py`. The JSON seeds are official
2026-07-28 examples (../shared/spec/2026-07-28/examples beside the repository, compacted);
the scripts follow the formats of the bodies in mcp-proto/src/testing (an opcode byte, a
length byte, the argument). The output is deterministic; commit what it writes.
"""

import json
import pathlib

FUZZ = pathlib.Path(__file__).resolve().parent.parent
SEEDS = FUZZ / "seeds"
EXAMPLES = FUZZ.parent.parent / "shared" / "spec" / "2026-07-28" / "examples"


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def example(kind, name):
    return json.loads((EXAMPLES / kind / f"{name}.json").read_text())


def steps(*pairs):
    """A script: each (opcode, argument) as opcode, length byte, argument; longer
    arguments are split into several steps of the same opcode."""
    out = bytearray()
    for op, argument in pairs:
        argument = bytes(argument)
        chunks = [argument[i : i + 255] for i in range(0, len(argument), 255)] or [b""]
        for chunk in chunks:
            out += bytes([op, len(chunk)]) + chunk
    return bytes(out)


def single(op, argument):
    """One step whose argument must not be split."""
    argument = bytes(argument)
    assert len(argument) <= 255, (op, len(argument))
    return bytes([op, len(argument)]) + argument


def line(value):
    return compact(value) + b"\n"


META_2026 = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "seed", "version": "1"},
    "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}},
}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "f", "version": "1"},
    },
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}

seeds = {}

# jsonrpc_decode and decode_paths: official messages, and a few hand-written edge cases.
seeds["jsonrpc_decode"] = {
    "call-tool-request": compact(example("CallToolRequest", "call-tool-request")),
    "call-tool-result-response": compact(
        example("CallToolResultResponse", "call-tool-result-response")
    ),
    "progress-notification": compact(
        example("ProgressNotification", "progress-message")
    ),
    "unsupported-version-error": compact(
        example("UnsupportedProtocolVersionError", "unsupported-version")
    ),
}
seeds["decode_paths"] = {
    "discover-request": compact(example("DiscoverRequest", "server-discover-request")),
    "list-tools-result-response": compact(
        example("ListToolsResultResponse", "list-tools-result-response")
    ),
    "cancelled-notification": compact(
        example("CancelledNotification", "user-requested-cancellation")
    ),
    "escapes-and-numbers": rb'{"jsonrpc":"2.0","id":-9007199254740993,"result":{"t":"\u00e9\ud83d\ude00\"\\\/","n":1.5e300,"_meta":{"a":[null,true,{}]}}}',
}

# line_decoder: byte 0 the line limit, bytes 1-4 chunk sizes, then the stream.
two_messages = line(INITIALIZE) + compact(INITIALIZED) + b"\r\n"
seeds["line_decoder"] = {
    "two-messages": bytes([255, 7, 13, 1, 64]) + two_messages,
    "crlf-split": bytes([255, 1, 2, 3, 4]) + b'{"jsonrpc":"2.0","id":1,"method":"ping"}\r\n\r\n{"jsonrpc":"2.0","method":"x"}\r',
    "over-limit": bytes([40, 5, 63, 2, 9])
    + compact(example("CallToolRequest", "call-tool-request"))
    + b'\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n{"partial"',
}

# validate: byte 0 = bit 0 the revision (1: 2026-07-28), bit 1 the direction (1: server to
# client), bits 2-4 the answered method (0 none, 1 tools/list, 2 tools/call, 3 prompts/get,
# 4 resources/read, 5 server/discover, 6 elicitation/create, 7 tasks/get), bit 7 tasks.
VALIDATE = [
    ("CallToolRequest", "call-tool-request", 0b01),
    ("CallToolResultResponse", "call-tool-result-response", 0b01 | 0b10 | (2 << 2)),
    ("ListToolsResultResponse", "list-tools-result-response", 0b01 | 0b10 | (1 << 2)),
    ("DiscoverResultResponse", "discover-result-response", 0b01 | 0b10 | (5 << 2)),
    ("SubscriptionsListenRequest", "listen-for-list-changes", 0b01),
    ("ReadResourceResultResponse", "read-resource-result-response-with-ttl", 0b11 | (4 << 2)),
]
seeds["validate"] = {}
for kind, name, selector in VALIDATE:
    path = EXAMPLES / kind / f"{name}.json"
    if not path.exists():
        name = sorted(p.stem for p in (EXAMPLES / kind).glob("*.json"))[0]
    seeds["validate"][name] = bytes([selector]) + compact(example(kind, name))

# server_stream: 0-3 client bytes, 4 time, 5/6 reply (argument byte 0: result, error,
# input required, invalid result), 7 end of input.
CALL_2026 = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/call",
    "params": {"name": "x", "arguments": {"a": 1}, "_meta": META_2026},
}
seeds["server_stream"] = {
    "legacy-session": steps(
        (0, line(INITIALIZE)),
        (0, line(INITIALIZED)),
        (1, line({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})),
        (5, [0]),
        (
            2,
            line(
                {
                    "jsonrpc": "2.0",
                    "id": 3,
                    "method": "tools/call",
                    "params": {"name": "t", "arguments": {}, "_meta": {"progressToken": "p"}},
                }
            ),
        ),
        (4, b""),
        (6, [1]),
        (0, line({"jsonrpc": "2.0", "id": 4, "method": "ping"})),
        (7, b""),
    ),
    "modern-input-required": steps(
        (0, line(CALL_2026)),
        (5, [2]),
        (
            0,
            line(
                {
                    "jsonrpc": "2.0",
                    "id": 2,
                    "method": "tools/call",
                    "params": {
                        "name": "x",
                        "arguments": {"a": 1},
                        "inputResponses": {"q": {"action": "decline"}},
                        "requestState": "v1.fuzz.AAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                        "_meta": META_2026,
                    },
                }
            ),
        ),
        (0, line(example("DiscoverRequest", "server-discover-request"))),
        (0x0C, b""),
        (6, [3]),
    ),
    "garbage-and-batches": steps(
        (0, b'{garbage\n[{"jsonrpc":"2.0","id":1,"method":"ping"}]\n\r\n'),
        (1, b'{"jsonrpc":"2.0","id":null,"method":"tools/list"}\n{"jsonrpc":"2.0","id'),
        (2, b'":7,"result":{}}\n'),
        (0x44, b""),
        (7, b""),
    ),
}

# client_stream: 0-3 server bytes, 4 time, 5 answer a server request. The client probes
# with server/discover (id 1) first.
seeds["client_stream"] = {
    "modern-discover": steps(
        (0, line({**example("DiscoverResultResponse", "discover-result-response"), "id": 1})),
        (1, line(example("ToolListChangedNotification", "tools-list-changed"))),
        (2, line({"jsonrpc": "2.0", "id": "s1", "method": "ping"})),
        (4, b""),
    ),
    "legacy-fallback": steps(
        (0, line({"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "no"}})),
        (
            0,
            line(
                {
                    "jsonrpc": "2.0",
                    "id": 2,
                    "result": {
                        "protocolVersion": "2025-11-25",
                        "capabilities": {"tools": {}, "logging": {}},
                        "serverInfo": {"name": "s", "version": "1"},
                    },
                }
            ),
        ),
        (
            1,
            line(
                {
                    "jsonrpc": "2.0",
                    "id": "e1",
                    "method": "elicitation/create",
                    "params": {
                        "message": "?",
                        "requestedSchema": {"type": "object", "properties": {}},
                    },
                }
            ),
        ),
        (2, line({"jsonrpc": "2.0", "id": "r1", "method": "roots/list"})),
        (5, b""),
        (3, line({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "x"}})),
        (4, b""),
    ),
    "unsupported-version": steps(
        (
            0,
            line(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "error": {
                        "code": -32022,
                        "message": "Unsupported protocol version",
                        "data": {"supported": ["2026-07-28"], "requested": "2026-07-28"},
                    },
                }
            ),
        ),
        (0x0A, b""),
        (0, b'{"jsonrpc":"2.0","id":2,"result":{}}\n'),
        (0x52, b""),
    ),
}


# http_server: 0-2 a request (argument: method 0 POST / 1 GET / 2 DELETE, a header-choice
# byte, the body), 3 time, 4 reply, 5 ask, 6 disconnect, 7 publish. Header choice bits:
# 1 version 2026-07-28, 2 version 2025-11-25, 4 a session id, 8 Last-Event-ID, 16
# Mcp-Method tools/call.
def request(method, choice, body=b""):
    return [method, choice] + list(body)


seeds["http_server"] = {
    "legacy-session": b"".join(
        [
            single(0, request(0, 0, compact(INITIALIZE))),
            single(0, request(0, 4 | 2, compact(INITIALIZED))),
            single(
                0,
                request(
                    0,
                    4 | 2,
                    compact(
                        {
                            "jsonrpc": "2.0",
                            "id": 2,
                            "method": "tools/call",
                            "params": {"name": "t", "arguments": {}, "_meta": {"progressToken": "p"}},
                        }
                    ),
                ),
            ),
            single(4, [0x80]),
            single(5, b""),
            single(6, [1]),
            single(0, request(1, 4 | 8 | 2)),
            single(3, b""),
            single(4, [1]),
        ]
    ),
    "modern-exchange": b"".join(
        [
            single(
                0,
                request(
                    0,
                    1 | 16,
                    compact(
                        {
                            "jsonrpc": "2.0",
                            "id": 3,
                            "method": "tools/call",
                            "params": {
                                "arguments": {},
                                "_meta": {
                                    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                                    "io.modelcontextprotocol/clientCapabilities": {},
                                },
                            },
                        }
                    ),
                ),
            ),
            single(4, [0]),
            single(0x13, b""),
            single(6, [0]),
        ]
    ),
    "session-get-stream": b"".join(
        [
            single(0, request(0, 0, compact(INITIALIZE))),
            single(0, request(0, 4 | 2, compact(INITIALIZED))),
            single(1, request(1, 4 | 2)),
            single(7, b""),
            single(0x0F, b""),
            single(0x1B, b""),
            single(0x16, [0]),
            single(2, request(2, 4 | 2)),
        ]
    ),
}

# sse_decoder: byte 0 the event limit (0-127 as is, then (b - 127) * 64), bytes 1-4 chunk
# sizes, then the stream.
MESSAGE = compact(example("CallToolResultResponse", "call-tool-result-response"))
seeds["sse_decoder"] = {
    "mcp-stream": bytes([0xC0, 7, 1, 0x85, 63])
    + b"id: 0-0\ndata:\n\nevent: message\nid: 0-1\ndata: "
    + MESSAGE
    + b"\n\n:\n\nretry: 5000\n\n",
    "crlf-bom-comments": bytes([100, 1, 2, 3, 4])
    + b'\xef\xbb\xbf: keep-alive\r\nevent: message\r\nid: 7\rdata: {"a":\r\ndata:1}\n\nretry: 250\r\n\r\nid\ndata\n\n',
    "oversized": bytes([20, 3, 64, 1, 9])
    + b"data: 12345678901234\n\ndata: small\n\nevent: x\ndata: y\n\ndata: "
    + b"x" * 40
    + b"\ndata: after\n\ndata: fits\n\n",
    "odd-fields": bytes([0x90, 5, 5, 5, 5])
    + b"unknown: x\nid: a\x00b\ndata\nretry: 99999999999999999999999\nretry: soon\nevent:\ndata:  two spaces\n\nid:\n\ndata: \xff\xfe\n\ndata: half",
}


# http_client: byte 0 the mode (bits 0-1: auto, legacy, pinned 2026-07-28) and resume
# delay; then steps, opcode % 16: 0-1 request (kind, options), 2 application (what, pick),
# 3 head (pick, status, content type, session), 4 raw body, 5/6/13 answer (pick, choice,
# form, chunk size), 7 end, 8 failure, 9 time, 10 to the next deadline, 11 a stale report,
# 12/14 stream traffic, 15 answer everything. The same scripts as the body's unit tests.
def script(setup, pairs):
    return bytes([setup]) + b"".join(single(op, argument) for op, argument in pairs)


SESSION = [
    (15, [0, 0]),
    (15, [0, 0]),
    (15, [0, 0]),
    (1, [1, 0]),
    (5, [1, 0, 0x23, 9]),
    (10, []),
    (5, [1, 2, 0x08, 4]),
    (2, [1, 0]),
    (0, [0, 1]),
    (5, [2, 0, 0x1E, 7]),
    (0, [3, 4]),
    (3, [2, 4, 0, 1]),
    (7, [2]),
    (15, [0, 0]),
    (15, [0, 0]),
    (9, [0x60]),
    (10, []),
    (2, [0, 0]),
    (2, [3, 0]),
    (2, [4, 0]),
    (2, [5, 0]),
    (15, [0, 0]),
]
MODERN = [
    (0, [0, 0]),
    (13, [0, 1, 0, 0]),
    (1, [1, 9]),
    (5, [0, 1, 0x19, 5]),
    (2, [3, 0]),
    (6, [0, 0, 0, 0]),
    (0, [6, 0]),
    (5, [0, 0, 0x41, 0]),
    (2, [0, 0]),
    (4, [0, ord("{"), ord("x")]),
    (8, [0]),
    (9, [0x60]),
    (11, [1, ord("a")]),
    (2, [5, 4]),
    (15, [0, 0]),
]
seeds["http_client"] = {
    "auto-session": script(0, SESSION),
    "legacy-session-resume-recover": script(1, SESSION),
    "pinned-modern-input-listen": script(2 | 0x10, MODERN),
    "auto-modern": script(0x10, MODERN),
}

# param_headers: byte 0 the mode (0 value only, 1 arguments, 2 schema, 3 an extra header
# `name\nvalue`, 4 the string parameter's value, 5 the integer parameter's value).
seeds["param_headers"] = {
    "name-base64": b"\x00=?base64?w6l0w6kgJiBKw7ZyZw==?=",
    "trailing-space": b"\x04eu-west 1 ",
    "arguments": b"\x01"
    + compact({"region": "eu-west 1", "n": 42, "big": 18446744073709551615, "f": -0.0,
               "flag": False, "deep": {"k": " padded ", "list": [1]}, "none": None}),
    "schema": b"\x02"
    + compact(
        {
            "type": "object",
            "properties": {
                "region": {"type": "string", "x-mcp-header": "Region"},
                "n": {"type": "integer", "x-mcp-header": "n"},
                "x": {"items": {"type": "string", "x-mcp-header": "Item"}},
            },
        }
    ),
    "extra-header": b"\x03MCP-PARAM-REGION\neu-west 1",
    "number-header": b"\x05 4.2e1\t",
}

# uri_template: byte 0 flags (bits 0-3 leave query variables undefined, bit 4 repeats the
# URI to 8 KiB, bits 5-7 pick a fixed template), then lines: template, URI, values.
seeds["uri_template"] = {
    "reserved-path": b"\x00file:///docs/{+path}\nfile:///docs/guide/%2E%2E/x\na/b c/\xc3\xa9.md",
    "query-group": b"\x21search://items{?q,page}{&sort}\nsearch://items?sort=asc&q=a%20b\nrust lang\n2\nasc",
    "segments": b"\x62x://{.ext}{;p}{&c,d}\nx://.tar.gz;p=a%3Bb&d=1\ntar.gz\na;b=c\n\nz",
    "adversarial": b"\x10f://{a}{b}{c}{d}{e}{f}{g}{h}{+i}{j}!\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
}

# request_state: byte 0 the setup (bits 0-1 lifetime 0 / 1 ms / 1 s / 600 s, bits 2-3 the
# state bound 0 / 1 / 64 / 16 KiB, bit 4 a second key); then steps, opcode % 8: 0 seal
# (binding, state), 1 open a string (binding, text), 2 open an issued token, 3 tamper
# (pick, at, byte), 4 time forward, 5 time back, 6 rotate, 7 retire.
seeds["request_state"] = {
    "seal-open-expire": script(
        0x0B,
        [
            (0, b"\x05step=confirm"),
            (2, b"\x00"),
            (0x82, b"\x00\x07"),
            (0x0C, b"\x58\x02"),
            (2, b"\x00"),
            (4, b"\x01\x00"),
            (2, b"\x00"),
            (4, b"\x01\x00"),
            (2, b"\x00"),
            (5, b"\xff\xff"),
            (2, b"\x00"),
        ],
    ),
    "tamper": script(
        0x0A,
        [
            (0, b"\x09"),
            (3, b"\x00\x05Z"),
            (0x0B, b"\x00\x30"),
            (0x13, b"\x00\x03."),
            (0x03, b"\x00\x02\x00"),
            (1, b"\x09v1.k0.AAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ],
    ),
    "rotate-retire": script(
        0x1F,
        [
            (0, b"\x01first"),
            (6, b""),
            (0, b"\x02second"),
            (7, b"\x01"),
            (2, b"\x00"),
            (2, b"\x01"),
            (7, b"\x00"),
            (0x1C, b"\x00\x00"),
            (0, b"\x03at the end of time"),
            (2, b"\x02"),
        ],
    ),
}

if __name__ == "__main__":
    for target, files in sorted(seeds.items()):
        directory = SEEDS / target
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.iterdir():
            old.unlink()
        for name, data in sorted(files.items()):
            (directory / name).write_bytes(data)
        print(f"{target}: {len(files)} seeds, {sum(map(len, files.values()))} bytes")
