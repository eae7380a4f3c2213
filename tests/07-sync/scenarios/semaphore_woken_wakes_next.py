# RULE: a woken waiter counts while it has not run yet, so a newcomer queues
# behind it even when a permit is free; when the woken waiter runs and sees a
# permit still free, it wakes the next waiter (asyncio's `if self._value > 0:
# self._wake_up_next()`).
import asyncio

log = []


async def waiter(sem):
    await sem.acquire()
    log.append(f"A got, value {sem._value}")


async def main():
    sem = asyncio.Semaphore(0)
    t = asyncio.create_task(waiter(sem))
    await asyncio.sleep(0)
    sem.release()  # hands the permit to A
    sem.release()  # nobody left waiting: the count goes to 1
    log.append(f"value {sem._value} locked {int(sem.locked())}")
    await sem.acquire()  # A was woken and has not run: main queues behind it
    log.append(f"main got, value {sem._value}")
    await t


asyncio.run(main())
print("\n".join(log))
