# The seed example: three downloads with different delays, collected three ways.
# Kettle twin: tests/06-combinators/test_gather.c, test_wait.c, test_as_completed.c
# and solutions/06-combinators/apps/downloads.c.
import asyncio
async def download(name, delay):
    loop = asyncio.get_running_loop()
    await asyncio.sleep(delay)
    print(f"  {name} done@{round(loop.time() - T0)}")
    return name
async def main():
    global T0
    loop = asyncio.get_running_loop()
    T0 = loop.time()
    jobs = (("a", 3), ("b", 1), ("c", 2))
    print("gather:")
    res = await asyncio.gather(*(download(n, d) for n, d in jobs))
    print("  ->", res, f"@{round(loop.time() - T0)}")
    T0 = loop.time()
    print("wait FIRST_COMPLETED:")
    ts = [asyncio.create_task(download(n, d)) for n, d in jobs]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED)
    print("  -> done", sorted(t.result() for t in done), "pending", len(pending), f"@{round(loop.time() - T0)}")
    await asyncio.wait(pending)
    T0 = loop.time()
    print("as_completed:")
    for f in asyncio.as_completed([download(n, d) for n, d in jobs]):
        print("  ->", await f, f"@{round(loop.time() - T0)}")
asyncio.run(main())
