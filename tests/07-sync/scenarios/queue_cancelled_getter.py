# RULE: a getter woken by put() and cancelled before it runs passes the
# wake-up to the next getter, so the item is not stranded.
import asyncio

async def main():
    q = asyncio.Queue()
    async def getter(name):
        try:
            print(name, "got", await q.get())
        except asyncio.CancelledError:
            print(name, "cancelled")
            raise
    g1 = asyncio.create_task(getter("g1"))
    g2 = asyncio.create_task(getter("g2"))
    await asyncio.sleep(0)
    q.put_nowait("x")        # wakes g1 ...
    g1.cancel()              # ... which is cancelled before it runs
    await asyncio.gather(g1, g2, return_exceptions=True)
    print("qsize", q.qsize())

asyncio.run(main())
