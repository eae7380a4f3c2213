# RULE: a task that releases a lock and asks for it again at once (no await in
# between) queues behind the waiter that release() just woke: no barging.
import asyncio

async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    async def waiter(name):
        async with lock:
            print(name, "acquired")
            await asyncio.sleep(0)
    ts = [asyncio.create_task(waiter(n)) for n in ("w1", "w2")]
    await asyncio.sleep(0)
    lock.release()
    await lock.acquire()          # the newcomer is the releaser itself
    print("main acquired again")
    lock.release()
    await asyncio.gather(*ts)

asyncio.run(main())
