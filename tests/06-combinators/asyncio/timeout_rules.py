# timeout rules beyond the shared cases 135-145: reschedule later / earlier, inner fires first.
import asyncio
async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    async with asyncio.timeout(1) as cm:
        cm.reschedule(loop.time() + 3)
        await asyncio.sleep(2)
    print(f"rescheduled later: no timeout@{round(loop.time() - t0)} expired={cm.expired()}")
    t0 = loop.time()
    try:
        async with asyncio.timeout(5) as cm:
            cm.reschedule(loop.time() + 1)
            await asyncio.sleep(3)
    except TimeoutError:
        print(f"rescheduled earlier: TimeoutError@{round(loop.time() - t0)}")
    t0 = loop.time()
    async with asyncio.timeout(5) as cm:
        cm.reschedule(None)
        await asyncio.sleep(6)
    print(f"reschedule(None): no deadline@{round(loop.time() - t0)} when={cm.when()}")
    t0 = loop.time()
    async with asyncio.timeout(5) as outer:
        try:
            async with asyncio.timeout(1) as inner:
                await asyncio.sleep(3)
        except TimeoutError:
            print(f"inner fired first: TimeoutError@{round(loop.time() - t0)} inner.expired={inner.expired()} outer.expired={outer.expired()}")
        await asyncio.sleep(1)
    print(f"outer block ends normally@{round(loop.time() - t0)}, cancelling={asyncio.current_task().cancelling()}")
    # a foreign cancel inside a timeout block passes through as CancelledError
    async def body():
        async with asyncio.timeout(5):
            await asyncio.sleep(10)
    t = asyncio.create_task(body())
    await asyncio.sleep(1); t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("foreign cancel -> CancelledError, not TimeoutError")
asyncio.run(main())
