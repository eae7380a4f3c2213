# wait_for and shield rules beyond the shared cases 081-087.
import asyncio
async def swallow():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("  inner swallowed the cancel")
        return "swallowed"
async def slow_cleanup():
    loop = asyncio.get_running_loop()
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        await asyncio.sleep(1)
        print(f"  cleanup done@{round(loop.time() - T0)}")
        raise
async def val(v, d):
    await asyncio.sleep(d); return v
async def main():
    global T0
    loop = asyncio.get_running_loop()
    T0 = loop.time()
    print("swallow:", await asyncio.wait_for(asyncio.create_task(swallow()), 1))
    T0 = loop.time()
    try:
        await asyncio.wait_for(asyncio.create_task(slow_cleanup()), 2)
    except asyncio.TimeoutError:
        print(f"TimeoutError@{round(loop.time() - T0)}")
    T0 = loop.time()
    print("in time:", await asyncio.wait_for(val("v", 1), 2), f"@{round(loop.time() - T0)}")
    # shield: an outer cancel does not reach the inner
    T0 = loop.time()
    inner = asyncio.create_task(val("inner-result", 3))
    async def guarded():
        try:
            return await asyncio.shield(inner)
        except asyncio.CancelledError:
            print(f"  guarded cancelled@{round(loop.time() - T0)}, inner cancelled: {inner.cancelled()}")
            raise
    g = asyncio.create_task(guarded())
    await asyncio.sleep(1); g.cancel()
    print("inner still completes:", await inner, f"@{round(loop.time() - T0)}")
asyncio.run(main())
