# RULE: notify(n) checks the count before it wakes anyone: notify(0) and
# notify(-1) wake nobody; notify(n) with fewer than n waiters wakes them all.
import asyncio

log = []


async def waiter(cond, name):
    async with cond:
        await cond.wait()
        log.append(f"{name} woke, locked={int(cond.locked())}")


async def main():
    cond = asyncio.Condition()
    tasks = [asyncio.create_task(waiter(cond, f"w{i}")) for i in range(3)]
    await asyncio.sleep(0)
    async with cond:
        cond.notify(0)
        cond.notify(-1)
    await asyncio.sleep(0.01)
    log.append(f"still waiting: {sum(not t.done() for t in tasks)}")
    async with cond:
        cond.notify(10)
    await asyncio.gather(*tasks)


asyncio.run(main())
print("\n".join(log))
