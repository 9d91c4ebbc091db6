"""A reference Python SDK MCPServer for our client to talk to, on stdio or Streamable HTTP.

Usage: python_server.py              (stdio)
       python_server.py --http PORT  (Streamable HTTP at http://127.0.0.1:PORT/mcp)

Tools: `echo(text)` and `reserve(title)`, which asks how many copies through the SDK's
era-portable `Resolve(Elicit(...))` (a live request on a legacy session, an
input-required round at 2026-07-28).

Over HTTP a test hook, `POST /end-sessions`, ends every open legacy session (as an idle
timeout or a restart would) and answers `{"ended": <count>}`, so that a client's next
request on its session gets 404.
"""

import sys
from typing import Annotated

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.resolve import Elicit, Resolve

server = MCPServer("python-bookshop", instructions="The reference SDK's bookshop.")


class Copies(BaseModel):
    copies: int


def ask_copies(title: str) -> Elicit[Copies]:
    return Elicit(f"How many copies of {title}?", Copies)


@server.tool(description="Echoes the text")
def echo(text: str) -> str:
    return text


@server.tool(description="Reserves copies of a book")
def reserve(title: str, answer: Annotated[Copies, Resolve(ask_copies)]) -> str:
    return f"Reserved {answer.copies} copies of {title}"


@server.custom_route("/end-sessions", methods=["POST"])
async def end_sessions(request: Request) -> JSONResponse:
    # The session manager has no public "end all sessions"; its own discard path is what
    # an idle timeout uses, so later requests with those ids answer 404.
    manager = server.session_manager
    sessions = list(manager._server_instances.items())
    for session_id, transport in sessions:
        await manager._discard_session(session_id, transport)
    return JSONResponse({"ended": len(sessions)})


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        # Loopback only.
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run("stdio")
