# RULE: notify(n) wakes the first n waiters in FIFO order; wait_for re-checks
# its predicate after every wake-up with the lock held.
import asyncio

async def main():
    cond = asyncio.Condition()
    items = []
    async def waiter(name):
        async with cond:
            await cond.wait()
            print(name, "woke, holds lock:", cond.locked())
    ts = [asyncio.create_task(waiter(f"w{i}")) for i in range(4)]
    await asyncio.sleep(0)
    async with cond:
        cond.notify(2)
    await asyncio.sleep(0.01)
    print("still waiting:", sum(not t.done() for t in ts))
    async with cond:
        cond.notify_all()
    await asyncio.gather(*ts)

    async def consumer():
        async with cond:
            await cond.wait_for(lambda: len(items) >= 2)
            print("consumer sees", items)
    c = asyncio.create_task(consumer())
    await asyncio.sleep(0)
    for i in range(3):
        async with cond:
            items.append(i)
            print("produced", i)
            cond.notify()
        await asyncio.sleep(0.01)
    await c

asyncio.run(main())
