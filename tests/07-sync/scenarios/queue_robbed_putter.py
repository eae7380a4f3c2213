# RULE: a wake-up is not a slot: a putter woken by get() that finds the queue
# full again (put_nowait took the slot first) waits again, at the end of the
# line; maxsize 0 is never full; a LIFO getter woken by a put takes the newest
# item when it runs.
import asyncio

log = []


async def main():
    q = asyncio.Queue(maxsize=1)

    async def putter(name):
        await q.put(name)
        log.append(f"put:{name}")

    q.put_nowait("x")
    tasks = [asyncio.create_task(putter(n)) for n in ("p0", "p1")]
    await asyncio.sleep(0)
    log.append(f"took:{q.get_nowait()}")  # wakes p0 ...
    q.put_nowait("thief")                 # ... but the slot is taken before p0 runs
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    log.append(f"qsize:{q.qsize()}")
    for _ in range(3):
        log.append(f"got:{await q.get()}")
    await asyncio.gather(*tasks)

    unbounded = asyncio.Queue(0)
    for i in range(5):
        unbounded.put_nowait(i)
    log.append(f"maxsize0:full={int(unbounded.full())}:qsize={unbounded.qsize()}")

    lifo = asyncio.LifoQueue()

    async def lifo_getter():
        log.append(f"lifo-got:{await lifo.get()}")

    t = asyncio.create_task(lifo_getter())
    await asyncio.sleep(0)
    lifo.put_nowait(1)  # wakes the getter ...
    lifo.put_nowait(2)  # ... which takes the newest item when it runs
    await t
    log.append(f"lifo-left:{lifo.get_nowait()}")


asyncio.run(main())
print("\n".join(log))
