# RULE: a waiter woken by set() returns True even if clear() runs before it does;
# a wait() after the clear waits again.
import asyncio

async def main():
    ev = asyncio.Event()
    async def waiter(name):
        print(name, "->", await ev.wait(), "is_set:", ev.is_set())
    ts = [asyncio.create_task(waiter(n)) for n in ("a", "b")]
    await asyncio.sleep(0)
    ev.set()
    ev.clear()
    await asyncio.gather(*ts)
    late = asyncio.create_task(waiter("late"))
    await asyncio.sleep(0)
    print("late still waiting:", not late.done())
    ev.set()
    await late

asyncio.run(main())
