# RULE: a getter cancelled before any put woke it passes nothing on (asyncio
# checks `not getter.cancelled()`): a spurious wake-up would send a later
# getter to the back of the line.
import asyncio

log = []


async def getter(q, name):
    try:
        log.append(f"{name} got {await q.get()}")
    except asyncio.CancelledError:
        log.append(f"{name} cancelled")


async def main():
    q = asyncio.Queue()
    tasks = [asyncio.create_task(getter(q, f"g{i}")) for i in range(1, 5)]
    await asyncio.sleep(0)
    tasks[1].cancel()   # g2 was never woken; it runs before g1, with "a" still queued
    q.put_nowait("a")   # wakes g1
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    q.put_nowait("b")
    q.put_nowait("c")
    await asyncio.gather(*tasks)


asyncio.run(main())
print("\n".join(log))
