"""Concurrent slow uploads for bench/uploads.sh, on loopback only.

  python3 uploads.py backend PORT
      An HTTP/1.1 backend that reads every request body to its end (discarding it) and answers 200 with the number
      of body bytes it read. Keep-alive; Content-Length or chunked bodies (no trailers). Prints
      "peak N" each time more requests than ever are in flight together.

  python3 uploads.py client PORT PATH COUNT SIZE SECONDS [chunked]
      Opens COUNT connections to 127.0.0.1:PORT, then on each sends POST PATH/i with a SIZE-byte body in 16 pieces
      spread over SECONDS (with Content-Length, or chunked: a body of unknown length), so that all COUNT are in flight together; reads each answer and checks that the backend
      read SIZE bytes. Prints one summary line. Bounded: every connection gives up after SECONDS + 60 s.
"""
import asyncio
import collections
import sys
import time

PIECES = 16


async def backend(port):
    in_flight = 0
    peak = 0

    async def handle(reader, writer):
        nonlocal in_flight, peak
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                in_flight += 1
                if in_flight > peak:
                    peak = in_flight
                    print(f"peak {peak}", flush=True)
                length, chunked = 0, False
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                    elif name.strip().lower() == b"transfer-encoding":
                        chunked = b"chunked" in value.lower()
                if chunked:
                    length = 0
                    while True:
                        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                        if size == 0:
                            await reader.readuntil(b"\r\n")  # no trailers
                            break
                        await reader.readexactly(size + 2)
                        length += size
                else:
                    left = length
                    while left > 0:
                        data = await reader.read(min(left, 65536))
                        if not data:
                            return
                        left -= len(data)
                in_flight -= 1
                answer = str(length).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(answer), answer))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()


async def upload(port, path, size, seconds, chunked, opened, all_open, results):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as e:
        results["connect failed: " + type(e).__name__] += 1
        opened.release()
        return
    opened.release()
    await all_open.wait()
    try:
        framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % size
        writer.write(b"POST %s HTTP/1.1\r\nHost: uploads.bench\r\nContent-Type: application/octet-stream\r\n%s\r\n\r\n" % (path.encode(), framing))
        sent = 0
        for i in range(PIECES):
            piece = b"u" * (size // PIECES if i < PIECES - 1 else size - sent)
            sent += len(piece)
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            await writer.drain()
            await asyncio.sleep(seconds / PIECES)
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
        status = head.split(b" ", 2)[1].decode()
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        body = await asyncio.wait_for(reader.readexactly(length), 60)
        if status == "200" and body != str(size).encode():
            status = "200 but the backend read " + body.decode()
        results[status] += 1
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.TimeoutError) as e:
        results[type(e).__name__] += 1
    finally:
        writer.close()


async def client(port, path, count, size, seconds, chunked):
    opened = asyncio.Semaphore(0)
    all_open = asyncio.Event()
    results = collections.Counter()
    start = time.monotonic()
    tasks = [asyncio.create_task(upload(port, f"{path}/{i}", size, seconds, chunked, opened, all_open, results)) for i in range(count)]
    for _ in range(count):
        await opened.acquire()
    print(f"open {count} in {time.monotonic() - start:.1f} s", flush=True)
    all_open.set()
    await asyncio.wait_for(asyncio.gather(*tasks), seconds + 120)
    print(f"done {count} uploads of {size} bytes in {time.monotonic() - start:.1f} s: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(results.items())), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "backend":
        asyncio.run(backend(int(sys.argv[2])))
    else:
        asyncio.run(client(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]),
                           len(sys.argv) > 7 and sys.argv[7] == "chunked"))
