"""http_asyncio.py — the Python side of `make bench`'s HTTP rows (bench/bench_http.sh).

An HTTP/1.1 keep-alive server on asyncio streams, the same work kettle_httpd
does for the benchmark's two URLs: GET /hello answers "Hello, World!\n"
(text/plain); POST /echo answers the body back. It prints its port on the
first line and stops by itself after --seconds (bounded).

    python3 bench/http_asyncio.py [--uvloop] [--seconds 30]
"""
import asyncio
import sys

HELLO = (b"HTTP/1.1 200 OK\r\nServer: asyncio\r\nContent-Type: text/plain\r\n"
         b"Content-Length: 14\r\n\r\nHello, World!\n")


# [book:asyncio_client]
async def client(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if head.startswith(b"POST /echo "):
                body = await reader.readexactly(length)
                writer.write(b"HTTP/1.1 200 OK\r\nServer: asyncio\r\nContent-Type: application/octet-stream\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(body) + body)
            else:
                writer.write(HELLO)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()
# [/book:asyncio_client]


async def main(seconds):
    server = await asyncio.start_server(client, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.sleep(seconds)
    server.close()


if __name__ == "__main__":
    seconds = float(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else 30.0
    if "--uvloop" in sys.argv:
        import uvloop
        uvloop.install()
    asyncio.run(main(seconds))
