# RULE: join waits until every item put has been marked done with task_done,
# not until the queue is empty; every joiner is woken; a second round of puts
# makes join wait again.
import asyncio

log = []


async def joiner(q, name):
    await q.join()
    log.append(f"{name} joined")


async def main():
    q = asyncio.Queue()
    q.put_nowait("a")
    q.put_nowait("b")
    q.get_nowait()
    q.get_nowait()
    tasks = [asyncio.create_task(joiner(q, n)) for n in ("j1", "j2")]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    log.append(f"empty {int(q.empty())}, both waiting {sum(not t.done() for t in tasks)}")
    q.task_done()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    log.append(f"one done, still waiting {sum(not t.done() for t in tasks)}")
    q.task_done()
    await asyncio.gather(*tasks)
    q.put_nowait("c")  # a second round
    t = asyncio.create_task(joiner(q, "j3"))
    await asyncio.sleep(0)
    log.append(f"round two waiting {int(not t.done())}")
    q.get_nowait()
    q.task_done()
    await t


asyncio.run(main())
print("\n".join(log))
