# RULE: a waiter cancelled while the lock is still held wakes nobody: only a
# free lock passes a wake-up on (CPython: `if not self._locked: self._wake_up_first()`).
import asyncio
log = []
async def worker(lock, name):
    try:
        async with lock:
            log.append(f"{name}-acquired")
            await asyncio.sleep(0)
    except asyncio.CancelledError:
        log.append(f"{name}:CANCELLED")
async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    t1 = asyncio.create_task(worker(lock, "w1"))
    t2 = asyncio.create_task(worker(lock, "w2"))
    await asyncio.sleep(0)
    t1.cancel()          # w1 was never woken: the lock is held, nobody may be woken
    await asyncio.sleep(0); await asyncio.sleep(0)
    log.append(f"held locked:{int(lock.locked())}")
    lock.release()
    await t1; await t2
    log.append(f"locked:{int(lock.locked())}")
asyncio.run(main())
print(" ".join(log))
