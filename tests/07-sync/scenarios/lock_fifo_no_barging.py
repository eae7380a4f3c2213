# RULE: Lock waiters are served in FIFO order; a newcomer that calls acquire()
# after release() woke a waiter (but before that waiter ran) queues behind it.
import asyncio

async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    async def waiter(name):
        await lock.acquire()
        print(name, "acquired")
        await asyncio.sleep(0)
        lock.release()
    ts = [asyncio.create_task(waiter(n)) for n in ("w1", "w2", "w3")]
    await asyncio.sleep(0)
    lock.release()                      # hands the lock to w1 ...
    print("locked after release:", lock.locked())
    ts.append(asyncio.create_task(waiter("newcomer")))  # ... the newcomer must not barge in
    await asyncio.gather(*ts)
    try:
        lock.release()
    except RuntimeError as e:
        print("release unlocked:", e)

asyncio.run(main())
