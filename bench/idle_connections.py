#!/usr/bin/env python3
"""Opens COUNT idle connections to Gatehouse and holds them until stdin closes (bench/idle.sh drives it).

kind h1: plain TCP, one HTTP/1.1 request answered, then the keep-alive connection stays idle.
kind h2: TLS with ALPN h2, the client preface and SETTINGS, the server's SETTINGS acknowledged, then idle.
Prints "open N" when all are open (or failed: "open N failed M"), then waits."""
import asyncio, ssl, sys

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
SETTINGS_ACK = b"\x00\x00\x00\x04\x01\x00\x00\x00\x00"


async def open_one(kind, port, context, held):
    if kind == "h1":
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /idle HTTP/1.1\r\nHost: localhost\r\n\r\n")
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = next((int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")), 0)
        await reader.readexactly(length)
    else:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context, server_hostname="localhost")
        assert writer.get_extra_info("ssl_object").selected_alpn_protocol() == "h2"
        writer.write(PREFACE)
        await writer.drain()
        header = await reader.readexactly(9)  # the server's SETTINGS comes first
        await reader.readexactly(int.from_bytes(header[:3], "big"))
        writer.write(SETTINGS_ACK)
        await writer.drain()
    held.append((reader, writer))


async def main():
    kind, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    held, failed = [], 0
    for start in range(0, count, 200):  # 200 at a time: bounded, and the server's accept queue keeps up
        results = await asyncio.gather(*(open_one(kind, port, context, held) for _ in range(start, min(count, start + 200))), return_exceptions=True)
        failed += sum(1 for r in results if isinstance(r, Exception))
        if failed and start == 0:
            print(f"first failure: {next(r for r in results if isinstance(r, Exception))!r}", file=sys.stderr)
    print(f"open {len(held)} failed {failed}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


asyncio.run(main())
