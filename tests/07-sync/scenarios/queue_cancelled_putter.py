# RULE: a putter woken by get() and cancelled before it runs passes the
# wake-up to the next putter, so the free slot is not wasted.
import asyncio

async def main():
    q = asyncio.Queue(maxsize=1)
    q.put_nowait("x")
    async def putter(name, item):
        try:
            await q.put(item); print(name, "put", item)
        except asyncio.CancelledError:
            print(name, "cancelled"); raise
    p1 = asyncio.create_task(putter("p1", "a"))
    p2 = asyncio.create_task(putter("p2", "b"))
    await asyncio.sleep(0)
    print("got", q.get_nowait())     # wakes p1 ...
    p1.cancel()                      # ... which is cancelled before it runs
    await asyncio.gather(p1, p2, return_exceptions=True)
    print("queue holds", q.get_nowait())

asyncio.run(main())
