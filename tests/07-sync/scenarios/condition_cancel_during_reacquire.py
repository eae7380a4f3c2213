# RULE: a waiter notified and then cancelled while it waits to take the lock
# back still takes it back, and then raises CancelledError (the cancel is not
# swallowed because the wait itself had finished).
import asyncio

log = []


async def waiter(cond):
    async with cond:
        try:
            await cond.wait()
            log.append("waiter:OK")
        except asyncio.CancelledError:
            log.append(f"waiter:CANCELLED:holds={int(cond.locked())}")
            raise


async def main():
    cond = asyncio.Condition()
    t = asyncio.create_task(waiter(cond))
    await asyncio.sleep(0)
    await cond.acquire()
    cond.notify()
    await asyncio.sleep(0)  # the waiter wakes and queues for the lock we hold
    await asyncio.sleep(0)
    t.cancel()              # cancelled while it waits for the lock
    await asyncio.sleep(0)
    log.append(f"main still holds:{int(cond.locked())}")
    cond.release()
    try:
        await t
    except asyncio.CancelledError:
        log.append("task cancelled")
    log.append(f"free:{int(not cond.locked())}")


asyncio.run(main())
print("\n".join(log))
