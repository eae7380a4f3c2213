# RULE: put() on a full queue waits until a get() makes room (putters FIFO);
# join() waits until every put is matched by task_done(); one task_done()
# too many is a ValueError.
import asyncio

async def main():
    q = asyncio.Queue(maxsize=2)
    async def producer(name, n):
        for i in range(n):
            await q.put(f"{name}{i}")
            print("put", f"{name}{i}", "qsize", q.qsize())
    p1 = asyncio.create_task(producer("a", 3))
    p2 = asyncio.create_task(producer("b", 2))
    await asyncio.sleep(0)
    print("full:", q.full())
    async def consumer():
        while True:
            item = await q.get()
            print("got", item)
            q.task_done()
    c = asyncio.create_task(consumer())
    await asyncio.gather(p1, p2)
    await q.join()
    print("joined, unfinished", q._unfinished_tasks)
    c.cancel()
    await asyncio.gather(c, return_exceptions=True)
    try:
        q.task_done()
    except ValueError as e:
        print("ValueError:", e)

asyncio.run(main())
