# RULE: a Semaphore hands a released permit to the first waiter; a newcomer
# arriving before that waiter runs sees locked() and queues.
import asyncio

async def main():
    sem = asyncio.Semaphore(1)
    await sem.acquire()
    async def worker(name):
        await sem.acquire()
        print(name, "acquired")
        await asyncio.sleep(0)
        sem.release()
    ts = [asyncio.create_task(worker(n)) for n in ("w1", "w2")]
    await asyncio.sleep(0)
    sem.release()
    print("after release: locked", sem.locked(), "value", sem._value)
    ts.append(asyncio.create_task(worker("newcomer")))
    await asyncio.gather(*ts)
    print("end value", sem._value)

asyncio.run(main())
