"""A reference Python SDK MCPServer on stdio, for our client to talk to.

Tools: `echo(text)` and `reserve(title)`, which asks how many copies through the SDK's
era-portable `Resolve(Elicit(...))` (a live request on a legacy session, an
input-required round at 2026-07-28).
"""

from typing import Annotated

from pydantic import BaseModel

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


if __name__ == "__main__":
    server.run("stdio")
