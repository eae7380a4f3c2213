# TaskGroup rules beyond the shared cases 123-133: use after close, create while shutting down,
# several errors collected in order, a foreign cancel of the owner is not swallowed.
import asyncio
async def bad(code, d):
    await asyncio.sleep(d); raise ValueError(code)
async def val(v, d):
    await asyncio.sleep(d); return v
async def main():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(val(1, 1))
    coro = val(2, 1)
    try:
        tg.create_task(coro)
    except RuntimeError as e:
        coro.close()
        print("after close:", str(e).split(">")[-1].strip())
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(bad("x", 1))
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                coro = val(3, 1)
                try:
                    tg.create_task(coro)
                except RuntimeError as e:
                    coro.close()
                    print("while shutting down:", str(e).split(">")[-1].strip())
                raise
    except ExceptionGroup as eg:
        print("group:", [str(e) for e in eg.exceptions])
    # two errors raised in the same iteration while cleaning up: both collected, in order
    async def bad_cleanup(code):
        try:
            await asyncio.sleep(5)
        finally:
            raise ValueError(code)
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(bad("first", 1))
            tg.create_task(bad_cleanup("second"))
            tg.create_task(bad_cleanup("third"))
    except ExceptionGroup as eg:
        print("group:", [str(e) for e in eg.exceptions])
    # a foreign cancel of the owner passes through as CancelledError
    async def owner():
        async with asyncio.TaskGroup() as tg:
            tg.create_task(val(1, 5))
            await asyncio.sleep(5)
    t = asyncio.create_task(owner())
    await asyncio.sleep(1); t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("owner cancelled from outside -> CancelledError, cancelled():", t.cancelled())
asyncio.run(main())

# the owner cancelled while the exit waits: the children are cancelled, exit raises CancelledError
async def owner2():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(val(1, 5))
    except asyncio.CancelledError:
        print("exit waited, owner cancelled -> CancelledError")
        raise
async def main2():
    loop = asyncio.get_running_loop(); t0 = loop.time()
    t = asyncio.create_task(owner2())
    await asyncio.sleep(1); t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print(f"owner cancelled at {round(loop.time() - t0)}:", t.cancelled())
asyncio.run(main2())
