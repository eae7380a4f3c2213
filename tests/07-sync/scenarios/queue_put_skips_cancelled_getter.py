# RULE: put wakes the first getter still waiting: a getter at the head of the
# line that was cancelled but has not run yet is skipped (asyncio's
# _wakeup_next pops done futures until it finds one that is not done).
import asyncio

log = []


async def getter(q, name):
    try:
        log.append(f"{name} got {await q.get()}")
    except asyncio.CancelledError:
        log.append(f"{name} cancelled")


async def main():
    q = asyncio.Queue()
    tasks = [asyncio.create_task(getter(q, f"g{i}")) for i in (1, 2)]
    await asyncio.sleep(0)
    tasks[0].cancel()  # g1 is cancelled and has not run yet ...
    q.put_nowait("a")  # ... so put must wake g2
    await asyncio.gather(*tasks)
    log.append(f"qsize {q.qsize()}")


asyncio.run(main())
print("\n".join(log))
