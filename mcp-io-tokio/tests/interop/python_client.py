"""The reference Python SDK's Client against our bookshop, over stdio or Streamable HTTP.

Usage: python_client.py <mode> <server command> [args...]
       python_client.py <mode> <http://host:port/mcp>
Prints one JSON object: the negotiated version, the server's name, the tools and what the
two tool calls returned. The elicitation callback answers "2 copies", whichever way the
server asks (a live request at 2025-11-25, an input-required round at 2026-07-28).
"""

import json
import sys

import anyio
import mcp_types as types
from mcp import Client
from mcp.client.stdio import StdioServerParameters


async def elicit(context, params):
    return types.ElicitResult(action="accept", content={"copies": 2})


def text_of(result):
    return [block.text for block in result.content if getattr(block, "type", None) == "text"]


async def main():
    mode, command = sys.argv[1], sys.argv[2:]
    if command[0].startswith("http://"):
        server = command[0]
    else:
        server = StdioServerParameters(command=command[0], args=command[1:])
    async with Client(server, mode=mode, elicitation_callback=elicit) as client:
        tools = await client.list_tools()
        found = await client.call_tool("search_books", {"query": "dune"})
        reserved = await client.call_tool("reserve", {"title": "Dune"})
        print(json.dumps({
            "protocol_version": client.protocol_version,
            "server": client.server_info.name if client.server_info else None,
            "tools": sorted(tool.name for tool in tools.tools),
            "search": text_of(found),
            "reserve": text_of(reserved),
        }))


anyio.run(main)
