# RULE: a waiter cancelled before any permit reached it gives nothing back;
# one handed a permit and cancelled passes it to the next waiter, and two
# releases in a row reach two different waiters, in FIFO order.
import asyncio

log = []


async def waiter(sem, name):
    try:
        await sem.acquire()
        log.append(f"{name} got")
    except asyncio.CancelledError:
        log.append(f"{name} cancelled")


async def main():
    sem = asyncio.Semaphore(0)
    tasks = [asyncio.create_task(waiter(sem, f"s{i}")) for i in range(4)]
    await asyncio.sleep(0)
    tasks[3].cancel()  # never woken
    await asyncio.sleep(0)
    log.append(f"value {sem._value} locked {int(sem.locked())}")
    sem.release()
    sem.release()
    tasks[0].cancel()  # woken by the first release, cancelled before it runs
    await asyncio.gather(*tasks[:3])
    log.append(f"value {sem._value} locked {int(sem.locked())}")
    with_bound = None
    try:
        asyncio.BoundedSemaphore(-1)
    except ValueError:
        with_bound = "ValueError"
    log.append(f"BoundedSemaphore(-1): {with_bound}")


asyncio.run(main())
print("\n".join(log))
