"""A TCP proxy in front of Azurite that can stop answering, the way a hung storage account
does: while it hangs, whatever arrives is swallowed and nothing comes back."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field


@dataclass
class HangingProxy:
    target_port: int
    hanging: bool = False
    swallowed: int = 0  # chunks that reached the proxy while it hung
    port: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in self._tasks:
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.target_port
        )
        up = asyncio.create_task(self._pipe(reader, upstream_writer, swallow=True))
        down = asyncio.create_task(self._pipe(upstream_reader, writer, swallow=False))
        self._tasks |= {up, down}
        await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
        for task in (up, down):
            task.cancel()
        for stream in (writer, upstream_writer):
            stream.close()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, swallow: bool
    ) -> None:
        while chunk := await reader.read(65536):
            if swallow and self.hanging:
                self.swallowed += 1
                continue  # never forwarded: no answer will ever come
            writer.write(chunk)
            await writer.drain()
